"""The validation and coverage pipeline: each record checked against the schema, and per portal
the articles with each field filled, booked in `field_coverage` when the spider closes.

Between extraction and store (scrapers/settings.py ITEM_PIPELINES). A record that breaks the
schema is logged with the field and passed on unchanged: it is stored anyway (an article is never
lost to a validation rule); the count of such records per field is the `invalid` column.
"""
from __future__ import annotations

import logging
from urllib.parse import urlsplit

from archive import coverage as archive_coverage
from archive import db as archive_db
from archive.lock import ArchiveBusy, hold_writer, release_writer
from scrapers.storage import STORAGE_ERRORS, storage_failed

from . import record_schema

logger = logging.getLogger(__name__)


class FieldCounts:
    """Per portal and field: articles counted, articles with the field filled, articles whose value
    of it breaks the schema. Event fields count the records that have an event (launch reports)."""

    def __init__(self):
        self.portals: dict[str, dict[str, dict[str, int]]] = {}

    def add(self, portal: str, record: dict, problems: list[tuple[str, str]]) -> None:
        tally = self.portals.setdefault(
            portal, {f: {"filled": 0, "articles": 0, "invalid": 0} for f in record_schema.COVERAGE_FIELDS})
        for field, filled in record_schema.coverage_values(record):
            tally[field]["articles"] += 1
            tally[field]["filled"] += filled
        for field in {field for field, _ in problems if field in tally}:
            tally[field]["invalid"] += 1


class CoveragePipeline:
    """Record → validated and counted (the item goes on unchanged)."""

    def __init__(self, crawler):
        self.crawler = crawler
        self.db_path = crawler.settings.get("THANTHIEN_DB")
        self.counts = FieldCounts()

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def process_item(self, item, spider=None):
        record = item.get("record")
        if record is None:
            return item
        problems = record_schema.validate(record)
        if problems:
            self.crawler.stats.inc_value("thanthien/records_invalid")
            logger.warning("record of %s breaks %s, stored anyway: %s", item.get("url"), record_schema.SOURCE,
                           "; ".join(f"{field}: {message}" for field, message in problems))
        self.counts.add(record.get("portal") or urlsplit(record.get("url") or "").hostname or "?", record, problems)
        return item

    def close_spider(self, spider=None):
        spider = spider or self.crawler.spider
        if not self.counts.portals:
            return
        if storage_failed(self.crawler):
            logger.warning("field coverage not booked: the archive's storage failed")
            return
        try:
            took = hold_writer(self.db_path)  # the CLI holds it already; a bare `scrapy crawl` let it go
        except ArchiveBusy as exc:
            logger.warning("field coverage not booked: %s", exc)
            return
        try:
            db = archive_db.open_db(self.db_path)
            try:
                for portal, counts in self.counts.portals.items():
                    archive_coverage.save(db, getattr(spider, "crawl_run_id", None), portal, counts)
            finally:
                db.close()
        except STORAGE_ERRORS as exc:
            logger.error("field coverage not booked: %s", exc)
        finally:
            if took:
                release_writer(self.db_path)
