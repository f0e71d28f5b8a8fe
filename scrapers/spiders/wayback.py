"""WaybackSpider: recover a (closed) registry portal's articles from the Internet Archive.

    scrapy crawl wayback -a portal=quanson [-a from=2019 -a to=2025] [-a latest=1] [-a wayback_url=URL]

It runs in four phases, each finished before the next starts (one connection throughout):

1. index — CDX prefix queries for the platform's article folder (``HOST/portal/Pages/`` on
   SharePoint) and for its listing paths, paged with resume keys;
2. listings — one snapshot of each archived listing page (``id_``), whose article links
   (the platform's ``listing_link_css``) name articles the prefix query may have missed;
3. look-ups — an exact CDX query for each such article URL not in the index yet;
4. articles — one snapshot per article URL (earliest capture; ``latest`` for the newest version),
   fetched ``id_`` and handed to the ordinary pipelines (ExtractPipeline → StorePipeline) under
   its ORIGINAL url, so that its canonical_url is the one a live crawl gives.

Resuming: snapshots already stored (a 'wayback' capture of that URL and timestamp) are never
fetched again — a stored one whose article row is missing is re-read from the WARC — and CDX
answers younger than THANTHIEN_CDX_CACHE_DAYS are read back from the archive's own captures.
The etiquette (rate limits, 429s, digest check) is scrapers.wayback.WaybackEtiquette.
"""
from __future__ import annotations

import asyncio
import re
from datetime import datetime, timedelta, timezone
from urllib.parse import urljoin, urlsplit, urlunsplit

import scrapy
from scrapy import signals
from scrapy.utils.misc import build_from_crawler, load_object

from pipelines.text import decode_body
from pipelines.urls import canonicalize_url
from scrapers.platforms import get_platform
from scrapers.registry import get_portal
from scrapers.wayback import (
    DEFAULT_WAYBACK_URL, cdx_params, cdx_url, parse_cdx, replay_url,
    snapshot_of, timestamp_iso, with_resume_key,
)

_TRUE = {"1", "true", "yes", "on"}


def _headers(response) -> dict:
    return {k.decode("latin-1"): b", ".join(v).decode("latin-1") for k, v in response.headers.items()}


