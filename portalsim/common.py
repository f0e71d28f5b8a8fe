"""Pieces shared by the simulated CMSs: request/response values, the Site base class,
deterministic "randomness", dates, text helpers, RSS and a tiny JPEG.

Everything a renderer produces is a pure function of the article data (and the base URL), so the
same article always gets the same URL, bytes, ETag and Last-Modified across runs and processes.
"""
from __future__ import annotations

from abc import ABC, abstractmethod

import hashlib
import html
import string
import struct
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime, parsedate_to_datetime
from typing import Any, Mapping

from .portals import Portal

# Vietnamese portals print local time (UTC+7) without saying so.
TZ = timezone(timedelta(hours=7))



def esc(text: str) -> str:
    """Escape for text and double-quoted attributes. Apostrophes stay literal ("H'Lan"), as the
    CMSs write them; all templates quote attributes with '"'."""
    return html.escape(text, quote=False).replace('"', "&quot;")


# ---------------------------------------------------------------------------------------------
# Requests and responses
# ---------------------------------------------------------------------------------------------


@dataclass
class Request:
    method: str
    path: str  # percent-decoded path without the query string
    query: dict[str, str]  # first value of each query parameter
    headers: Mapping[str, str]


@dataclass
class Response:
    status: int = 200
    body: bytes = b""
    content_type: str = "text/html; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)
    # Set on article pages only; the server answers conditional requests with 304 from these.
    etag: str | None = None
    last_modified: datetime | None = None


def not_modified(req: Request, resp: Response) -> bool:
    """Whether a 200 answers a conditional request with 304 (the plain server and the fault dressing
    both ask). RFC 9110 §13.1: If-None-Match wins over If-Modified-Since when both are sent."""
    if req.method not in ("GET", "HEAD") or not (resp.etag or resp.last_modified):
        return False
    inm = req.headers.get("If-None-Match")
    if inm is not None:
        tags = [t.strip() for t in inm.split(",")]
        return bool(resp.etag) and ("*" in tags or any(t.removeprefix("W/") == resp.etag for t in tags))
    ims = req.headers.get("If-Modified-Since")
    if ims and resp.last_modified:
        try:
            since = parsedate_to_datetime(ims)
        except (TypeError, ValueError):
            return False
        if since.tzinfo is None:
            return False
        return resp.last_modified.replace(microsecond=0) <= since
    return False


def html_response(text: str, status: int = 200) -> Response:
    return Response(status, text.encode("utf-8"))


def text_response(text: str) -> Response:
    return Response(200, text.encode("utf-8"), "text/plain; charset=utf-8")


def xml_response(text: str, content_type: str = "application/xml; charset=utf-8") -> Response:
    return Response(200, text.encode("utf-8"), content_type)


def redirect(location: str, status: int = 302) -> Response:
    return Response(status, b"", "text/html; charset=utf-8", {"Location": location})


def cacheable(resp: Response, published: datetime) -> Response:
    """Give an article page validators: Last-Modified from its date, a strong ETag from its bytes."""
    resp.etag = '"' + hashlib.sha1(resp.body).hexdigest()[:20] + '"'
    resp.last_modified = published.astimezone(timezone.utc)
    return resp


# ---------------------------------------------------------------------------------------------
# Deterministic randomness (hash of the article key, never the `random` module)
# ---------------------------------------------------------------------------------------------


def digest(*parts: Any, size: int = 32) -> bytes:
    return hashlib.blake2b("\x1f".join(map(str, parts)).encode("utf-8"), digest_size=size).digest()


def frac(*parts: Any) -> float:
    """A stable pseudo-random number in [0, 1) for these parts."""
    return int.from_bytes(digest(*parts, size=8), "big") / 2**64


def random_chars(length: int, *parts: Any, alphabet: str = string.ascii_lowercase + string.digits) -> str:
    raw = digest(*parts, size=64)
    return "".join(alphabet[b % len(alphabet)] for b in raw[:length])


def hex_id(*parts: Any, length: int = 32) -> str:
    return digest(*parts, size=32).hex()[:length]


def noise_bytes(length: int, *parts: Any) -> bytes:
    """Arbitrary-length filler (ASP.NET view state and the like)."""
    return hashlib.shake_256("\x1f".join(map(str, parts)).encode("utf-8")).digest(length)


# ---------------------------------------------------------------------------------------------
# Dates
# ---------------------------------------------------------------------------------------------


def published_at(article: Mapping) -> datetime:
    """"2023-03-17 10:25" (local time the page shows) → aware datetime in UTC+7."""
    text = article["published"].strip()
    for fmt in ("%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d"):
        try:
            return datetime.strptime(text, fmt).replace(tzinfo=TZ)
        except ValueError:
            continue
    raise ValueError(f"article {article.get('key')!r}: bad published {text!r} (want 'YYYY-MM-DD HH:MM')")


def dmy(dt: datetime) -> str:
    return dt.strftime("%d/%m/%Y")


