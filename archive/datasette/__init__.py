"""Datasette publication of the archive: the `thanthien` Datasette plugin (entry point: this package).

plugin.py  search the way people type (folded queries, phrases, prefixes) and snippets
render.py  cells: <mark> highlights, links to the readable article page
pages.py   /-/article, /-/timeline, /-/map, and the routes of captures.py (/-/capture) and search.py (/-/search)
common.py  what the pages share
home.py    the home page's headline numbers and downloads (registers itself: a second extra_template_vars)
banner.py  the "simulated data — fictional people" banner on every page of a simulator archive
templates/ and static/ are found by Datasette because the plugin is this package.
"""
from .banner import extra_template_vars  # noqa: F401
from . import home  # noqa: F401  (registers itself as a plugin)
from .pages import asgi_wrapper, extra_css_urls, menu_links, register_routes  # noqa: F401
from .plugin import prepare_connection  # noqa: F401
from .render import render_cell  # noqa: F401
