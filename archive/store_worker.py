"""`thanthien store`: the archive's single writer for distributed crawls (scrapers/distributed/).

Workers push one message per finished request on the job's items list: its captures (URL, status,
headers, body bytes, request headers, time) and the records `ExtractPipeline` made of them. The
store holds the archive's writer lock (archive/lock.py) and, message by message:

1. moves the message from the items list to a processing list (LMOVE: it is removed from Redis
   only once stored);
2. writes each capture as the crawl process does (archive/warc.py: the WARC record fsynced, then its
   `captures` row committed), per portal into `<portal>-run<N>-….warc.gz`;
3. stores each record with `upsert_record` (one transaction per article), pointing at its capture;
4. drops the message from the processing list.

Killed anywhere (kill -9), the next store puts the message left in processing back first, and
does not write a capture twice: the capture keys already stored are kept in a progress hash, and
the one whose row was committed just before the kill is recognised by the key in its WARC record
(`WARC-Thanthien-Capture-Key`). One `crawl_runs` row per store run, with the counts of what it stored.
"""
from __future__ import annotations

import logging
import pickle
import signal
import sqlite3
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from archive import db as archive_db
from archive import runs
from archive.lock import hold_writer, release_writer
from archive.stories import StoryAssigner
from archive.warc import DEFAULT_MAX_BYTES, WarcStore, read_record, repair_file

logger = logging.getLogger(__name__)
KEY_HEADER = "WARC-Thanthien-Capture-Key"


@dataclass
class StoreSummary:
    run_id: int
    db_path: Path
    seconds: float = 0.0
    status: str = "running"
    pages_fetched: int = 0
    articles_new: int = 0
    articles_updated: int = 0
    articles_unchanged: int = 0
    pages_dropped: int = 0
    launch_reports: int = 0
    messages: int = 0
    portals: list[str] = field(default_factory=list)

    def counts(self) -> dict:
        return {k: getattr(self, k) for k in ("pages_fetched", "articles_new", "articles_updated", "articles_unchanged",
                                              "pages_dropped")}


class Store:
    def __init__(self, redis_url: str, db_path: Path, *, job: str, archive_dir: Path | None = None,
                 max_bytes: int = DEFAULT_MAX_BYTES):
        import redis

        from scrapers.distributed import items_key, job_key

        self.redis = redis.Redis.from_url(redis_url)
        self.db_path = Path(db_path)
        self.archive_dir = Path(archive_dir or self.db_path.parent)
        self.max_bytes = max_bytes
        self.items = items_key(job)
        self.processing = job_key(job, "items", "processing")
        self.progress = job_key(job, "store", "progress")
        self.warcs: dict[str, WarcStore] = {}
        self.synced: set[str] = set()
        self.stopping = False

    # --- the run ---------------------------------------------------------------------------------
    def open(self) -> StoreSummary:
        self.redis.ping()
        archive_db.open_db(self.db_path).close()
        hold_writer(self.db_path)  # the one writer of this archive, until the process ends
        self.db = archive_db.open_db(self.db_path)
        self.stories = StoryAssigner(self.db)  # the archive's story index, for every record this store writes
        runs.interrupted_runs(self.db)
        for (run_id,) in self.db.execute("select id from crawl_runs where status = 'interrupted'"):
            for path in (self.archive_dir / "warc").glob(f"*-run{run_id}-*.warc.gz"):
                if repair_file(path):
                    logger.warning("repaired %s: cut back to its last complete record", path.name)
        self.summary = StoreSummary(run_id=runs.start_run(self.db, []), db_path=self.db_path)
        # a message a killed store was storing goes back to be taken first
        self.recovering = False
        while self.redis.lmove(self.processing, self.items, "RIGHT", "RIGHT"):
            self.recovering = True
        return self.summary

    def run(self, *, until_idle: float | None = None, stop_when=None) -> StoreSummary:
        """Store messages until told to stop (SIGTERM/SIGINT), `until_idle` seconds pass without
        one, or `stop_when()` is true while the list is empty."""
        started = time.monotonic()
        last = time.monotonic()
        status = "finished"
        previous = {sig: signal.signal(sig, self._stop) for sig in (signal.SIGTERM, signal.SIGINT)}
        try:
            while not self.stopping:
                message = self.redis.blmove(self.items, self.processing, 0.2, "RIGHT", "LEFT")
                if message is None:
                    if until_idle is not None and time.monotonic() - last >= until_idle:
                        break
                    if stop_when is not None and stop_when() and not self.redis.llen(self.items):
                        break
                    continue
                self.store(message)
                pipe = self.redis.pipeline(transaction=True)
                pipe.lrem(self.processing, 1, message)
                pipe.delete(self.progress)
                pipe.execute()
                last = time.monotonic()
            if self.stopping:
                status = "interrupted"
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)
        self.summary.seconds = time.monotonic() - started
        self.summary.status = status
        return self.summary

    def close(self) -> None:
        for store in self.warcs.values():
            store.close()
        try:
            with self.db.conn:
                self.db["crawl_runs"].update(self.summary.run_id, {"portals": ",".join(self.summary.portals)})
            runs.finish_run(self.db, self.summary.run_id, status=self.summary.status, **self.summary.counts())
            self.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # `thanthien serve` opens it immutable
        finally:
            self.db.close()
            release_writer(self.db_path)

    def _stop(self, signum, frame):
        self.stopping = True

    # --- one message -----------------------------------------------------------------------------
    def store(self, raw: bytes) -> None:
        message = pickle.loads(raw)
        portal = message.get("portal")
        run_id = self.summary.run_id
        if portal and portal not in self.summary.portals:
            self.summary.portals.append(portal)
        if message.get("portal_row") and portal not in self.synced:
            with self.db.conn:
                self.db["portals"].upsert(message["portal_row"], pk="name")
            self.synced.add(portal)
        done = {k.decode(): int(v) for k, v in self.redis.hgetall(self.progress).items()}
        capture_ids = {}
        for capture in message["captures"]:
            key = capture["key"]
            capture_id = done.get(key) or (self._stored_last(key) if self.recovering else None)
            if capture_id is None:
                capture_id = self._write_capture(capture, portal, run_id)
                self.summary.pages_fetched += 1
            self.redis.hset(self.progress, key, capture_id)
            capture_ids[key] = capture_id
        for item in message["records"]:
            record = item["record"]
            _id, status = archive_db.upsert_record(
                self.db, record, seen_at=item.get("fetched_at"), crawl_run_id=run_id,
                capture_id=capture_ids.get(item.get("capture_key")),
                recovered_from=item.get("recovered_from"), snapshot_date=item.get("snapshot_date"), stories=self.stories)
            if status in ("new", "updated", "unchanged"):
                setattr(self.summary, f"articles_{status}", getattr(self.summary, f"articles_{status}") + 1)
            if record.get("is_launch_report"):
                self.summary.launch_reports += 1
        for event in message["events"]:
            if event.get("dropped"):
                self.summary.pages_dropped += 1
                if event["kind"] == "not_modified":
                    continue
            runs.record_event(self.db, run_id, portal, event["url"], event["kind"], event.get("status"),
                                    bool(event.get("final")), event.get("detail") or "")
        self.summary.messages += 1
        self.recovering = False

    def _write_capture(self, capture: dict, portal: str | None, run_id: int) -> int:
        name = portal or "unknown"
        if name not in self.warcs:
            self.warcs[name] = WarcStore(self.archive_dir, f"{name}-run{run_id}", self.max_bytes)
        return archive_db.store_capture(self.db, self.warcs[name], capture, portal=portal, crawl_run_id=run_id,
                                        warc_headers={KEY_HEADER: capture["key"]})

    def _stored_last(self, key: str) -> int | None:
        """The capture with this key, when it is the archive's last one (the row a killed store had
        committed before it could note it): read from the key in its WARC record."""
        row = self.db.execute("select id, warc_path, warc_offset from captures order by id desc limit 1").fetchone()
        if row is None or not row[1]:
            return None
        try:
            record = read_record(self.archive_dir, row[1], row[2])
        except (OSError, ValueError):
            return None
        return row[0] if record.warc_headers.get(KEY_HEADER) == key else None


