"""Run real Scrapy crawls from Python (the CLI and the demo): one crawler per portal, one reactor,
one `crawl_runs` row for the whole invocation."""
from __future__ import annotations

import json
import sqlite3
import time
from dataclasses import dataclass, field
from pathlib import Path

from scrapy.crawler import CrawlerProcess
from scrapy.settings import Settings

from archive import db as archive_db
from archive.lock import hold_writer
from scrapers import settings as default_settings
from scrapers.extensions import run_counts
from scrapers.registry import Portal


@dataclass
class CrawlSummary:
    run_id: int
    db_path: Path
    seconds: float
    per_portal: dict[str, dict] = field(default_factory=dict)
    unreachable: list[str] = field(default_factory=list)
    events: dict = field(default_factory=dict)
    status: str = "running"
    storage_failure: str | None = None     # why a write failed (scrapers/storage.py), if one did

    @property
    def totals(self) -> dict:
        keys = ("pages_fetched", "articles_new", "articles_updated", "articles_unchanged", "pages_dropped")
        return {k: sum(p.get(k, 0) for p in self.per_portal.values()) for k in keys}


def project_settings(db_path: Path, overrides: dict | None = None, simulated: bool = False) -> Settings:
    settings = Settings()
    settings.setmodule(default_settings, priority="project")
    settings.set("THANTHIEN_DB", str(db_path), priority="cmdline")
    if simulated:
        settings.setdict(default_settings.SIMULATOR_SETTINGS, priority="cmdline")
    for key, value in (overrides or {}).items():
        settings.set(key, value, priority="cmdline")
    return settings


def run_crawl(targets: list[dict], db_path: Path, *, overrides: dict | None = None, simulated: bool = False) -> CrawlSummary:
    """Crawl each target ({"portal": name, "base_url": …} or {"start_url": …}) in one process.

    Blocks until every crawler has finished. Call once per process (Twisted's reactor cannot restart).
    """
    db = archive_db.open_db(db_path)
    hold_writer(db_path)  # before the run is booked: a second crawl of this archive stops here
    run_id = archive_db.start_run(db, [t.get("portal") or t.get("start_url") for t in targets])
    db.close()
    settings = project_settings(db_path, {**(overrides or {}), "THANTHIEN_RUN_ID": run_id}, simulated)
    process = CrawlerProcess(settings)
    crawlers = []
    started = time.monotonic()
    for target in targets:
        crawler = process.create_crawler("portal")
        crawlers.append((target.get("portal") or target.get("start_url"), crawler))
        process.crawl(crawler, **{k: v for k, v in target.items() if v})
    status = "finished"
    try:
        process.start()
    except KeyboardInterrupt:
        status = "interrupted"
    summary = CrawlSummary(run_id=run_id, db_path=Path(db_path), seconds=time.monotonic() - started)
    for name, crawler in crawlers:
        stats = crawler.stats.get_stats() if crawler.stats else {}
        summary.per_portal[name] = {**run_counts(stats), "launch_reports": stats.get("thanthien/launch_reports", 0),
                                    "finish_reason": stats.get("finish_reason")}
    db = archive_db.open_db(db_path)
    summary.unreachable = [name for name, counts in summary.per_portal.items() if not counts.get("ok_responses")]
    if status == "finished" and summary.unreachable:
        status = "unreachable"
    failures = [c.stats.get_value("thanthien/storage_failed") for _, c in crawlers if c.stats]
    summary.storage_failure = next(filter(None, failures), None)
    if summary.storage_failure:
        status = "failed"  # a write failed (scrapers/storage.py): the crawl stopped there
    summary.status = status
    try:
        archive_db.finish_run(db, run_id, status=status, **summary.totals)
        if summary.storage_failure:
            booked = json.loads(db.execute("select error_summary from crawl_runs where id = ?", [run_id]).fetchone()[0]
                                or "{}")
            with db.conn:
                db["crawl_runs"].update(run_id, {"error_summary": json.dumps(
                    {**booked, "storage_failed": summary.storage_failure}, ensure_ascii=False)})
        summary.events = archive_db.event_counts(db, run_id)
        for name in summary.per_portal:
            summary.per_portal[name]["errors"] = db.execute(
                "select count(*) from crawl_events where crawl_run_id = ? and portal = ? and final = 1", [run_id, name]
            ).fetchone()[0]
        # Fold the WAL into the main file: `thanthien serve` opens the archive immutable, which ignores WAL.
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    except sqlite3.OperationalError:
        if not summary.storage_failure:
            raise
        # the disk is still full: the run stays booked "running" and is seen as interrupted next time
    finally:
        db.close()
    return summary


def portal_targets(portals: list[Portal], base_urls: dict[str, str] | None = None) -> list[dict]:
    base_urls = base_urls or {}
    return [{"portal": p.name, "base_url": base_urls.get(p.name)} for p in portals]
