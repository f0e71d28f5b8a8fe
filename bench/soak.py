"""Soak by hand: the simulator with faults of every kind on every request, crawled to completion.

    python bench/soak.py --articles 10000 [--rate 1.0] [--seed 7] [--kill-after N]

Prints faults injected by kind, faults booked by the crawler by kind, articles expected and
stored, duplicates and lost ones, and the time. `--kill-after N` SIGKILLs the crawl once N
articles are stored and resumes it with the same command (the CI version of both runs lives in
tests/test_soak.py at 300 articles).
"""
from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import sqlite_utils  # noqa: E402

from archive.evaluate import compare  # noqa: E402
from portalsim.faults import FaultPlan, soak_articles  # noqa: E402
from portalsim.server import Simulator  # noqa: E402
from tests.test_soak import CRAWLER_KIND, SOAK_SETTINGS  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=1000)
    parser.add_argument("--rate", type=float, default=1.0)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--kill-after", type=int, default=0)
    args = parser.parse_args()
    plan = FaultPlan(rate=args.rate, seed=args.seed, max_per_url=3, timeout_seconds=3.5, slow_body_seconds=0.3,
                     robots_disallow={})
    with tempfile.TemporaryDirectory() as tmp, Simulator(soak_articles(args.articles, seed=3), faults=plan) as sim:
        db_path = Path(tmp) / "soak.db"
        cmd = [sys.executable, "-m", "archive.cli", "crawl", "--simulated", "--db", str(db_path), *SOAK_SETTINGS,
               "--set", f"THANTHIEN_MAX_LISTING_PAGES={max(60, args.articles // 3)}"]
        for name, url in sim.base_urls.items():
            cmd += ["--portal", name, "--base-url", f"{name}={url}"]
        started = time.monotonic()
        if args.kill_after:
            proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            while proc.poll() is None:
                try:
                    if sqlite_utils.Database(db_path).execute("select count(*) from articles").fetchone()[0] >= args.kill_after:
                        os.kill(proc.pid, signal.SIGKILL)
                        print(f"killed after {args.kill_after} articles")
                        break
                except Exception:  # noqa: BLE001 - not created yet
                    pass
                time.sleep(0.1)
            proc.wait()
        subprocess.run(cmd, cwd=ROOT, check=False, capture_output=True)
        seconds = time.monotonic() - started
        db = sqlite_utils.Database(db_path)
        report = compare(list(db["articles"].rows), sim.reachable_ground_truth())
        injected = sim.fault_counts()
        booked = Counter({k: n for k, n in db.execute("select kind, count(*) from crawl_events group by kind")})
        expected = Counter()
        for kind, n in injected.items():
            expected[CRAWLER_KIND.get(kind, kind)] += n
        print(f"faults injected: {sum(injected.values())} {dict(sorted(injected.items()))}")
        print(f"faults booked:   {sum(booked.values())} {dict(sorted(booked.items()))}")
        unbooked = {k: expected[k] - booked[k] for k in set(CRAWLER_KIND.values()) if expected[k] != booked[k]}
        print(f"transient kinds booked exactly: {not unbooked} {unbooked or ''}")
        print(f"articles expected {len(sim.reachable_ground_truth())}, stored {db['articles'].count}, "
              f"lost {len(report['missing'])}, duplicates {report['duplicates']}, extra {len(report['extra'])}, "
              f"wrong fields {len(report['mistakes'])}; {seconds:.0f}s")


if __name__ == "__main__":
    main()