def run_store(redis_url: str, db_path: Path, *, job: str, until_idle: float | None = None, stop_when=None,
              archive_dir: Path | None = None) -> StoreSummary:
    store = Store(redis_url, db_path, job=job, archive_dir=archive_dir)
    store.open()
    try:
        store.run(until_idle=until_idle, stop_when=stop_when)
    except BaseException:
        store.summary.status = "failed"
        raise
    finally:
        try:
            store.close()
        except sqlite3.OperationalError:
            pass
    return store.summary


def run_distributed_crawl(targets: list[dict], redis_url: str, db_path: Path, *, workers: int = 2,
                          job: str | None = None, simulated: bool = False, overrides: dict | None = None) -> StoreSummary:
    """A whole distributed crawl from one command: `workers` `thanthien worker` processes on these
    targets ({"portal": …, "base_url": …}) and the store in this process, which stops once every
    worker has exited and it has stored everything they pushed. (For `thanthien crawl --redis`.)"""
    import uuid

    job = job or f"crawl-{uuid.uuid4().hex[:12]}"  # a fresh frontier: nothing of an older job is "seen"
    args = [sys.executable, "-m", "archive.cli", "worker", "--redis", redis_url, "--job", job, "--db", str(db_path)]
    for target in targets:
        args += ["--portal", target["portal"]]
        if target.get("base_url"):
            args += ["--base-url", f"{target['portal']}={target['base_url']}"]
    if simulated:
        args.append("--simulated")
    for key, value in (overrides or {}).items():
        args += ["--set", f"{key}={value}"]
    store = Store(redis_url, db_path, job=job)
    store.open()  # the writer lock and the run row before any worker starts
    procs = [subprocess.Popen(args) for _ in range(workers)]
    try:
        store.run(stop_when=lambda: all(p.poll() is not None for p in procs))
    finally:
        for p in procs:
            if p.poll() is None:
                p.terminate()
        store.close()
    return store.summary


def summary_line(summary: StoreSummary) -> str:
    return (f"store run {summary.run_id} {summary.status} in {summary.seconds:.1f}s: pages {summary.pages_fetched}, "
            f"articles new {summary.articles_new} updated {summary.articles_updated} unchanged {summary.articles_unchanged}, "
            f"launch reports {summary.launch_reports}, dropped {summary.pages_dropped}, messages {summary.messages}")

