"""Crawl runs in the archive: one `crawl_runs` row a run, its faults as `crawl_events` rows as they
happen (a killed run keeps them), runs left behind by a dead process marked interrupted."""
from __future__ import annotations

import json

import sqlite_utils

from archive.db import now_iso


def start_run(db: sqlite_utils.Database, portals: list[str]) -> int:
    import os

    with db.conn:
        return db["crawl_runs"].insert({
            "started_at": now_iso(), "status": "running", "portals": ",".join(portals), "pages_fetched": 0, "pid": os.getpid(),
            "articles_new": 0, "articles_updated": 0, "articles_unchanged": 0, "pages_dropped": 0, "errors": 0,
        }).last_pk


def record_event(db: sqlite_utils.Database, run_id: int | None, portal: str | None, url: str, kind: str,
                 status: int | None = None, final: bool = False, detail: str = "") -> None:
    with db.conn:
        db["crawl_events"].insert({"crawl_run_id": run_id, "portal": portal, "url": url, "kind": kind, "status": status,
                                   "final": int(final), "detail": detail or None, "at": now_iso()})


def event_counts(db: sqlite_utils.Database, run_id: int) -> dict:
    """faults (every event), errors (final failures) and the counts by kind, for a run."""
    by_kind = {kind: n for kind, n in db.execute(
        "select kind, count(*) from crawl_events where crawl_run_id = ? group by kind order by kind", [run_id])}
    errors = db.execute("select count(*) from crawl_events where crawl_run_id = ? and final = 1", [run_id]).fetchone()[0]
    return {"faults": sum(by_kind.values()), "errors": errors, "error_summary": json.dumps(by_kind) if by_kind else None}


def finish_run(db: sqlite_utils.Database, run_id: int, **counts) -> None:
    counts.pop("errors", None)
    with db.conn:
        db["crawl_runs"].update(run_id, {"finished_at": now_iso(), **counts, **event_counts(db, run_id)})


def _pid_alive(pid: int | None) -> bool:
    import os

    if not pid:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def interrupted_runs(db: sqlite_utils.Database) -> list[dict]:
    """Runs left 'running' by a process that no longer exists (killed, crashed): marked 'interrupted'."""
    stale = [r for r in db.query("select * from crawl_runs where status = 'running'") if not _pid_alive(r["pid"])]
    with db.conn:
        for run in stale:
            db["crawl_runs"].update(run["id"], {"status": "interrupted"})
    return stale


def unfinished_portals(db: sqlite_utils.Database) -> set[str]:
    """Portals whose latest run did not finish: their next run walks every listing page again."""
    latest: dict[str, str] = {}
    # Runs still 'running' are live processes (this one included): they say nothing about the past.
    for row in db.query("select portals, status from crawl_runs where status != 'running' order by id"):
        for name in (row["portals"] or "").split(","):
            latest[name] = row["status"]
    return {name for name, status in latest.items() if status == "interrupted"}
