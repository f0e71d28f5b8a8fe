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

import asyncio
import logging
import os
import pickle
import socket
import time
import uuid
from urllib.parse import urlsplit

from scrapers.signals import SignalExtension
from scrapy.exceptions import DontCloseSpider

from scrapers.dupefilter import CanonicalURLFingerprinter
from scrapers.politeness import SiteBudget, SiteBudgetHandler, is_loopback, registrable_domain

logger = logging.getLogger(__name__)

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


def _redis(url: str):
    import redis

    return redis.Redis.from_url(url)


# --- the frontier --------------------------------------------------------------------------------

try:
    from scrapy_redis.dupefilter import RFPDupeFilter as _RFPDupeFilter
    from scrapy_redis.queue import PriorityQueue as _PriorityQueue
    from scrapy_redis.scheduler import Scheduler as _RedisScheduler
except ImportError:  # the `distributed` extra is not installed: the CLI says so before we get here
    _RFPDupeFilter = _PriorityQueue = _RedisScheduler = object


class RedisDupeFilter(_RFPDupeFilter):
    """scrapy-redis' seen-set keyed by the project's canonical-URL fingerprints (scrapers/dupefilter.py),
    one per (job, portal)."""

    _fingerprinter = CanonicalURLFingerprinter()

    def request_fingerprint(self, request) -> str:
        return self._fingerprinter.fingerprint(request).hex()

    @classmethod
    def from_spider(cls, spider):
        settings = spider.settings
        keys = portal_keys(settings.get("THANTHIEN_REDIS_JOB") or DEFAULT_JOB, _portal_name(spider))
        return cls(_redis(settings.get("REDIS_URL")), key=keys["seen"], debug=settings.getbool("DUPEFILTER_DEBUG"))


# KEYS: seen, queue, old in-flight hash. ARGV: fingerprint ('' = dont_filter), score, request, old token ('' = none)
_ENQUEUE = """
if ARGV[1] ~= '' then
  if redis.call('SADD', KEYS[1], ARGV[1]) == 0 then return 0 end
end
redis.call('ZADD', KEYS[2], ARGV[2], ARGV[3])
if ARGV[4] ~= '' then redis.call('HDEL', KEYS[3], ARGV[4]) end
return 1
"""
# KEYS: queue, in-flight hash, workers set, heartbeat. ARGV: token, worker id, heartbeat ms
_POP = """
local r = redis.call('ZRANGE', KEYS[1], 0, 0)
if #r == 0 then return false end
redis.call('ZREMRANGEBYRANK', KEYS[1], 0, 0)
redis.call('HSET', KEYS[2], ARGV[1], r[1])
redis.call('SADD', KEYS[3], ARGV[2])
redis.call('SET', KEYS[4], '1', 'PX', ARGV[3])
return r[1]
"""
# KEYS: queue, workers set. ARGV: job prefix ('thanthien:JOB:'), portal, score.
# Every worker of the portal whose heartbeat expired: its in-flight requests back into the queue.
_REQUEUE_DEAD = """
local moved = 0
for _, worker in ipairs(redis.call('SMEMBERS', KEYS[2])) do
  if redis.call('EXISTS', ARGV[1] .. 'worker:' .. worker) == 0 then
    local hash = ARGV[1] .. ARGV[2] .. ':inflight:' .. worker
    local entries = redis.call('HGETALL', hash)
    for i = 2, #entries, 2 do
      redis.call('ZADD', KEYS[1], ARGV[3], entries[i])
      moved = moved + 1
    end
    redis.call('DEL', hash)
    redis.call('SREM', KEYS[2], worker)
  end
end
return moved
"""
# KEYS: items list, in-flight hash. ARGV: message, token ('' = none). The outcome of a request and
# its retirement from the in-flight hash are one step.
_PUSH_AND_RETIRE = """
if ARGV[1] ~= '' then redis.call('LPUSH', KEYS[1], ARGV[1]) end
if ARGV[2] ~= '' then redis.call('HDEL', KEYS[2], ARGV[2]) end
return 1
"""
# KEYS: unscheduled set, items list. ARGV: url, message. A capture of a request no scheduler saw
# (RobotsTxtMiddleware's robots.txt): the first worker's only.
_PUSH_ONCE = """
if redis.call('SADD', KEYS[1], ARGV[1]) == 1 then redis.call('LPUSH', KEYS[2], ARGV[2]) return 1 end
return 0
"""


