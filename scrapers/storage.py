"""A write that fails (a full disk, a size limit, a read-only folder) stops the crawl at once.

Fetching on while nothing can be stored would only turn every page into a traceback. The first
failed write of the WARC store or the archive database books the reason in the crawler's stats,
logs one error line and closes the spider with the reason `storage_failed`; later responses and
items are let go without another write or another line. What was stored before stays stored:
each record and each article was committed whole (archive/warc.py, archive/db.py). `thanthien
crawl` then books the run `failed`, with the reason, and exits 1.
"""
from __future__ import annotations

import logging
import sqlite3

from scrapy.utils.defer import deferred_from_coro

STORAGE_FAILED = "storage_failed"
STORAGE_ERRORS = (OSError, sqlite3.OperationalError)
logger = logging.getLogger(__name__)


# The first failure of the process: a full disk is full for every portal's crawler in it.
_FIRST_FAILURE: list[str] = []


def storage_failed(crawler) -> bool:
    """True once a write has failed here or in another crawler of this process (then this crawler
    stops too, without another line)."""
    if crawler.stats.get_value("thanthien/storage_failed"):
        return True
    if _FIRST_FAILURE:
        crawler.stats.set_value("thanthien/storage_failed", _FIRST_FAILURE[0])
        deferred_from_coro(crawler.engine.close_spider_async(reason=STORAGE_FAILED))
        return True
    return False


def stop_on_storage_failure(crawler, exc: Exception, what: str) -> None:
    if storage_failed(crawler):
        return  # already stopping: said once
    reason = f"{what}: {getattr(exc, 'strerror', None) or exc}"
    _FIRST_FAILURE.append(reason)
    crawler.stats.set_value("thanthien/storage_failed", reason)
    logger.error("storage failed (%s); stopping the crawl. What was stored before is kept; free space and "
                 "run the same command again to resume.", reason)
    deferred_from_coro(crawler.engine.close_spider_async(reason=STORAGE_FAILED))
