"""Politeness at the organisation's level: one request budget per registrable domain for the whole
process, robots.txt Crawl-delay honoured, and only loopback hosts exempt under --simulated."""
import asyncio
import time

import pytest
from scrapy import Request
from scrapy.http import TextResponse

from scrapers.politeness import SiteBudgetMiddleware, is_loopback, registrable_domain


@pytest.fixture(autouse=True)
def fresh_clocks():
    SiteBudgetMiddleware._next_free.clear()
    SiteBudgetMiddleware._crawl_delay.clear()
    yield
    SiteBudgetMiddleware._next_free.clear()
    SiteBudgetMiddleware._crawl_delay.clear()


@pytest.mark.parametrize("host, domain", [
    ("quanson.thanhhoa.gov.vn", "thanhhoa.gov.vn"), ("thanhhoa.gov.vn", "thanhhoa.gov.vn"),
    ("www.baothanhhoa.vn", "baothanhhoa.vn"), ("web.archive.org", "archive.org"),
    ("127.0.0.1", "127.0.0.1"), ("localhost", "localhost"), ("dakha.kontum.gov.vn", "kontum.gov.vn"),
])
def test_registrable_domain(host, domain):
    assert registrable_domain(host) == domain


def _release_times(middleware, urls):
    async def run():
        started = time.monotonic()
        times = []

        async def one(url):
            await middleware.process_request(Request(url))
            times.append((url, time.monotonic() - started))

        await asyncio.gather(*(one(u) for u in urls))
        return sorted(t for _, t in times)

    return asyncio.run(run())


def test_hosts_of_one_province_share_one_budget_across_crawlers():
    # two middlewares: two crawlers (two portals) in one process
    a, b = SiteBudgetMiddleware(0.3, False, "thanthien"), SiteBudgetMiddleware(0.3, False, "thanthien")
    urls = ["https://quanson.thanhhoa.gov.vn/1", "https://samson.thanhhoa.gov.vn/1", "https://nhuxuan.thanhhoa.gov.vn/1"]

    async def run():
        started = time.monotonic()
        times = []

        async def one(mw, url):
            await mw.process_request(Request(url))
            times.append(time.monotonic() - started)

        await asyncio.gather(one(a, urls[0]), one(b, urls[1]), one(a, urls[2]), one(b, "https://baothanhhoa.vn/x"))
        return sorted(times)

    times = asyncio.run(run())
    # baothanhhoa.vn is another organisation: at once; the three Thanh Hóa hosts 0.3 s apart
    assert times[0] < 0.1 and times[1] < 0.1
    assert times[2] >= 0.28 and times[3] >= 0.58


def test_robots_crawl_delay_lengthens_the_budget():
    mw = SiteBudgetMiddleware(0.1, False, "thanthien")
    robots = TextResponse("https://quanson.thanhhoa.gov.vn/robots.txt", body=b"User-agent: *\nCrawl-delay: 0.5\n",
                          encoding="utf-8")
    mw.process_response(Request(robots.url), robots)
    times = _release_times(mw, ["https://a.thanhhoa.gov.vn/1", "https://b.thanhhoa.gov.vn/2"])
    assert times[1] - times[0] >= 0.48


def test_simulated_exempts_loopback_only():
    mw = SiteBudgetMiddleware(0.4, True, "thanthien")
    assert is_loopback("127.0.0.1") and is_loopback("localhost") and not is_loopback("quanson.thanhhoa.gov.vn")
    assert _release_times(mw, ["http://127.0.0.1:8001/a", "http://127.0.0.1:8002/b", "http://127.0.0.1:8001/c"])[-1] < 0.1
    times = _release_times(mw, ["https://quanson.thanhhoa.gov.vn/1", "https://samson.thanhhoa.gov.vn/1"])
    assert times[1] >= 0.38  # --simulated never removes the delay of a real host
