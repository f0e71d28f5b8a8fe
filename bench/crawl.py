"""Crawl benchmark: pages/s of the full pipeline vs a fetch-only crawl of the same simulated pages.

    python bench/crawl.py [--copies 20]

The simulator is filled with `--copies` re-dated copies of its 48 articles (so each portal has
hundreds of pages), crawled twice with real Scrapy over HTTP on 127.0.0.1: once with every item
pipeline (extract, classify, structure, store) and once with none (fetch only). Both run the same
spider and settings (robots.txt, AutoThrottle with the simulator's zero delay).
"""
from __future__ import annotations

import argparse
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
    args = [sys.executable, "-m", "archive.cli", "crawl", "--simulated", "--db", str(db_path), *extra]
    for name, url in sim.base_urls.items():
        args += ["--portal", name, "--base-url", f"{name}={url}"]
    started = time.monotonic()
    result = subprocess.run(args, cwd=ROOT, capture_output=True, text=True, check=True)
    wall = time.monotonic() - started
    pages = sum(int(m) for m in re.findall(r"pages\s+(\d+)", result.stdout))
    return pages, wall


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--copies", type=int, default=20)
    args = parser.parse_args()
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
