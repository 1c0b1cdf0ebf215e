"""The hub's server-rendered web pages (Jinja templates in ``templates/``, static files and the
vendored htmx in ``static/``): the public ticket page, the front page, and the office console."""
