"""``python -m provisioning``: what motcua-firstboot.service runs."""

import sys

from provisioning.firstboot import main

sys.exit(main())
