"""Downloader middlewares: retries with backoff and Retry-After, staying on the portal, and
announcing every fault (each HTTP error and download exception, every attempt) to the recorder."""
from __future__ import annotations

import asyncio
import random
from urllib.parse import urlsplit

from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.exceptions import IgnoreRequest

from scrapers import signals as thanthien_signals


def exception_kind(exception: BaseException) -> str:
    """A short, stable name for a download failure."""
    name = type(exception).__name__
    text = str(exception)
    if "Timeout" in name or "TimeoutError" in name:
        return "timeout"
    if "DataLoss" in name or "PotentialDataLoss" in text or "not enough data" in text.lower():
        return "truncated"
    if "maxsize" in text.lower() or "max size" in text.lower() or "larger than download" in text.lower():
        return "oversize"
    if "Refused" in name:
        return "refused"
    if "ConnectionLost" in name or "ConnectionDone" in name or "ResponseFailed" in name or "ResponseNeverReceived" in name:
        return "connection_lost"
    if "DNS" in name or "Resolve" in name:
        return "dns"
    return name.lower()


def announce(crawler, kind: str, request, status: int | None = None, detail: str = "", final: bool = False) -> None:
    crawler.signals.send_catch_log(signal=thanthien_signals.fault, kind=kind, url=request.url, status=status,
                                   detail=detail[:300], final=final)


class FaultAnnouncer:
    """Sits next to the downloader: sees every response and exception before retry logic does."""

    def __init__(self, crawler):
        self.crawler = crawler
        # Statuses that will be retried are announced here, each attempt; the others (404, 410 …)
        # are final at once and announced by the spider's errback, exactly once.
        self.retried = {int(x) for x in crawler.settings.getlist("RETRY_HTTP_CODES")}

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def process_response(self, request, response, spider=None):
        if response.status in self.retried:
            announce(self.crawler, f"http{response.status}", request, response.status)
        return response

    def process_exception(self, request, exception, spider=None):
        announce(self.crawler, exception_kind(exception), request, None, f"{type(exception).__name__}: {exception}")
        return None


class BackoffRetryMiddleware(RetryMiddleware):
    """Scrapy's retry, but never at once: wait Retry-After when the portal says so (capped), else an
    exponential backoff with jitter. The wait happens in BackoffDelayMiddleware."""

    def __init__(self, settings):
        super().__init__(settings)
        self.base = settings.getfloat("THANTHIEN_RETRY_BACKOFF_BASE", 1.0)
        self.cap = settings.getfloat("THANTHIEN_RETRY_BACKOFF_MAX", 60.0)

    def process_response(self, request, response, spider=None):
        result = super().process_response(request, response)
        if result is not response:
            result.meta["thanthien_delay"] = self._delay(request, response.headers.get("Retry-After"))
        return result

    def process_exception(self, request, exception, spider=None):
        result = super().process_exception(request, exception)
        if result is not None:
            result.meta["thanthien_delay"] = self._delay(request, None)
        return result

    def _delay(self, request, retry_after) -> float:
        if retry_after:
            try:
                return min(float(retry_after.decode("latin-1").strip()), self.cap)
            except ValueError:
                pass  # an HTTP date: fall back to backoff rather than parse calendars from strangers
        attempt = request.meta.get("retry_times", 0)
        return min(self.base * (2 ** attempt), self.cap) * random.uniform(0.75, 1.25)


class BackoffDelayMiddleware:
    """Holds a retried request for its backoff before it is downloaded again."""

    async def process_request(self, request, spider=None):
        delay = request.meta.pop("thanthien_delay", 0)
        if delay > 0:
            await asyncio.sleep(delay)
        return None


class StayOnPortalMiddleware:
    """No request leaves the portal's host (and port) — including redirects a hostile or broken
    page sends us to. robots.txt of the portal itself is of course allowed."""

    def __init__(self, crawler):
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def process_request(self, request, spider=None):
        spider = spider or self.crawler.spider
        allowed = getattr(spider, "allowed_netlocs", None)
        if not allowed:
            return None
        if urlsplit(request.url).netloc.lower() not in allowed:
            announce(self.crawler, "offsite", request, None, "request off the portal's host refused", final=True)
            raise IgnoreRequest(f"off the portal: {request.url}")
        return None