def _portal_name(spider) -> str:
    portal = getattr(spider, "portal", None)
    return getattr(portal, "name", None) or spider.name


class Scheduler(_RedisScheduler):
    """scrapy-redis' Scheduler, per (job, portal), with in-flight requests kept until their outcome
    is pushed (module docstring). SCHEDULER_PERSIST: the queue and seen-set outlive the workers, so
    a job stopped halfway resumes where it was; a new crawl of the same portals takes a new job."""

    def open(self, spider):
        self.spider = spider
        settings = spider.settings
        self.job = settings.get("THANTHIEN_REDIS_JOB") or DEFAULT_JOB
        self.portal = _portal_name(spider)
        self.keys = portal_keys(self.job, self.portal)
        self.inflight = inflight_key(self.job, self.portal, WORKER_ID)
        self.heartbeat = heartbeat_key(self.job, WORKER_ID)
        self.queue = _PriorityQueue(server=self.server, spider=spider, key=self.keys["requests"], serializer=self.serializer)
        if not self.df:
            self.df = RedisDupeFilter.from_spider(spider)
        self._enqueue = self.server.register_script(_ENQUEUE)
        self._pop = self.server.register_script(_POP)
        self._requeue = self.server.register_script(_REQUEUE_DEAD)
        self.server.set(self.heartbeat, "1", px=HEARTBEAT_MS)
        moved = self.requeue_dead()
        if moved:
            spider.logger.info("%s: %d requests of dead workers put back in the queue", self.portal, moved)
        spider.distributed_scheduler = self

    def close(self, reason):
        # a worker that stops cleanly leaves nothing in flight (what is left goes back to the queue)
        leftover = self.server.hgetall(self.inflight)
        if leftover:
            pipe = self.server.pipeline()
            for data in leftover.values():
                pipe.zadd(self.keys["requests"], {data: REQUEUE_SCORE})
            pipe.delete(self.inflight)
            pipe.execute()
        self.server.srem(self.keys["workers"], WORKER_ID)

    def requeue_dead(self) -> int:
        return int(self._requeue(keys=[self.keys["requests"], self.keys["workers"]],
                                 args=[job_key(self.job, ""), self.portal, REQUEUE_SCORE]) or 0)

    def enqueue_request(self, request):
        # a retry or a redirect of an in-flight request takes its place in the queue (with the
        # captures of the answers that led to it, in its meta)
        old = request.meta.pop("_tt_token", None)
        fingerprint = "" if request.dont_filter else self.df.request_fingerprint(request)
        added = self._enqueue(keys=[self.keys["seen"], self.keys["requests"], self.inflight],
                              args=[fingerprint, -request.priority, self.queue._encode_request(request), old or ""])
        if not added:
            self.df.log(request, self.spider)
            if old:  # a redirect to a page already seen: what it captured on the way is still pushed
                outbox = getattr(self.spider, "distributed_outbox", None)
                if outbox is not None:
                    outbox.finish(request, token=old)
            return False
        if self.stats:
            self.stats.inc_value("scheduler/enqueued/redis")
        return True

    def next_request(self):
        token = uuid.uuid4().hex
        data = self._pop(keys=[self.keys["requests"], self.inflight, self.keys["workers"], self.heartbeat],
                         args=[token, WORKER_ID, HEARTBEAT_MS])
        if not data:
            return None
        request = self.queue._decode_request(data)
        request.meta["_tt_token"] = token
        if self.stats:
            self.stats.inc_value("scheduler/dequeued/redis")
        return request

    def others_busy(self) -> bool:
        """Another live worker holds requests of this portal in flight (their links may still come)."""
        for worker in self.server.smembers(self.keys["workers"]):
            worker = worker.decode()
            if worker != WORKER_ID and self.server.hlen(inflight_key(self.job, self.portal, worker)):
                return True
        return False


# --- the outbox: what a worker hands to the store ------------------------------------------------

