"""Distributed crawling (scrapers/distributed/, archive/store_worker.py) against a real redis-server.

Several `thanthien worker` processes share one Redis frontier per portal and push what they fetch;
one `thanthien store` writes the archive. The archive must be the one a single `thanthien crawl`
makes of the same portals — also when a worker is killed with SIGKILL and restarted — and the
politeness budget must hold across processes, measured at the simulator.
"""
from __future__ import annotations

import asyncio
import contextlib
import shutil
import signal
import sqlite3
import subprocess
import sys
import time

import pytest

from pipelines.urls import canonicalize_url
from tests.conftest import ROOT, free_port, thanthien

pytestmark = pytest.mark.skipif(shutil.which("redis-server") is None,
                                reason="redis-server is not on PATH (Debian: apt-get install redis-server; .ci/run does)")


@pytest.fixture(scope="module")
def redis_url():
    redis = pytest.importorskip("redis", reason="the `distributed` extra (redis, scrapy-redis) is not installed")
    port = free_port()
    proc = subprocess.Popen(["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"redis://127.0.0.1:{port}/0"
    client = redis.Redis.from_url(url)
    deadline = time.monotonic() + 10
    while True:
        try:
            client.ping()
            break
        except redis.exceptions.ConnectionError:
            if time.monotonic() > deadline or proc.poll() is not None:
                proc.kill()
                raise
            time.sleep(0.05)
    yield url
    proc.terminate()
    proc.wait(timeout=10)


@pytest.fixture(scope="module")
def sim():
    """The simulator, with a per-request latency the tests can turn on (a wrapper: the simulator
    itself is not changed). The delay is taken in the server's handler thread, before answering."""
    from portalsim.server import Simulator

    with Simulator() as simulator:
        delay = {"seconds": 0.0}
        record = simulator._record

        def slow_record(*args, **kwargs):
            record(*args, **kwargs)
            if delay["seconds"]:
                time.sleep(delay["seconds"])

        simulator._record = slow_record
        simulator.delay = delay
        yield simulator


def _portal_args(sim, names=None):
    args = []
    for name, url in sim.base_urls.items():
        if names is None or name in names:
            args += ["--portal", name, "--base-url", f"{name}={url}"]
    return args


@pytest.fixture(scope="module")
def single(sim, tmp_path_factory):
    db = tmp_path_factory.mktemp("single") / "thanthien.db"
    thanthien("crawl", "--simulated", "--db", db, *_portal_args(sim))
    return db


def _worker(redis_url, job, sim, *extra):
    return subprocess.Popen([sys.executable, "-m", "archive.cli", "worker", "--redis", redis_url, "--job", job,
                             *_portal_args(sim), *extra], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _store(redis_url, job, db):
    return subprocess.Popen([sys.executable, "-m", "archive.cli", "store", "--redis", redis_url, "--job", job,
                             "--db", str(db), "--until-idle", "4"], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)


def _finish(proc, timeout=90):
    out, err = proc.communicate(timeout=timeout)
    assert proc.returncode == 0, f"exit {proc.returncode}\n{out[-2000:]}\n{err[-4000:]}"
    return out


@contextlib.contextmanager
def slowed(sim, seconds=0.05):
    """The simulator answers each request `seconds` late: slow enough to kill a process mid-crawl."""
    sim.delay["seconds"] = seconds
    try:
        yield
    finally:
        sim.delay["seconds"] = 0.0


def _finish_crawl(workers, store):
    for worker in workers:
        _finish(worker, timeout=120)
    _finish(store, timeout=60)


def snapshot(db) -> dict:
    conn = sqlite3.connect(db)
    try:
        return {
            "articles": sorted(conn.execute("select canonical_url, content_hash, is_launch_report from articles")),
            "launches": sorted(conn.execute(
                "select articles.canonical_url, unit, unit_type, district, province, event_date, board_size, unit_code"
                " from launches join articles on articles.id = launches.article_id")),
            # URLs in their canonical form, the frontier's key: which spelling of one page is reached
            # first (Liferay's short /-/slug and long asset_publisher links to the same article, the
            # same bytes) depends on crawl order, which several workers do not share with one process
            "captures": sorted((canonicalize_url(url), sha) for url, sha in conn.execute("select url, sha256 from captures")),
            # each article points at the capture of its own page
            "article_captures": sorted(conn.execute(
                "select articles.canonical_url, captures.sha256 from articles"
                " join captures on captures.id = articles.capture_id")),
            "portals": sorted(conn.execute("select name, base_url, platform from portals")),
            # stories as groups of articles (their ids depend on the order articles are stored in)
            "stories": sorted(sorted(urls.split("\n")) for (urls,) in conn.execute(
                "select group_concat(canonical_url, char(10)) from articles group by story_id")),
        }
    finally:
        conn.close()


def _assert_same(single_db, db):
    expected, got = snapshot(single_db), snapshot(db)
    assert len(expected["articles"]) == 64 and len(expected["captures"]) > 100
    for table in expected:
        assert got[table] == expected[table], table
    conn = sqlite3.connect(db)
    run = conn.execute("select status, pages_fetched, articles_new from crawl_runs").fetchall()
    # every WARC record the rows point at is readable and holds the bytes the row's hash names
    from archive.warc import read_record
    import hashlib

    for path, offset, sha in conn.execute("select warc_path, warc_offset, sha256 from captures"):
        assert hashlib.sha256(read_record(db.parent, path, offset).body).hexdigest() == sha
    conn.close()
    return run


def test_three_workers_and_a_store_make_the_archive_of_a_single_crawl(redis_url, sim, single, tmp_path):
    db = tmp_path / "thanthien.db"
    store = _store(redis_url, "three", db)
    workers = [_worker(redis_url, "three", sim, "--simulated") for _ in range(3)]
    outs = [_finish(w) for w in workers]
    assert "worker " in outs[0]
    print(_finish(store))
    run = _assert_same(single, db)
    assert run == [("finished", len(snapshot(single)["captures"]), 64)]
    # more than one worker fetched pages: the frontier was shared
    assert sum(" pages 0," not in out for out in outs) >= 2, outs


def test_crawl_with_redis_runs_the_workers_and_stores_itself(redis_url, sim, single, tmp_path):
    db = tmp_path / "thanthien.db"
    out = thanthien("crawl", "--redis", redis_url, "--workers", "2", "--simulated", "--db", db, *_portal_args(sim)).stdout
    assert "store run 1 finished" in out and "articles new 64" in out, out
    _assert_same(single, db)
    # a second run is a new job on the same archive: nothing new, every article already there
    out = thanthien("crawl", "--redis", redis_url, "--workers", "2", "--simulated", "--db", db, *_portal_args(sim)).stdout
    assert "articles new 0" in out, out


def test_crawl_with_redis_says_one_line_when_redis_is_unreachable(tmp_path):
    result = thanthien("crawl", "--redis", f"redis://127.0.0.1:{free_port()}/0", "--portal", "sim-quanson",
                       "--db", tmp_path / "t.db", check=False)
    assert result.returncode == 1 and result.stderr.startswith("thanthien: cannot reach Redis"), result.stderr
    assert not (tmp_path / "t.db").exists()


def test_a_worker_killed_with_sigkill_and_restarted_changes_nothing(redis_url, sim, single, tmp_path):
    db = tmp_path / "thanthien.db"
    with slowed(sim):  # a worker is killed with requests in flight
        before = len(sim.requests)
        store = _store(redis_url, "killed", db)
        workers = [_worker(redis_url, "killed", sim, "--simulated") for _ in range(3)]
        deadline = time.monotonic() + 60
        while len(sim.requests) - before < 40 and time.monotonic() < deadline:
            time.sleep(0.02)
        assert workers[0].poll() is None, "the crawl ended before the kill"
        workers[0].send_signal(signal.SIGKILL)
        workers[0].wait()
        workers[0] = _worker(redis_url, "killed", sim, "--simulated")
        _finish_crawl(workers, store)
    _assert_same(single, db)


def test_the_store_killed_with_sigkill_and_restarted_changes_nothing(redis_url, sim, single, tmp_path):
    # The single writer dies mid-message (kill -9): its message goes back on restart and nothing is
    # written twice — the archive is still the single crawl's, row for row.
    db = tmp_path / "thanthien.db"
    with slowed(sim):
        store = _store(redis_url, "store-killed", db)
        workers = [_worker(redis_url, "store-killed", sim, "--simulated") for _ in range(2)]
        deadline = time.monotonic() + 60
        stored = 0
        while stored < 10 and time.monotonic() < deadline:
            time.sleep(0.1)
            if db.exists():
                try:
                    with sqlite3.connect(db, timeout=1) as conn:
                        stored = conn.execute("select count(*) from articles").fetchone()[0]
                except sqlite3.Error:
                    pass
        assert stored >= 10 and store.poll() is None, "the store ended before the kill"
        store.send_signal(signal.SIGKILL)
        store.wait()
        store = _store(redis_url, "store-killed", db)
        _finish_crawl(workers, store)
    _assert_same(single, db)


def test_the_redis_budget_holds_across_two_processes(redis_url, sim, tmp_path):
    # Two workers, one portal each, both on 127.0.0.1 (one registrable domain); not --simulated for
    # loopback (THANTHIEN_SIMULATED=0), so the shared budget applies. Measured as requests arrive.
    names = ["sim-quanson", "sim-samson"]
    before = len(sim.request_times)
    common = ["--simulated", "--set", "THANTHIEN_SIMULATED=0", "--set", "THANTHIEN_SITE_INTERVAL=0.25",
              "--set", "CLOSESPIDER_PAGECOUNT=6"]
    procs = [subprocess.Popen([sys.executable, "-m", "archive.cli", "worker", "--redis", redis_url, "--job", "budget",
                               *_portal_args(sim, [name]), *common], cwd=ROOT, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for name in names]
    for proc in procs:
        _finish(proc)
    requests = list(zip(sim.requests[before:], sim.request_times[before:]))
    arrived = sorted(at for (portal, *_), at in requests if portal in names)
    assert {portal for (portal, *_), _ in requests} == set(names)  # both processes crawled
    assert len(arrived) >= 12
    gaps = [b - a for a, b in zip(arrived, arrived[1:])]
    assert min(gaps) >= 0.2, gaps  # 0.25 s budget; a little for the clocks of three processes


def test_a_crawl_delay_read_by_one_process_holds_for_the_others(redis_url):
    from scrapers.distributed import RedisSiteBudget

    async def run():
        reader, other = RedisSiteBudget(0.05, False, redis_url), RedisSiteBudget(0.05, False, redis_url)
        reader._crawl_delay = {"thanthien-test.gov.vn": 0.5}  # this one read robots.txt's Crawl-delay
        other._crawl_delay = {}                               # this one did not
        start = time.monotonic()
        await reader.hold("https://a.thanthien-test.gov.vn/1")
        await other.hold("https://b.thanthien-test.gov.vn/2")
        return time.monotonic() - start

    assert asyncio.run(run()) >= 0.45


def test_worker_and_store_say_one_line_when_redis_is_unreachable(tmp_path):
    port = free_port()  # nothing listens here
    result = thanthien("store", "--redis", f"redis://127.0.0.1:{port}/0", "--db", tmp_path / "t.db", check=False)
    assert result.returncode == 1 and result.stderr.startswith("thanthien: cannot reach Redis"), result.stderr
    result = thanthien("worker", "--redis", f"redis://127.0.0.1:{port}/0", "--portal", "sim-quanson", check=False)
    assert result.returncode == 1 and result.stderr.startswith("thanthien: cannot reach Redis"), result.stderr
