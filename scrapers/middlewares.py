"""Downloader middlewares: retries with backoff and Retry-After, staying on the portal, and
announcing every fault (each HTTP error and download exception, every attempt) to the recorder."""
from __future__ import annotations

import asyncio
import random
from urllib.parse import urlsplit

from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.exceptions import IgnoreRequest

from pipelines.softfail import soft_failure
from scrapers import signals as thanthien_signals


def exception_kind(exception: BaseException) -> str:
    """A short, stable name for a download failure."""
    name = type(exception).__name__
    text = str(exception)
    if "Timeout" in name or "TimeoutError" in name:
        return "timeout"
    if "DataLoss" in name or "DataLoss" in text or "not enough data" in text.lower():
        return "truncated"
    if "maxsize" in text.lower() or "max size" in text.lower() or "larger than download" in text.lower():
        return "oversize"
    if "Refused" in name:
        return "refused"
    if any(word in name + text for word in ("ConnectionLost", "ConnectionDone", "ResponseFailed",
                                            "ResponseNeverReceived", "DownloadFailed", "ConnectionReset")):
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
        if not isinstance(exception, IgnoreRequest):  # refusals are booked where they were decided
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
        if result is response and response.status == 200 and not request.meta.get("dont_retry"):
            # A 200 that is empty or a "Không tìm thấy trang" page is a failure in disguise on a
            # flaky portal: retry it like a 503 (after the retries, the pipeline drops it, booked).
            kind = self._soft_failure(response)
            if kind:
                announce(self.crawler, kind, request, 200)
                result = self._retry(request, kind) or response
        if result is not response:
            result.meta["thanthien_delay"] = self._delay(request, response.headers.get("Retry-After"))
        return result

    @staticmethod
    def _soft_failure(response) -> str | None:
        content_type = (response.headers.get("Content-Type") or b"").decode("latin-1").lower()
        if "html" not in content_type and response.body.strip():
            return None
        if response.url.endswith("/robots.txt"):
            return None  # an empty robots.txt is a valid one
        return soft_failure(response.body)

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


from scrapy.core.downloader.handlers.http11 import HTTP11DownloadHandler  # noqa: E402


class VisibleRetryHTTPHandler(HTTP11DownloadHandler):
    """Scrapy's HTTP/1.1 handler without Twisted's silent retry of a failed persistent connection:
    a connection reset must reach the retry middleware, so it is backed off and booked like any
    other fault instead of being hidden."""

    def __init__(self, crawler):
        super().__init__(crawler)
        self._pool.retryAutomatically = False


class RedirectLoopGuard:
    """Sees 3xx answers before Scrapy's redirect middleware: a redirect back to a URL already on
    the request's redirect chain is a loop — booked once and dropped (the dupefilter would drop it
    silently otherwise)."""

    def __init__(self, crawler):
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def process_response(self, request, response, spider=None):
        from urllib.parse import urljoin

        location = response.headers.get("Location")
        if 300 <= response.status < 400 and location:
            target = urljoin(request.url, location.decode("latin-1"))
            chain = [*request.meta.get("redirect_urls", []), request.url]
            if target in chain:
                announce(self.crawler, "redirect_loop", request, response.status, f"back to {target}", final=True)
                raise IgnoreRequest(f"redirect loop at {request.url}")
        return response
