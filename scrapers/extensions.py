"""Run bookkeeping from Scrapy signals: one `crawl_runs` row per run, with its counts and errors."""
from __future__ import annotations

from scrapy import signals

from archive import db as archive_db


def run_counts(stats: dict) -> dict:
    """The crawl_runs columns from one crawler's stats."""
    errors = (
        stats.get("log_count/ERROR", 0)
        + stats.get("downloader/exception_count", 0)
        + stats.get("httperror/response_ignored_count", 0)
    )
    return {
        "pages_fetched": stats.get("response_received_count", 0),
        "articles_new": stats.get("thanthien/articles_new", 0),
        "articles_updated": stats.get("thanthien/articles_updated", 0),
        "articles_unchanged": stats.get("thanthien/articles_unchanged", 0),
        "pages_dropped": stats.get("item_dropped_count", 0),
        "errors": errors,
    }


class CrawlRunRecorder:
    def __init__(self, crawler):
        self.crawler = crawler
        self.db_path = crawler.settings.get("THANTHIEN_DB")
        self.external_run = crawler.settings.get("THANTHIEN_RUN_ID")
        self.run_id = None

    @classmethod
    def from_crawler(cls, crawler):
        ext = cls(crawler)
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        return ext

    def spider_opened(self, spider):
        if self.external_run:
            self.run_id = int(self.external_run)
        else:
            db = archive_db.open_db(self.db_path)
            portal = getattr(spider, "portal", None)
            self.run_id = archive_db.start_run(db, [portal.name] if portal else [spider.name])
            db.close()
        spider.crawl_run_id = self.run_id

    def spider_closed(self, spider, reason):
        if self.external_run:
            return  # the CLI that made the run row sums every crawler's stats into it
        db = archive_db.open_db(self.db_path)
        counts = run_counts(self.crawler.stats.get_stats())
        archive_db.finish_run(db, self.run_id, status="finished" if reason == "finished" else reason, **counts)
        db.close()
