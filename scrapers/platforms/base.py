"""The declarative shape of a platform module (City Bureau style: small per-family parts)."""
from __future__ import annotations

import re
from urllib.parse import urljoin, urlsplit


class Platform:
    name = "base"
    #: substrings of the page source that identify the CMS (for unregistered sites)
    markers: tuple[str, ...] = ()
    #: names in a `<meta name="generator">` that say the page is this CMS's ("wordpress", "liferay")
    generators: tuple[str, ...] = ()

    # --- discovery (used by the spider) ---
    #: listing pages to start from when the registry entry gives none
    default_listing_paths: tuple[str, ...] = ("/",)
    #: RSS feeds and sitemaps, relative to the portal root
    feeds: tuple[str, ...] = ()
    #: links to articles on a listing page ("" = none known: the page content decides)
    listing_link_css = ""
    #: links to further listing pages (pagination, "Tiếp")
    pagination_css = ""
    #: what an article URL looks like (path + query), matched case-insensitively
    article_url_re = re.compile(r"$^")

    # --- extraction (used by pipelines.extract) ---
    title_css: tuple[str, ...] = ("h1",)
    #: split the <title> on this to drop the portal name, when no title element is found
    title_suffix_re = re.compile(r"\s+[-|–]\s+[^-|–]+$")
    date_css: tuple[str, ...] = ()
    #: attribute holding a machine-readable date on the date element (e.g. <time datetime>)
    date_attr: str | None = None
    lead_css: tuple[str, ...] = ()
    body_css: tuple[str, ...] = ()
    author_css: tuple[str, ...] = ()
    #: elements inside the body that are never article text (related boxes, share buttons)
    body_noise_css: tuple[str, ...] = ()
    #: True for families without usable selectors (legacy table layouts): the page is read by the
    #: generic layout reader (`pipelines.generic`) and the record labelled with this platform
    layout_profile: bool = False
    #: the family always shows an article's date: a profile result without one is implausible
    always_dated: bool = False

    def is_article_url(self, url: str) -> bool:
        parts = urlsplit(url)
        target = parts.path + (f"?{parts.query}" if parts.query else "")
        return bool(self.article_url_re.search(target))

    def listing_urls(self, base_url: str, listing_paths: tuple[str, ...] = ()) -> list[str]:
        return [urljoin(base_url + "/", p.lstrip("/")) for p in (listing_paths or self.default_listing_paths)]

    def feed_urls(self, base_url: str) -> list[str]:
        return [urljoin(base_url + "/", p.lstrip("/")) for p in self.feeds]

    def __repr__(self) -> str:
        return f"<platform {self.name}>"
