"""Wayback Machine helpers for the recovery spider: CDX queries and answers, snapshot provenance,
and the etiquette middleware (rate limits, 429 backoff, digest check).

The etiquette is code, not advice:

- one connection (the spider sets CONCURRENT_REQUESTS=1), and every request to the Archive waits
  its turn: CDX queries at most THANTHIEN_CDX_PER_MINUTE (default 20, the Archive allows about 60
  averaged over 5 minutes), snapshot fetches at most THANTHIEN_WAYBACK_PER_MINUTE (default 30);
- a 429 is honoured: the whole spider waits Retry-After (or THANTHIEN_WAYBACK_BACKOFF seconds,
  doubled for each 429 in a row) and retries; after THANTHIEN_WAYBACK_MAX_429 429s in a row (or a
  Retry-After longer than THANTHIEN_WAYBACK_MAX_WAIT) the run stops cleanly — ignoring 429s for a
  minute gets an IP blocked for an hour — and the next run resumes where this one stopped;
- every fetched snapshot is checked against the CDX digest (base32 SHA-1 of the original bytes):
  a mismatch is logged, counted (``thanthien/wayback_digest_mismatch``) and never stored.
"""
from __future__ import annotations

import asyncio
import base64
import gzip
import hashlib
import json
import logging
import re
import time
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from urllib.parse import urlencode, urlsplit

from scrapy.exceptions import IgnoreRequest

logger = logging.getLogger(__name__)

DEFAULT_WAYBACK_URL = "https://web.archive.org"
CDX_FIELDS = "timestamp,original,digest,length"
SNAPSHOT_RE = re.compile(r"/web/(\d{14})(?:[a-z]{2}_)?/(.+)$", re.S)
STOP_REASON = "wayback_rate_limited"


def sha1_base32(body: bytes) -> str:
    """The CDX `digest`: base32 of the SHA-1 of the original bytes."""
    return base64.b32encode(hashlib.sha1(body).digest()).decode("ascii")


def timestamp_iso(timestamp: str) -> str:
    """"20210305081233" → "2021-03-05T08:12:33+00:00" (Wayback timestamps are UTC)."""
    return datetime.strptime(timestamp.ljust(14, "0")[:14], "%Y%m%d%H%M%S").replace(tzinfo=timezone.utc).isoformat()


def replay_url(base: str, timestamp: str, original: str, flag: str = "id_") -> str:
    """``{base}/web/{timestamp}id_/{url}``: the original bytes, no toolbar, no rewriting."""
    return f"{base.rstrip('/')}/web/{timestamp}{flag}/{original}"


def cdx_params(url: str, match_type: str, *, limit: int, latest: bool = False,
               date_from: str | None = None, date_to: str | None = None) -> list[tuple[str, str]]:
    """The CDX query for `url` (no scheme): HTML 200 captures, paged with resume keys. One row per
    URL key (its earliest capture: rows are sorted by key, then time); with `latest`, every capture
    (collapsing keeps the first row of a run, so it cannot give the newest), the newest chosen later."""
    params = [("url", url), ("matchType", match_type), ("output", "json"), ("fl", CDX_FIELDS),
              ("filter", "statuscode:200"), ("filter", "mimetype:text/html")]
    if not latest:
        params.append(("collapse", "urlkey"))
    if date_from:
        params.append(("from", date_from))
    if date_to:
        params.append(("to", date_to))
    params += [("limit", str(limit)), ("showResumeKey", "true")]
    return params


def cdx_url(base: str, params: list[tuple[str, str]]) -> str:
    return f"{base.rstrip('/')}/cdx/search/cdx?{urlencode(params)}"


def with_resume_key(params: list[tuple[str, str]], key: str) -> list[tuple[str, str]]:
    return [p for p in params if p[0] != "resumeKey"] + [("resumeKey", key)]


def parse_cdx(body: bytes) -> tuple[list[dict], str | None]:
    """CDX JSON → (rows as dicts keyed by the header row, resume key or None).

    ``[]`` is "no captures"; with showResumeKey an empty row is followed by ``[key]``."""
    data = json.loads(body.decode("utf-8") or "[]")
    if not data:
        return [], None
    header, rows, resume = data[0], [], None
    rest = data[1:]
    for i, row in enumerate(rest):
        if row == []:
            if i + 1 < len(rest) and rest[i + 1]:
                resume = rest[i + 1][0]
            break
        rows.append(dict(zip(header, row)))
    return rows, resume


