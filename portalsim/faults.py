"""Faults on demand for the portal simulator: a seeded, configurable plan of what goes wrong.

    plan = FaultPlan(rate=0.3, kinds=None, seed=7)            # None: every kind
    with Simulator(soak_articles(300, seed=7), faults=plan) as sim:
        ...crawl sim.base_urls...
        sim.unreachable_urls()      # article URLs that answer 404/410 forever (not expected in the archive)
        sim.reachable_ground_truth()  # ground_truth() without them: what the archive must hold, once each
        sim.decoy_urls()            # {url: kind}: extra article-shaped links that are never articles
        sim.fault_log               # [(portal, request target, kind), ...] in serving order
        sim.fault_counts()          # Counter by kind

Four families of kinds, with different rules:

* per-request TRANSIENT kinds (http500, http502, http503, http503_retry_after, http429, reset,
  timeout, truncated, empty200, soft404): may hit any request whose target (path + query, as sent)
  matches `paths` — listings, feeds, sitemaps, articles, images; robots.txt only with
  `robots_faults=True`. A given (portal, target) gets at most `max_per_url` transient faults in the
  life of the simulator, so a client that retries at least `max_per_url` times always gets the
  real response. (empty200 and soft404 are 200s: a crawler must recognise and retry them itself.)
* per-request CONTENT-PRESERVING kinds (slow_body, charset_conflict, malformed_html): the real
  response, delivered slowly / with a lying charset header / with broken markup. Unbounded: they
  never stop an article from being archived. charset_conflict and malformed_html apply only to
  200 UTF-8 text/html answers to GET, slow_body to any GET answer with a body.
* PERMANENT kinds (http404, http410): only for designated articles — per portal, the
  `permanent_share` of its articles (whose path matches `paths`) with the smallest seeded hash,
  at least one when the share is > 0. Every URL form of a designated article (Liferay's short and
  long forms, SharePoint's /Pages/ and /pages/ spellings) answers that status on every request;
  listings, feeds and sitemaps keep linking to it.
* STRUCTURAL kinds, on whenever listed (not drawn per request, not limited by `paths`):
  `trap` (every real listing page links into an endless pagination chain from PageIndex/_cur/page
  `trap_start` and an endless /lich/{date}/ calendar, both in the platform's pagination markup so
  a spider following pagination walks into it), decoys for `huge`, `binary_html`,
  `redirect_loop`, `redirect_offsite` (`decoys_per_kind` extra article-shaped links per portal and
  kind, added to the first page of every listing and the home page, which always misbehave in that
  way), and `robots_forbid` (robots.txt also disallows a section that holds no article only it
  links to: tandan /portal/KenhTin/, Liferay /web/guest/van-ban, WordPress /tag/ and /author/).

Reachable = every article of the simulator except the designated permanent ones. No other kind
makes an article unreachable for a client that retries transient failures `max_per_url` times on
every URL it needs (listing pages and feeds as much as articles), treats an empty 200 or a 200
"Không tìm thấy trang" page as a failure to retry, and fetches the real pagination links it has
queued (page 1 of each listing links every real page, so a trap that exhausts a crawler's
listing-page budget never hides a real page).

`fault_log` records every injection: drawn kinds per request, each 404/410 served for a designated
article, each decoy request, each trap page and each robots.txt served with `robots_forbid`.

Decisions are pure functions of (seed, portal name, request target, how many times that target was
requested before) and of the real response, so two runs with the same seed and the same per-URL
request sequences fault identically, whatever the ports and the interleaving of URLs.
`per_kind_limit` (a global cap per per-request kind) is the one exception: once a cap binds,
which URL gets the last injection depends on arrival order.
"""
from __future__ import annotations

from abc import ABC, abstractmethod

import copy
import re
import socket
import struct
import threading
import traceback
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Iterable, Mapping

from .common import (
    Request, Response, esc, frac, hex_id, html_response, int_param, noise_bytes, not_modified, published_at,
)
from . import liferay, sharepoint
from .liferay import LISTING
from .wordpress import PAGED_RE

# Canonical order: kinds drawn for a request are picked from the eligible ones in this order.
KINDS = (
    "http500", "http502", "http503", "http503_retry_after", "http429", "http404", "http410",
    "reset", "timeout", "slow_body", "truncated", "empty200", "soft404",
    "redirect_loop", "redirect_offsite", "trap", "huge", "binary_html",
    "charset_conflict", "malformed_html", "robots_forbid",
)
TRANSIENT = frozenset({"http500", "http502", "http503", "http503_retry_after", "http429", "reset", "timeout",
                       "truncated", "empty200", "soft404"})
