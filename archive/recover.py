"""`thanthien recover`: a portal's articles from the Wayback Machine, through the ordinary pipelines.

One Scrapy crawl of the `wayback` spider (scrapers/spiders/wayback.py) in this process; the run
is a `crawl_runs` row like any crawl (its status is the finish reason: `finished`, or
`wayback_rate_limited` when repeated 429s stopped it — run the same command again to resume).

Merging with live crawls (one article row per canonical_url, archive/db.py `upsert_record`):
- no row yet → the recovered article is inserted with recovered_from='wayback' and snapshot_date;
- a live row exists → it is kept as it is ("kept_live"); the snapshot stays as a `captures` row
  (source='wayback', snapshot_timestamp, archive_url) beside the live capture, so a page that
  changed since its snapshot has both versions in the archive;
- a later live crawl of a recovered article replaces the row with the live version and clears
  recovered_from / snapshot_date; its earlier snapshot capture stays.
`thanthien reprocess` follows the same rule: the latest live capture of a URL, a snapshot only
where there is none.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

from scrapy.crawler import CrawlerProcess

from archive.crawl import project_settings
from archive.lock import hold_writer
from scrapers.wayback import STOP_REASON


@dataclass
class RecoverySummary:
    portal: str
    db_path: Path
    seconds: float
    finish_reason: str | None
    stats: dict = field(default_factory=dict)

    @property
    def stopped_by_429(self) -> bool:
        return self.finish_reason == STOP_REASON

    def lines(self) -> list[str]:
        s = self.stats.get
        return [
            f"recover {self.portal} → {self.db_path} in {self.seconds:.1f}s ({self.finish_reason})",
            f"  CDX requests {s('thanthien/wayback_requests_cdx', 0)} (+{s('thanthien/wayback_cdx_cached', 0)} from the archive), "
            f"rows {s('thanthien/wayback_cdx_rows', 0)}; listing links {s('thanthien/wayback_listing_links', 0)}, "
            f"look-ups {s('thanthien/wayback_lookups', 0)}, found by listings {s('thanthien/wayback_found_by_listings', 0)}",
            f"  article URLs {s('thanthien/wayback_article_urls', 0)}: snapshots fetched {s('thanthien/wayback_snapshots_fetched', 0)}, "
            f"already stored {s('thanthien/wayback_already_stored', 0)}, digest mismatches {s('thanthien/wayback_digest_mismatch', 0)}",
            f"  articles new {s('thanthien/articles_new', 0)}, updated {s('thanthien/articles_updated', 0)}, "
            f"unchanged {s('thanthien/articles_unchanged', 0)}, kept live {s('thanthien/articles_kept_live', 0)}, "
            f"launch reports {s('thanthien/launch_reports', 0)}, not articles {s('item_dropped_count', 0)}",
            f"  429s {s('thanthien/wayback_429', 0)} (waited {s('thanthien/wayback_429_waited_s', 0)}s); "
            f"smallest gap CDX {s('thanthien/wayback_min_gap_cdx', '-')}s, snapshots {s('thanthien/wayback_min_gap_replay', '-')}s",
        ]


def run_recover(portal: str, db_path: Path, *, wayback_url: str | None = None, date_from: str | None = None,
                date_to: str | None = None, latest: bool = False, overrides: dict | None = None) -> RecoverySummary:
    """Blocks until the run ends. Once per process (Twisted's reactor cannot restart)."""
    settings = project_settings(Path(db_path), overrides)
    hold_writer(db_path)  # one writer per archive (archive/lock.py)
    process = CrawlerProcess(settings, install_root_handler=True)
    crawler = process.create_crawler("wayback")
    kwargs = {"portal": portal, "latest": "1" if latest else ""}
    if wayback_url:
        kwargs["wayback_url"] = wayback_url
    if date_from:
        kwargs["from"] = date_from
    if date_to:
        kwargs["to"] = date_to
    started = time.monotonic()
    process.crawl(crawler, **kwargs)
    try:
        process.start()
    except KeyboardInterrupt:
        pass
    stats = crawler.stats.get_stats() if crawler.stats else {}
    return RecoverySummary(portal=portal, db_path=Path(db_path), seconds=time.monotonic() - started,
                           finish_reason=stats.get("finish_reason"), stats=dict(stats))