class Outbox(SignalExtension):
    """Each response's capture and the record extracted from it, pushed in one message when the
    request is done (its callback ran, its item went through the pipelines), in the same Lua call
    that removes it from the worker's in-flight hash. Faults are pushed as they happen."""

    listens_to = ("spider_opened", "spider_closed", "spider_idle", "response_received", "item_scraped",
                  "item_dropped", "fault")

    def __init__(self, crawler):
        super().__init__(crawler)
        settings = crawler.settings
        self.job = settings.get("THANTHIEN_REDIS_JOB") or DEFAULT_JOB
        self.server = _redis(settings.get("REDIS_URL"))
        self.items = items_key(self.job)
        self._push = self.server.register_script(_PUSH_AND_RETIRE)
        self._push_once = self.server.register_script(_PUSH_ONCE)
        self.heartbeat = None


    # lifecycle
    def spider_opened(self, spider):
        from twisted.internet import task

        spider.distributed_outbox = self
        self.portal = _portal_name(spider)
        entry = getattr(spider, "portal", None)
        self.portal_row = entry.as_row() if entry is not None and getattr(spider, "portal_is_registered", False) else None
        self.keys = portal_keys(self.job, self.portal)
        self.inflight = inflight_key(self.job, self.portal, WORKER_ID)
        self.beat_key = heartbeat_key(self.job, WORKER_ID)
        self.heartbeat = task.LoopingCall(self._beat)
        self.heartbeat.start(HEARTBEAT_EVERY, now=True)
        # an idle worker looks at the shared queue often (Scrapy's own heartbeat is every 5 s):
        # links another worker found are taken within a quarter second
        self.poll = task.LoopingCall(self._poll)
        self.poll.start(0.25, now=False)
        # the end of a request's handling: Scrapy's scraper finishes it after its callback's output
        # (links scheduled, items through every pipeline) is done
        scraper = self.crawler.engine.scraper
        original = scraper.enqueue_scrape

        def enqueue_scrape(result, request):
            d = original(result, request)
            d.addBoth(self._scraped, request)
            return d

        scraper.enqueue_scrape = enqueue_scrape

    def _scraped(self, result, request):
        try:
            self.finish(request)
        except Exception:  # Redis gone: the request stays in flight and is put back later
            logger.exception("could not push the outcome of %s", request.url)
        return result

    def _poll(self):
        slot = getattr(self.crawler.engine, "_slot", None)
        if slot is not None:
            slot.nextcall.schedule()

    def _beat(self):
        try:
            self.server.set(self.beat_key, "1", px=HEARTBEAT_MS)
        except Exception as exc:
            logger.warning("heartbeat failed: %s", exc)

    def spider_closed(self, spider, reason):
        for loop in (self.heartbeat, getattr(self, "poll", None)):
            if loop is not None and loop.running:
                loop.stop()

    def spider_idle(self, spider):
        """Stay while the portal's frontier is not done: put back what dead workers held; wait while
        the queue holds requests or another live worker has some in flight."""
        scheduler = getattr(spider, "distributed_scheduler", None)
        if scheduler is None:
            return
        scheduler.requeue_dead()
        if scheduler.has_pending_requests() or scheduler.others_busy():
            raise DontCloseSpider

    # what a response leaves
    def response_received(self, response, request, spider):
        from scrapers.extensions import capture_of

        capture = capture_of(response, request)
        capture["key"] = uuid.uuid4().hex
        request.meta["capture_id"] = capture["key"]  # page_item carries it to the record; the store maps it to the row id
        if request.meta.get("_tt_token"):
            request.meta.setdefault("_tt_captures", []).append(capture)
        else:  # not from the scheduler (RobotsTxtMiddleware): once per job, whichever worker fetched it first
            self._push_once(keys=[self.keys["unscheduled"], self.items],
                            args=[capture["url"], self._message([capture], [], [])])

    def item_scraped(self, item, response, spider):
        if "record" in item:
            response.meta.setdefault("_tt_records", []).append({
                "record": item["record"], "url": item["url"], "fetched_at": item.get("fetched_at"),
                "capture_key": item.get("capture_id"), "recovered_from": item.get("recovered_from"),
                "snapshot_date": item.get("snapshot_date")})

    def item_dropped(self, item, response, exception, spider):
        kind = getattr(exception, "kind", "dropped")
        response.meta.setdefault("_tt_events", []).append(
            {"url": item.get("url", ""), "kind": kind, "status": item.get("status"), "final": True,
             "detail": str(exception), "dropped": True})

    def fault(self, kind, url, status=None, detail="", final=False):
        event = {"url": url, "kind": kind, "status": status, "final": final, "detail": detail}
        self.server.lpush(self.items, self._message([], [], [event]))

    def finish(self, request, token: str | None = None):
        """Push what the request left and retire it (from the in-flight hash) in one step."""
        meta = request.meta
        token = token or meta.pop("_tt_token", None)
        captures, records, events = meta.pop("_tt_captures", []), meta.pop("_tt_records", []), meta.pop("_tt_events", [])
        if not token and not (captures or records or events):
            return
        message = self._message(captures, records, events) if (captures or records or events) else ""
        self._push(keys=[self.items, self.inflight], args=[message, token or ""])
        self.crawler.stats.inc_value("thanthien/pushed_captures", len(captures))
        self.crawler.stats.inc_value("thanthien/pushed_records", len(records))

    def _message(self, captures, records, events) -> bytes:
        return pickle.dumps({"portal": self.portal, "portal_row": self.portal_row, "captures": captures,
                             "records": records, "events": events, "worker": WORKER_ID}, protocol=pickle.HIGHEST_PROTOCOL)


