"""Portal checks: is each registry portal still there, where did it go, what does it run?

`thanthien portals check` asks every portal's host for `/robots.txt` and its home page — nothing
more — and classifies it:

- **live**: the home page answers 200 (after redirects on the same host: http→https, `www.`,
  `/` → `/portal/Pages/default.aspx`);
- **moved**: the home page redirects to another host; the new URL is recorded, not fetched;
- **closed**: the name does not resolve (NXDOMAIN), the connection is refused, or robots.txt and
  the home page both answer 404/410 — the portal's articles are then a `thanthien recover` job;
- **unknown**: everything else — timeouts, 5xx, 403, a temporary DNS failure, TLS errors, a home
  page missing on a host that still serves robots.txt.

The platform the home page shows is `scrapers.platforms.fingerprint`'s best family (NULL when it
shows none); a family other than the registry's is reported as a platform change. Every result is a
row of `portal_checks` (portal, checked_at, status, http_status, final_url, platform_seen, detail);
`thanthien portals` shows each portal's latest.

**Plain `urllib` in a thread pool, not a Scrapy spider**, because a check is at most two requests
per host whose *failures* are the result: urllib's exceptions keep a refused connection, an
unknown name, a temporary DNS failure and a timeout apart (Scrapy folds them into download
errors), redirects have to be seen rather than followed off the host, and the check runs any
number of times in one process (Twisted's reactor runs once). Politeness is the crawler's: the
honest User-Agent of `scrapers/settings.py`, robots.txt read first with protego (a home page it
disallows is not fetched; its Crawl-delay widens the budget), and every request — redirect hops
included — waits for its registrable domain's clock in `scrapers.politeness.SiteBudget`, the
process-wide budget the crawler uses. Portals are grouped by registrable domain: one thread per
domain walks its portals one request at a time, so the 27 `*.thanhhoa.gov.vn` hosts get one
request per THANTHIEN_SITE_INTERVAL seconds between them, while other provinces are checked in
parallel.

Tests and mirrors: `resolve` maps a host to a local address (`--resolve HOST=ADDR:PORT`, like curl's):
requests keep the registry's URL and Host header and the budget its domain, but go to that
address in plain HTTP whatever the URL's scheme. `base_urls` (`--base-url NAME=URL`, as for
`thanthien crawl`) serves a portal from elsewhere instead.
"""
from __future__ import annotations

import http.client
import socket
import ssl
import threading
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from functools import partial
from typing import Callable, Iterable
from urllib.parse import urljoin, urlsplit

from protego import Protego

from scrapers.platforms import fingerprint
from scrapers.politeness import SiteBudget, registrable_domain
from scrapers.registry import Portal

STATUSES = ("live", "moved", "closed", "unknown")
MAX_HOPS = 5                 # redirects followed on the portal's own host
MAX_BYTES = 1_000_000        # of a home page (fingerprints sit in the first few KB)
DEFAULT_TIMEOUT = 20.0
TABLE = "portal_checks"
COLUMNS = {"id": int, "portal": str, "checked_at": str, "status": str, "http_status": int, "final_url": str,
           "platform_seen": str, "detail": str}
_FAMILIES = {"sharepoint", "liferay", "wordpress"}   # platforms a fingerprint can name


@dataclass
class CheckResult:
    portal: str
    checked_at: str
    status: str                      # live | moved | closed | unknown
    http_status: int | None = None   # of the home page (of robots.txt when the home page was not fetched)
    final_url: str | None = None     # where the home page ended (live) or the new URL (moved)
    platform_seen: str | None = None
    detail: str = ""
    platform_changed: bool = False   # the page shows a family other than the registry's

    def as_row(self) -> dict:
        row = asdict(self)
        row.pop("platform_changed")
        return row


@dataclass
class Answer:
    """One HTTP exchange: a status and body, or the network failure instead."""
    url: str
    status: int | None = None
    location: str | None = None
    body: bytes = b""
    error: str | None = None        # dns | dns-temporary | refused | timeout | tls | reset | error
    error_detail: str = ""


