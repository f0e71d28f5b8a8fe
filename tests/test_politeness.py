"""Politeness at the organisation's level: one request budget per registrable domain for the whole
process, robots.txt Crawl-delay honoured, and only loopback hosts exempt under --simulated."""
import asyncio
import time

import pytest

from .conftest import thanthien
from scrapy import Request
from scrapy.http import TextResponse

from scrapers.politeness import CrawlDelayMiddleware, SiteBudget, is_loopback, registrable_domain


@pytest.fixture(autouse=True)
def fresh_clocks():
    SiteBudget.reset()
    yield
    SiteBudget.reset()


@pytest.mark.parametrize("host, domain", [
    ("quanson.thanhhoa.gov.vn", "thanhhoa.gov.vn"), ("thanhhoa.gov.vn", "thanhhoa.gov.vn"),
    ("www.baothanhhoa.vn", "baothanhhoa.vn"), ("web.archive.org", "archive.org"),
    ("127.0.0.1", "127.0.0.1"), ("localhost", "localhost"), ("dakha.kontum.gov.vn", "kontum.gov.vn"),
])
def test_registrable_domain(host, domain):
    assert registrable_domain(host) == domain


def _release_times(budget, urls):
    async def run():
        started = time.monotonic()
        times = []

        async def one(url):
            await budget.hold(url)
            times.append((url, time.monotonic() - started))

        await asyncio.gather(*(one(u) for u in urls))
        return sorted(t for _, t in times)

    return asyncio.run(run())


def test_hosts_of_one_province_share_one_budget_across_crawlers():
    # two budgets: the download handlers of two crawlers (two portals) in one process
    a, b = SiteBudget(0.3, False), SiteBudget(0.3, False)
    urls = ["https://quanson.thanhhoa.gov.vn/1", "https://samson.thanhhoa.gov.vn/1", "https://nhuxuan.thanhhoa.gov.vn/1"]

    async def run():
        started = time.monotonic()
        times = []

        async def one(budget, url):
            await budget.hold(url)
            times.append(time.monotonic() - started)

        await asyncio.gather(one(a, urls[0]), one(b, urls[1]), one(a, urls[2]), one(b, "https://baothanhhoa.vn/x"))
        return sorted(times)

    times = asyncio.run(run())
    # baothanhhoa.vn is another organisation: at once; the three Thanh Hóa hosts 0.3 s apart
    assert times[0] < 0.1 and times[1] < 0.1
    assert times[2] >= 0.28 and times[3] >= 0.58


def test_robots_crawl_delay_lengthens_the_budget():
    mw, budget = CrawlDelayMiddleware("thanthien"), SiteBudget(0.1, False)
    robots = TextResponse("https://quanson.thanhhoa.gov.vn/robots.txt", body=b"User-agent: *\nCrawl-delay: 0.5\n",
                          encoding="utf-8")
    mw.process_response(Request(robots.url), robots)
    times = _release_times(budget, ["https://a.thanhhoa.gov.vn/1", "https://b.thanhhoa.gov.vn/2"])
    assert times[1] - times[0] >= 0.48


def test_simulated_exempts_loopback_only():
    budget = SiteBudget(0.4, True)
    assert is_loopback("127.0.0.1") and is_loopback("localhost") and not is_loopback("quanson.thanhhoa.gov.vn")
    assert _release_times(budget, ["http://127.0.0.1:8001/a", "http://127.0.0.1:8002/b", "http://127.0.0.1:8001/c"])[-1] < 0.1
    times = _release_times(budget, ["https://quanson.thanhhoa.gov.vn/1", "https://samson.thanhhoa.gov.vn/1"])
    assert times[1] >= 0.38  # --simulated never removes the delay of a real host


def test_a_real_crawl_of_three_portals_of_one_domain_keeps_the_budget_on_the_wire(simulator, tmp_path):
    # Three portals on 127.0.0.1 (one "domain"), not --simulated: the budget applies. Each host's
    # slot has its own delay (DOWNLOAD_DELAY); a budget applied before the slots released requests
    # on time and the slots then sent them together. The simulator sees when each request arrives.
    names = ["sim-quanson", "sim-samson", "sim-krongpac"]
    before = len(simulator.request_times)
    args = ["crawl", "--db", tmp_path / "t.db", "--set", "THANTHIEN_SITE_INTERVAL=0.25",
            "--set", "DOWNLOAD_DELAY=0.6", "--set", "AUTOTHROTTLE_START_DELAY=0.6", "--set", "CLOSESPIDER_PAGECOUNT=4"]
    for name in names:
        args += ["--portal", name, "--base-url", f"{name}={simulator.base_urls[name]}"]
    thanthien(*args)
    arrived = sorted(at for (portal, *_), at in zip(simulator.requests[before:], simulator.request_times[before:])
                     if portal in names)  # this crawl's requests only, timed as they came in
    assert len(arrived) >= 9
    gaps = sorted(b - a for a, b in zip(arrived, arrived[1:]))
    # 0.25 s budget, taken when a request leaves; arrival at the server adds the transit of a loaded
    # machine (CI saw one gap of 0.18 s after one of 0.20). The bug this guards against sent requests
    # together (gaps near 0), so: none closer than 0.15 s, and the typical gap the budget itself.
    assert gaps[0] >= 0.15, gaps
    assert gaps[len(gaps) // 2] >= 0.24, gaps


_ROBOTS_RACE = r'''
import sys
import scrapy
from scrapy.crawler import CrawlerProcess
from scrapy.utils.project import get_project_settings

base, forbidden, db = sys.argv[1], sys.argv[2], sys.argv[3]

class Race(scrapy.Spider):
    name = "robots-race"
    # eight requests leave together: all but the first wait on the one robots.txt download
    start_urls = [f"{base}{forbidden}page-{i}" for i in range(8)] + [f"{base}/"]

    def parse(self, response):
        pass

settings = get_project_settings()
settings.set("THANTHIEN_SIMULATED", True)
settings.set("THANTHIEN_DB", db)  # the test's own archive, never the repository's default
settings.set("LOG_LEVEL", "ERROR")
process = CrawlerProcess(settings)
process.crawl(Race)
process.start()
'''


def test_every_request_waiting_for_a_robots_txt_gets_its_rules(simulator, tmp_path):
    # Scrapy 2.19's own RobotsTxtMiddleware lets the second and later waiters through with no rules
    # (CI fetched a forbidden search page); scrapers.politeness.RobotsTxtMiddleware must stop them all.
    import subprocess
    import sys
    import urllib.request

    from .conftest import ROOT

    base = simulator.base_urls["sim-quanson"]
    robots = urllib.request.urlopen(f"{base}/robots.txt", timeout=10).read().decode()
    forbidden = next(line.split(":", 1)[1].strip() for line in robots.splitlines() if line.startswith("Disallow:"))
    script = tmp_path / "race.py"
    script.write_text(_ROBOTS_RACE)
    before = len(simulator.requests)
    subprocess.run([sys.executable, str(script), base, forbidden, str(tmp_path / "t.db")], cwd=ROOT, check=True, timeout=120)
    paths = [path for portal, _method, path, _status in simulator.requests[before:] if portal == "sim-quanson"]
    assert "/robots.txt" in paths and "/" in paths
    assert not [p for p in paths if p.startswith(forbidden)], paths
