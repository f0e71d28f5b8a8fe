"""Field coverage: per crawl run and portal, the share of articles with each record field filled.

The counts are made by the crawl's validation pipeline (`pipelines/coverage.py`) and written
here at the end of each portal's crawl, one transaction per portal. A field whose share falls
from one run of a portal to the next is the sign of template drift (the portal changed its page
layout and a reader lost the field): the run summary names it, and Datasette's "coverage drift"
query lists it.
"""
from __future__ import annotations

import sqlite_utils


def create_table(db: sqlite_utils.Database) -> None:
    db["field_coverage"].create(
        {"crawl_run_id": int, "portal": str, "field": str, "filled": int, "articles": int, "share": float,
         "invalid": int},
        pk=("crawl_run_id", "portal", "field"), foreign_keys=[("crawl_run_id", "crawl_runs", "id")],
        if_not_exists=True,
    )


def save(db: sqlite_utils.Database, run_id: int | None, portal: str, counts: dict[str, dict]) -> int:
    """The counts of one portal in one run ({field: {filled, articles, invalid}}), in one
    transaction; a second save of the same run and portal replaces its rows. Returns rows written."""
    rows = [{"crawl_run_id": run_id, "portal": portal, "field": field, "filled": c["filled"], "articles": c["articles"],
             "share": round(c["filled"] / c["articles"], 4) if c["articles"] else None, "invalid": c["invalid"]}
            for field, c in counts.items()]
    with db.atomic():
        db["field_coverage"].upsert_all(rows, pk=("crawl_run_id", "portal", "field"))
    return len(rows)


def fallen(db: sqlite_utils.Database, run_id: int) -> dict[str, list[tuple[str, float, float]]]:
    """{portal: [(field, share before, share now)]}: the fields of this run whose share fell against
    the same portal's previous run with coverage (a field new in this run has nothing to fall from)."""
    found: dict[str, list] = {}
    for portal, field, before, now in db.execute(
        """select now.portal, now.field, before.share, now.share
           from field_coverage as now join field_coverage as before
             on before.portal = now.portal and before.field = now.field
            and before.crawl_run_id = (select max(crawl_run_id) from field_coverage
                                       where portal = now.portal and crawl_run_id < now.crawl_run_id)
           where now.crawl_run_id = ? and now.share < before.share
           order by now.portal, now.share - before.share, now.field""", [run_id]):
        found.setdefault(portal, []).append((field, before, now))
    return found


def summary_lines(db: sqlite_utils.Database, run_id: int) -> list[str]:
    """The run summary's coverage: a line per portal naming the fields that fell, or one line."""
    if "field_coverage" not in db.table_names():
        return []
    fields = db.execute("select count(distinct field) from field_coverage where crawl_run_id = ?", [run_id]).fetchone()[0]
    if not fields:
        return []
    drops = fallen(db, run_id)
    if not drops:
        return [f"coverage: {fields} fields, see field_coverage"]
    return [f"coverage {portal}: fell " + ", ".join(f"{field} {before:.0%}→{now:.0%}" for field, before, now in rows[:4])
            + (f" and {len(rows) - 4} more (field_coverage)" if len(rows) > 4 else "")
            for portal, rows in drops.items()]
