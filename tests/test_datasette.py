"""Diacritic-free search and CSV through a real Datasette server (`thanthien serve`)."""
import csv
import io
import json
import urllib.parse
import urllib.request

import sqlite_utils


def get(url):
    with urllib.request.urlopen(url, timeout=20) as response:
        return response.read().decode("utf-8")


def search_ids(base, query):
    url = f"{base}/thanthien/articles.json?_search={urllib.parse.quote(query)}&_shape=array&_col=id&_size=max"
    return {row["id"] for row in json.loads(get(url))}


def test_search_without_diacritics_finds_the_same_articles(datasette_server, crawled):
    db = sqlite_utils.Database(crawled["db_path"])
    with_model = {r["id"] for r in db.query("select id from articles where body_text like '%Chính quyền thân thiện%' or title like '%Chính quyền thân thiện%'")}
    folded = search_ids(datasette_server, "chinh quyen than thien")
    accented = search_ids(datasette_server, "Chính quyền thân thiện")
    assert folded == accented
    assert with_model <= folded and len(folded) >= 22


def test_d_with_stroke_folds_to_d(datasette_server, crawled):
    db = sqlite_utils.Database(crawled["db_path"])
    expected = {r["id"] for r in db.query("select id from articles where body_text like '%Đảng ủy%' or title like '%Đảng ủy%'")}
    assert expected
    assert search_ids(datasette_server, "dang uy") >= expected
    assert search_ids(datasette_server, "dang uy") == search_ids(datasette_server, "Đảng ủy")


def test_ranked_search_query_returns_snippets(datasette_server):
    url = f"{datasette_server}/thanthien/search.json?q={urllib.parse.quote('ra mat mo hinh')}&_shape=array"
    rows = json.loads(get(url))
    assert rows and all("\u3010" in r["snippet"] for r in rows)  # 【match】: render.py shows it as <mark>


def test_archive_is_served_read_only(datasette_server):
    versions = json.loads(get(f"{datasette_server}/-/databases.json"))
    assert versions[0]["is_mutable"] is False
    plugins = {p["name"] for p in json.loads(get(f"{datasette_server}/-/plugins.json"))}
    assert any("thanthien" in p or "plugin" in p for p in plugins)


def test_csv_of_launches_keeps_vietnamese(datasette_server, crawled):
    text = get(f"{datasette_server}/thanthien/launches.csv?_stream=on&_size=max")
    rows = list(csv.DictReader(io.StringIO(text)))
    db = sqlite_utils.Database(crawled["db_path"])
    assert len(rows) == db["launches"].count
    assert any(r["unit"].startswith(("xã", "phường", "thị trấn")) and any(ord(c) > 127 for c in r["unit"]) for r in rows)


def test_metadata_describes_every_column(datasette_server):
    metadata = json.loads(get(f"{datasette_server}/-/metadata.json"))
    tables = metadata["databases"]["thanthien"]["tables"]
    assert tables["articles"]["sort_desc"] == "published_date"
    assert set(tables["articles"]["columns"]) >= {"canonical_url", "title", "is_launch_report", "launch_score"}
