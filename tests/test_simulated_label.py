"""Demo data is labelled (issue 14): an archive holding the simulator's pages says "simulated data —
fictional people" on every page; an archive of real portals does not."""
from __future__ import annotations

import sqlite3

from .test_publish import copy_archive, get, serve_archive

PAGES = ["/", "/thanthien", "/thanthien/articles", "/thanthien/launch_events", "/-/search?q=ra+mat", "/-/timeline"]


def test_every_page_of_a_simulator_archive_carries_the_banner(datasette_server, crawled):
    with sqlite3.connect(crawled["db_path"]) as conn:
        key = conn.execute("select article_key from articles limit 1").fetchone()[0]
    for path in [*PAGES, f"/-/article/{key}"]:
        html = get(datasette_server + path)
        assert 'id="tt-simulated"' in html and "fictional people" in html, path


def test_an_archive_of_real_portals_has_no_banner(crawled, tmp_path):
    real = copy_archive(crawled["db_path"], tmp_path)  # served as "thanthien", like the original
    with sqlite3.connect(real) as conn:
        conn.execute("update portals set simulated = 0")
    with serve_archive(real) as base:
        for path in PAGES:
            assert 'id="tt-simulated"' not in get(base + path), path