class WaybackSpider(scrapy.Spider):
    name = "wayback"
    custom_settings = {
        "CONCURRENT_REQUESTS": 1,
        "CONCURRENT_REQUESTS_PER_DOMAIN": 1,
        "AUTOTHROTTLE_ENABLED": False,
        "DOWNLOAD_DELAY": 0,
        # the Wayback Machine's etiquette (scrapers/wayback.py) paces this spider, not the per-site
        # budget of live crawls (scrapers/politeness.py)
        "THANTHIEN_SITE_INTERVAL": 0.0,
        "RANDOMIZE_DOWNLOAD_DELAY": False,
        "DOWNLOAD_TIMEOUT": 180,
    }

    @classmethod
    def update_settings(cls, settings):
        super().update_settings(settings)
        # Added to the project's middlewares, not instead of them.
        middlewares = dict(settings.getdict("DOWNLOADER_MIDDLEWARES"))
        middlewares["scrapers.wayback.WaybackEtiquette"] = 950
        settings.set("DOWNLOADER_MIDDLEWARES", middlewares, priority="spider")

    def __init__(self, portal: str | None = None, wayback_url: str | None = None, latest=False, *args, **kwargs):
        date_from = kwargs.pop("from", None) or kwargs.pop("date_from", None)
        date_to = kwargs.pop("to", None) or kwargs.pop("date_to", None)
        super().__init__(*args, **kwargs)
        if not portal:
            raise ValueError("give -a portal=NAME (see `thanthien portals`)")
        self.portal = get_portal(portal)
        self.portal_is_registered = True
        self.platform = get_platform(self.portal.platform)
        self.wayback_url_arg = wayback_url
        self.latest = str(latest).strip().lower() in _TRUE
        for value in (date_from, date_to):
            if value is not None and not re.fullmatch(r"\d{1,14}", str(value)):
                raise ValueError(f"from/to take 1–14 digits (YYYY, YYYYMM, …), got {value!r}")
        self.date_from = str(date_from) if date_from else None
        self.date_to = str(date_to) if date_to else None
        parts = urlsplit(self.portal.base_url)
        self.scheme = parts.scheme or "https"
        self.host = (parts.hostname or "").lower().removeprefix("www.")
        self.article_rows: list[dict] = []
        self.listing_rows: list[dict] = []
        self.discovered: dict[str, str] = {}
        self.stop_requested = False
        self._pending = 0
        self._closed = False

    @classmethod
    def from_crawler(cls, crawler, *args, **kwargs):
        spider = super().from_crawler(crawler, *args, **kwargs)
        settings = crawler.settings
        spider.wayback_url = (spider.wayback_url_arg or settings.get("THANTHIEN_WAYBACK_URL") or DEFAULT_WAYBACK_URL).rstrip("/")
        # StayOnPortalMiddleware (where present): the Archive is the only host this spider talks to.
        spider.allowed_netlocs = {urlsplit(spider.wayback_url).netloc.lower()}
        spider.page_size = settings.getint("THANTHIEN_CDX_PAGE_SIZE", 1000)
        spider.max_cdx_pages = settings.getint("THANTHIEN_CDX_MAX_PAGES", 500)
        spider.cdx_max_age = timedelta(days=settings.getfloat("THANTHIEN_CDX_CACHE_DAYS", 30))
        # the archive's state and stored bytes come from a component (scrapers/archive_state.py)
        spider.archive_state = build_from_crawler(load_object(settings.get("THANTHIEN_ARCHIVE_STATE_CLASS")), crawler)
        spider.use_archive_state(spider.archive_state.wayback(spider.host, spider.cdx_max_age))
        crawler.signals.connect(spider._on_closed, signal=signals.spider_closed)
        return spider

    def _on_closed(self, spider, reason):
        self._closed = True

    # --- what the archive already holds ---------------------------------------------------------
    def use_archive_state(self, state) -> None:
        """What the archive already holds for this host (a `scrapers.archive_state.WaybackState`)."""
        self.stored: dict[tuple[str, str], dict] = state.stored
        self.cdx_cache: dict[str, dict] = state.cdx_cache
        self.known_articles: set[str] = state.known_articles

    # --- the phases -----------------------------------------------------------------------------
    async def start(self):
        index_prefixes = self.platform.index_prefixes(self.portal.listing_paths)
        self.logger.info("%s: recovering from %s (CDX ≤ %s/min, snapshots ≤ %s/min, %s snapshot per URL)",
                         self.portal.name, self.wayback_url, self.settings.get("THANTHIEN_CDX_PER_MINUTE"),
                         self.settings.get("THANTHIEN_WAYBACK_PER_MINUTE"), "latest" if self.latest else "earliest")
        # 1. index
        for prefix, purpose in index_prefixes:
            request = self._cdx_chain(self._params(self.host + prefix, "prefix"), purpose)
            if request is not None:
                yield request
        if not await self._drain():
            return
        # 2. listing snapshots → article links
        for row in self._choose(self.listing_rows):
            stored = self.stored.get((row["url"], row["timestamp"]))
            if stored is not None:
                read = self._read_stored(stored)
                if read is not None:
                    self.crawler.stats.inc_value("thanthien/wayback_listings_from_archive")
                    self._take_links(row["url"], read.body, read.headers)
                    continue
            yield self._snapshot_request(row, self._parse_listing_snapshot)
        if not await self._drain():
            return
        # 3. exact look-ups of linked articles the index did not name
        indexed = {canonicalize_url(r["url"]) for r in self.article_rows}
        missing = sorted(url for canonical, url in self.discovered.items() if canonical not in indexed)
        self.crawler.stats.set_value("thanthien/wayback_listing_links", len(self.discovered))
        self.crawler.stats.set_value("thanthien/wayback_lookups", len(missing))
        for url in missing:
            parts = urlsplit(url)
            target = parts.netloc + parts.path + (f"?{parts.query}" if parts.query else "")
            request = self._cdx_chain(self._params(target, "exact"), "lookup")
            if request is not None:
                yield request
        if not await self._drain():
            return
        # 4. article snapshots → the pipelines
        chosen = self._choose(self.article_rows)
        self.crawler.stats.set_value("thanthien/wayback_article_urls", len(chosen))
        for row in chosen:
            stored = self.stored.get((row["url"], row["timestamp"]))
            if stored is None:
                yield self._snapshot_request(row, self._parse_article_snapshot)
                continue
            self.crawler.stats.inc_value("thanthien/wayback_already_stored")
            if canonicalize_url(row["url"]) in self.known_articles:
                continue
            # Stored, but its article row is not there (a run killed in between): from the WARC.
            read = self._read_stored(stored)
            if read is not None:
                yield self._item(row["url"], row["timestamp"], 200, read.headers, read.body, stored["fetched_at"],
                                 stored["id"], None)

    async def _drain(self) -> bool:
        """Wait until every request of this phase (and what it led to) is answered. False when the
        run is stopping (repeated 429s, shutdown)."""
        while self._pending > 0 and not (self._closed or self.stop_requested):
            await asyncio.sleep(0.02)
        return not (self._closed or self.stop_requested)

    # --- CDX ------------------------------------------------------------------------------------
    def _params(self, url: str, match_type: str) -> list[tuple[str, str]]:
        return cdx_params(url, match_type, limit=self.page_size, latest=self.latest,
                          date_from=self.date_from, date_to=self.date_to)

    def _cdx_chain(self, params, purpose: str, page: int = 1) -> scrapy.Request | None:
        """The request for the first page of this query not answered yet (earlier ones are read
        from the archive's captures), or None when every page is."""
        while params is not None:
            if page > self.max_cdx_pages:
                self.logger.warning("CDX page limit (%d) reached for %s", self.max_cdx_pages, params[0][1])
                return None
            url = cdx_url(self.wayback_url, params)
            cached = self.cdx_cache.get(url)
            read = self._read_stored(cached) if cached else None
            if read is None:
                self._pending += 1
                return scrapy.Request(url, callback=self._parse_cdx, errback=self._failed, dont_filter=True, priority=10,
                                      meta={"wayback_kind": "cdx", "cdx_params": params, "purpose": purpose, "page": page})
            self.crawler.stats.inc_value("thanthien/wayback_cdx_cached")
            params = self._take_cdx(read.body, params, purpose)
            page += 1
        return None

    def _parse_cdx(self, response):
        try:
            params = self._take_cdx(response.body, response.meta["cdx_params"], response.meta["purpose"])
            request = self._cdx_chain(params, response.meta["purpose"], response.meta["page"] + 1)
            if request is not None:
                yield request
        finally:
            self._pending -= 1

    def _take_cdx(self, body: bytes, params, purpose: str):
        """Keep this page's rows; return the next page's parameters (or None)."""
        try:
            rows, resume = parse_cdx(body)
        except (ValueError, UnicodeDecodeError) as exc:
            self.logger.error("unreadable CDX answer for %s: %s", params[0][1], exc)
            self.crawler.stats.inc_value("thanthien/wayback_cdx_unreadable")
            return None
        self.crawler.stats.inc_value("thanthien/wayback_cdx_rows", len(rows))
        for row in rows:
            url = self.normalize(row.get("original", ""))
            if url is None or not re.fullmatch(r"\d{14}", row.get("timestamp", "")):
                continue
            row = {**row, "url": url}
            if purpose == "listings":
                if not self.platform.is_article_url(url):
                    self.listing_rows.append(row)
            elif self.platform.is_article_url(url):
                self.article_rows.append(row)
                if purpose == "lookup":
                    self.crawler.stats.inc_value("thanthien/wayback_found_by_listings")
        if resume and dict(params).get("resumeKey") != resume:
            return with_resume_key(params, resume)
        return None

    # --- snapshots ------------------------------------------------------------------------------
    def normalize(self, original: str) -> str | None:
        """The original URL on the registry's scheme and host (the Archive records http://, :80 and
        www. spellings of one page), or None if it is another site."""
        parts = urlsplit(original if "://" in original else "http://" + original)
        try:
            port = parts.port
        except ValueError:
            return None
        if (parts.hostname or "").lower().removeprefix("www.") != self.host or port not in (None, 80, 443):
            return None
        return urlunsplit((self.scheme, self.portal.netloc, parts.path or "/", parts.query, ""))

    def _choose(self, rows: list[dict]) -> list[dict]:
        """One snapshot per URL (canonical form): the earliest, or the latest with `latest`."""
        best: dict[str, dict] = {}
        for row in rows:
            key = canonicalize_url(row["url"])
            current = best.get(key)
            if current is None or (row["timestamp"] > current["timestamp"] if self.latest
                                   else row["timestamp"] < current["timestamp"]):
                best[key] = row
        return sorted(best.values(), key=lambda r: (r["url"], r["timestamp"]))

    def _snapshot_request(self, row: dict, callback) -> scrapy.Request:
        archive = replay_url(self.wayback_url, row["timestamp"], row["original"])
        self._pending += 1
        return scrapy.Request(
            archive, callback=callback, errback=self._failed, dont_filter=True,
            # the bytes as captured: no compression added on the way, so the digest can be checked
            headers={"Accept-Encoding": "identity"},
            meta={"wayback_kind": "snapshot", "wayback": {"original": row["url"], "timestamp": row["timestamp"],
                                                          "digest": row.get("digest"), "recorded": row["original"]}},
        )

    def _read_stored(self, capture: dict):
        return self.archive_state.read_capture(capture)  # None when unreadable: fetched again

    def _parse_listing_snapshot(self, response):
        try:
            info = response.meta["wayback"]
            self.crawler.stats.inc_value("thanthien/wayback_listings_fetched")
            self._take_links(info["original"], response.body, _headers(response))
            return []
        finally:
            self._pending -= 1

    def _take_links(self, listing_url: str, body: bytes, headers: dict) -> None:
        text, _encoding = decode_body(body, headers)
        page = scrapy.Selector(text=text)
        for href in page.css(self.platform.listing_link_css).xpath("@href").getall():
            url = self.normalize(urljoin(listing_url, href.strip()))
            if url and self.platform.is_article_url(url):
                self.discovered.setdefault(canonicalize_url(url), url)

    def _parse_article_snapshot(self, response):
        try:
            info = response.meta["wayback"]
            found = snapshot_of(response.url)
            timestamp = found[0] if found else info["timestamp"]
            headers = _headers(response)
            self.crawler.stats.inc_value("thanthien/wayback_snapshots_fetched")
            yield self._item(info["original"], timestamp, response.status, headers, response.body,
                             response.meta.get("fetched_at"), response.meta.get("capture_id"), response.url)
        finally:
            self._pending -= 1

    def _item(self, url, timestamp, status, headers, body, fetched_at, capture_id, archive_url) -> dict:
        return {
            "url": url, "status": status, "headers": headers, "body": body,
            "portal": self.portal.name, "portal_entry": self.portal,
            "fetched_at": fetched_at or datetime.now(timezone.utc).replace(microsecond=0).isoformat(),
            "capture_id": capture_id,
            "recovered_from": "wayback", "snapshot_date": timestamp_iso(timestamp),
            "snapshot_timestamp": timestamp, "archive_url": archive_url,
        }

    def _failed(self, failure):
        from scrapy.exceptions import IgnoreRequest
        from scrapy.spidermiddlewares.httperror import HttpError

        self._pending -= 1
        request = failure.request
        exc = failure.value
        if isinstance(exc, HttpError):
            self.crawler.stats.inc_value(f"thanthien/wayback_http_{exc.response.status}")
            self.logger.warning("HTTP %s from the Wayback Machine at %s", exc.response.status, request.url)
        elif isinstance(exc, IgnoreRequest):
            if not self.stop_requested and "digest mismatch" not in str(exc):
                self.crawler.stats.inc_value("thanthien/wayback_refused")
                self.logger.warning("refused %s: %s", request.url, exc)  # e.g. the Archive's robots.txt
        else:
            self.crawler.stats.inc_value("thanthien/wayback_failed")
            self.logger.warning("gave up on %s: %s", request.url, exc)
