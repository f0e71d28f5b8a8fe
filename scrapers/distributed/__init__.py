"""Several crawler processes, one frontier per portal and one politeness budget, in Redis.

`thanthien worker --redis URL --portal NAME …` runs the ordinary `portal` spider with these parts
instead of the single-process ones (README: "Distributed crawling (Redis)"):

* `Scheduler` (scrapy-redis' scheduler, SCHEDULER_PERSIST): one request queue and one seen-set per
  (job, portal), shared by every worker. The seen-set holds the project's canonical-URL fingerprints
  (`RedisDupeFilter`, the same `CanonicalURLFingerprinter` as REQUEST_FINGERPRINTER_CLASS), and a
  request is added to it and to the queue in one Lua call, so a kill between the two loses nothing.
* In-flight requests: a request popped by a worker is moved, in the same Lua call, into that
  worker's in-flight hash; it leaves the hash only when its response has been fully handled (the
  callback's links enqueued, its item extracted) and its outcome pushed (`Outbox`). A worker that
  dies (kill -9) stops renewing its heartbeat key; the others put its in-flight requests back in
  the queue, so a killed worker never loses a page and a restarted one never fetches a page twice
  into the archive.
* `Outbox`: workers never write the archive. Each response (URL, status, headers, body, request
  headers, time: what `archive/warc.py` writes) and the record `ExtractPipeline` made of it travel
  together in one message on the job's items list, pushed in the same MULTI that retires the
  request; `thanthien store` (archive/store_worker.py), the archive's single writer, writes the
  WARC record, the `captures` row and the article together. robots.txt fetched by each worker's
  RobotsTxtMiddleware (scrapers/politeness.py; not a scheduled request) is pushed by the first worker only.
* `RedisSiteBudgetHandler`: the site budget of `scrapers/politeness.py` across processes — one key
  per registrable domain holding the next free time, taken atomically by a Lua script on Redis'
  clock, widened by a robots.txt Crawl-delay any worker has read.

Messages are pickled (as scrapy-redis pickles requests): the Redis server is part of the crawler,
never exposed to others.
"""
from __future__ import annotations

# The parts, importable from here as the worker settings name them.
from .budget import RedisSiteBudget, RedisSiteBudgetHandler
from .frontier import RedisDupeFilter, Scheduler
from .keys import (
    DEFAULT_JOB, WORKER_ID, heartbeat_key, inflight_key, items_key, job_key, portal_keys, redis_client, worker_settings,
)
from .outbox import Outbox

__all__ = ["DEFAULT_JOB", "WORKER_ID", "Outbox", "RedisDupeFilter", "RedisSiteBudget", "RedisSiteBudgetHandler",
           "Scheduler", "heartbeat_key", "inflight_key", "items_key", "job_key", "portal_keys", "redis_client",
           "worker_settings"]
