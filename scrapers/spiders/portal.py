"""PortalSpider: one spider for every portal, driven by the registry entry and its platform module.

It walks listing pages (and their pagination), RSS feeds and sitemaps, and yields each article
page raw: URL, status, headers, bytes, portal. It never leaves the portal's host.
"""
from __future__ import annotations

from datetime import datetime, timezone
from urllib.parse import urljoin, urlsplit

import scrapy

from scrapers.platforms import get_platform
from scrapers.registry import Portal, get_portal


class PortalSpider(scrapy.Spider):
    """Crawl one portal: `scrapy crawl portal -a portal=NAME [-a base_url=URL]` or `-a start_url=URL`."""

    name = "portal"

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

    @classmethod
    def from_crawler(cls, crawler, *args, **kwargs):
        spider = super().from_crawler(crawler, *args, **kwargs)
        spider.max_listing_pages = crawler.settings.getint("THANTHIEN_MAX_LISTING_PAGES", 300)
        return spider

    async def start(self):
        for request in self.start_requests():
            yield request

    def start_requests(self):
        for url in self.platform.listing_urls(self.portal.base_url, self.portal.listing_paths):
            yield scrapy.Request(url, callback=self.parse_listing)
        for url in self.platform.feed_urls(self.portal.base_url):
            yield scrapy.Request(url, callback=self.parse_feed)

    # --- helpers -------------------------------------------------------------------------------
    def on_portal(self, url: str) -> bool:
        """Only the portal's own host (and port): a hostile page cannot send us elsewhere."""
        parts = urlsplit(url)
        return parts.scheme in ("http", "https") and parts.netloc.lower() == self.portal.netloc

    def article_request(self, url: str) -> scrapy.Request:
        return scrapy.Request(url, callback=self.parse_article)

    # --- callbacks -----------------------------------------------------------------------------
    def parse(self, response):
        return self.parse_listing(response)

    def parse_listing(self, response):
        self.listing_pages_seen += 1
        if not hasattr(response, "css"):
            return
        for href in response.css(self.platform.listing_link_css).xpath("@href").getall():
            url = urljoin(response.url, href.strip())
            if self.on_portal(url) and self.platform.is_article_url(url):
                yield self.article_request(url)
        for href in response.css("link[type='application/rss+xml']::attr(href), a[href$='/rss']::attr(href)").getall():
            url = urljoin(response.url, href.strip())
            if self.on_portal(url):
                yield scrapy.Request(url, callback=self.parse_feed)
        if self.listing_pages_seen >= self.max_listing_pages:
            self.logger.warning("%s: listing page limit (%d) reached at %s; not following more pagination",
                                self.portal.name, self.max_listing_pages, response.url)
            return
        for href in self._next_listing_links(response):
            url = urljoin(response.url, href.strip())
            if self.on_portal(url):
                yield scrapy.Request(url, callback=self.parse_listing)

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
        selector = scrapy.Selector(text=response.text, type="xml")
        selector.remove_namespaces()
        for url in selector.xpath("//item/link/text() | //url/loc/text()").getall():
            url = urljoin(response.url, url.strip())
            if self.on_portal(url) and self.platform.is_article_url(url):
                yield self.article_request(url)
        for url in selector.xpath("//sitemap/loc/text()").getall():
            url = urljoin(response.url, url.strip())
            if self.on_portal(url):
                yield scrapy.Request(url, callback=self.parse_feed)

    def parse_article(self, response):
        yield {
            "url": response.url,
            "status": response.status,
            "headers": {k.decode("latin-1"): b", ".join(v).decode("latin-1") for k, v in response.headers.items()},
            "body": response.body,
            "portal": self.portal.name if self.portal_is_registered else None,
            "portal_entry": self.portal,
            "fetched_at": datetime.now(timezone.utc).replace(microsecond=0).isoformat(),
        }