# --- fetching -----------------------------------------------------------------------------------
class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """Redirects are answers to classify, not to follow blindly: 3xx comes back as an HTTPError."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


class _MappedConnection(http.client.HTTPConnection):
    """An HTTP connection to a fixed address, whatever host the URL names (curl --resolve)."""

    def __init__(self, host, *, address: tuple[str, int], **kwargs):
        kwargs.pop("context", None)
        kwargs.pop("check_hostname", None)
        super().__init__(host, **kwargs)
        self._address = address

    def connect(self):
        self.sock = socket.create_connection(self._address, self.timeout)


class _ResolveHandler(urllib.request.AbstractHTTPHandler):
    """Opens http and https URLs of mapped hosts over plain HTTP to their address; others fall through."""

    handler_order = 100  # before urllib's own HTTP(S) handlers

    def __init__(self, resolve: dict[str, tuple[str, int]]):
        super().__init__()
        self.resolve = resolve

    def _open(self, req):
        address = self.resolve.get((urlsplit(req.full_url).hostname or "").lower())
        if address is None:
            return None
        return self.do_open(partial(_MappedConnection, address=address), req)

    http_open = https_open = _open


def _error_kind(exc: BaseException) -> tuple[str, str]:
    reason = getattr(exc, "reason", exc)
    if isinstance(reason, socket.gaierror):
        if reason.errno in (socket.EAI_NONAME, getattr(socket, "EAI_NODATA", socket.EAI_NONAME)):
            return "dns", f"name not found ({reason.strerror})"
        return "dns-temporary", f"DNS lookup failed ({reason.strerror or reason})"
    if isinstance(reason, ConnectionRefusedError):
        return "refused", "connection refused"
    if isinstance(reason, TimeoutError):
        return "timeout", "timed out"
    if isinstance(reason, (ssl.SSLError, ssl.CertificateError)):
        return "tls", f"TLS: {reason}"
    if isinstance(reason, (ConnectionError, http.client.HTTPException)):
        return "reset", f"connection broken ({type(reason).__name__}: {reason})".replace(": )", ")")
    return "error", f"{type(reason).__name__}: {reason}"


class Fetcher:
    """GET with the project's User-Agent, no redirect following, bodies cut at MAX_BYTES."""

    def __init__(self, user_agent: str, timeout: float = DEFAULT_TIMEOUT, resolve: dict[str, tuple[str, int]] | None = None):
        self.user_agent = user_agent
        self.timeout = timeout
        handlers = [_NoRedirect()] + ([_ResolveHandler(resolve)] if resolve else [])
        self.opener = urllib.request.build_opener(*handlers)

    def __call__(self, url: str) -> Answer:
        request = urllib.request.Request(url, headers={
            "User-Agent": self.user_agent, "Accept": "text/html,application/xhtml+xml,text/plain;q=0.9,*/*;q=0.8",
            "Accept-Language": "vi,en;q=0.5", "Accept-Encoding": "identity"})
        try:
            with self.opener.open(request, timeout=self.timeout) as response:
                return Answer(url, status=response.status, body=response.read(MAX_BYTES))
        except urllib.error.HTTPError as exc:
            try:
                body = exc.read(MAX_BYTES)
            except (OSError, http.client.HTTPException):
                body = b""
            return Answer(url, status=exc.code, location=exc.headers.get("Location"), body=body)
        except (OSError, http.client.HTTPException, ValueError) as exc:
            kind, detail = _error_kind(exc)
            return Answer(url, error=kind, error_detail=detail)


# --- one portal ---------------------------------------------------------------------------------
def _host_key(url: str) -> tuple[str, int | None]:
    """A host as a redirect test sees it: case, `www.` and the scheme's default port ignored."""
    parts = urlsplit(url)
    port = parts.port
    if port == {"http": 80, "https": 443}.get(parts.scheme):
        port = None
    return (parts.hostname or "").lower().removeprefix("www."), port



class Prober:
    """Checks portals one request at a time per call, each request held by the domain's budget."""

    def __init__(self, fetch: Callable[[str], Answer], budget: SiteBudget, user_agent: str):
        self.fetch = fetch
        self.budget = budget
        self.user_agent = user_agent

    def get(self, url: str) -> tuple[Answer, str | None]:
        """GET url following redirects on its host (up to MAX_HOPS); the last answer and, when it
        redirects to another host, that URL."""
        for _hop in range(MAX_HOPS + 1):
            self.budget.hold_blocking(url)  # the slot is taken when the request leaves
            answer = self.fetch(url)
            if answer.status is None or not (300 <= answer.status < 400) or not answer.location:
                return answer, None
            target = urljoin(url, answer.location.strip())
            if _host_key(target) != _host_key(url):
                return answer, target
            url = target
        answer.error, answer.error_detail = "error", f"more than {MAX_HOPS} redirects"
        return answer, None

    def check(self, portal: Portal) -> CheckResult:
        base = portal.base_url.rstrip("/")
        robots, robots_moved = self.get(base + "/robots.txt")
        if robots.error in ("dns", "refused"):
            return self._result(portal, "closed", detail=f"{robots.error_detail} ({urlsplit(base).hostname})")
        if robots.error:
            return self._result(portal, "unknown", detail=f"robots.txt: {robots.error_detail}")
        rules = None
        if robots.status == 200 and not robots_moved:
            rules = Protego.parse(robots.body.decode("utf-8", "replace"))
            delay = rules.crawl_delay(self.user_agent)
            if delay:
                SiteBudget.note_crawl_delay(urlsplit(base).hostname or "", delay)
        home_url = base + "/"
        if rules is not None and not rules.can_fetch(home_url, self.user_agent):
            return self._result(portal, "live", http_status=robots.status,
                                detail="robots.txt answers but disallows the home page: not fetched")
        home, moved_to = self.get(home_url)
        if moved_to:
            return self._result(portal, "moved", http_status=home.status, final_url=moved_to,
                                detail=f"home page redirects ({home.status}) to another host")
        if home.error in ("dns", "refused"):
            return self._result(portal, "closed", detail=f"home page: {home.error_detail}")
        if home.error:
            return self._result(portal, "unknown", http_status=home.status, detail=f"home page: {home.error_detail}")
        if home.status == 200:
            return self._live(portal, home)
        gone = (404, 410)
        if home.status in gone and robots.status in gone:
            return self._result(portal, "closed", http_status=home.status,
                                detail=f"robots.txt {robots.status}, home page {home.status}")
        detail = f"home page {home.status}"
        if home.status in gone:
            detail += f" though robots.txt answers {robots.status}"
        return self._result(portal, "unknown", http_status=home.status, detail=detail)

    def _live(self, portal: Portal, home: Answer) -> CheckResult:
        families = fingerprint(home.body.decode("utf-8", "replace")[:200_000], home.url)
        seen = families[0].name if families else None
        changed = seen is not None and portal.platform in _FAMILIES and seen != portal.platform
        if changed:
            detail = f"platform changed: registry {portal.platform}, the page shows {seen}"
        elif seen and seen != portal.platform:
            detail = f"platform {seen} (registry: {portal.platform})"
        elif not seen and portal.platform in _FAMILIES:
            detail = f"no {portal.platform} markers on the home page"
        else:
            detail = ""
        return self._result(portal, "live", http_status=200, final_url=home.url, platform_seen=seen,
                            detail=detail, platform_changed=changed)

    @staticmethod
    def _result(portal: Portal, status: str, **fields) -> CheckResult:
        return CheckResult(portal=portal.name, checked_at=_now(), status=status, **fields)


