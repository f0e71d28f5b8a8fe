"""`thanthien worker`: one crawler process of a distributed crawl (scrapers/distributed/), its
settings the project's with the worker's parts on top."""
from __future__ import annotations

import time

from scrapers.distributed import DEFAULT_JOB, WORKER_ID, redis_client, worker_settings


def run_worker(targets: list[dict], redis_url: str, *, job: str = DEFAULT_JOB, db_path=None,
               overrides: dict | None = None, simulated: bool = False, verbose: bool = False) -> dict:
    """Crawl each target ({"portal": …, "base_url": …}) as one worker of `job`; blocks until every
    portal's shared frontier is done. `db_path` is only read (what is archived already, for
    incremental runs), never written. Returns per-portal counts."""
    from scrapy.crawler import CrawlerProcess

    from archive.crawl import project_settings  # the crawl's settings, as `thanthien crawl` makes them

    settings = project_settings(db_path or "", {**worker_settings(redis_url, job), **(overrides or {})}, simulated)
    if not db_path:
        settings.set("THANTHIEN_DB", "", priority="cmdline")  # nothing archived to skip
    if not verbose and not settings.get("LOG_FILE"):
        settings.set("LOG_LEVEL", "WARNING", priority="cmdline")
    redis_client(redis_url).ping()  # an unreachable Redis is one line, before Scrapy starts
    process = CrawlerProcess(settings)
    crawlers = []
    for target in targets:
        crawler = process.create_crawler("portal")
        crawlers.append((target.get("portal") or target.get("start_url"), crawler))
        process.crawl(crawler, **{k: v for k, v in target.items() if v})
    started = time.monotonic()
    process.start()
    result = {"seconds": time.monotonic() - started, "worker": WORKER_ID, "portals": {}}
    for name, crawler in crawlers:
        stats = crawler.stats.get_stats() if crawler.stats else {}
        result["portals"][name] = {"pages_fetched": stats.get("response_received_count", 0),
                                   "captures_pushed": stats.get("thanthien/pushed_captures", 0),
                                   "records_pushed": stats.get("thanthien/pushed_records", 0),
                                   "finish_reason": stats.get("finish_reason")}
    return result