CONTENT = frozenset({"slow_body", "charset_conflict", "malformed_html"})
PERMANENT = frozenset({"http404", "http410"})
DECOYS = ("huge", "binary_html", "redirect_loop", "redirect_offsite")
STRUCTURAL = frozenset({"trap", "robots_forbid", *DECOYS})
PER_REQUEST = tuple(k for k in KINDS if k in TRANSIENT or k in CONTENT)

STATUS_KINDS = {  # kind: (status, Retry-After)
    "http500": (500, None),
    "http502": (502, None),
    "http503": (503, None),
    "http503_retry_after": (503, "1"),
    "http429": (429, "1"),
}
REASONS = {500: "Internal Server Error", 502: "Bad Gateway", 503: "Service Unavailable", 429: "Too Many Requests"}
BODY_KINDS = frozenset({"truncated", "empty200", "soft404", "slow_body", "charset_conflict", "malformed_html"})

#: robots_forbid: extra Disallow lines per platform (sections no article depends on)
ROBOTS_DISALLOW = {
    "sharepoint": ("/portal/KenhTin/",),
    "liferay": ("/web/guest/van-ban",),
    "wordpress": ("/tag/", "/author/"),
}
DECOY_TITLES = {
    "huge": "Danh sách hộ nghèo, hộ cận nghèo năm 2024",
    "binary_html": "Biểu mẫu đăng ký khai sinh, kết hôn",
    "redirect_loop": "Thông báo lịch tiếp công dân định kỳ",
    "redirect_offsite": "Cổng dịch vụ công quốc gia",
}
CALENDAR_RE = re.compile(r"/lich/(\d{4})-(\d{2})-(\d{2})/?")
CALENDAR_START = date(2025, 7, 1)


@dataclass
class FaultPlan:
    """What goes wrong, how often and where. See the module docstring for the exact semantics."""

    rate: float = 0.0  #: probability that a request (matching `paths`) gets a per-request fault
    kinds: list[str] | None = None  #: enabled kinds; None = all of KINDS
    paths: str | re.Pattern | None = None  #: regex searched in the request target; None = every target
    seed: int = 0
    max_per_url: int = 2  #: transient faults per (portal, request target), ever
    per_kind_limit: dict[str, int] | None = None  #: global cap per per-request kind
    permanent_share: float = 0.05  #: share of each portal's articles designated 404/410
    timeout_seconds: float = 3.0  #: how long `timeout` stalls before answering (the crawler's timeout is lower)
    slow_body_seconds: float = 1.0  #: total dribbling time of `slow_body` (keep < 2)
    slow_body_chunks: int = 8
    huge_bytes: int = 20 * 1024 * 1024
    binary_bytes: int = 64 * 1024
    offsite_url: str = "http://127.0.0.2:9/"  #: on this machine, refuses connections
    decoys_per_kind: int = 1
    trap_start: int = 1000
    robots_faults: bool = False  #: let per-request faults hit robots.txt too
    robots_disallow: dict[str, tuple[str, ...]] = field(default_factory=lambda: dict(ROBOTS_DISALLOW))

    def __post_init__(self):
        kinds = list(KINDS) if self.kinds is None else list(self.kinds)
        unknown = [k for k in kinds if k not in KINDS]
        if unknown:
            raise ValueError(f"unknown fault kinds {unknown} (known: {list(KINDS)})")
        if not 0.0 <= self.rate <= 1.0:
            raise ValueError("rate must be in [0, 1]")
        if self.max_per_url < 0:
            raise ValueError("max_per_url must be >= 0")
        self.kinds = [k for k in KINDS if k in kinds]
        self._paths = re.compile(self.paths) if isinstance(self.paths, str) else self.paths
        unknown = [k for k in (self.per_kind_limit or {}) if k not in KINDS]
        if unknown:
            raise ValueError(f"per_kind_limit: unknown kinds {unknown}")

    # -- pure decisions ----------------------------------------------------------------------
    def enabled(self, kind: str) -> bool:
        return kind in self.kinds

    def matches(self, target: str) -> bool:
        return self._paths is None or bool(self._paths.search(target))

    def choose(self, portal: str, target: str, attempt: int, eligible: Iterable[str]) -> str | None:
        """The per-request kind for the `attempt`-th (0-based) request of `target`, or None.

        `eligible`: the per-request kinds that could apply now (enabled, within budgets, applicable
        to the real response). Pure: same arguments, same answer.
        """
        if self.rate <= 0 or not self.matches(target):
            return None
        if frac(self.seed, "fault", portal, target, attempt) >= self.rate:
            return None
        eligible = [k for k in PER_REQUEST if k in set(eligible) and k in self.kinds]
        if not eligible:
            return None
        return eligible[int(frac(self.seed, "kind", portal, target, attempt) * len(eligible))]

    def designate(self, portal: str, articles: list[dict], path_of) -> dict[str, str]:
        """{article key: "http404" | "http410"} for this portal's permanently missing articles."""
        permanent = [k for k in ("http404", "http410") if k in self.kinds]
        if not permanent or self.permanent_share <= 0:
            return {}
        pool = [a for a in articles if self.matches(path_of(a))]
        if not pool:
            return {}
        count = min(len(pool), max(1, round(self.permanent_share * len(pool))))
        chosen = sorted(pool, key=lambda a: (frac(self.seed, "permanent", portal, a["key"]), a["key"]))[:count]
        return {a["key"]: permanent[int(frac(self.seed, "permanent-kind", a["key"]) * len(permanent))] for a in chosen}