def _now() -> str:
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat()


# --- many portals -------------------------------------------------------------------------------
def parse_resolve(values: Iterable[str]) -> dict[str, tuple[str, int]]:
    """["quanson.thanhhoa.gov.vn=127.0.0.1:8081"] → {"quanson.thanhhoa.gov.vn": ("127.0.0.1", 8081)}."""
    mapping = {}
    for value in values:
        host, sep, address = value.partition("=")
        addr, colon, port = address.rpartition(":")
        if not sep or not host or not colon or not addr or not port.isdigit():
            raise ValueError(f"--resolve takes HOST=ADDRESS:PORT, got {value!r}")
        mapping[host.strip().lower()] = (addr.strip("[]"), int(port))
    return mapping


def check_portals(portals: Iterable[Portal], *, user_agent: str, interval: float = 1.0, simulated: bool = False,
                  timeout: float = DEFAULT_TIMEOUT, resolve: dict[str, tuple[str, int]] | None = None,
                  workers: int = 8, on_result: Callable[[CheckResult], None] | None = None) -> list[CheckResult]:
    """Check every portal (at their given base_url); results in the portals' order. `on_result` is
    called as each one is known (from the worker threads, one at a time)."""
    portals = list(portals)
    prober = Prober(Fetcher(user_agent, timeout, resolve), SiteBudget(interval, simulated), user_agent)
    by_domain: dict[str, list[Portal]] = {}
    for portal in portals:
        by_domain.setdefault(registrable_domain(urlsplit(portal.base_url).hostname or ""), []).append(portal)
    results: dict[str, CheckResult] = {}
    report_lock = threading.Lock()

    def walk(group: list[Portal]) -> None:
        for portal in group:
            result = prober.check(portal)
            with report_lock:
                results[portal.name] = result
                if on_result:
                    on_result(result)

    with ThreadPoolExecutor(max_workers=max(1, min(workers, len(by_domain) or 1)), thread_name_prefix="portalcheck") as pool:
        for future in [pool.submit(walk, group) for group in by_domain.values()]:
            future.result()
    return [results[p.name] for p in portals]


# --- the archive --------------------------------------------------------------------------------
def ensure_table(db) -> None:
    """`portal_checks`, one row per check of a portal (an sqlite_utils.Database)."""
    db[TABLE].create(COLUMNS, pk="id", foreign_keys=[("portal", "portals", "name")], if_not_exists=True)
    db[TABLE].create_index(["portal", "checked_at"], if_not_exists=True)


def store(db, results: list[CheckResult], portals: Iterable[Portal]) -> None:
    """Write results (their portals' registry rows first: portal_checks.portal refers to portals.name)."""
    from archive.db import sync_portals

    ensure_table(db)
    sync_portals(db, list(portals))
    with db.conn:
        db[TABLE].insert_all([r.as_row() for r in results])


def latest_checks(db_path) -> dict[str, dict]:
    """Each portal's latest check in the archive at db_path, read-only; {} when there is none."""
    import sqlite3
    from pathlib import Path

    if not Path(db_path).exists():
        return {}
    conn = sqlite3.connect(f"file:{Path(db_path).resolve()}?mode=ro", uri=True)
    conn.row_factory = sqlite3.Row
    try:
        if not conn.execute("select 1 from sqlite_master where type = 'table' and name = ?", [TABLE]).fetchone():
            return {}
        rows = conn.execute(
            f"select * from {TABLE} c where id = (select max(id) from {TABLE} where portal = c.portal)").fetchall()
        return {row["portal"]: dict(row) for row in rows}
    finally:
        conn.close()
