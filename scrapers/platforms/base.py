"""The declarative shape of a platform module (City Bureau style: small per-family parts).

A platform is the family's page profile (`pipelines.profiles`: where an article's parts are, which
the extractor reads) plus the crawling half kept here: where a portal lists its articles, its
feeds, its pagination.
"""
from __future__ import annotations

from urllib.parse import urljoin

from pipelines.profiles import Profile


class Platform(Profile):
    #: listing pages to start from when the registry entry gives none
    default_listing_paths: tuple[str, ...] = ("/",)
    #: RSS feeds and sitemaps, relative to the portal root
    feeds: tuple[str, ...] = ()
    #: links to articles on a listing page ("" = none known: the page content decides)
    listing_link_css = ""
    #: links to further listing pages (pagination, "Tiếp")
    pagination_css = ""
    #: where the family's articles live, for the Wayback Machine's CDX prefix query (matched
    #: case-insensitively by the CDX server's SURT keys); "/" when there is no fixed article folder
    index_article_prefixes: tuple[str, ...] = ("/",)
    #: listing folders searched in the CDX besides the portal's listing paths
    index_listing_prefixes: tuple[str, ...] = ()

    def listing_urls(self, base_url: str, listing_paths: tuple[str, ...] = ()) -> list[str]:
        return [urljoin(base_url + "/", p.lstrip("/")) for p in (listing_paths or self.default_listing_paths)]

    def index_prefixes(self, listing_paths: tuple[str, ...] = ()) -> list[tuple[str, str]]:
        """(path prefix, "articles" | "listings") to ask an archive's index (the Wayback CDX) for,
        given the portal's own listing paths (the family's defaults when it has none)."""
        listings = list(listing_paths or self.default_listing_paths)
        listings += [p for p in self.index_listing_prefixes if p not in listings]
        return [(p, "articles") for p in self.index_article_prefixes] + [(p, "listings") for p in listings]

    def feed_urls(self, base_url: str) -> list[str]:
        return [urljoin(base_url + "/", p.lstrip("/")) for p in self.feeds]

    def __repr__(self) -> str:
        return f"<platform {self.name}>"
