"""What a worker hands to the store: each response's capture and its record, in one message."""
from __future__ import annotations

import logging
import pickle
import uuid

from scrapy.exceptions import DontCloseSpider

from scrapers.signals import SignalExtension

from .keys import DEFAULT_JOB, HEARTBEAT_EVERY, HEARTBEAT_MS, WORKER_ID, redis_client, heartbeat_key, inflight_key, items_key, portal_keys
from .frontier import _portal_name

logger = logging.getLogger(__name__)

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
        self.server = redis_client(settings.get("REDIS_URL"))
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


