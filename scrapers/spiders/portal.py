"""PortalSpider: one spider for every portal, driven by the registry entry and its platform module.

It walks listing pages (and their pagination), RSS feeds and sitemaps, and yields each article
page raw: URL, status, headers, bytes, portal. It never leaves the portal's host.
"""
from __future__ import annotations

from datetime import datetime, timezone
from urllib.parse import urljoin, urlsplit

import scrapy

from pipelines.urls import canonicalize_url
from scrapers.platforms import get_platform
from scrapers.registry import Portal, get_portal


class PortalSpider(scrapy.Spider):
    """Crawl one portal: `scrapy crawl portal -a portal=NAME [-a base_url=URL]` or `-a start_url=URL`."""

    name = "portal"
    # 304 answers to conditional requests reach the callbacks: "unchanged" is information.
    handle_httpstatus_list = [304]

    def __init__(self, portal: str | None = None, base_url: str | None = None, start_url: str | None = None, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if start_url:
            # A site not in the registry: the generic platform from one start URL.
            parts = urlsplit(start_url)
            self.portal = Portal(name=portal or parts.hostname or "unknown", base_url=f"{parts.scheme}://{parts.netloc}",
                                 platform="generic", listing_paths=(parts.path + (f"?{parts.query}" if parts.query else ""),) or ("/",))
            self.portal_is_registered = False
        elif portal:
            self.portal = get_portal(portal)
            self.portal_is_registered = True
            if base_url:
                self.portal = self.portal.with_base_url(base_url)
        else:
            raise ValueError("give -a portal=NAME (see `thanthien portals`) or -a start_url=URL")
        self.platform = get_platform(self.portal.platform)
        self.listing_pages_seen = 0
        # StayOnPortalMiddleware refuses every other host, redirects included
        self.allowed_netlocs = {self.portal.netloc}

    @classmethod
    def from_crawler(cls, crawler, *args, **kwargs):
        spider = super().from_crawler(crawler, *args, **kwargs)
        settings = crawler.settings
        spider.max_listing_pages = settings.getint("THANTHIEN_MAX_LISTING_PAGES", 300)
        spider.incremental = settings.getbool("THANTHIEN_INCREMENTAL", True)
        spider.refresh = settings.getbool("THANTHIEN_REFRESH", False)
        spider.stop_after_known = settings.getint("THANTHIEN_STOP_AFTER_KNOWN_PAGES", 1)
        spider.load_archive_state(settings.get("THANTHIEN_DB"))
        return spider

    def load_archive_state(self, db_path) -> None:
        """What the archive already holds for this portal: the basis of incremental runs."""
        from pathlib import Path

        from archive import db as archive_db

        self.known: set[str] = set()
        self.validators: dict[str, tuple[str | None, str | None]] = {}
        self.walk_everything = not self.incremental
        if not db_path or not Path(db_path).exists():
            return
        db = archive_db.open_db(db_path)
        try:
            archive_db.interrupted_runs(db)
            if self.portal.name in archive_db.unfinished_portals(db):
                # The last run was cut short: pages deeper in the listings may never have been
                # fetched, so this run walks every listing page again (and still skips what is stored).
                self.walk_everything = True
                self.logger.info("%s: previous run did not finish; resuming over every listing page", self.portal.name)
            prefix = self.portal.base_url.lower().removeprefix("https://").removeprefix("http://").removeprefix("www.")
            # rows recovered from the Wayback Machine are not "known": a live crawl replaces them once
            for (url,) in db.execute("select canonical_url from articles where canonical_url like ? and recovered_from is null",
                                     [f"%{prefix.split('/')[0]}%"]):
                self.known.add(url)
            for url, etag, last_modified in db.execute(
                "select url, etag, last_modified from captures where status = 200 and url like ? order by id",
                [f"%{prefix.split('/')[0]}%"],
            ):
                self.validators[url] = (etag, last_modified)
        finally:
            db.close()

    async def start(self):
        for request in self.start_requests():
            yield request

    def start_requests(self):
        for url in self.platform.listing_urls(self.portal.base_url, self.portal.listing_paths):
            yield scrapy.Request(url, callback=self.parse_listing, errback=self.request_failed)
        for url in self.platform.feed_urls(self.portal.base_url):
            yield scrapy.Request(url, callback=self.parse_feed, errback=self.request_failed)

    # --- helpers -------------------------------------------------------------------------------
    def on_portal(self, url: str) -> bool:
        """Only the portal's own host (and port): a hostile page cannot send us elsewhere."""
        parts = urlsplit(url)
        return parts.scheme in ("http", "https") and parts.netloc.lower() == self.portal.netloc

    def is_known(self, url: str) -> bool:
        return self.incremental and canonicalize_url(url) in self.known

    def article_request(self, url: str) -> scrapy.Request | None:
        """A request for an article, or None when an incremental run already holds it."""
        if self.is_known(url):
            if not self.refresh:
                return None
            return self.conditional(scrapy.Request(url, callback=self.parse_article, errback=self.request_failed))
        return scrapy.Request(url, callback=self.parse_article, errback=self.request_failed)

    def conditional(self, request: scrapy.Request) -> scrapy.Request:
        """If-None-Match / If-Modified-Since from the last capture of this URL, where the portal gave them."""
        etag, last_modified = self.validators.get(request.url, (None, None))
        if etag:
            request.headers["If-None-Match"] = etag
        if last_modified:
            request.headers["If-Modified-Since"] = last_modified
        return request

    def request_failed(self, failure):
        """The final failure of a request (retries exhausted, HTTP error, refused): announce it once."""
        from scrapy.exceptions import IgnoreRequest
        from scrapy.spidermiddlewares.httperror import HttpError

        from scrapers.middlewares import announce, exception_kind

        exc = failure.value
        request = failure.request
        if isinstance(exc, HttpError):
            status = exc.response.status
            announce(self.crawler, f"http{status}", request, status, "gave up" if status >= 500 or status == 429 else "", final=True)
        elif isinstance(exc, IgnoreRequest):
            if "max redirections" in str(exc).lower() or "redirect" in str(exc).lower():
                announce(self.crawler, "redirect_loop", request, None, str(exc), final=True)
            return  # robots.txt or the offsite guard: booked where it was decided
        else:
            announce(self.crawler, exception_kind(exc), request, None, f"gave up: {type(exc).__name__}: {exc}", final=True)

    # --- callbacks -----------------------------------------------------------------------------
    def parse(self, response):
        return self.parse_listing(response)

    def parse_listing(self, response):
        self.listing_pages_seen += 1
        if response.status == 304 or not hasattr(response, "css"):
            return
        articles = known = 0
        for href in response.css(self.platform.listing_link_css).xpath("@href").getall():
            url = urljoin(response.url, href.strip())
            if self.on_portal(url) and self.platform.is_article_url(url):
                articles += 1
                known += self.is_known(url)
                request = self.article_request(url)
                if request is not None:
                    yield request
        for href in response.css("link[type='application/rss+xml']::attr(href), a[href$='/rss']::attr(href)").getall():
            url = urljoin(response.url, href.strip())
            if self.on_portal(url):
                yield scrapy.Request(url, callback=self.parse_feed, errback=self.request_failed)
        streak = response.meta.get("known_streak", 0) + 1 if articles and known == articles else 0
        if self.incremental and not self.walk_everything and streak >= self.stop_after_known:
            self.logger.info("%s: every article on %s is archived; not paginating further", self.portal.name, response.url)
            self.crawler.stats.inc_value("thanthien/listings_stopped_early")
            return
        if self.listing_pages_seen >= self.max_listing_pages:
            if not getattr(self, "_trap_announced", False):
                self._trap_announced = True
                self.logger.warning("%s: listing page limit (%d) reached at %s; not following more pagination",
                                    self.portal.name, self.max_listing_pages, response.url)
                from scrapers.middlewares import announce

                announce(self.crawler, "trap_limit", response.request, None, f"listing page limit {self.max_listing_pages}")
            return
        for href in self._next_listing_links(response):
            url = urljoin(response.url, href.strip())
            if self.on_portal(url):
                yield scrapy.Request(url, callback=self.parse_listing, errback=self.request_failed, meta={"known_streak": streak})

    def _next_listing_links(self, response):
        if self.platform.name == "generic":
            # Unknown site: every same-host link is worth a look; articles are told apart by URL shape.
            for href in response.css("a::attr(href)").getall():
                url = urljoin(response.url, href.strip())
                if self.on_portal(url) and self.platform.is_article_url(url):
                    yield url
                elif self.on_portal(url) and response.meta.get("depth", 0) < 2:
                    yield url
            return
        if self.platform.pagination_css:
            yield from response.css(self.platform.pagination_css).xpath("@href").getall()

    def parse_feed(self, response):
        """RSS <link>s and sitemap <loc>s; nested sitemaps are feeds themselves."""
        if response.status == 304:
            return
        selector = scrapy.Selector(text=response.text, type="xml")
        selector.remove_namespaces()
        for url in selector.xpath("//item/link/text() | //url/loc/text()").getall():
            url = urljoin(response.url, url.strip())
            if self.on_portal(url) and self.platform.is_article_url(url):
                request = self.article_request(url)
                if request is not None:
                    yield request
        for url in selector.xpath("//sitemap/loc/text()").getall():
            url = urljoin(response.url, url.strip())
            if self.on_portal(url):
                yield scrapy.Request(url, callback=self.parse_feed, errback=self.request_failed)

    def parse_article(self, response):
        yield {
            "url": response.url,
            "status": response.status,
            "headers": {k.decode("latin-1"): b", ".join(v).decode("latin-1") for k, v in response.headers.items()},
            "body": response.body,
            "portal": self.portal.name if self.portal_is_registered else None,
            "portal_entry": self.portal,
            "fetched_at": response.meta.get("fetched_at") or datetime.now(timezone.utc).replace(microsecond=0).isoformat(),
            "capture_id": response.meta.get("capture_id"),
        }
