"""Crawl benchmark: pages/s of the full pipeline vs a fetch-only crawl of the same simulated pages.

    python bench/crawl.py [--copies 20]
    python bench/crawl.py --memory 5,40        # peak RSS of full crawls of 5x and 40x the articles

The simulator is filled with `--copies` re-dated copies of its 48 articles (so each portal has
hundreds of pages), crawled twice with real Scrapy over HTTP on 127.0.0.1: once with every item
pipeline (extract, classify, structure, store) and once with none (fetch only). Both run the same
spider and settings (robots.txt, AutoThrottle with the simulator's zero delay).

`--memory A,B` crawls the simulator filled with A, then B copies (full pipeline, a new archive each)
and reports each crawl process's peak RSS (`os.wait4`: the child's own ru_maxrss) and their ratio;
issue 15's target: within 20 % of each other (memory flat in crawl size).
"""
from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from portalsim.articles import ARTICLES  # noqa: E402
from portalsim.server import Simulator  # noqa: E402


def expanded_articles(copies: int) -> list[dict]:
    out = []
    for n in range(copies):
        for article in ARTICLES:
            year = int(article["published"][:4]) - n % 5
            day = article["published"][5:]
            clone = dict(article, key=f"{article['key']}-c{n}", published=f"{year}-{day}",
                         title=article["title"] if n == 0 else f"{article['title']} ({n})")
            if clone.get("event"):
                clone["event"] = dict(clone["event"], event_date=None)
            out.append(clone)
    return out


def reprocess(db_path: Path) -> str:
    result = subprocess.run([sys.executable, "-m", "archive.cli", "reprocess", "--db", str(db_path)],
                            cwd=ROOT, capture_output=True, text=True, check=True)
    return result.stdout.strip()


def crawl(sim: Simulator, db_path: Path, extra: list[str]) -> tuple[int, float]:
    pages, wall, _ = crawl_measured(sim, db_path, extra)
    return pages, wall


def crawl_measured(sim: Simulator, db_path: Path, extra: list[str]) -> tuple[int, float, int]:
    """(pages, seconds, peak RSS in bytes) of one `thanthien crawl` process."""
    args = [sys.executable, "-m", "archive.cli", "crawl", "--simulated", "--db", str(db_path), *extra]
    for name, url in sim.base_urls.items():
        args += ["--portal", name, "--base-url", f"{name}={url}"]
    started = time.monotonic()
    with tempfile.TemporaryFile("w+") as out:
        proc = subprocess.Popen(args, cwd=ROOT, stdout=out, stderr=subprocess.DEVNULL, text=True)
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
        wall = time.monotonic() - started
        if proc.returncode:
            raise SystemExit(f"crawl failed with exit {proc.returncode}")
        out.seek(0)
        stdout = out.read()
    pages = sum(int(m) for m in re.findall(r"pages\s+(\d+)", stdout))
    return pages, wall, usage.ru_maxrss * 1024  # Linux: kilobytes


def memory(sizes: list[int]) -> None:
    rows = []
    for copies in sizes:
        articles = expanded_articles(copies)
        with Simulator(articles=articles) as sim, tempfile.TemporaryDirectory() as tmp:
            pages, wall, rss = crawl_measured(sim, Path(tmp) / "a.db", [])
        rows.append((copies, len(articles), pages, wall, rss))
        print(f"{copies:>4} copies: {len(articles):>6} articles, {pages:>6} pages in {wall:6.1f}s, "
              f"peak RSS {rss / 2**20:7.1f} MiB", flush=True)
    low, high = rows[0][4], rows[-1][4]
    print(f"peak RSS {rows[-1][0]}x / {rows[0][0]}x: {high / low:.2f} (target <= 1.20: {'met' if high / low <= 1.2 else 'NOT met'})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--copies", type=int, default=20)
    parser.add_argument("--memory", metavar="A,B", help="peak RSS of full crawls of A and B copies")
    args = parser.parse_args()
    if args.memory:
        return memory([int(n) for n in args.memory.split(",")])
    articles = expanded_articles(args.copies)
    with Simulator(articles=articles) as sim, tempfile.TemporaryDirectory() as tmp:
        full_pages, full_s = crawl(sim, Path(tmp) / "full" / "a.db", [])
        fetch_pages, fetch_s = crawl(sim, Path(tmp) / "fetch" / "a.db", ["--set", "ITEM_PIPELINES={}"])
        before = len(sim.requests)
        rerun_pages, rerun_s = crawl(sim, Path(tmp) / "full" / "a.db", [])
        rerun_requests = len(sim.requests) - before
        reprocessed = reprocess(Path(tmp) / "full" / "a.db")
    print(f"articles in simulator: {len(articles)}")
    print(f"full pipeline: {full_pages} pages in {full_s:.1f}s = {full_pages / full_s:.1f} pages/s")
    print(f"fetch only:    {fetch_pages} pages in {fetch_s:.1f}s = {fetch_pages / fetch_s:.1f} pages/s")
    print(f"ratio full/fetch: {(full_pages / full_s) / (fetch_pages / fetch_s):.2f}")
    print(f"unchanged-site re-run: {rerun_requests} requests ({rerun_pages} pages) vs {full_pages} on the first run, {rerun_s:.1f}s")
    print(f"{reprocessed}")


if __name__ == "__main__":
    main()