def dmy_hm(dt: datetime) -> str:
    return dt.strftime("%d/%m/%Y %H:%M")


def rfc822(dt: datetime) -> str:
    """RSS pubDate: "Fri, 17 Mar 2023 10:25:00 +0700"."""
    return format_datetime(dt)


def http_date(dt: datetime) -> str:
    return format_datetime(dt.astimezone(timezone.utc), usegmt=True)


# ---------------------------------------------------------------------------------------------
# Text
# ---------------------------------------------------------------------------------------------


def strip_marks(text: str, d: str = "d") -> str:
    """Remove Vietnamese tone and vowel marks. đ/Đ become `d` (lower/upper) — or vanish when d="".

    CMSs disagree on đ: WordPress and tandan map it to d, Liferay's normalizer drops it.
    """
    text = unicodedata.normalize("NFD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return text.replace("đ", d).replace("Đ", d.upper())


def body_text(article: Mapping) -> str:
    """Ground-truth body: lead (if any) + paragraphs, blank-line separated."""
    parts = ([article["lead"]] if article.get("lead") else []) + list(article["paragraphs"])
    return "\n\n".join(parts)


def summary(article: Mapping, limit: int = 220) -> str:
    """Listing teaser: the lead, else the first paragraph, cut at a word boundary."""
    text = article.get("lead") or (article["paragraphs"][0] if article["paragraphs"] else "")
    if len(text) <= limit:
        return text
    return text[:limit].rsplit(" ", 1)[0] + "..."


def images_after(article: Mapping) -> dict[int, list[tuple[int, dict]]]:
    """Group images by the paragraph index they follow: {para_index: [(image_index, image), ...]}.

    Out-of-range positions are clamped, so a bad "after" never loses an image.
    """
    last = max(len(article["paragraphs"]) - 1, -1)
    placed: dict[int, list[tuple[int, dict]]] = {}
    for i, image in enumerate(article.get("images") or []):
        after = image.get("after", last)
        after = last if after is None else max(-1, min(int(after), last))
        placed.setdefault(after, []).append((i, image))
    return placed


def newest_first(articles: list[dict]) -> list[dict]:
    return sorted(articles, key=lambda a: (published_at(a), a["key"]), reverse=True)


def related(articles: list[dict], current: Mapping | None, n: int = 5, min_launch: int = 2) -> list[dict]:
    """Up to n other articles for "Tin khác"/"Tin liên quan"/"Bài viết mới" boxes, newest first.

    Always includes `min_launch` launch reports when the portal has them: on the real portals the
    sidebar of an unrelated article routinely mentions the model, and classifiers must cope.
    `articles` is newest first; with current=None this is simply "recent posts".
    """
    others = [a for a in articles if current is None or a["key"] != current["key"]]
    chosen = [a for a in others if a.get("is_launch_report")][:min_launch]
    if current is not None:
        # Fill with what precedes the current article (real "Tin khác" shows older news first).
        when = published_at(current)
        older = [a for a in others if published_at(a) <= when]
        pool = older + [a for a in others if a not in older]
    else:
        pool = others
    for a in pool:
        if len(chosen) >= n:
            break
        if a not in chosen:
            chosen.append(a)
    order = {a["key"]: i for i, a in enumerate(articles)}
    return sorted(chosen, key=lambda a: order[a["key"]])


def paginate(items: list, page: int, per_page: int) -> tuple[list, int]:
    """(items on page `page` (1-based), number of pages ≥ 1)."""
    pages = max(1, -(-len(items) // per_page))
    start = (page - 1) * per_page
    return items[start : start + per_page], pages


def page_links(page: int, pages: int, href, current: str, link: str, next_link: str | None = None) -> list[str]:
    """A pager's links as every simulated CMS writes them: pages 1…`pages`, `current` for the one
    shown and `link` for the others, then `next_link` unless on the last page. The templates take
    {n} and {href} (= href(n))."""
    links = [current.format(n=n) if n == page else link.format(n=n, href=href(n)) for n in range(1, pages + 1)]
    if next_link is not None and page < pages:
        links.append(next_link.format(n=page + 1, href=href(page + 1)))
    return links


def int_param(value: str | None, default: int = 1) -> int:
    try:
        return int(value) if value is not None else default
    except ValueError:
        return default


# ---------------------------------------------------------------------------------------------
# Feeds
# ---------------------------------------------------------------------------------------------


def cdata(text: str) -> str:
    return "<![CDATA[" + text.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def rss_feed(*, title: str, link: str, self_url: str, description: str, items: list[dict],
             generator: str, last_build: datetime | None = None) -> str:
    """RSS 2.0 with the dc/content/atom namespaces every CMS declares.

    item keys: title, link, published (datetime), guid, guid_permalink (bool), description,
    creator (optional), categories (optional list), content_html (optional).
    """
    last_build = last_build or (items[0]["published"] if items else datetime(2020, 1, 1, tzinfo=TZ))
    out = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:atom="http://www.w3.org/2005/Atom">',
        "<channel>",
        f"<title>{esc(title)}</title>",
        f'<atom:link href="{esc(self_url)}" rel="self" type="application/rss+xml" />',
        f"<link>{esc(link)}</link>",
        f"<description>{esc(description)}</description>",
        f"<lastBuildDate>{rfc822(last_build)}</lastBuildDate>",
        "<language>vi</language>",
        f"<generator>{esc(generator)}</generator>",
    ]
    for item in items:
        out.append("<item>")
        out.append(f"<title>{esc(item['title'])}</title>")
        out.append(f"<link>{esc(item['link'])}</link>")
        if item.get("creator"):
            out.append(f"<dc:creator>{cdata(item['creator'])}</dc:creator>")
        out.append(f"<pubDate>{rfc822(item['published'])}</pubDate>")
        for category in item.get("categories") or []:
            out.append(f"<category>{cdata(category)}</category>")
        permalink = "true" if item.get("guid_permalink") else "false"
        out.append(f'<guid isPermaLink="{permalink}">{esc(item["guid"])}</guid>')
        out.append(f"<description>{cdata(item['description'])}</description>")
        if item.get("content_html"):
            out.append(f"<content:encoded>{cdata(item['content_html'])}</content:encoded>")
        out.append("</item>")
    out += ["</channel>", "</rss>", ""]
    return "\n".join(out)


# ---------------------------------------------------------------------------------------------
# A tiny valid JPEG (8×8 mid-grey, baseline, 159 bytes), built from its segments so it is
# checkable by eye: one DC and one AC Huffman code of length 1, DC diff 0 then EOB.
# ---------------------------------------------------------------------------------------------


def _segment(marker: int, payload: bytes) -> bytes:
    return bytes([0xFF, marker]) + struct.pack(">H", len(payload) + 2) + payload


JPEG = (
    b"\xff\xd8"  # SOI
    + _segment(0xE0, b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00")  # APP0 JFIF 1.01
    + _segment(0xDB, b"\x00" + b"\x01" * 64)  # DQT: table 0, all ones
    + _segment(0xC0, b"\x08\x00\x08\x00\x08\x01\x01\x11\x00")  # SOF0: 8 bit, 8x8, 1 component
    + _segment(0xC4, b"\x00" + b"\x01" + b"\x00" * 15 + b"\x00")  # DHT DC0: one code → symbol 0
    + _segment(0xC4, b"\x10" + b"\x01" + b"\x00" * 15 + b"\x00")  # DHT AC0: one code → EOB
    + _segment(0xDA, b"\x01\x01\x00\x00\x3f\x00")  # SOS
    + b"\x3f"  # bits 0 (DC diff 0), 0 (EOB), padded with ones
    + b"\xff\xd9"  # EOI
)


# ---------------------------------------------------------------------------------------------
# Site: one simulated portal
# ---------------------------------------------------------------------------------------------


class Site(ABC):
    """Base of the three CMS renderers. Subclasses fill `platform`, `server_software`,
    `article_path()`, `route()`, `robots_txt()` and `not_found()`."""

    platform = ""
    server_software = "Microsoft-IIS/8.5"
    extra_headers: dict[str, str] = {}

    def __init__(self, portal: Portal, articles: list[dict], base_url: str):
        self.portal = portal
        self.base_url = base_url.rstrip("/")
        self.articles = newest_first([a for a in articles if a["portal"] == portal.name])
        self.published = {a["key"]: published_at(a) for a in self.articles}

    # -- URLs ----------------------------------------------------------------------------------
    @abstractmethod
    def article_path(self, article: Mapping) -> str:
        """Each platform answers this its own way."""

    def article_url(self, article: Mapping) -> str:
        return self.base_url + self.article_path(article)

    # -- dispatch ------------------------------------------------------------------------------
    def handle(self, req: Request) -> Response:
        if req.path == "/robots.txt":
            resp = text_response(self.robots_txt())
        elif req.path.lower().endswith(".jpg"):
            # Any image path answers: the pages reference hashed file names nobody stores.
            resp = Response(200, JPEG, "image/jpeg", {"Cache-Control": "max-age=86400"})
        else:
            resp = self.route(req) or self.not_found(req)
        for name, value in self.extra_headers.items():
            resp.headers.setdefault(name, value)
        return resp

    @abstractmethod
    def route(self, req: Request) -> Response | None:
        """Each platform answers this its own way."""

    @abstractmethod
    def robots_txt(self) -> str:
        """Each platform answers this its own way."""

    @abstractmethod
    def not_found(self, req: Request) -> Response:
        """Each platform answers this its own way."""

    # -- helpers for renderers -----------------------------------------------------------------
    def related_to(self, article: Mapping | None, n: int = 5) -> list[dict]:
        """The portal's related/recent box for `article` (None: recent posts)."""
        return related(self.articles, article, n=n)

