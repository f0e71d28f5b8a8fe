"""Discovery by content: sites whose shapes no platform module was written for, crawled for real.

Each site of `portalsim/shapeless.py` hides its articles differently: URLs with no telltale
shape and `?page=N` listings, a sitemap as the only index, a home-page "Tin mới" box and a category
tree, listings and articles sharing one URL shape. `thanthien crawl --start-url` must store every
article exactly once and nothing else, with the right fields.
"""
import pytest
import sqlite_utils

from archive.evaluate import compare
from portalsim import SHAPELESS
from portalsim.server import Simulator

from .conftest import thanthien


@pytest.fixture(scope="module")
def shapeless():
    with Simulator(portals=SHAPELESS) as sim:
        yield sim


@pytest.mark.parametrize("site", SHAPELESS)
def test_start_url_crawl_stores_every_article_once(shapeless, tmp_path, site):
    db_path = tmp_path / f"{site}.db"
    thanthien("crawl", "--simulated", "--db", db_path, "--start-url", shapeless.base_urls[site] + "/")
    truth = [t for t in shapeless.ground_truth() if t["portal"] == site]
    rows = list(sqlite_utils.Database(db_path)["articles"].rows)
    for row in rows:
        row["portal"] = site  # an unregistered site is stored without a portal name
    report = compare(rows, truth)
    assert report["missing"] == [], report["missing"]
    assert report["extra"] == [], report["extra"]
    assert report["duplicates"] == 0
    assert report["false_launches"] == [] and report["missed_launches"] == []
    for field in ("title", "published_date", "body_text", "is_launch_report"):
        right, total = report["fields"][field]
        assert right == total == len(truth), (field, report["mistakes"])


def test_second_run_finds_nothing_new_and_fetches_less(shapeless, tmp_path):
    db_path = tmp_path / "again.db"
    start = shapeless.base_urls["sim-tinmoi"] + "/"
    thanthien("crawl", "--simulated", "--db", db_path, "--start-url", start)
    before = len(shapeless.requests)
    thanthien("crawl", "--simulated", "--db", db_path, "--start-url", start)
    second = shapeless.requests[before:]
    runs = list(sqlite_utils.Database(db_path)["crawl_runs"].rows)
    assert runs[1]["articles_new"] == 0
    assert len(second) < runs[0]["pages_fetched"]
    # no archived article is fetched again
    article_paths = {t["url"].split(start.rstrip("/"), 1)[1] for t in shapeless.ground_truth() if t["portal"] == "sim-tinmoi"}
    assert not article_paths & {path for _p, _m, path, _s in second}