# ---------------------------------------------------------------------------------------------
# Per-platform knowledge: listings, article lookup, decoy and trap markup
# ---------------------------------------------------------------------------------------------


class _PlainDressing:
    """How faults dress a portal whose renderer faults.py does not know: per-request faults only
    (no decoys, traps or 404/410s). The base of the CMS-aware dressings below."""

    anchor = ""  # real listing pages: decoy items and trap links go right after this string

    def __init__(self, site, plan: FaultPlan):
        self.site, self.plan, self.portal = site, plan, site.portal.name
        self.decoys: dict[str, tuple[str, int]] = {}  # normalized path → (kind, index)
        self.decoy_paths: list[tuple[str, str]] = []  # (path, kind), listing order
        self.designated: dict[str, str] = {}

    def norm(self, path: str) -> str:
        return path

    def article_for(self, req: Request) -> dict | None:
        return None

    def listing(self, req: Request) -> tuple[str, int] | None:
        """(listing path to paginate, page number) for a real listing page (home: page 1)."""
        return None

    def trap_page(self, req: Request) -> Response | None:
        """The endless pages behind the trap links, or None when `req` is not one."""
        return None

    def decoy_for(self, req: Request) -> tuple[str, int] | None:
        return self.decoys.get(self.norm(req.path))

    def decoy_urls(self) -> dict[str, str]:
        return {self.site.base_url + path: kind for path, kind in self.decoy_paths}

    def decorate(self, req: Request, resp: Response) -> Response:
        return resp


class _Platform(_PlainDressing, ABC):
    """How faults dress a CMS portal: decoys, traps and permanently missing articles too.
    Subclasses know their CMS's URLs and markup."""

    def __init__(self, site, plan: FaultPlan):
        super().__init__(site, plan)
        for kind in DECOYS:
            if plan.enabled(kind):
                for i in range(plan.decoys_per_kind):
                    path = self.decoy_path(kind, i)
                    self.decoys[self.norm(path)] = (kind, i)
                    self.decoy_paths.append((path, kind))
        self.designated = plan.designate(self.portal, site.articles, site.article_path)

    # -- to override ---------------------------------------------------------------------------
    @abstractmethod
    def article_for(self, req: Request) -> dict | None:
        """Platform-specific."""

    @abstractmethod
    def listing(self, req: Request) -> tuple[str, int] | None:
        """(listing path to paginate, page number) for a real listing page (home: page 1)."""

    @abstractmethod
    def decoy_path(self, kind: str, i: int) -> str:
        """Platform-specific."""

    @abstractmethod
    def decoy_item(self, path: str, title: str) -> str:
        """Platform-specific."""

    @abstractmethod
    def pager(self, links: list[tuple[str, str]]) -> str:
        """Links (href, label) in the markup the platform spider paginates through."""

    @abstractmethod
    def page_href(self, listing: str, n: int) -> str:
        """Platform-specific."""

    def calendar_href(self, day: date) -> str:
        return f"/lich/{day.isoformat()}/"

    @abstractmethod
    def page(self, title: str, inner: str, path: str) -> str:
        """Platform-specific."""

    # -- shared --------------------------------------------------------------------------------
    def trap_links(self, listing: str) -> str:
        start = self.plan.trap_start
        return self.pager([(self.page_href(listing, start), str(start)),
                           (self.calendar_href(CALENDAR_START), f"Lịch công tác {CALENDAR_START:%d/%m/%Y}")])

    def decorate(self, req: Request, resp: Response) -> Response:
        """Add decoy items (first pages) and trap links (every page) to a real listing page."""
        where = self.listing(req)
        if where is None or resp.status != 200 or not resp.content_type.startswith("text/html"):
            return resp
        listing, page = where
        extra = ""
        if page <= 1:
            extra += "".join(self.decoy_item(path, DECOY_TITLES[kind]) for path, kind in self.decoy_paths)
        if self.plan.enabled("trap"):
            extra += self.trap_links(listing)
        if not extra:
            return resp
        text = resp.body.decode("utf-8")
        at = text.find(self.anchor)
        if at < 0:
            return resp
        at += len(self.anchor)
        resp.body = (text[:at] + extra + text[at:]).encode("utf-8")
        return resp

    def trap_page(self, req: Request) -> Response | None:
        """The endless pages behind the trap links, or None when `req` is not one."""
        m = CALENDAR_RE.fullmatch(req.path)
        if m:
            try:
                day = date(*(int(g) for g in m.groups()))
            except ValueError:
                return None
            links = [(self.calendar_href(day - timedelta(days=1)), "« Ngày trước"),
                     (self.calendar_href(day + timedelta(days=1)), "Ngày sau »"),
                     (self.calendar_href(day + timedelta(days=7)), "Tuần sau")]
            inner = (f'<div class="lich-cong-tac"><h2>Lịch công tác ngày {day:%d/%m/%Y}</h2>'
                     f"<p>Chưa có lịch công tác.</p>{self.pager(links)}</div>")
            return html_response(self.page(f"Lịch công tác ngày {day:%d/%m/%Y}", inner, req.path))
        where = self.trap_listing(req)
        if where is None:
            return None
        listing, n = where
        links = [(self.page_href(listing, n - 1), "«")] if n > self.plan.trap_start else []
        links += [(self.page_href(listing, n + 1), str(n + 1)), (self.page_href(listing, n + 2), str(n + 2)),
                  (self.page_href(listing, n + 1), "Tiếp")]
        inner = f'<p class="channel-empty">Chưa có tin bài.</p>{self.pager(links)}'
        return html_response(self.page("Tin tức - Sự kiện", inner, listing))

    @abstractmethod
    def trap_listing(self, req: Request) -> tuple[str, int] | None:
        """Platform-specific."""


