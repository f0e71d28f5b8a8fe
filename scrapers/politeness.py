"""Politeness at the organisation's level: one request budget per registrable domain.

Every `*.thanhhoa.gov.vn` portal is one province's servers. Scrapy's slots are per host and per
crawler, so a scheduled crawl of 27 Thanh Hóa portals (27 crawlers in one process) would send
~20 requests/s to that province. `SiteBudget` keeps one clock per registrable domain for
the whole process, and `SiteBudgetHandler` (the http and https download handler) holds each request
until its clock allows it: requests to any host under it leave at most one per `THANTHIEN_SITE_INTERVAL`
seconds (default 1.0), or per the site's robots.txt `Crawl-delay` when that is longer. Loopback
hosts (the bundled simulator) are exempt only under `--simulated`; no setting exempts a real host.
"""
from __future__ import annotations

import asyncio
import ipaddress
import threading
import time
from urllib.parse import urlsplit

from protego import Protego
from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware as _ScrapyRobots
from scrapy.utils.httpobj import urlparse_cached
from twisted.internet.defer import Deferred

from scrapers.middlewares import VisibleRetryHTTPHandler

# Second-level suffixes under which Vietnamese organisations register (gov.vn, edu.vn …): the
# registrable domain is one label more.
_VN_SUFFIXES = {"gov.vn", "edu.vn", "com.vn", "org.vn", "net.vn", "ac.vn", "info.vn", "name.vn", "health.vn",
                "int.vn", "pro.vn", "biz.vn"}


def registrable_domain(host: str) -> str:
    """"quanson.thanhhoa.gov.vn" → "thanhhoa.gov.vn", "baothanhhoa.vn" → "baothanhhoa.vn",
    "web.archive.org" → "archive.org"; an IP address or "localhost" is itself."""
    host = (host or "").lower().rstrip(".")
    if _is_ip(host) or "." not in host:
        return host
    labels = host.split(".")
    keep = 3 if ".".join(labels[-2:]) in _VN_SUFFIXES else 2
    return ".".join(labels[-keep:])


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host.strip("[]"))
        return True
    except ValueError:
        return False


def is_loopback(host: str) -> bool:
    host = (host or "").strip("[]").lower()
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


_THREAD_LOCK = threading.Lock()


class SiteBudget:
    """The process-wide clock of each registrable domain: when its next request may leave."""

    _next_free: dict[str, float] = {}     # registrable domain → monotonic time the next request may leave
    _crawl_delay: dict[str, float] = {}   # registrable domain → robots.txt Crawl-delay, seconds

    def __init__(self, interval: float, simulated: bool):
        self.interval = max(0.0, interval)
        self.simulated = simulated

    def wait_for(self, host: str) -> float:
        """Book the next slot of host's domain ahead; the seconds to wait for it (for callers
        outside an event loop; the crawler's handler uses `hold`)."""
        if self.simulated and is_loopback(host):
            return 0.0
        domain = registrable_domain(host)
        interval = max(self.interval, self._crawl_delay.get(domain, 0.0))
        now = time.monotonic()
        at = max(now, self._next_free.get(domain, 0.0))
        self._next_free[domain] = at + interval
        return at - now

    async def hold(self, url: str) -> None:
        """Return when a request to url may leave: at least one interval after the domain's last
        departure. The slot is taken when the request really leaves, not booked ahead: a sleep that
        wakes late on a loaded machine then delays the next request too, instead of letting two
        leave together."""
        host = urlsplit(url).hostname or ""
        if self.simulated and is_loopback(host):
            return
        domain = registrable_domain(host)
        while True:  # one event loop: the check and the taking of the slot cannot interleave
            now, free = time.monotonic(), self._next_free.get(domain, 0.0)
            if now >= free:
                self._next_free[domain] = now + max(self.interval, self._crawl_delay.get(domain, 0.0))
                return
            await asyncio.sleep(free - now)

    def hold_blocking(self, url: str) -> None:
        """`hold` for a thread outside the event loop (`thanthien portals check`): the slot is taken
        at departure, under a lock shared by every thread of the process."""
        host = urlsplit(url).hostname or ""
        if self.simulated and is_loopback(host):
            return
        domain = registrable_domain(host)
        while True:
            with _THREAD_LOCK:
                now, free = time.monotonic(), self._next_free.get(domain, 0.0)
                if now >= free:
                    self._next_free[domain] = now + max(self.interval, self._crawl_delay.get(domain, 0.0))
                    return
            time.sleep(free - now)

    @classmethod
    def note_crawl_delay(cls, host: str, delay: float) -> None:
        cls._crawl_delay[registrable_domain(host)] = float(delay)

    @classmethod
    def reset(cls) -> None:
        cls._next_free.clear()
        cls._crawl_delay.clear()


class SiteBudgetHandler(VisibleRetryHTTPHandler):
    """The http(s) download handler, holding each request until its domain's clock allows it.

    The wait is here, after Scrapy's per-host slots and their delays, not in a downloader
    middleware: a middleware releases a request into its host's slot queue, where AutoThrottle can
    hold it further, so requests released a second apart by the budget could still leave together
    from 27 slots. Here the spacing is the one on the wire."""

    def __init__(self, crawler):
        super().__init__(crawler)
        settings = crawler.settings
        self.budget = SiteBudget(settings.getfloat("THANTHIEN_SITE_INTERVAL", 1.0),
                                 settings.getbool("THANTHIEN_SIMULATED"))

    async def download_request(self, request):
        await self.budget.hold(request.url)
        return await self.fetch(request)

    async def fetch(self, request):
        """Send request now (what the budget holds; the benchmark replaces it)."""
        return await super().download_request(request)


class CrawlDelayMiddleware:
    """Reads each robots.txt answer's `Crawl-delay` (after decompression) into the site budget."""

    def __init__(self, user_agent: str):
        self.user_agent = user_agent

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler.settings.get("USER_AGENT") or "*")

    def process_response(self, request, response, spider=None):
        if urlsplit(request.url).path == "/robots.txt" and response.status == 200:
            delay = Protego.parse(response.text if hasattr(response, "text") else "").crawl_delay(self.user_agent)
            if delay:
                SiteBudget.note_crawl_delay(urlsplit(request.url).hostname or "", delay)
        return response


class RobotsTxtMiddleware(_ScrapyRobots):
    """Scrapy's RobotsTxtMiddleware, but every request waiting for a robots.txt gets its rules.

    Scrapy (2.19) makes the requests that arrive while a host's robots.txt is being fetched await
    one Deferred; the first awaiter's asFuture callback returns None, so the second and later ones
    get None — "no robots.txt" — and are let through. A single crawl meets it with its first requests
    (CI saw a forbidden search page fetched); a worker joining a running job pops anything. After the wait the parser is read again from `_parsers`, where Scrapy put it."""

    async def robot_parser(self, request):
        parser = await super().robot_parser(request)
        final = self._parsers.get(urlparse_cached(request).netloc, parser)
        return parser if isinstance(final, Deferred) else final