# --- politeness across processes -----------------------------------------------------------------

# KEYS: the domain's next-free key, its Crawl-delay key. ARGV: interval ms, Crawl-delay this process
# read (ms, 0 = none). Returns 0 (go: the slot is taken now) or the milliseconds to wait. Redis'
# clock is the one clock of every worker, whatever machine it runs on.
_TAKE_SLOT = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local delay = tonumber(redis.call('GET', KEYS[2]) or '0')
local mine = tonumber(ARGV[2])
if mine > delay then redis.call('SET', KEYS[2], ARGV[2]); delay = mine end
local interval = math.max(tonumber(ARGV[1]), delay)
local free = tonumber(redis.call('GET', KEYS[1]) or '0')
if now >= free then
  redis.call('SET', KEYS[1], now + interval, 'PX', interval + 60000)
  return 0
end
return free - now
"""


class RedisSiteBudget(SiteBudget):
    """SiteBudget whose clock is a Redis key per registrable domain, shared by every process."""

    def __init__(self, interval: float, simulated: bool, redis_url: str):
        super().__init__(interval, simulated)
        self.redis_url = redis_url
        self._client = None
        self._script = None

    async def hold(self, url: str) -> None:
        host = urlsplit(url).hostname or ""
        if self.simulated and is_loopback(host):
            return
        if self._client is None:
            import redis.asyncio

            self._client = redis.asyncio.Redis.from_url(self.redis_url)
            self._script = self._client.register_script(_TAKE_SLOT)
        domain = registrable_domain(host)
        keys = [f"thanthien:budget:{domain}", f"thanthien:budget:{domain}:crawl-delay"]
        args = [int(self.interval * 1000), int(self._crawl_delay.get(domain, 0.0) * 1000)]
        while True:  # the slot is taken when the request really leaves, as SiteBudget.hold does
            wait_ms = int(await self._script(keys=keys, args=args))
            if wait_ms <= 0:
                return
            await asyncio.sleep(wait_ms / 1000)


class RedisSiteBudgetHandler(SiteBudgetHandler):
    """The http(s) download handler of a worker: SiteBudgetHandler with the budget in Redis."""

    def __init__(self, crawler):
        super().__init__(crawler)
        settings = crawler.settings
        self.budget = RedisSiteBudget(settings.getfloat("THANTHIEN_SITE_INTERVAL", 1.0),
                                      settings.getbool("THANTHIEN_SIMULATED"), settings.get("REDIS_URL"))


# --- running workers -----------------------------------------------------------------------------

def run_worker(targets: list[dict], redis_url: str, *, job: str = DEFAULT_JOB, db_path=None,
               overrides: dict | None = None, simulated: bool = False, verbose: bool = False) -> dict:
    """Crawl each target ({"portal": …, "base_url": …}) as one worker of `job`; blocks until every
    portal's shared frontier is done. `db_path` is only read (what is archived already, for
    incremental runs), never written. Returns per-portal counts."""
    from scrapy.crawler import CrawlerProcess

    from archive.crawl import project_settings

    settings = project_settings(db_path or "", {**worker_settings(redis_url, job), **(overrides or {})}, simulated)
    if not db_path:
        settings.set("THANTHIEN_DB", "", priority="cmdline")  # nothing archived to skip
    if not verbose and not settings.get("LOG_FILE"):
        settings.set("LOG_LEVEL", "WARNING", priority="cmdline")
    _redis(redis_url).ping()  # an unreachable Redis is one line, before Scrapy starts
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