class _SharePoint(_Platform):
    anchor = sharepoint.NEWS_LIST

    def norm(self, path: str) -> str:
        return path.lower()

    def article_for(self, req):
        return self.site.by_path.get(req.path.lower())

    def listing(self, req):
        site, path = self.site, req.path.lower()
        if path == site.home_path.lower():
            return site.listing_path, 1
        for listing in (site.listing_path, site.channel_path):
            if path == listing.lower():
                return listing, sharepoint.page_index(req)
        return None

    def trap_listing(self, req):
        where = self.listing(req)
        if where and req.path.lower() != self.site.home_path.lower() and where[1] >= self.plan.trap_start:
            return where
        return None

    def decoy_path(self, kind, i):
        n = DECOYS.index(kind) * 8 + i
        slug = {"huge": "Danh-Sach-Ho-Ngheo-Ho-Can-Ngheo-Nam", "binary_html": "Bieu-Mau-Dang-Ky-Khai-Sinh-Ket-Hon",
                "redirect_loop": "Thong-Bao-Lich-Tiep-Cong-Dan-Dinh-Ky", "redirect_offsite": "Cong-Dich-Vu-Cong-Quoc-Gia"}[kind]
        return f"{self.site.pages}/2024-6-{1 + n % 28}/{slug}{hex_id(self.portal, kind, i, length=7)}.aspx"

    def decoy_item(self, path, title):
        return sharepoint.news_item(path, title, "01/06/2024")

    def pager(self, links):
        # tandan paginates with ?PageIndex=N; the calendar carries it too, as the real calendars do.
        return sharepoint.pager([f'<a href="{esc(h if "PageIndex=" in h else h + "?PageIndex=1")}">{esc(label)}</a>'
                                 for h, label in links])

    def page_href(self, listing, n):
        return f"{listing}?PageIndex={n}"

    def page(self, title, inner, path):
        return self.site.layout(title, sharepoint.news_list(title, inner), path)


class _Liferay(_Platform):
    anchor = '<div class="portlet-body">'

    def article_for(self, req):
        site, path = self.site, req.path.rstrip("/") or "/"
        if path.startswith("/-/"):
            return site.by_slug.get(path[3:])
        if path.startswith(site.content_prefix):
            return site.by_slug.get(path[len(site.content_prefix):])
        return None

    def norm(self, path):
        return path.rstrip("/") or "/"

    def _cur(self, req) -> int:
        return int_param(req.query.get(f"_{self.site.portlet}_cur"))

    def listing(self, req):
        path = self.norm(req.path)
        if path in ("/", "/web/guest", "/web/guest/trang-chu"):
            return LISTING, 1
        if path == LISTING:
            return LISTING, self._cur(req)
        return None

    def trap_listing(self, req):
        if self.norm(req.path) == LISTING and self._cur(req) >= self.plan.trap_start:
            return LISTING, self._cur(req)
        return None

    def decoy_path(self, kind, i):
        slug = {"huge": "danh-sach-ho-ngheo-ho-can-ngheo-nam-2024", "binary_html": "bieu-mau-dang-ky-khai-sinh-ket-hon",
                "redirect_loop": "thong-bao-lich-tiep-cong-dan-inh-ky", "redirect_offsite": "cong-dich-vu-cong-quoc-gia"}[kind]
        return f"/-/{slug}-{hex_id(self.portal, kind, i, length=6)}"

    def decoy_item(self, path, title):
        return liferay.abstract(path, title, "01/06/2024")

    def pager(self, links):
        return liferay.pagination_bar([liferay.page_item(esc(h), esc(label)) for h, label in links])

    def page_href(self, listing, n):
        return self.site.page_url(n)

    def page(self, title, inner, path):
        return self.site.layout(title, self.site.portlet_box(title, inner))


