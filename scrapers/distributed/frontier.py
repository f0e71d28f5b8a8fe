"""The shared frontier: one request queue and seen-set per (job, portal), in-flight requests kept
until their outcome is pushed (the package docstring says how)."""
from __future__ import annotations

import uuid

from scrapers.dupefilter import CanonicalURLFingerprinter

from .keys import DEFAULT_JOB, HEARTBEAT_MS, REQUEUE_SCORE, WORKER_ID, redis_client, heartbeat_key, inflight_key, job_key, portal_keys

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
        return cls(redis_client(settings.get("REDIS_URL")), key=keys["seen"], debug=settings.getbool("DUPEFILTER_DEBUG"))


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


