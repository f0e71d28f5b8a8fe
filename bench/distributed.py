"""Distributed crawling: pages/s with 1, 2 and 4 `thanthien worker` processes and one `thanthien store`.

    python bench/distributed.py [--latency 0.2] [--interval 0.5] [--workers 1,2,4]

The bundled simulator (six portals, 152 pages) on 127.0.0.1 with a per-request latency (a wrapper
around the simulator's request log that sleeps in the server's handler thread before answering —
the simulator itself has no latency option), and a real redis-server on a free port. Each run is a
fresh job and a fresh archive. Loopback skips the budget in crawls (`--simulated`), so the bench
runs the workers with THANTHIEN_SIMULATED=0 and a site interval: all six portals are on 127.0.0.1,
i.e. one registrable domain, so the shared Redis budget is what bounds the rate — and the table
shows that adding workers never raises the requests per second the "domain" gets. `--interval 0`
measures raw scaling instead (no budget).

Reports per worker count: seconds (store start to last item stored), pages stored, pages/s, the
ratio to 1 worker, and the most requests the simulator received in any 1-second window.
"""
from __future__ import annotations

import argparse
import bisect
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def max_per_second(times: list[float]) -> int:
    times = sorted(times)
    return max((bisect.bisect_left(times, t + 1.0) - i for i, t in enumerate(times)), default=0)


def main() -> None:
    import redis

    from portalsim.server import Simulator

    parser = argparse.ArgumentParser()
    parser.add_argument("--latency", type=float, default=0.2, help="seconds the simulator takes per request")
    parser.add_argument("--interval", type=float, default=0.0, help="THANTHIEN_SITE_INTERVAL for the one domain (0: no budget)")
    parser.add_argument("--workers", default="1,2,4")
    parser.add_argument("--concurrency", type=int, default=1, help="CONCURRENT_REQUESTS of each portal's crawler in a worker")
    args = parser.parse_args()
    if not shutil.which("redis-server"):
        sys.exit("redis-server is not on PATH (apt-get install redis-server)")
    port = free_port()
    server = subprocess.Popen(["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
                              stdout=subprocess.DEVNULL)
    url = f"redis://127.0.0.1:{port}/0"
    client = redis.Redis.from_url(url)
    for _ in range(100):
        try:
            client.ping()
            break
        except redis.exceptions.ConnectionError:
            time.sleep(0.05)
    rows = []
    try:
        with Simulator() as sim:
            record = sim._record

            def slow(*a, **k):
                record(*a, **k)
                time.sleep(args.latency)

            sim._record = slow
            portal_args = []
            for name, base in sim.base_urls.items():
                portal_args += ["--portal", name, "--base-url", f"{name}={base}"]
            settings = ["--set", f"CONCURRENT_REQUESTS_PER_DOMAIN={args.concurrency}", "--set", f"CONCURRENT_REQUESTS={args.concurrency}"]
            if args.interval:
                settings += ["--set", "THANTHIEN_SIMULATED=0", "--set", f"THANTHIEN_SITE_INTERVAL={args.interval}"]
            for n in [int(x) for x in args.workers.split(",")]:
                job = f"bench-{n}-{time.time_ns()}"
                tmp = Path(tempfile.mkdtemp(prefix="thanthien-bench-"))
                before = len(sim.request_times)
                started = time.monotonic()
                store = subprocess.Popen([sys.executable, "-m", "archive.cli", "store", "--redis", url, "--job", job,
                                          "--db", str(tmp / "thanthien.db"), "--until-idle", "3"], cwd=ROOT,
                                         stdout=subprocess.PIPE, text=True)
                workers = [subprocess.Popen([sys.executable, "-m", "archive.cli", "worker", "--redis", url, "--job", job,
                                             "--simulated", *portal_args, *settings], cwd=ROOT,
                                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) for _ in range(n)]
                for w in workers:
                    w.wait()
                crawled = time.monotonic() - started
                out = store.communicate()[0]
                pages = int(out.split("pages ")[1].split(",")[0])
                times = sim.request_times[before:]
                rows.append((n, crawled, pages, pages / crawled, max_per_second(times)))
                shutil.rmtree(tmp, ignore_errors=True)
    finally:
        server.terminate()
    base = rows[0][3]
    print(f"latency {args.latency}s per request, {args.concurrency} request(s) at a time per portal and worker, "
          f"site interval {args.interval or 'none'} "
          f"(all portals on one registrable domain, 127.0.0.1)")
    print("| workers | seconds | pages | pages/s | × 1 worker | max requests/s at the server |")
    print("|---:|---:|---:|---:|---:|---:|")
    for n, seconds, pages, rate, peak in rows:
        print(f"| {n} | {seconds:.1f} | {pages} | {rate:.1f} | {rate / base:.2f} | {peak} |")


if __name__ == "__main__":
    main()