class _WordPress(_Platform):
    anchor = '<main id="site-content">'
    archives = ("/", "/category/tin-tuc/")

    def article_for(self, req):
        return self.site.by_path.get(req.path)

    def _paged(self, req) -> tuple[str, int] | None:
        m = PAGED_RE.fullmatch(req.path)
        if not m or m.group("archive") not in self.archives or (req.path == "/" and "p" in req.query):
            return None
        return m.group("archive"), int(m.group("page") or 1)

    def listing(self, req):
        return self._paged(req)

    def trap_listing(self, req):
        where = self._paged(req)
        return where if where and where[1] >= self.plan.trap_start else None

    def decoy_path(self, kind, i):
        n = DECOYS.index(kind) * 8 + i
        slug = {"huge": "danh-sach-ho-ngheo-ho-can-ngheo-nam-2024", "binary_html": "bieu-mau-dang-ky-khai-sinh-ket-hon",
                "redirect_loop": "thong-bao-lich-tiep-cong-dan-dinh-ky", "redirect_offsite": "cong-dich-vu-cong-quoc-gia"}[kind]
        return f"/2024/06/{1 + n % 28:02d}/{slug}-{hex_id(self.portal, kind, i, length=6)}/"

    def decoy_item(self, path, title):
        return (f'<article class="post type-post status-publish"><header class="entry-header has-text-align-center">'
                f'<h2 class="entry-title heading-size-1"><a href="{esc(self.site.base_url + path)}">{esc(title)}</a></h2>'
                "</header></article>")

    def pager(self, links):
        items = "".join(f'<a class="page-numbers" href="{esc(h)}">{esc(label)}</a>' for h, label in links)
        return f'<div class="pagination-wrapper section-inner"><nav class="navigation pagination"><div class="nav-links">{items}</div></nav></div>'

    def page_href(self, listing, n):
        return self.site.base_url + listing + (f"page/{n}/" if n > 1 else "")

    def calendar_href(self, day):
        return f"{self.site.base_url}/lich/{day.isoformat()}/"

    def page(self, title, inner, path):
        return self.site.layout(title, f'<header class="archive-header"><h1 class="archive-title">{esc(title)}</h1></header>{inner}',
                                body_class="archive")


PLATFORMS = {"sharepoint": _SharePoint, "liferay": _Liferay, "wordpress": _WordPress}


# ---------------------------------------------------------------------------------------------
# Fault responses
# ---------------------------------------------------------------------------------------------


def error_response(site, status: int, retry_after: str | None = None) -> Response:
    reason = REASONS.get(status, "Error")
    text = (f"<!DOCTYPE html><html><head><title>{status} {reason}</title></head><body>"
            f"<h1>{status} {reason}</h1><hr><p>{esc(site.server_software)}</p></body></html>")
    resp = Response(status, text.encode("utf-8"), "text/html; charset=utf-8")
    if retry_after is not None:
        resp.headers["Retry-After"] = retry_after
    return resp


def conflicting_charset(resp: Response) -> Response:
    """Same UTF-8 bytes (whose <meta> says utf-8), header claiming windows-1258."""
    resp.content_type = "text/html; charset=windows-1258"
    return resp


def malformed(body: bytes) -> bytes:
    """The same page with markup an old CMS or a bad template produces: `</p>` omitted before the
    next `<p>`, an unclosed wrapper after <body>, stray `</div>`s before the footer, no
    `</body></html>`. Text and the article's containers are untouched."""
    text = body.decode("utf-8")
    text = re.sub(r"</p>(\s*)(?=<p[\s>])", r"\1", text)
    text = re.sub(r"(<body[^>]*>)", r'\1<div class="wrapper-ads"><span class="ads">', text, count=1)
    for footer in ('<div class="tandan-footer">', '<footer id="footer"', '<div class="footer-nav-widgets-wrapper'):
        at = text.rfind(footer)
        if at >= 0:
            text = text[:at] + "</div></div></span></td></div>\n" + text[at:]
            break
    text = re.sub(r"\s*</body>\s*</html>\s*$", "\n", text)
    return text.encode("utf-8")


