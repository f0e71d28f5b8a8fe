"""The home page's headline numbers and downloads, computed from the served archive.

Only for the home page (index.html): launch events, communes, districts, provinces, portals, articles
and launch reports, the date range of the launches and the last crawl, plus the download links (the
launch events CSV, and the whole database file when Datasette allows its download: an immutable
database with `allow_download` on, as `thanthien serve` runs it).

Counts follow the publication's definitions: launch events are rows of the `launch_events` view (one
per unit per story: a republished report counts once); a commune is a distinct pre-2025 `unit_code`,
or its (province, district, unit) names when the gazetteer did not resolve it.

banner.py already gives the package its `extra_template_vars` hook, and a plugin module holds one
implementation of a hook: this module registers itself with Datasette's plugin manager as a plugin of
its own when the package imports it.
"""
from __future__ import annotations

import sys

from datasette import hookimpl

HEADLINE_SQL = {
    "launches": """select count(*) as launch_events,
               count(distinct coalesce(unit_code, province || '|' || district || '|' || unit)) as communes,
               count(distinct coalesce(province, '') || '|' || coalesce(district, '')) as districts,
               count(distinct province) as provinces,
               count(distinct article_id) as launch_reports,
               min(event_date) as first_launch, max(event_date) as last_launch
        from launch_events""",
    "articles": "select count(*) as articles, count(distinct portal) as portals from articles",
    "crawl": "select max(coalesce(finished_at, started_at)) as last_crawl from crawl_runs",
}

# An immutable database does not change while it is served: its numbers are computed once.
_cache: dict[tuple, dict] = {}


async def headline(datasette) -> dict | None:
    """The home page's numbers (None when no archive with the launch_events view is served)."""
    from .common import archive_database

    try:
        db = await archive_database(datasette)
    except Exception:  # no archive served
        return None
    key = (db.name, db.hash) if db.hash else None
    if key in _cache:
        return _cache[key]
    names = set(await db.table_names()) | set(await db.view_names())
    if not {"launch_events", "articles", "crawl_runs"} <= names:
        return None
    numbers: dict = {"database": db.name}
    for sql in HEADLINE_SQL.values():
        result = await db.execute(sql)
        numbers.update(dict(zip(result.columns, result.rows[0])))
    numbers["db_download"] = bool(datasette.setting("allow_download") and not db.is_mutable and not db.is_memory)
    numbers["db_size"] = db.size if numbers["db_download"] else None
    if key is not None:
        _cache[key] = numbers
    return numbers


@hookimpl
def extra_template_vars(template, datasette):
    if template != "index.html":
        return {}

    async def inner():
        return {"thanthien_headline": await headline(datasette)}

    return inner


def _register() -> None:
    from datasette.plugins import pm

    module = sys.modules[__name__]
    if not pm.is_registered(module):
        pm.register(module, name="thanthien-home")


_register()
