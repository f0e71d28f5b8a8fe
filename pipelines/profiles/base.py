"""The declarative shape of a page profile: where a CMS family keeps an article's parts.

The reading half of a platform (City Bureau style: small per-family parts). The crawling half —
listings, feeds, pagination — is `scrapers.platforms`, whose platforms are these profiles plus
discovery; `pipelines.extract` reads pages with the profiles alone.
"""
from __future__ import annotations

import re
from urllib.parse import urlsplit


class Profile:
    name = "base"
    #: substrings of the page source that identify the CMS (for unregistered sites)
    markers: tuple[str, ...] = ()
    #: names in a `<meta name="generator">` that say the page is this CMS's ("wordpress", "liferay")
    generators: tuple[str, ...] = ()
    #: what an article URL looks like (path + query), matched case-insensitively: a sign of the
    #: family for the fingerprint, and the crawler's test of a link
    article_url_re = re.compile(r"$^")

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

    def __repr__(self) -> str:
        return f"<profile {self.name}>"
