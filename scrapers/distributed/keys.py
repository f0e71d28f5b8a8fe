"""Redis key names of a distributed job, the worker's identity and the worker settings."""
from __future__ import annotations

import os
import socket
import uuid

DEFAULT_JOB = "thanthien"
HEARTBEAT_MS = 5000          # a worker silent this long is dead: its in-flight requests go back
HEARTBEAT_EVERY = 1.0        # seconds between heartbeats
REQUEUE_SCORE = -1000        # put-back requests are taken first

#: this process, for in-flight hashes and heartbeats (all crawlers of a process share it)
WORKER_ID = f"{socket.gethostname()}-{os.getpid()}-{uuid.uuid4().hex[:6]}"


def job_key(job: str, *parts: str) -> str:
    return ":".join(("thanthien", job, *parts))


def items_key(job: str) -> str:
    """The list of messages workers push and `thanthien store` pops."""
    return job_key(job, "items")


def portal_keys(job: str, portal: str) -> dict[str, str]:
    return {name: job_key(job, portal, name) for name in ("requests", "seen", "workers", "unscheduled")}


def inflight_key(job: str, portal: str, worker: str) -> str:
    return job_key(job, portal, "inflight", worker)


def heartbeat_key(job: str, worker: str) -> str:
    return job_key(job, "worker", worker)


def worker_settings(redis_url: str, job: str = DEFAULT_JOB) -> dict:
    """The Scrapy settings that turn the portal spider into a worker (on top of scrapers/settings.py)."""
    return {
        "REDIS_URL": redis_url,
        "THANTHIEN_REDIS_JOB": job,
        "SCHEDULER": "scrapers.distributed.Scheduler",
        "SCHEDULER_PERSIST": True,
        "DUPEFILTER_CLASS": "scrapers.distributed.RedisDupeFilter",
        # extract here, store there: no StorePipeline, no WARC or run rows written by a worker
        "ITEM_PIPELINES": {"pipelines.scrapy_pipelines.ExtractPipeline": 300},
        "EXTENSIONS": {"scrapers.extensions.CrawlRunRecorder": None, "scrapers.extensions.WarcRecorder": None,
                       "scrapers.distributed.Outbox": 510},
        "DOWNLOAD_HANDLERS": {"http": "scrapers.distributed.RedisSiteBudgetHandler",
                              "https": "scrapers.distributed.RedisSiteBudgetHandler"},
    }


def redis_client(url: str):
    import redis

    return redis.Redis.from_url(url)
