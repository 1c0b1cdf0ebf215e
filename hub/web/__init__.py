"""The hub's server-rendered web pages (Jinja templates in ``templates/``): the public ticket
page today."""
