"""Run bookkeeping from Scrapy signals: one `crawl_runs` row per run, with its counts and errors."""
from __future__ import annotations

from scrapers.signals import SignalExtension

from archive import db as archive_db
from archive import runs


def run_counts(stats: dict) -> dict:
    """The crawl_runs columns from one crawler's stats."""
    return {
        "pages_fetched": stats.get("response_received_count", 0),
        "articles_new": stats.get("thanthien/articles_new", 0),
        "articles_updated": stats.get("thanthien/articles_updated", 0),
        "articles_unchanged": stats.get("thanthien/articles_unchanged", 0),
        "pages_dropped": stats.get("item_dropped_count", 0),
        "ok_responses": stats.get("downloader/response_status_count/200", 0),
    }


class CrawlRunRecorder(SignalExtension):
    listens_to = ("spider_opened", "spider_closed", "item_dropped", "fault")

    def __init__(self, crawler):
        super().__init__(crawler)
        self.db_path = crawler.settings.get("THANTHIEN_DB")
        self.external_run = crawler.settings.get("THANTHIEN_RUN_ID")
        self.run_id = None
        self.db = None

    # Faults and drops are booked as crawl_events rows as they happen, so a killed run keeps them.
    def fault(self, kind, url, status=None, detail="", final=False):
        self._event(url, kind, status, final, detail)

    def item_dropped(self, item, response, exception, spider=None):
        kind = getattr(exception, "kind", "dropped")
        if kind != "not_modified":
            self._event(item.get("url", ""), kind, item.get("status"), True, str(exception))

    def _event(self, url, kind, status, final, detail):
        if self.db is None:
            return
        portal = getattr(getattr(self.crawler.spider, "portal", None), "name", None)
        runs.record_event(self.db, self.run_id, portal, url, kind, status, final, detail)
        # the same counts as the run's crawl_events rows, for the progress display (archive/crawl.py)
        self.crawler.stats.inc_value("thanthien/faults")
        if final:
            self.crawler.stats.inc_value("thanthien/errors")

    def spider_opened(self, spider):
        self.db = archive_db.open_db(self.db_path)
        if self.external_run:
            self.run_id = int(self.external_run)
        else:
            portal = getattr(spider, "portal", None)
            self.run_id = runs.start_run(self.db, [portal.name] if portal else [spider.name])
        spider.crawl_run_id = self.run_id

    def spider_closed(self, spider, reason):
        db, self.db = self.db, None
        if not self.external_run:  # else the CLI that made the run row sums every crawler's stats into it
            counts = run_counts(self.crawler.stats.get_stats())
            counts.pop("ok_responses")
            runs.finish_run(db, self.run_id, status="finished" if reason == "finished" else reason, **counts)
        db.close()


class WarcRecorder(SignalExtension):
    """Every response received (robots.txt, listings, articles, errors) → a WARC record and a
    `captures` row; the capture id rides on the request's meta to the item that page becomes."""

    listens_to = ("spider_opened", "spider_closed", "response_received")

    def __init__(self, crawler):
        from pathlib import Path

        super().__init__(crawler)
        self.db_path = Path(crawler.settings.get("THANTHIEN_DB"))
        self.archive_dir = Path(crawler.settings.get("THANTHIEN_ARCHIVE_DIR") or self.db_path.parent)
        self.max_bytes = crawler.settings.getint("THANTHIEN_WARC_MAX_BYTES")
        self.store = None
        self.db = None

    def spider_opened(self, spider):
        from archive.warc import WarcStore, repair_file

        self.db = archive_db.open_db(self.db_path)
        # Files of runs that were killed may end in half a record: cut them back before going on.
        runs.interrupted_runs(self.db)
        for (run_id,) in self.db.execute("select id from crawl_runs where status = 'interrupted'"):
            for path in (self.archive_dir / "warc").glob(f"*-run{run_id}-*.warc.gz"):
                if repair_file(path):
                    spider.logger.warning("repaired %s: cut back to its last complete record", path.name)
        portal = getattr(spider, "portal", None)
        prefix = f"{portal.name if portal else spider.name}-run{getattr(spider, 'crawl_run_id', 0) or 0}"
        self.store = WarcStore(self.archive_dir, prefix, self.max_bytes)

    def spider_closed(self, spider, reason):
        if self.store:
            self.store.close()
        if self.db is not None:
            self.db.close()

    def response_received(self, response, request, spider):
        from scrapers.storage import STORAGE_ERRORS, stop_on_storage_failure, storage_failed

        if storage_failed(self.crawler):
            return  # the crawl is stopping: nothing more is written
        try:
            self._keep(response, request, spider)
        except STORAGE_ERRORS as exc:
            stop_on_storage_failure(self.crawler, exc, "WARC capture")

    def _keep(self, response, request, spider):
        portal = getattr(spider, "portal", None)
        request.meta["capture_id"] = archive_db.store_capture(
            self.db, self.store, capture_of(response, request), portal=getattr(portal, "name", None),
            crawl_run_id=getattr(spider, "crawl_run_id", None))


def capture_of(response, request) -> dict:
    """What one response leaves for the archive: URL, status, headers, body, the request's method and
    headers, the time (also put in request.meta["fetched_at"]), validators — and, for a Wayback
    snapshot, its original URL and provenance (scrapers/wayback.py). Written by
    archive.db.store_capture, here or (distributed) in the store process."""
    from datetime import datetime, timezone

    from scrapers.wayback import capture_overrides

    fetched_at = datetime.now(timezone.utc).replace(microsecond=0).isoformat()
    request.meta["fetched_at"] = fetched_at
    over = capture_overrides(request, response)
    get = response.headers.get

    def pairs(headers):
        return [(k.decode("latin-1"), v.decode("latin-1")) for k, values in headers.items() for v in values]

    return {
        "url": over.get("url", response.url), "status": response.status, "headers": pairs(response.headers),
        "body": response.body, "request_method": request.method, "request_headers": pairs(request.headers),
        "fetched_at": fetched_at, "warc_headers": over.get("warc_headers", {}),
        "content_type": (get("Content-Type") or b"").decode("latin-1") or None,
        "etag": (get("ETag") or b"").decode("latin-1") or None,
        "last_modified": (get("Last-Modified") or b"").decode("latin-1") or None,
        "source": over.get("source", "crawl"), "columns": over.get("columns", {}),
    }