def snapshot_of(url: str) -> tuple[str, str] | None:
    """(timestamp, original) of a replay URL, or None."""
    m = SNAPSHOT_RE.search(urlsplit(url).path + ("?" + urlsplit(url).query if urlsplit(url).query else ""))
    return (m.group(1), m.group(2)) if m else None


def capture_overrides(request, response) -> dict:
    """What the WARC recorder writes differently for a Wayback response (empty for a live crawl).

    A snapshot is recorded under its ORIGINAL url (so that reprocess and import-warc extract it as
    the page it was), with source 'wayback', the snapshot's timestamp (from the URL actually
    answered, after any redirect) and the archive URL; a CDX answer under its own URL as
    'wayback-cdx'."""
    meta = request.meta
    if meta.get("wayback_kind") == "cdx":
        return {"source": "wayback-cdx"}
    info = meta.get("wayback")
    if not info:
        return {}
    found = snapshot_of(response.url)
    timestamp = found[0] if found else info["timestamp"]
    return {
        "url": info["original"],
        "source": "wayback",
        # the Archive's validators describe its replay, not the portal's page: never sent to a portal
        "columns": {"snapshot_timestamp": timestamp, "archive_url": response.url, "etag": None, "last_modified": None},
        "warc_headers": {"WARC-Thanthien-Source": "wayback", "WARC-Thanthien-Snapshot": timestamp,
                         "WARC-Thanthien-Archive-URL": response.url},
    }


def _retry_after_seconds(value: bytes | None) -> float | None:
    if not value:
        return None
    text = value.decode("latin-1").strip()
    try:
        return max(0.0, float(text))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return max(0.0, (when - datetime.now(timezone.utc)).total_seconds())


