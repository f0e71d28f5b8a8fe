"""What the archive already holds for a portal, read when its spider opens: the state of incremental runs.

A Scrapy component built from settings (`THANTHIEN_ARCHIVE_STATE_CLASS`, like Scrapy's own
DUPEFILTER_CLASS): the spiders ask it for plain data — the articles already archived, the last
validators (ETag, Last-Modified) of each capture, whether the portal's last run was cut short,
stored Wayback captures and their bytes — and never import the archive themselves. It only reads.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path

from archive import db as archive_db
from archive import runs
from archive.warc import read_record

logger = logging.getLogger(__name__)


@dataclass
class PortalState:
    """A live portal's archive state (scrapers/spiders/portal.py)."""

    known: set[str] = field(default_factory=set)       # canonical URLs of articles crawled live
    validators: dict[str, tuple[str | None, str | None]] = field(default_factory=dict)  # url → (etag, last_modified)
    resume: bool = False                                # the portal's last run did not finish


@dataclass
class WaybackState:
    """A recovery's archive state (scrapers/spiders/wayback.py)."""

    stored: dict[tuple[str, str], dict] = field(default_factory=dict)   # (url, snapshot timestamp) → capture row
    cdx_cache: dict[str, dict] = field(default_factory=dict)            # CDX query URL → capture row of its answer
    known_articles: set[str] = field(default_factory=set)               # canonical URLs of stored articles


class ArchiveState:
    def __init__(self, db_path: str | None, archive_dir: str | None = None):
        self.db_path = db_path
        self.archive_dir = Path(archive_dir or (Path(db_path).parent if db_path else "."))

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler.settings.get("THANTHIEN_DB"), crawler.settings.get("THANTHIEN_ARCHIVE_DIR"))

    def _open(self):
        if not self.db_path or not Path(self.db_path).exists():
            return None
        return archive_db.open_db(self.db_path)

    def portal(self, portal) -> PortalState:
        """The articles of `portal` (a registry Portal) the archive holds, their captures' validators,
        and whether its last run was interrupted (then the next one walks every listing again)."""
        state = PortalState()
        db = self._open() if portal is not None else None
        if db is None:
            return state
        try:
            runs.interrupted_runs(db)
            state.resume = portal.name in runs.unfinished_portals(db)
            prefix = portal.base_url.lower().removeprefix("https://").removeprefix("http://").removeprefix("www.")
            like = f"%{prefix.split('/')[0]}%"
            # rows recovered from the Wayback Machine are not "known": a live crawl replaces them once
            for (url,) in db.execute("select canonical_url from articles where canonical_url like ? and recovered_from is null",
                                     [like]):
                state.known.add(url)
            for url, etag, last_modified in db.execute(
                "select url, etag, last_modified from captures where status = 200 and url like ? order by id", [like],
            ):
                state.validators[url] = (etag, last_modified)
        finally:
            db.close()
        return state

    def wayback(self, host: str, cdx_max_age: timedelta) -> WaybackState:
        """The Wayback captures of `host` already stored, CDX answers younger than `cdx_max_age`,
        and the host's stored articles."""
        state = WaybackState()
        db = self._open()
        if db is None:
            return state
        try:
            like = f"%{host}%"
            for row in db.query("select id, url, snapshot_timestamp, warc_path, warc_offset, fetched_at from captures"
                                " where source = 'wayback' and status = 200 and url like ?", [like]):
                state.stored[(row["url"], row["snapshot_timestamp"])] = row
            oldest = (datetime.now(timezone.utc) - cdx_max_age).replace(microsecond=0).isoformat()
            for row in db.query("select url, warc_path, warc_offset from captures where source = 'wayback-cdx'"
                                " and status = 200 and fetched_at >= ? order by id", [oldest]):
                state.cdx_cache[row["url"]] = row
            for (url,) in db.execute("select canonical_url from articles where canonical_url like ?", [like]):
                state.known_articles.add(url)
        finally:
            db.close()
        return state

    def read_capture(self, capture: dict):
        """A stored capture's record (archive.warc.read_record), or None when its WARC is unreadable."""
        try:
            return read_record(self.archive_dir, capture["warc_path"], capture["warc_offset"])
        except (OSError, ValueError) as exc:
            logger.warning("stored capture %s unreadable (%s): fetching again", capture.get("url"), exc)
            return None
