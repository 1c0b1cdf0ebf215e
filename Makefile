# Every routine command. `make` creates .venv and installs what it needs by itself.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp

.PHONY: demo test test-fast proof proof-api messages lint format bench clean image-tree image

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[all,dev]'
	touch $(STAMP)

demo: $(STAMP)
	$(VENV)/bin/motcua demo

test: $(STAMP)
	SDL_VIDEODRIVER=offscreen KIVY_NO_ARGS=1 KIVY_NO_CONSOLELOG=1 $(PY) -m pytest -m "not proof"

# The quick loop: everything but the tests marked slow, gui (Kivy windows) or browser (Chromium),
# on two workers (a test file stays on one, so its fixtures are built once).
test-fast: $(STAMP)
	$(PY) -m pytest -q -n 2 --dist loadfile -m "not slow and not gui and not browser and not proof"

# Extract the msgids from the code (babel.cfg) and bring every package's locale/vi.po in step:
# new texts are added untranslated, texts no code uses are dropped.
# The proof suite: long runs against a real hub (schemathesis over the whole API, ...).
proof: $(STAMP)
	$(PY) -m pytest -m proof tests/proof

# The proof's schemathesis run alone (over 10,000 requests; 22 minutes on a loaded 2-core
# machine): what CI runs after make test. The soak stays in make proof.
proof-api: $(STAMP)
	$(PY) -m pytest -m proof tests/proof/test_api_fuzz.py

messages: $(STAMP)
	$(PY) -m motcua.catalogs

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: $(STAMP)
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

bench: $(STAMP)
	@for b in bench/bench_*.py; do echo "== $$b"; $(PY) $$b || exit 1; done

# A role's image file tree in build/images/ROLE (overlays, units, package list, the wheel);
# checked by tests/images. `make image` puts it on Raspberry Pi OS as an .img (images/image.sh:
# needs arm64 emulation and the network to the Debian mirror; not part of `make test`).
ROLE ?= kiosk
image-tree: $(STAMP)
	PYTHON=$(PY) images/build.sh tree $(ROLE)

image: $(STAMP)
	PYTHON=$(PY) images/build.sh image $(ROLE)

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .ruff_cache
