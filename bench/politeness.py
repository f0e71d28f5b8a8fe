"""Requests per second to one registrable domain during a crawl of the 27 Thanh Hóa portals.

    python bench/politeness.py                 # the default budget (THANTHIEN_SITE_INTERVAL)
    python bench/politeness.py --pages 4 --delay 0.5

The 27 district portals of the registry all live under `thanhhoa.gov.vn`: one organisation's
servers. Nothing here reaches the internet: every request the crawlers send to
`https://<portal>.thanhhoa.gov.vn` is answered by the bundled simulator's SharePoint portal, through
the project's download handler with its sending step replaced: the host is swapped at the last
moment (after the site budget has held the request) and swaps it back in the response. Each request is timed as it
leaves for the network. The crawl is a real `run_crawl` of 27 crawlers in one process, with the
project's settings (not `--simulated`: the budgets apply).
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

from archive.crawl import run_crawl  # noqa: E402
from scrapers import settings as project_settings  # noqa: E402
from scrapers.politeness import SiteBudgetHandler, registrable_domain  # noqa: E402
from scrapers.registry import default_registry  # noqa: E402
from portalsim.server import Simulator  # noqa: E402

SIM_BASE = {"url": None}
SENT: list[tuple[float, str]] = []   # (monotonic time a request left, host)


class RemappedHTTPHandler(SiteBudgetHandler):
    """The project's handler (the budget holds each request as in a crawl), whose sending step
    fetches https://<host>/path from the simulator; the response carries the real URL."""

    async def fetch(self, request):
        parts = urlsplit(request.url)
        SENT.append((time.monotonic(), parts.hostname))
        real_base, sim_base = f"{parts.scheme}://{parts.netloc}", SIM_BASE["url"]
        response = await super().fetch(request.replace(url=sim_base + request.url[len(real_base):]))
        body = response.body.replace(sim_base.encode(), real_base.encode())
        return response.replace(url=request.url, body=body)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pages", type=int, default=5, help="pages a portal (CLOSESPIDER_PAGECOUNT; default 5)")
    ap.add_argument("--delay", type=float, default=project_settings.THANTHIEN_SITE_INTERVAL,
                    help=f"seconds between requests to one registrable domain (default {project_settings.THANTHIEN_SITE_INTERVAL})")
    args = ap.parse_args(argv)
    portals = [p for p in default_registry().values() if p.base_url.endswith(".thanhhoa.gov.vn")]
    with Simulator() as sim, tempfile.TemporaryDirectory() as tmp:
        SIM_BASE["url"] = sim.base_urls["sim-quanson"]
        summary = run_crawl([{"portal": p.name} for p in portals], Path(tmp) / "bench.db", overrides={
            "DOWNLOAD_HANDLERS": {"https": RemappedHTTPHandler},
            "CLOSESPIDER_PAGECOUNT": args.pages, "THANTHIEN_SITE_INTERVAL": args.delay, "LOG_LEVEL": "WARNING",
        })
    times = sorted(t for t, host in SENT if registrable_domain(host) == "thanhhoa.gov.vn")
    span = times[-1] - times[0]
    gaps = [b - a for a, b in zip(times, times[1:])]
    busiest = max(sum(1 for t in times[i:] if t - start < 1.0) for i, start in enumerate(times))
    print(f"portals crawled               {len(portals)} (all under thanhhoa.gov.vn), run {summary.status}")
    print(f"pages fetched                 {summary.totals['pages_fetched']}")
    print(f"requests to thanhhoa.gov.vn   {len(times)} in {span:.1f} s")
    print(f"mean requests/s               {(len(times) - 1) / span:.2f}  (budget: 1 every {args.delay} s)")
    print(f"most requests in any 1 s      {busiest}")
    print(f"shortest gap between two      {min(gaps):.3f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
