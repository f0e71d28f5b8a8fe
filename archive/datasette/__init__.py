"""Datasette publication of the archive: the `thanthien` Datasette plugin (entry point: this package).

plugin.py  search the way people type (folded queries, phrases, prefixes) and snippets
render.py  cells: <mark> highlights, links to the readable article page
pages.py   /-/article, /-/capture, /-/search, /-/timeline, /-/map
templates/ and static/ are found by Datasette because the plugin is this package.
"""
from .pages import asgi_wrapper, extra_css_urls, menu_links, register_routes  # noqa: F401
from .plugin import prepare_connection  # noqa: F401
from .render import render_cell  # noqa: F401
