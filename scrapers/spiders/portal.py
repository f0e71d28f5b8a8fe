"""PortalSpider: one spider for every portal, driven by the registry entry and its platform module.

Discovery by content: every same-host page it fetches is judged by what it is (article, listing,
other: `pipelines.pagekind`, the same judgement on every platform). Articles are yielded raw (URL,
status, headers, bytes, portal) to the pipelines; listings are walked. The platform's URL shapes,
listing selectors, pagination, RSS feeds and sitemaps (also those announced in robots.txt) decide
*priority and cost*, never whether an article can be seen. Bounds per portal: listing pages
(`THANTHIEN_MAX_LISTING_PAGES`), pages (`THANTHIEN_MAX_PAGES`), and how many non-listing pages
away from a listing a link is still followed (`THANTHIEN_MAX_HOPS`). It never leaves the portal's host.
"""
from __future__ import annotations

import os
import re
from datetime import datetime, timezone
from urllib.parse import urljoin, urlsplit

import scrapy
from scrapy.utils.misc import build_from_crawler, load_object

from pipelines.pagekind import page_kind
from pipelines.urls import canonicalize_url
from scrapers.middlewares import announce
from scrapers.platforms import get_platform
from scrapers.registry import Portal, add_registry, get_portal


class PortalSpider(scrapy.Spider):
    """Crawl one portal: `scrapy crawl portal -a portal=NAME [-a base_url=URL]` or `-a start_url=URL`."""

    name = "portal"
    # 304 answers to conditional requests reach the callbacks: "unchanged" is information.
    handle_httpstatus_list = [304]

    def __init__(self, portal: str | None = None, base_url: str | None = None, start_url: str | None = None, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.portal = self.platform = None
        self.allowed_netlocs: set[str] = set()
        if start_url:
            # A site not in the registry: the generic platform from one start URL.
            parts = urlsplit(start_url)
            self.use_portal(Portal(name=portal or parts.hostname or "unknown", base_url=f"{parts.scheme}://{parts.netloc}",
                                   platform="generic", listing_paths=(parts.path + (f"?{parts.query}" if parts.query else ""),) or ("/",)),
                            registered=False)
        elif portal:
            entry = get_portal(portal)
            self.use_portal(entry.with_base_url(base_url) if base_url else entry)
        elif os.environ.get("SCRAPY_CHECK"):
            self.portal_is_registered = True  # `scrapy check`: each callback's @portal contract sets one (scrapers/contracts.py)
        else:
            raise ValueError("give -a portal=NAME (see `thanthien portals`) or -a start_url=URL")
        self.listing_pages_seen = 0
        self.pages_requested = 0
        self._trap_announced = self._budget_announced = False

    def use_portal(self, portal: Portal, registered: bool = True) -> None:
        """Crawl this portal: its platform profile, and no other host (StayOnPortalMiddleware refuses
        every other host, redirects included)."""
        self.portal = portal
        self.portal_is_registered = registered
        self.platform = get_platform(portal.platform)
        self.allowed_netlocs = {portal.netloc}

    @classmethod
    def update_settings(cls, settings):
        super().update_settings(settings)
        if os.environ.get("SCRAPY_CHECK"):
            # `scrapy check` discards what the callbacks return and its @url pages are the simulator's
            # (scrapers/contracts.py): the archive is neither read nor written, loopback is not throttled.
            extensions = {**settings.getdict("EXTENSIONS"),
                          "scrapers.extensions.CrawlRunRecorder": None, "scrapers.extensions.WarcRecorder": None}
            settings.setdict({**settings.getdict("SIMULATOR_SETTINGS"), "THANTHIEN_DB": "", "EXTENSIONS": extensions},
                             priority="spider")

    @classmethod
    def from_crawler(cls, crawler, *args, **kwargs):
        for path in crawler.settings.getlist("THANTHIEN_EXTRA_REGISTRIES"):
            add_registry(path)  # before __init__ looks its portal up
        spider = super().from_crawler(crawler, *args, **kwargs)
        settings = crawler.settings
        spider.max_listing_pages = settings.getint("THANTHIEN_MAX_LISTING_PAGES", 300)
        spider.max_pages = settings.getint("THANTHIEN_MAX_PAGES", 20_000)
        spider.max_hops = settings.getint("THANTHIEN_MAX_HOPS", 2)
        spider.incremental = settings.getbool("THANTHIEN_INCREMENTAL", True)
        spider.refresh = settings.getbool("THANTHIEN_REFRESH", False)
        spider.stop_after_known = settings.getint("THANTHIEN_STOP_AFTER_KNOWN_PAGES", 1)
        # the archive's state comes from a component (scrapers/archive_state.py): the spider never reads the archive
        state_reader = build_from_crawler(load_object(settings.get("THANTHIEN_ARCHIVE_STATE_CLASS")), crawler)
        spider.use_archive_state(state_reader.portal(spider.portal))
        return spider

    def use_archive_state(self, state=None) -> None:
        """What the archive already holds for this portal (a `scrapers.archive_state.PortalState`,
        from the component THANTHIEN_ARCHIVE_STATE_CLASS; None: nothing): the basis of incremental runs."""
        self.known: set[str] = set(state.known) if state else set()
        self.validators: dict[str, tuple[str | None, str | None]] = dict(state.validators) if state else {}
        self.walk_everything = not self.incremental
        if state and state.resume:
            # The last run was cut short: pages deeper in the listings may never have been
            # fetched, so this run walks every listing page again (and still skips what is stored).
            self.walk_everything = True
            self.logger.info("%s: previous run did not finish; resuming over every listing page", self.portal.name)

    async def start(self):
        for request in self.start_requests():
            yield request

    def start_requests(self):
        for url in self.platform.listing_urls(self.portal.base_url, self.portal.listing_paths):
            yield scrapy.Request(url, callback=self.parse_page, errback=self.request_failed,
                                 meta={"listing_hint": True, "hops": 0}, priority=5)
        for url in self.platform.feed_urls(self.portal.base_url):
            yield self.feed_request(url)
        # sitemaps announced in robots.txt (RobotsTxtMiddleware reads the same file for its rules)
        yield scrapy.Request(urljoin(self.portal.base_url + "/", "robots.txt"), callback=self.parse_robots,
                             errback=self.robots_failed, priority=5, meta={"handle_httpstatus_all": True})

    # --- helpers -------------------------------------------------------------------------------
    def on_portal(self, url: str) -> bool:
        """Only the portal's own host (and port): a hostile page cannot send us elsewhere."""
        parts = urlsplit(url)
        return parts.scheme in ("http", "https") and parts.netloc.lower() == self.portal.netloc

    def archived(self, url: str) -> bool:
        """The archive holds this article already (whatever the run's mode)."""
        return canonicalize_url(url) in self.known

    def is_known(self, url: str) -> bool:
        """An incremental run skips it: archived."""
        return self.incremental and self.archived(url)

    def article_request(self, url: str) -> scrapy.Request | None:
        """A request for an article, or None when an incremental run already holds it."""
        if self.is_known(url):
            if not self.refresh:
                return None
            return self.conditional(scrapy.Request(url, callback=self.parse_page, errback=self.request_failed))
        return scrapy.Request(url, callback=self.parse_page, errback=self.request_failed)

    def conditional(self, request: scrapy.Request) -> scrapy.Request:
        """If-None-Match / If-Modified-Since from the last capture of this URL, where the portal gave them."""
        etag, last_modified = self.validators.get(request.url, (None, None))
        if etag:
            request.headers["If-None-Match"] = etag
        if last_modified:
            request.headers["If-Modified-Since"] = last_modified
        return request

    def robots_failed(self, failure):
        """No robots.txt (404) is normal; other failures are booked by the middlewares."""

    def request_failed(self, failure):
        """The final failure of a request (retries exhausted, HTTP error, refused): announce it once."""
        from scrapy.exceptions import IgnoreRequest
        from scrapy.spidermiddlewares.httperror import HttpError

        from scrapers.middlewares import exception_kind

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
        """Responses of requests made without a callback: pages like any other (parse_page).

        Contracts (`scrapy check portal`, scrapers/contracts.py; the simulator on ports 18401+): a
        SharePoint listing page is walked, not archived: its ten article links, the next page, the menus.

        @url http://127.0.0.1:18401/portal/Pages/Tin-tuc-su-kien.aspx
        @portal sim-quanson
        @page_kind listing
        @returns items 0 0
        @returns requests 11
        """
        return self.parse_page(response)

    def parse_page(self, response):
        """Every same-host page: judged by its content (pipelines.pagekind); articles go to the
        pipelines, listings are walked, and links are followed by priority within the bounds.

        Contracts (`scrapy check portal`): a Liferay article page is one raw item for the pipelines,
        and its links (related articles, menus) are followed.

        @url http://127.0.0.1:18403/-/xa-hoa-an-ra-mat-mo-hinh-chinh-quyen-than-thien-vi-nhan-dan-phuc-vu
        @portal sim-krongpac
        @page_kind article
        @returns items 1 1
        @returns requests 1
        @scrapes url status headers body portal portal_entry fetched_at
        """
        hinted = response.meta.get("article_hint", False) or self.platform.is_article_url(response.url)
        if response.status == 304:
            if hinted:
                yield self.page_item(response)  # "not modified" is information for the run's counts
            return
        if not hasattr(response, "css"):
            return  # not text: nothing to judge, nothing to follow
        content_type = (response.headers.get("Content-Type") or b"").decode("latin-1").lower()
        if "xml" in content_type and "html" not in content_type:
            yield from self.parse_feed(response)  # an RSS feed or a sitemap linked like a page
            return
        judged = page_kind(response.selector.root)
        self.crawler.stats.inc_value(f"thanthien/pages_judged_{judged.kind}")
        if hinted or judged.is_article:
            yield self.page_item(response)
        is_listing = judged.kind == "listing" or (response.meta.get("listing_hint") and not judged.is_article)
        if is_listing:
            yield from self.walk_listing(response)
        else:
            yield from self.follow_links(response, response.meta.get("hops", 0) + 1)

    def walk_listing(self, response):
        self.listing_pages_seen += 1
        links = list(self.page_links(response))
        articles = [url for url, hinted in links if (hinted or self.archived(url)) and not _FEEDS.search(url)]
        known = sum(self.is_known(url) for url in articles)
        streak = response.meta.get("known_streak", 0) + 1 if articles and known == len(articles) else 0
        if self.incremental and not self.walk_everything and streak >= self.stop_after_known:
            self.logger.info("%s: every article on %s is archived; not paginating further", self.portal.name, response.url)
            self.crawler.stats.inc_value("thanthien/listings_stopped_early")
            return
        if self.listing_pages_seen >= self.max_listing_pages:
            if not self._trap_announced:
                self._trap_announced = True
                self.logger.warning("%s: listing page limit (%d) reached at %s; not following more pagination",
                                    self.portal.name, self.max_listing_pages, response.url)
                announce(self.crawler, "trap_limit", response.request, None, f"listing page limit {self.max_listing_pages}")
            for url, hinted in links:
                if hinted and not _FEEDS.search(url):
                    yield from self.request(url, article_hint=True)
            return
        pagination = set()
        if self.platform.pagination_css:
            pagination = {urljoin(response.url, h.strip()) for h in response.css(self.platform.pagination_css).xpath("@href").getall()}
        for url, hinted in links:
            if _FEEDS.search(url):
                yield self.feed_request(url)
            elif hinted:
                yield from self.request(url, article_hint=True)
            elif url in pagination:
                yield from self.request(url, listing_hint=True, meta={"known_streak": streak})
            else:
                yield from self.request(url, hops=0)

    def follow_links(self, response, hops: int):
        """Links of an article or another page: article-shaped ones always, the rest while the page
        is within `THANTHIEN_MAX_HOPS` pages of the last listing (related boxes, menus, categories)."""
        for url, hinted in self.page_links(response):
            if _FEEDS.search(url):
                yield self.feed_request(url)
            elif hinted:
                yield from self.request(url, article_hint=True)
            elif hops <= self.max_hops:
                yield from self.request(url, hops=hops)

    def page_links(self, response):
        """(url, article-shaped) for each same-host link worth fetching, once per page, in page order."""
        seen = set()
        selected = set()
        if self.platform.listing_link_css:
            selected = {urljoin(response.url, h.strip()) for h in response.css(self.platform.listing_link_css).xpath("@href").getall()}
        for href in response.css("a::attr(href), link[type='application/rss+xml']::attr(href)").getall():
            href = href.strip()
            if not href or href.startswith(("#", "mailto:", "javascript:", "tel:")):
                continue
            url = urljoin(response.url, href).split("#", 1)[0]
            if url in seen or not self.on_portal(url) or _NOT_PAGES.search(urlsplit(url).path):
                continue
            seen.add(url)
            yield url, url in selected or self.platform.is_article_url(url)

    def request(self, url: str, *, article_hint=False, listing_hint=False, hops=0, meta=None):
        """A request for a page unless the run already holds it (known article) or its budget is spent."""
        if article_hint or self.archived(url):
            request = self.article_request(url)
            if request is None:
                return
        else:
            request = scrapy.Request(url, callback=self.parse_page, errback=self.request_failed)
        if self.pages_requested >= self.max_pages:
            if not self._budget_announced:
                self._budget_announced = True
                self.logger.warning("%s: page budget (%d) reached; not following more links", self.portal.name, self.max_pages)
                announce(self.crawler, "page_budget", request, None, f"page budget {self.max_pages}")
            return
        self.pages_requested += 1
        request.meta.update(meta or {}, article_hint=article_hint, listing_hint=listing_hint, hops=hops)
        yield request.replace(priority=10 if article_hint else 5 if listing_hint else 0)

    def feed_request(self, url: str) -> scrapy.Request:
        return scrapy.Request(url, callback=self.parse_feed, errback=self.request_failed, priority=5)

    def parse_robots(self, response):
        """Sitemaps announced in robots.txt (`Sitemap:` lines) are feeds like any other.

        Contracts (`scrapy check portal`): WordPress announces its sitemap index.

        @url http://127.0.0.1:18404/robots.txt
        @portal sim-dongvan
        @returns items 0 0
        @returns requests 1 1
        """
        if response.status != 200 or not hasattr(response, "text"):
            return
        for line in response.text.splitlines():
            name, _, value = line.partition(":")
            if name.strip().lower() == "sitemap" and value.strip():
                url = urljoin(response.url, value.strip())
                if self.on_portal(url):
                    yield self.feed_request(url)

    def parse_feed(self, response):
        """RSS <link>s and sitemap <loc>s; nested sitemaps are feeds themselves.

        Contracts (`scrapy check portal`): a WordPress RSS feed is a request for each of its ten posts.

        @url http://127.0.0.1:18404/feed/
        @portal sim-dongvan
        @returns items 0 0
        @returns requests 10
        """
        if response.status == 304:
            return
        selector = scrapy.Selector(text=response.text, type="xml")
        selector.remove_namespaces()
        for url in selector.xpath("//item/link/text() | //url/loc/text()").getall():
            url = urljoin(response.url, url.strip())
            if not self.on_portal(url):
                continue
            if self.incremental and not self.walk_everything and url in self.validators and not self.archived(url):
                continue  # fetched by an earlier run and no article: a sitemap's static page, not again
            # a feed lists articles (and, in sitemaps, anything else): content decides which
            yield from self.request(url, article_hint=self.platform.is_article_url(url), hops=0)
        for url in selector.xpath("//sitemap/loc/text()").getall():
            url = urljoin(response.url, url.strip())
            if self.on_portal(url):
                yield self.feed_request(url)

    def page_item(self, response) -> dict:
        return {
            "url": response.url,
            "status": response.status,
            "headers": {k.decode("latin-1"): b", ".join(v).decode("latin-1") for k, v in response.headers.items()},
            "body": response.body,
            "portal": self.portal.name if self.portal_is_registered else None,
            "portal_entry": self.portal,
            "fetched_at": response.meta.get("fetched_at") or datetime.now(timezone.utc).replace(microsecond=0).isoformat(),
            "capture_id": response.meta.get("capture_id"),
        }


# Links that are never pages: files, images, media (fetched only when an article embeds them).
_NOT_PAGES = re.compile(r"\.(?:jpe?g|png|gif|webp|svg|ico|bmp|tiff?|pdf|docx?|xlsx?|pptx?|zip|rar|7z|gz|mp[34]|avi|mov|wmv|flv|css|js|json)$", re.I)
_FEEDS = re.compile(r"(?:/rss/?$|/feed/?$|\.rss$|/sitemap[^/]*\.xml$)", re.I)