class WaybackEtiquette:
    """Downloader middleware for the wayback spider (sits next to the downloader, priority 950).

    process_request: spaces requests to the Archive host — CDX and replay each at their own
    per-minute limit. The interval runs from the moment the previous answer of that kind arrived
    (and at least from when the previous request left): the server got the previous request before
    it answered, so it never sees two requests closer than the limit, however late a busy reactor
    (extraction runs in it) writes one to the socket. process_response: 429 → wait and retry, or
    stop the run; snapshot bytes → digest check."""

    def __init__(self, crawler):
        self.crawler = crawler
        settings = crawler.settings
        self.per_minute = {"cdx": settings.getfloat("THANTHIEN_CDX_PER_MINUTE", 20),
                           "replay": settings.getfloat("THANTHIEN_WAYBACK_PER_MINUTE", 30)}
        self.max_429 = settings.getint("THANTHIEN_WAYBACK_MAX_429", 3)
        self.backoff = settings.getfloat("THANTHIEN_WAYBACK_BACKOFF", 60.0)
        self.max_wait = settings.getfloat("THANTHIEN_WAYBACK_MAX_WAIT", 900.0)
        self.next_at = {"cdx": 0.0, "replay": 0.0}
        self.locks: dict[str, asyncio.Lock] = {}
        self.last_sent: dict[str, float] = {}
        self.min_gap: dict[str, float] = {}
        self.consecutive_429 = 0
        self.stopped = False

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def _archive_netloc(self) -> str | None:
        spider = self.crawler.spider
        base = getattr(spider, "wayback_url", None)
        return urlsplit(base).netloc.lower() if base else None

    @staticmethod
    def kind_of(url: str) -> str:
        return "cdx" if urlsplit(url).path.startswith("/cdx/") else "replay"

    async def process_request(self, request, spider=None):
        if urlsplit(request.url).netloc.lower() != self._archive_netloc():
            return None
        if self.stopped:
            raise IgnoreRequest(f"wayback run stopped after repeated 429s: {request.url}")
        kind = self.kind_of(request.url)
        interval = 60.0 / self.per_minute[kind] if self.per_minute[kind] > 0 else 0.0
        async with self.locks.setdefault(kind, asyncio.Lock()):
            while (wait := self.next_at[kind] - time.monotonic()) > 0:
                await asyncio.sleep(wait)
            if self.stopped:
                raise IgnoreRequest(f"wayback run stopped after repeated 429s: {request.url}")
            sent = time.monotonic()
            self.next_at[kind] = sent + interval
        if kind in self.last_sent:
            gap = sent - self.last_sent[kind]
            self.min_gap[kind] = min(self.min_gap.get(kind, gap), gap)
            self.crawler.stats.set_value(f"thanthien/wayback_min_gap_{kind}", round(self.min_gap[kind], 4))
        self.last_sent[kind] = sent
        self.crawler.stats.inc_value(f"thanthien/wayback_requests_{kind}")
        return None

    def _answered(self, request) -> None:
        kind = self.kind_of(request.url)
        interval = 60.0 / self.per_minute[kind] if self.per_minute[kind] > 0 else 0.0
        self.next_at[kind] = max(self.next_at[kind], time.monotonic() + interval)

    def process_exception(self, request, exception, spider=None):
        if urlsplit(request.url).netloc.lower() == self._archive_netloc():
            self._answered(request)
        return None

    async def process_response(self, request, response, spider=None):
        if urlsplit(request.url).netloc.lower() != self._archive_netloc():
            return response
        self._answered(request)
        if response.status == 429:
            return await self._too_many(request, response)
        self.consecutive_429 = 0
        info = request.meta.get("wayback")
        if info and response.status == 200 and info.get("digest"):
            if not self._digest_ok(response, info["digest"]):
                self.crawler.stats.inc_value("thanthien/wayback_digest_mismatch")
                logger.warning("digest mismatch for %s at %s (CDX %s, got %s): not stored", info["original"],
                               info["timestamp"], info["digest"], sha1_base32(response.body))
                raise IgnoreRequest(f"digest mismatch: {response.url}")
            self.crawler.stats.inc_value("thanthien/wayback_digest_ok")
        return response

    @staticmethod
    def _digest_ok(response, digest: str) -> bool:
        """The bytes as replayed; or, if the replay came compressed, the bytes inside."""
        body = response.body
        if sha1_base32(body) == digest:
            return True
        if b"gzip" in (response.headers.get("Content-Encoding") or b"").lower():
            try:
                return sha1_base32(gzip.decompress(body)) == digest
            except (OSError, EOFError):
                return False
        return False

    async def _too_many(self, request, response):
        stats = self.crawler.stats
        self.consecutive_429 += 1
        stats.inc_value("thanthien/wayback_429")
        retry_after = _retry_after_seconds(response.headers.get("Retry-After"))
        wait = retry_after if retry_after is not None else self.backoff * 2 ** (self.consecutive_429 - 1)
        if self.consecutive_429 >= self.max_429 or wait > self.max_wait:
            self._stop(f"{self.consecutive_429} answers 429 in a row" if self.consecutive_429 >= self.max_429
                       else f"Retry-After {wait:.0f}s is longer than THANTHIEN_WAYBACK_MAX_WAIT")
            raise IgnoreRequest(f"429 at {request.url}: run stopped")
        logger.warning("429 from the Wayback Machine at %s: waiting %.1fs (Retry-After %s), then retrying",
                       request.url, wait, retry_after)
        kind = self.kind_of(request.url)
        # Nothing else is sent meanwhile: this request holds the only connection slot.
        await asyncio.sleep(wait)
        self.next_at[kind] = max(self.next_at[kind], time.monotonic())
        stats.inc_value("thanthien/wayback_429_waited_s", round(wait, 3))
        retry = request.replace(dont_filter=True)
        retry.meta["wayback_429_retries"] = request.meta.get("wayback_429_retries", 0) + 1
        return retry

    def _stop(self, why: str) -> None:
        from scrapy.utils.defer import deferred_from_coro

        if self.stopped:
            return
        self.stopped = True
        self.crawler.stats.set_value("thanthien/wayback_stopped", why)
        logger.error("stopping the Wayback run: %s. What is stored stays stored; run the same command again "
                     "later to resume (snapshots already stored are skipped).", why)
        spider = self.crawler.spider
        if spider is not None:
            spider.stop_requested = True
        deferred_from_coro(self.crawler.engine.close_spider_async(reason=STOP_REASON))
