"""Scrapy item pipelines: thin adapters from crawled pages to the pure functions and the archive."""
from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from functools import partial

from scrapy.exceptions import DropItem

from archive import db as archive_db
from archive.lock import hold_writer, release_writer
from archive.stories import StoryAssigner
from scrapers.storage import STORAGE_ERRORS, stop_on_storage_failure, storage_failed

from .dedupe import analyze
from .extract import NotAnArticle, extract_record
from .softfail import soft_failure


class PageDropped(DropItem):
    """A page that is not stored as an article, with the kind of reason (for crawl_runs)."""

    def __init__(self, kind: str, message: str):
        super().__init__(message)
        self.kind = kind


def drop_kind(body: bytes) -> str:
    return soft_failure(body) or "not_article"


# Extraction is CPU work: it runs in this one worker thread, off the reactor, so one huge page never
# stalls fetching (the reactor keeps its turns while lxml and the readers work). One worker: the
# readers' caches need no locks, and pages are extracted in the order they came.
_EXTRACTOR = ThreadPoolExecutor(max_workers=1, thread_name_prefix="thanthien-extract")


class ExtractPipeline:
    """Raw page → record (decode, extract, classify, structure: all in `extract_record`)."""

    async def process_item(self, item, spider=None):
        if item.get("status") == 304:
            raise PageDropped("not_modified", f"not modified since the last capture: {item['url']}")
        if item.get("status", 200) != 200:
            raise PageDropped(f"http{item['status']}", f"HTTP {item['status']} at {item['url']}")
        try:
            record = await asyncio.get_running_loop().run_in_executor(
                _EXTRACTOR, partial(extract_record, item["body"], item["url"], item.get("headers"),
                                    portal=item.get("portal_entry")))
        except NotAnArticle as exc:
            raise PageDropped(drop_kind(item["body"]), str(exc)) from None
        if item.get("portal") is None:
            record["portal"] = None  # an unregistered site crawled with --start-url
        item["record"] = record
        return item


class StoryPipeline:
    """Record → the evidence of its story: the body's near-duplicate analysis (`pipelines.dedupe`),
    and the archive's story index that will place it (`archive.stories.StoryAssigner`).

    Why the decision itself waits for the store: an article and its story are written in one
    transaction (tests/test_atomic_store.py), and the match must see every article stored before
    it, including those of the other portals' crawlers of the run. So this stage does the costly,
    pure part — the text analysis, in the extraction thread, off the reactor — and hands the store
    the index to decide with (`item["stories"]`, `item["story_analysis"]`); `upsert_record` matches,
    indexes and writes the story inside the article's transaction. `import-warc`, `reprocess` and
    the distributed store call the same `upsert_record` with their own `StoryAssigner`.

    The index is the setting THANTHIEN_STORIES when the runner gives one (`archive/crawl.py`: one
    for all the crawlers of a run); a bare `scrapy crawl` loads its own from THANTHIEN_DB at the
    first article, once the StorePipeline holds the archive's writer lock."""

    def __init__(self, crawler):
        self.db_path = crawler.settings.get("THANTHIEN_DB")
        self.stories = crawler.settings.get("THANTHIEN_STORIES")

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def _index(self) -> StoryAssigner:
        if self.stories is None:
            db = archive_db.open_db(self.db_path)
            try:
                self.stories = StoryAssigner(db)
            finally:
                db.close()
        return self.stories

    async def process_item(self, item, spider=None):
        stories = self._index()
        # the same thread as extraction: the analysis' token vocabulary is a per-process cache
        item["story_analysis"] = await asyncio.get_running_loop().run_in_executor(
            _EXTRACTOR, analyze, item["record"]["body_text"] or "")
        item["stories"] = stories
        return item


class StorePipeline:
    """Record → archive rows, one transaction per article; counts new/updated/unchanged."""

    def __init__(self, crawler):
        self.crawler = crawler
        self.db_path = crawler.settings.get("THANTHIEN_DB")
        self.stats = crawler.stats
        self.db = None

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def open_spider(self, spider=None):
        spider = spider or self.crawler.spider
        # one writer per archive (archive/lock.py): the CLI took the lock already; a bare
        # `scrapy crawl` takes it here and gives it back when the spider closes
        self.took_lock = hold_writer(self.db_path)
        self.db = archive_db.open_db(self.db_path)
        portal = getattr(spider, "portal", None)
        if portal is not None and getattr(spider, "portal_is_registered", False):
            archive_db.sync_portals(self.db, [portal])

    def close_spider(self, spider=None):
        if self.db is not None:
            self.db.close()
        if getattr(self, "took_lock", False):
            release_writer(self.db_path)

    def process_item(self, item, spider=None):
        spider = spider or self.crawler.spider
        if storage_failed(self.crawler):
            return {"url": item["url"], "status": "not_stored"}  # stopping (scrapers/storage.py)
        try:
            _id, status = archive_db.upsert_record(
                self.db, item["record"], seen_at=item.get("fetched_at"), crawl_run_id=getattr(spider, "crawl_run_id", None),
                capture_id=item.get("capture_id"),
                # a Wayback snapshot (scrapers/spiders/wayback.py): never replaces a live row ("kept_live")
                recovered_from=item.get("recovered_from"), snapshot_date=item.get("snapshot_date"),
                stories=item.get("stories"), story_analysis=item.get("story_analysis"),  # StoryPipeline's
            )
        except STORAGE_ERRORS as exc:
            stop_on_storage_failure(self.crawler, exc, "archive database")
            return {"url": item["url"], "status": "not_stored"}
        self.stats.inc_value(f"thanthien/articles_{status}")
        if item["record"]["is_launch_report"]:
            self.stats.inc_value("thanthien/launch_reports")
        return {"url": item["url"], "status": status, "title": item["record"]["title"]}
