"""The "simulated data" banner: an archive that holds pages of the bundled portal simulator says so
on every page, so a screenshot of invented officials in real communes cannot pass for the record.

The simulator's portals are registry entries with `simulated = true`; `portals.simulated` keeps
that flag in the archive, so the banner follows the data, not how the server was started.
"""
from __future__ import annotations

from datasette import hookimpl

SIMULATED_NOTE = ("Simulated data — fictional people. This archive holds pages of thanthien's bundled portal "
                  "simulator: the officials, events and texts are invented, the places are real.")


async def simulated_articles(datasette) -> int:
    """1 when the served archive holds pages of a simulated portal, else 0. A portal's row is written
    when it is crawled, so asking `portals` (a handful of rows) is enough; counting articles was a
    scan of the whole archive on every page."""
    from .common import archive_database

    try:
        db = await archive_database(datasette)
    except Exception:  # no archive served (NotFound): nothing to label
        return 0
    if not await db.table_exists("portals") or "simulated" not in await db.table_columns("portals"):
        return 0
    rows = (await db.execute("select exists (select 1 from portals where simulated = 1"
                             " and exists (select 1 from articles where articles.portal = portals.name))")).rows
    return rows[0][0]


@hookimpl
def extra_template_vars(datasette):
    async def inner():
        count = await simulated_articles(datasette)
        return {"thanthien_simulated": count, "thanthien_simulated_note": SIMULATED_NOTE if count else None}

    return inner
