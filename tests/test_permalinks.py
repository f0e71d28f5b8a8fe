"""Permalinks (issue 14): each article's public key comes from its canonical URL alone, so a
rebuild from WARC, a crawl in another order and a reprocess keep every key and every link."""
from __future__ import annotations

import http.client
import sqlite3
from urllib.parse import urlsplit

import pytest

from archive import db as archive_db
from archive import permalink

from .conftest import thanthien
from .test_publish import get


def keys(db_path) -> dict[str, str]:
    with sqlite3.connect(db_path) as conn:
        return dict(conn.execute("select canonical_url, article_key from articles"))


def test_the_key_is_short_url_safe_and_a_function_of_the_url_alone():
    key = permalink.url_key("http://127.0.0.1:8001/portal/Pages/2023-4-14/a.aspx")
    assert key == permalink.url_key("http://127.0.0.1:8001/portal/Pages/2023-4-14/a.aspx")
    assert len(key) == permalink.KEY_LENGTH and set(key) <= set("abcdefghijklmnopqrstuvwxyz234567")
    assert key != permalink.url_key("http://127.0.0.1:8001/portal/Pages/2023-4-14/b.aspx")
    assert permalink.looks_like_key(key) and not permalink.looks_like_key("1234567890")


def test_a_colliding_key_is_told_apart_by_length(tmp_path):
    db = archive_db.open_db(tmp_path / "a.db")
    taken = permalink.url_key("https://x.gov.vn/b")
    db.execute("insert into articles (canonical_url, url, article_key) values (?, ?, ?)",
               ["https://x.gov.vn/a", "https://x.gov.vn/a", taken])  # pretend /a's key collides with /b's
    key = permalink.free_key(db, "https://x.gov.vn/b")
    assert key == permalink.url_key("https://x.gov.vn/b", permalink.KEY_LENGTH + 1) and key.startswith(taken)
    assert permalink.free_key(db, "https://x.gov.vn/c") == permalink.url_key("https://x.gov.vn/c")  # no collision: the short key


def test_an_archive_made_before_keys_gets_them_when_opened(tmp_path):
    path = tmp_path / "old.db"
    db = archive_db.open_db(path)
    db.execute("insert into articles (canonical_url, url) values ('https://x.gov.vn/1', 'https://x.gov.vn/1')")
    db.execute("update articles set article_key = null")
    db.execute("pragma user_version = 2")
    db.conn.commit()
    db.close()
    assert keys(archive_db.open_db(path).conn.execute("pragma database_list").fetchone()[2]) == {
        "https://x.gov.vn/1": permalink.url_key("https://x.gov.vn/1")}


def test_keys_survive_a_rebuild_from_warc_and_a_reprocess(crawled, tmp_path):
    original = keys(crawled["db_path"])
    assert len(original) == len(crawled["truth"]) and all(original.values())
    assert len(set(original.values())) == len(original)
    rebuilt = tmp_path / "rebuilt.db"
    thanthien("import-warc", *sorted((crawled["db_path"].parent / "warc").glob("*.warc.gz")), "--db", rebuilt)
    assert keys(rebuilt) == original
    thanthien("reprocess", "--db", rebuilt)
    assert keys(rebuilt) == original


def test_keys_survive_a_crawl_in_another_order(simulator, crawled, tmp_path):
    other = tmp_path / "reversed.db"
    args = ["crawl", "--simulated", "--db", other]
    for name, url in reversed(list(simulator.base_urls.items())):
        args += ["--portal", name, "--base-url", f"{name}={url}"]
    thanthien(*args)
    with sqlite3.connect(crawled["db_path"]) as a, sqlite3.connect(other) as b:
        ids_a = dict(a.execute("select canonical_url, id from articles"))
        ids_b = dict(b.execute("select canonical_url, id from articles"))
    assert ids_a != ids_b  # the row ids did change with the order (what keys are for)
    assert keys(other) == keys(crawled["db_path"])


def test_old_integer_links_redirect_to_the_permalink_and_the_page_cites_it(datasette_server, crawled):
    with sqlite3.connect(crawled["db_path"]) as conn:
        article_id, key, url, digest = conn.execute(
            "select articles.id, article_key, articles.url, captures.sha256 from articles"
            " join captures on captures.id = articles.capture_id where is_launch_report = 1 limit 1").fetchone()
    parts = urlsplit(datasette_server)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    conn.request("GET", f"/-/article/{article_id}")
    answer = conn.getresponse()
    assert answer.status == 301 and answer.getheader("Location") == f"/-/article/{key}"
    html = get(f"{datasette_server}/-/article/{key}")
    cite = html[html.index('id="tt-cite-text"'):]
    cite = cite[: cite.index("</span>")]
    assert f"{datasette_server}/-/article/{key}" in cite and url in cite and digest in cite
    capture = get(f"{datasette_server}/-/article/{key}/capture", raw=True)[1]
    assert len(capture) > 200
    with pytest.raises(Exception):
        get(f"{datasette_server}/-/article/{'a' * permalink.KEY_LENGTH}")  # no such key: 404


def test_exports_and_views_carry_the_key(crawled):
    with sqlite3.connect(crawled["db_path"]) as conn:
        listed = dict(conn.execute("select id, article_key from article_list"))
        events = conn.execute("select count(*) from launch_events where article_key is null").fetchone()[0]
    assert all(listed.values()) and events == 0