def huge_chunks(total: int, title: str):
    """`total` bytes of HTML, produced 64 KiB at a time (never held in memory)."""
    head = (f'<!DOCTYPE html><html lang="vi"><head><meta charset="utf-8"><title>{esc(title)}</title></head>'
            f"<body><h1>{esc(title)}</h1>\n").encode("utf-8")
    tail = b"</body></html>\n"
    line = "<p>Hộ ông (bà) Nguyễn Văn A, thôn 1: hộ nghèo thiếu hụt đa chiều; số nhân khẩu 4.</p>\n".encode("utf-8")
    block = (line * (65536 // len(line) + 1))[:65536]
    block = block[: block.rfind(b"\n") + 1]
    block += b" " * (65536 - len(block))
    if total <= len(head) + len(tail):
        yield (head + tail)[:total]
        return
    yield head
    left = total - len(head) - len(tail)
    while left >= len(block):
        yield block
        left -= len(block)
    if left:
        yield b" " * left
    yield tail


def _add_disallow(robots: str, lines: Iterable[str]) -> str:
    extra = "".join(f"Disallow: {p}\n" for p in lines)
    m = re.search(r"(?im)^User-agent:\s*\*\s*\n", robots)
    if not m:
        return "User-agent: *\n" + extra + "\n" + robots
    return robots[: m.end()] + extra + robots[m.end():]


# ---------------------------------------------------------------------------------------------
# The Simulator side: state, logs, and serving a request under the plan
# ---------------------------------------------------------------------------------------------


class FaultsMixin:
    """Mixed into Simulator: `faults`, `fault_log`, `fault_counts()`, `unreachable_urls()` …"""

    def _init_faults(self, faults: FaultPlan | None) -> None:
        self.faults = faults
        self.fault_log: list[tuple[str, str, str]] = []
        self._fault_lock = threading.Lock()
        self._fault_attempts: Counter = Counter()  # (portal, target) → requests so far
        self._fault_transient: Counter = Counter()  # (portal, target) → transient faults so far
        self._fault_kinds: Counter = Counter()  # per-request kind → injections (per_kind_limit)
        self._fault_platforms: dict[str, _Platform] = {}
        self._fault_stop = threading.Event()

    # -- what tests need ---------------------------------------------------------------------
    def fault_counts(self) -> Counter:
        with self._fault_lock:
            return Counter(kind for _, _, kind in self.fault_log)

    def unreachable_keys(self) -> set[str]:
        """Keys of the articles designated permanently missing (404/410)."""
        return {key for name in self._fault_portal_names() for key in self._fault_platform(name).designated}

    def unreachable_urls(self) -> list[str]:
        """Live URLs (the ground-truth form) of the articles that answer 404/410 on every request."""
        keys = self.unreachable_keys()
        return [self.url_for(a["key"]) for a in self.articles if a["key"] in keys]

    def permanent_faults(self) -> dict[str, str]:
        """{ground-truth URL: "http404" | "http410"} of the unreachable articles."""
        out = {}
        for name in self._fault_portal_names():
            plat = self._fault_platform(name)
            for a in plat.site.articles:
                if a["key"] in plat.designated:
                    out[plat.site.article_url(a)] = plat.designated[a["key"]]
        return out

    def reachable_ground_truth(self) -> list[dict]:
        """ground_truth() without the unreachable articles: what a complete archive holds, once each."""
        gone = set(self.unreachable_urls())
        return [t for t in self.ground_truth() if t["url"] not in gone]

    def decoy_urls(self) -> dict[str, str]:
        """{absolute URL: kind} of the extra article-shaped links (huge, binary_html, redirect_*)."""
        out = {}
        for name in self._fault_portal_names():
            out.update(self._fault_platform(name).decoy_urls())
        return out

    def robots_disallowed(self, portal: str) -> list[str]:
        """The sections robots_forbid adds to this portal's robots.txt ([] when off)."""
        if self.faults is None or not self.faults.enabled("robots_forbid"):
            return []
        return list(self.faults.robots_disallow.get(self._site(portal).platform, ()))

    # -- internals ---------------------------------------------------------------------------
    def _fault_portal_names(self) -> list[str]:
        if self.faults is None:
            return []
        if not self.sites:
            raise RuntimeError("the simulator is not running: call start() (or use it as a context manager)")
        return list(self.sites)

    def _fault_platform(self, portal: str) -> _Platform:
        with self._fault_lock:
            plat = self._fault_platforms.get(portal)
            site = self._site(portal)
            if plat is None or plat.site is not site:  # (re)started: new sites, new base URLs
                plat = PLATFORMS.get(site.platform, _PlainDressing)(site, self.faults)
                self._fault_platforms[portal] = plat
            return plat

    def _log_fault(self, portal: str, target: str, kind: str) -> None:
        with self._fault_lock:
            self.fault_log.append((portal, target, kind))

    def _real_response(self, plat: _Platform, req: Request) -> Response:
        try:
            resp = plat.site.handle(req)
        except Exception:  # a renderer bug must show up in the test output, not as a dropped socket
            traceback.print_exc()
            resp = Response(500, b"Internal Server Error", "text/plain; charset=utf-8")
        return plat.decorate(req, resp)

    def _draw(self, portal: str, target: str, req: Request, resp: Response) -> str | None:
        """Count this request and draw its per-request kind (None: serve the real response)."""
        plan = self.faults
        get = req.method == "GET"
        html200 = get and resp.status == 200 and resp.content_type.startswith("text/html")
        # the charset lie and the broken markup rewrite UTF-8 pages (the legacy portal's windows-1258
        # pages already carry the charset trouble of their own)
        charset = resp.content_type.lower().partition("charset=")[2].strip(' "')
        utf8_html200 = html200 and charset in ("", "utf-8")
        applicable = {
            "truncated": get and len(resp.body) >= 2,
            "empty200": get, "soft404": get,
            "slow_body": get and bool(resp.body),
            "charset_conflict": utf8_html200, "malformed_html": utf8_html200,
        }
        with self._fault_lock:
            key = (portal, target)
            attempt = self._fault_attempts[key]
            self._fault_attempts[key] += 1
            limits = plan.per_kind_limit or {}
            eligible = [
                k for k in PER_REQUEST
                if applicable.get(k, True)
                and (k not in TRANSIENT or self._fault_transient[key] < plan.max_per_url)
                and (k not in limits or self._fault_kinds[k] < limits[k])
            ]
            kind = plan.choose(portal, target, attempt, eligible)
            if kind is not None:
                self._fault_kinds[kind] += 1
                if kind in TRANSIENT:
                    self._fault_transient[key] += 1
        return kind

    def _serve_with_faults(self, handler, req: Request, send_body: bool) -> None:
        """Serve one request under the plan (called by the handler instead of the plain path)."""
        plan = self.faults
        portal = handler.server.portal.name
        target = handler.path
        plat = self._fault_platform(portal)
        site = plat.site

        def log(kind: str) -> None:
            self._log_fault(portal, target, kind)

        def finish(resp: Response) -> None:
            for name, value in site.extra_headers.items():
                resp.headers.setdefault(name, value)
            handler._send(resp, send_body)

        try:
            if req.path == "/robots.txt" and not plan.robots_faults:
                resp = self._real_response(plat, req)
                if plan.enabled("robots_forbid") and resp.status == 200:
                    resp.body = _add_disallow(resp.body.decode("utf-8"),
                                              plan.robots_disallow.get(site.platform, ())).encode("utf-8")
                    log("robots_forbid")
                return finish(resp)

            decoy = plat.decoy_for(req)
            if decoy is not None:
                return self._serve_decoy(handler, plat, req, decoy[0], send_body, log, finish)

            if plan.enabled("trap"):
                trap = plat.trap_page(req)
                if trap is not None:
                    log("trap")
                    return finish(trap)

            article = plat.article_for(req)
            if article is not None and article["key"] in plat.designated:
                kind = plat.designated[article["key"]]
                resp = site.not_found(req)
                resp.status = 410 if kind == "http410" else 404
                log(kind)
                return finish(resp)

            resp = self._real_response(plat, req)
            if req.path == "/robots.txt" and plan.enabled("robots_forbid") and resp.status == 200:
                resp.body = _add_disallow(resp.body.decode("utf-8"),
                                          plan.robots_disallow.get(site.platform, ())).encode("utf-8")
                log("robots_forbid")
            kind = self._draw(portal, target, req, resp)
            if kind is None:
                if resp.status == 200 and not_modified(req, resp):
                    resp = Response(304, b"", resp.content_type, resp.headers, resp.etag, resp.last_modified)
                return handler._send(resp, send_body)
            log(kind)
            self._serve_kind(handler, plat, req, resp, kind, send_body, finish)
        except (BrokenPipeError, ConnectionResetError, ConnectionAbortedError, socket.timeout):
            handler.close_connection = True  # the client went away (e.g. after its own timeout)

    def _serve_kind(self, handler, plat, req, resp, kind, send_body, finish) -> None:
        plan, site = self.faults, plat.site
        if kind in STATUS_KINDS:
            status, retry_after = STATUS_KINDS[kind]
            return finish(error_response(site, status, retry_after))
        if kind == "reset":
            self._record(plat.portal, req.method, handler.path, 0)
            return _reset(handler)
        if kind == "empty200":
            return finish(Response(200, b"", "text/html; charset=utf-8"))
        if kind == "soft404":
            page = site.not_found(req)
            page.status = 200
            return finish(page)
        if kind == "truncated":
            handler._send(resp, False)  # Content-Length of the whole body …
            handler.wfile.write(resp.body[: len(resp.body) // 2])  # … half of it, then the end
            handler.wfile.flush()
            handler.close_connection = True
            return None
        if kind == "timeout":
            self._fault_stop.wait(plan.timeout_seconds)
            handler.close_connection = True
        elif kind == "charset_conflict":
            resp = conflicting_charset(resp)
        elif kind == "malformed_html":
            resp.body = malformed(resp.body)
        if resp.status == 200 and not_modified(req, resp):
            resp = Response(304, b"", resp.content_type, resp.headers, resp.etag, resp.last_modified)
        if kind != "slow_body" or resp.status == 304:
            return handler._send(resp, send_body)
        handler._send(resp, False)
        chunks = max(1, plan.slow_body_chunks)
        size = -(-len(resp.body) // chunks)
        for i in range(chunks):
            handler.wfile.write(resp.body[i * size:(i + 1) * size])
            handler.wfile.flush()
            if i < chunks - 1:
                self._fault_stop.wait(plan.slow_body_seconds / chunks)

    def _serve_decoy(self, handler, plat, req, kind, send_body, log, finish) -> None:
        plan, site = self.faults, plat.site
        log(kind)
        if kind == "redirect_loop":
            # A → A?vong=1 → A → …, forever.
            back = "vong" in req.query
            location = site.base_url + req.path + ("" if back else "?vong=1")
            return finish(Response(302, b"", "text/html; charset=utf-8", {"Location": location}))
        if kind == "redirect_offsite":
            location = plan.offsite_url.rstrip("/") + req.path
            return finish(Response(302, b"", "text/html; charset=utf-8", {"Location": location}))
        if kind == "binary_html":
            body = noise_bytes(plan.binary_bytes, plan.seed, plat.portal, req.path, "binary")
            return finish(Response(200, body, "text/html"))
        # huge: streamed, never built in memory
        self._record(plat.portal, req.method, handler.path, 200)
        handler.send_response(200)
        handler.send_header("Content-Type", "text/html; charset=utf-8")
        handler.send_header("Content-Length", str(plan.huge_bytes))
        for name, value in site.extra_headers.items():
            handler.send_header(name, value)
        handler.end_headers()
        if send_body:
            for chunk in huge_chunks(plan.huge_bytes, DECOY_TITLES["huge"]):
                handler.wfile.write(chunk)


def _reset(handler) -> None:
    """Drop the connection without a response: RST (SO_LINGER 0), not a polite FIN."""
    sock = handler.connection
    handler.close_connection = True
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    except OSError:
        pass
    try:
        handler.rfile.close()  # the makefile() reference would keep the socket open
    except OSError:
        pass
    sock.close()


# ---------------------------------------------------------------------------------------------
# Soak content
# ---------------------------------------------------------------------------------------------


def soak_articles(n: int, seed: int = 0, base: Iterable[Mapping] | None = None) -> list[dict]:
    """max(n, len(base)) articles: `base` (default portalsim.articles.ARTICLES) unchanged, then
    copies in a seeded order, round after round, until there are n.

    Copy r (r = 2, 3, …) of an article: key "{key}-so{r}", title + " (số {r})", published moved
    1–20 days later (never past 31 December of its year) at a seeded time of day; same portal,
    text and event. Staying on its portal and in its year keeps every ground-truth field exact:
    the district/province fallback is the portal's own, and a day-and-month without a year in the
    text still takes the same year from the publication date.
    """
    if base is None:
        from .articles import ARTICLES

        base = ARTICLES
    base = [copy.deepcopy(dict(a)) for a in base]
    out = list(base)
    order = sorted(base, key=lambda a: (frac(seed, "soak-order", a["key"]), a["key"]))
    r = 2
    while len(out) < n and order:
        for a in order:
            if len(out) >= n:
                break
            out.append(_soak_copy(a, r, seed))
        r += 1
    return out


def _soak_copy(article: dict, r: int, seed: int) -> dict:
    a = copy.deepcopy(article)
    a["key"] = f"{article['key']}-so{r}"
    a["title"] = f"{article['title']} (số {r})"
    when = published_at(article)
    days = 1 + int(frac(seed, "soak-days", article["key"], r) * 20)
    minute = int(frac(seed, "soak-minute", article["key"], r) * 16 * 60)  # 06:00 … 21:59
    new = datetime(when.year, when.month, when.day) + timedelta(days=days)
    if new.year != when.year:
        new = datetime(when.year, 12, 31)
    new = new.replace(hour=6 + minute // 60, minute=minute % 60)
    a["published"] = new.strftime("%Y-%m-%d %H:%M")
    return a


__all__ = ["FaultPlan", "KINDS", "TRANSIENT", "CONTENT", "PERMANENT", "STRUCTURAL", "DECOYS", "soak_articles"]
