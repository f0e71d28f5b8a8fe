"""The Datasette publication: metadata for every table and column, search syntax, snippets, canned
queries, article and capture pages, CSV, serving settings — over HTTP against a real `thanthien serve`."""
from __future__ import annotations

import contextlib
import csv
import io
import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import markupsafe
import pytest
import sqlite_utils

from archive import db as archive_db
from archive.datasette.plugin import MARK_CLOSE, MARK_OPEN, escape_fts_folded, matches_all, snippet
from archive.datasette.render import marked_html
from archive.launch_events import LAUNCH_EVENTS_SQL
from archive.publish import SERVE_SETTINGS, ensure_views, load_metadata
from pipelines.text import fold

from .conftest import ROOT, free_port, thanthien, wait_for_http

FTS_SHADOW = ("_data", "_idx", "_content", "_docsize", "_config")
HOSTILE_SCRIPT = "<script>window.__pwned = 1; alert('pwned')</script>"
HOSTILE_IMG = '<img src=x onerror="window.__pwned = 2; alert(2)">'


def get(url, *, raw=False):
    with urllib.request.urlopen(url, timeout=30) as response:
        body = response.read()
        return (response, body) if raw else body.decode("utf-8")


def get_json(url):
    return json.loads(get(url))


# --- helpers shared with test_browser.py -------------------------------------------------------

@contextlib.contextmanager
def serve_archive(db_path: Path):
    """`thanthien serve` on an archive, as a user runs it; yields the base URL."""
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "archive.cli", "serve", "--db", str(db_path), "--port", str(port)],
                            cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=dict(os.environ))
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for_http(base + "/-/versions.json")
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


def copy_archive(src_db: Path, dest_dir: Path) -> Path:
    """A consistent copy of an archive (database through SQLite's backup, and its warc/ folder)."""
    dest_dir.mkdir(parents=True, exist_ok=True)
    dest = dest_dir / "thanthien.db"
    with contextlib.closing(sqlite3.connect(src_db)) as source, contextlib.closing(sqlite3.connect(dest)) as target:
        source.backup(target)
    if (src_db.parent / "warc").is_dir():
        shutil.copytree(src_db.parent / "warc", dest_dir / "warc")
    return dest


def make_hostile_archive(src_db: Path, dest_dir: Path) -> dict:
    """A copy of the archive where one launch report's title and body hold a <script> and an onerror
    image, and a capture whose archived HTML runs scripts and submits a form."""
    from archive.warc import WarcStore

    db_path = copy_archive(src_db, dest_dir)
    db = sqlite_utils.Database(db_path)
    article = next(db.query("select id, title, body_text from articles where is_launch_report = 1 order by id limit 1"))
    title = f"{article['title']} {HOSTILE_SCRIPT}"
    body = f"{HOSTILE_SCRIPT} pwnedword\n\n{HOSTILE_IMG}\n\n{article['body_text']}"
    with db.conn:
        db["articles"].update(article["id"], {"title": title, "body_text": body})
        db.execute("update articles_fts set title = ?, body_text = ? where rowid = ?", [fold(title), fold(body), article["id"]])
    store = WarcStore(dest_dir, "hostile")
    page = (b"<!doctype html><html><head><meta charset='utf-8'><title>hostile</title></head><body>"
            b"<p id='x'>archived page</p><script>window.__pwned = 3; alert(3); parent.__pwned = 3;</script>"
            b"<form action='/-/search' method='get'><input name='q' value='x'></form>"
            b"<script>document.forms[0].submit()</script></body></html>")
    stored = store.write("http://portal.example/hostile.aspx", 200, "OK", [("Content-Type", "text/html; charset=utf-8")], page)
    store.close()
    with db.conn:
        capture_id = db["captures"].insert({
            "url": "http://portal.example/hostile.aspx", "fetched_at": "2026-01-01T00:00:00+00:00", "status": 200,
            "content_type": "text/html; charset=utf-8", "sha256": stored.sha256, "warc_path": stored.warc_path,
            "warc_offset": stored.offset, "warc_length": stored.length, "portal": None, "source": "crawl",
        }).last_pk
    db.close()
    return {"db_path": db_path, "article_id": article["id"], "capture_id": capture_id}


# --- metadata -----------------------------------------------------------------------------------

def _schema(db_path: Path) -> dict[str, list[str]]:
    """Every table and view of an archive with its columns (SQLite's own FTS shadow tables aside)."""
    with contextlib.closing(sqlite3.connect(db_path)) as conn:
        objects = conn.execute("select name, type, sql from sqlite_master where type in ('table', 'view')"
                               " and name not like 'sqlite_%'").fetchall()
        fts = {name for name, _, sql in objects if sql and re.search(r"virtual\s+table.*using\s+fts", sql, re.I)}
        shadow = {f"{name}{suffix}" for name in fts for suffix in FTS_SHADOW}
        return {name: [row[1] for row in conn.execute(f"pragma table_info([{name}])")]
                for name, _, _ in objects if name not in shadow}


def _undescribed(db_path: Path) -> list[str]:
    tables = next(iter(load_metadata(db_path.stem)["databases"].values()))["tables"]
    missing = []
    for table, columns in _schema(db_path).items():
        meta = tables.get(table) or {}
        if not (meta.get("description") or meta.get("description_html")):
            missing.append(table)
        missing += [f"{table}.{column}" for column in columns if not (meta.get("columns") or {}).get(column)]
    return missing


def test_every_table_and_column_of_a_fresh_archive_is_described(tmp_path):
    db_path = tmp_path / "thanthien.db"
    archive_db.open_db(db_path).close()
    assert not _undescribed(db_path), "describe these in archive/datasette/metadata.yml"


def test_every_table_and_column_of_a_crawled_archive_is_described(crawled):
    assert not _undescribed(crawled["db_path"]), "describe these in archive/datasette/metadata.yml"


def test_metadata_sorts_facets_labels_and_search():
    metadata = load_metadata("thanthien")
    assert metadata["title"] and metadata["description_html"] and metadata["license"] and metadata["source"]
    tables = metadata["databases"]["thanthien"]["tables"]
    assert tables["articles"]["sort_desc"] == "published_date"
    assert tables["launches"]["sort_desc"] == "event_date"
    assert tables["launch_events"]["sort_desc"] == "event_date"
    facets = {f for t in tables.values() for f in t.get("facets", [])}
    assert {"province", "district", "portal", "year", "unit_type", "is_launch_report"} <= facets
    for table, label in (("articles", "title"), ("launches", "unit"), ("portals", "title"), ("officials", "name"),
                         ("slogans", "slogan"), ("documents", "code"), ("captures", "url")):
        assert tables[table]["label_column"] == label
    assert tables["articles"]["fts_table"] == "articles_fts" and tables["articles"]["searchmode"] == "escaped"


def test_canned_queries_are_documented_in_metadata_and_readme():
    queries = load_metadata("thanthien")["databases"]["thanthien"]["queries"]
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    expected = {"search", "launches_by_month", "launches_by_district", "communes_launched", "officials_at_launches",
                "slogans_by_frequency", "documents_by_frequency", "coverage"}
    assert expected <= set(queries)
    for name, query in queries.items():
        assert query.get("title") and (query.get("description") or query.get("description_html")), name
        assert f"`{name}`" in readme, f"README does not document the canned query {name}"


def test_metadata_links_follow_the_database_name():
    assert "/other/portals" in load_metadata("other")["description_html"]
    assert "other" in load_metadata("other")["databases"]


def test_views_are_created_and_recreated(tmp_path):
    db_path = tmp_path / "old.db"
    archive_db.open_db(db_path).close()
    with contextlib.closing(sqlite3.connect(db_path)) as conn:  # an archive from before the views
        conn.execute("drop table launch_events")  # (and from when launch_events was a view)
        conn.execute(f"create view launch_events as {LAUNCH_EVENTS_SQL}")
        conn.execute("drop view article_list")
        conn.commit()
    ensure_views(db_path)  # what `thanthien serve` does first
    with contextlib.closing(sqlite3.connect(db_path)) as conn:
        assert conn.execute("select count(*) from launch_events").fetchone() == (0,)
        assert conn.execute("select type from sqlite_master where name = 'launch_events'").fetchone() == ("table",)
        conn.execute("drop view article_list")
        conn.execute("create view article_list as select 1 as outdated")
        conn.commit()
    archive_db.open_db(db_path).close()  # any command: a view whose SQL changed is replaced
    with contextlib.closing(sqlite3.connect(db_path)) as conn:
        columns = [r[1] for r in conn.execute("pragma table_info(article_list)")]
    assert "year" in columns and "outdated" not in columns


# --- search syntax and snippets -----------------------------------------------------------------

@pytest.mark.parametrize("query, expected", [
    ("chinh quyen", '"chinh" "quyen"'),
    ("Chính quyền", '"chinh" "quyen"'),
    ("Đảng ủy", '"dang" "uy"'),
    ("chinh quy*", '"chinh" "quy"*'),
    ('"chinh quy"*', '"chinh quy"*'),
    ('"ra mắt mô hình"', '"ra mat mo hinh"'),
    ("“chính quyền”", '"chinh quyen"'),
    ('"unbalanced', '"unbalanced"'),
    ("dang-uy OR NEAR(x) ^a col:b", '"dang uy" "or" "near x" "a" "col b"'),
    ("*", '""'),
    ("", '""'),
    ("   ", '""'),
])
def test_escape_fts_folds_keeps_phrases_and_prefixes_and_escapes_the_rest(query, expected):
    assert escape_fts_folded(query) == expected


def test_escaped_queries_are_valid_fts5(crawled):
    with contextlib.closing(sqlite3.connect(crawled["db_path"])) as conn:
        for query in ("chinh quy*", '"ra mat" mo*', "a*b*", "NOT AND OR", 'x"y"z', "(", ")*", "-", "quy**", "đ*"):
            conn.execute("select count(*) from articles_fts where articles_fts match ?", [escape_fts_folded(query)])


def test_snippet_keeps_diacritics_and_marks_matches():
    text = "Ngày 4/10, Đảng ủy xã Sơn Hà tổ chức hội nghị ra mắt mô hình “Chính quyền thân thiện, vì Nhân dân phục vụ”."
    out = snippet(text, "dang uy chinh quy*")
    assert f"{MARK_OPEN}Đảng ủy{MARK_CLOSE}" in out and f"{MARK_OPEN}Chính quyền{MARK_CLOSE}" in out
    assert snippet(text, '"ra mat mo hinh"').count(MARK_OPEN) == 1
    assert MARK_OPEN not in snippet(text, "khong co")
    assert snippet("A 【fake】 mark and quyền", "quyen").count(MARK_OPEN) == 1  # markers in text are neutralised
    assert snippet(None, "x") == "" and snippet("", "x") == ""
    long = " ".join(["chữ"] * 200) + " Đảng ủy " + " ".join(["chữ"] * 200)
    out = snippet(long, "dang uy")
    assert out.startswith("… ") and out.endswith(" …") and f"{MARK_OPEN}Đảng ủy{MARK_CLOSE}" in out


def test_matches_all_is_word_and_prefix_aware():
    assert matches_all("xã Trung Thượng huyện Quan Sơn", "trung thuong")
    assert matches_all("xã Trung Thượng huyện Quan Sơn", "quan s*")
    assert not matches_all("xã Trung Thượng huyện Quan Sơn", "quan so")
    assert not matches_all("xã Trung Thượng", "")


def test_marked_html_escapes_first_then_marks():
    html = str(marked_html(f"<script>alert(1)</script> {MARK_OPEN}Đảng ủy{MARK_CLOSE} & <b>x</b>"))
    assert "<script" not in html and "&lt;script&gt;" in html and "<b>" not in html
    assert "<mark>Đảng ủy</mark>" in html and "&amp;" in html


# --- the served archive ---------------------------------------------------------------------------

def search_ids(base, query):
    url = f"{base}/thanthien/articles.json?_search={urllib.parse.quote(query)}&_shape=array&_col=id&_size=max"
    return {row["id"] for row in get_json(url)}


def test_prefix_and_phrase_search_on_the_articles_table(datasette_server, crawled):
    db = sqlite_utils.Database(crawled["db_path"])
    prefix = search_ids(datasette_server, "chinh quy*")
    assert search_ids(datasette_server, "chinh quyen") <= prefix
    assert prefix == search_ids(datasette_server, "Chính quy*")
    phrase = search_ids(datasette_server, '"chinh quyen than thien"')
    expected = {r["id"] for r in db.query("select id from articles where body_text like '%Chính quyền thân thiện%'"
                                          " or title like '%Chính quyền thân thiện%'")}
    assert expected <= phrase <= search_ids(datasette_server, "chinh quyen than thien")
    assert search_ids(datasette_server, "*") == set()  # nothing to search for: no rows, no error


def test_ranked_search_marks_matches_in_text_as_written(datasette_server):
    rows = get_json(f"{datasette_server}/thanthien/search.json?q={urllib.parse.quote('ra mat mo hinh')}&_shape=array")
    assert rows and all(MARK_OPEN in r["snippet"] for r in rows)
    assert any("ra mắt" in r["snippet"].lower() for r in rows)  # diacritics kept in the snippet
    html = get(f"{datasette_server}/thanthien/search?q={urllib.parse.quote('ra mat mo hinh')}")
    assert "<mark>" in html and MARK_OPEN not in html
    assert re.search(r'href="/-/article/\d+"', html)


def test_search_page_across_tables(datasette_server):
    html = get(f"{datasette_server}/-/search?q={urllib.parse.quote('quan son')}")
    assert 'id="tt-articles"' in html and 'id="tt-launches"' in html and "<mark>" in html
    html = get(f"{datasette_server}/-/search?q={urllib.parse.quote('chinh quyen than thien')}")
    count = int(re.search(r"Articles: (\d+)", html).group(1))
    assert count >= 22


def test_canned_queries_run_and_return_rows(datasette_server, crawled):
    queries = load_metadata("thanthien")["databases"]["thanthien"]["queries"]
    for name in queries:
        params = "&q=chinh+quyen" if name == "search" else ""
        rows = get_json(f"{datasette_server}/thanthien/{name}.json?_shape=array{params}")
        # coverage_drift lists what fell between a portal's last two runs: nothing in an archive of
        # one run (its rows are checked in tests/test_record_schema.py)
        assert rows or name == "coverage_drift", name
    months = get_json(f"{datasette_server}/thanthien/launches_by_month.json?_shape=array")
    launches = sqlite_utils.Database(crawled["db_path"])["story_launches"].count  # stories, not copies
    assert sum(r["launches"] for r in months) == launches and any(r["launches"] == 0 for r in months)  # gaps filled
    officials = get_json(f"{datasette_server}/thanthien/officials_at_launches.json?_shape=array")
    assert officials[0]["launch_reports"] >= officials[-1]["launch_reports"] >= 1


def test_year_facets_on_views(datasette_server, crawled):
    data = get_json(f"{datasette_server}/thanthien/launch_events.json?_size=0")
    facets = data["facet_results"]
    assert {"year", "province", "district", "portal", "unit_type"} <= set(facets)
    assert sum(item["count"] for item in facets["year"]["results"]) == sqlite_utils.Database(crawled["db_path"])["story_launches"].count
    data = get_json(f"{datasette_server}/thanthien/article_list.json?_size=0&_search=chinh+quyen")
    assert "year" in data["facet_results"] and data["filtered_table_rows_count"] >= 22


def test_article_page_shows_text_and_event(datasette_server, crawled):
    db = sqlite_utils.Database(crawled["db_path"])
    article = next(db.query("select * from articles where is_launch_report = 1 and event like '%board_size\": 1%' limit 1"))
    event = json.loads(article["event"])
    html = get(f"{datasette_server}/-/article/{article['id']}")
    assert str(markupsafe.escape(article["title"])) in html
    assert f'id="tt-event-date">{event["event_date"]}<' in html
    for unit in event["units"]:
        assert unit in html
    for official in event["officials"]:
        assert official["name"] in html
    assert f'{event["board_size"]} members' in html
    assert f'href="{article["url"]}"' in html and f'/-/article/{article["article_key"]}/capture' in html
    assert "Cite as" in html
    with pytest.raises(urllib.error.HTTPError) as missing:
        get(f"{datasette_server}/-/article/999999")
    assert missing.value.code == 404


def test_titles_and_article_ids_link_to_the_article_page(datasette_server):
    # by the permanent key where the row has it; a launch row's article_id is a row id (it redirects)
    assert re.search(r'<a href="/-/article/[a-z2-7]{10}">', get(f"{datasette_server}/thanthien/articles"))
    assert re.search(r'<a href="/-/article/\d+">', get(f"{datasette_server}/thanthien/launches"))
    assert re.search(r'<a href="/-/capture/\d+">', get(f"{datasette_server}/thanthien/captures"))


def test_capture_serves_archived_bytes_sandboxed(datasette_server, crawled):
    db = sqlite_utils.Database(crawled["db_path"])
    article = next(db.query("select title, capture_id from articles where is_launch_report = 1 limit 1"))
    response, body = get(f"{datasette_server}/-/capture/{article['capture_id']}", raw=True)
    assert response.headers["Content-Security-Policy"].split(";")[0] == "sandbox"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Content-Type"].startswith("text/html")
    assert article["title"].split("“")[0].strip().encode("utf-8") in body
    with pytest.raises(urllib.error.HTTPError) as missing:
        get(f"{datasette_server}/-/capture/999999")
    assert missing.value.code == 404


def test_timeline_and_map_pages(datasette_server):
    response, _ = get(f"{datasette_server}/-/timeline", raw=True)
    assert "/thanthien/launches_by_month" in response.url
    html = get(f"{datasette_server}/-/map")
    assert "datasette-cluster-map" in html and "latitude" in html
    plugins = {p["name"]: p.get("version") for p in get_json(f"{datasette_server}/-/plugins.json")}
    assert {"thanthien", "datasette-cluster-map", "datasette-vega"} <= set(plugins)


def test_serving_is_read_only_and_bounded(datasette_server):
    settings = get_json(f"{datasette_server}/-/settings.json")
    for key, value in SERVE_SETTINGS.items():
        assert settings[key] == value
    assert get_json(f"{datasette_server}/-/databases.json")[0]["is_mutable"] is False


def _rows_by_id(text):
    return {row["id"]: row for row in csv.DictReader(io.StringIO(text.lstrip("\ufeff")))}


@pytest.mark.parametrize("table,cli_args", [
    ("story_launches", ["--table", "launches"]),            # one per story: the default of both
    ("launches", ["--table", "launches", "--copies"]),      # every copy
    ("articles", ["--table", "articles"]),
])
def test_datasette_streamed_csv_equals_the_cli_export(datasette_server, crawled, table, cli_args):
    # _size=5 makes Datasette walk several pages: _stream=on must still give every row.
    served = _rows_by_id(get(f"{datasette_server}/thanthien/{table}.csv?_stream=on&_size=5"))
    exported = _rows_by_id(thanthien("export", *cli_args, "--csv", "--db", crawled["db_path"]).stdout)
    assert served.keys() == exported.keys() and len(served) == sqlite_utils.Database(crawled["db_path"])[table].count
    shared = set(next(iter(served.values()))) & set(next(iter(exported.values())))
    assert {"id", "title" if table == "articles" else "unit"} <= shared
    for row_id, row in exported.items():
        assert {c: served[row_id][c] for c in shared} == {c: row[c] for c in shared}
    assert any(any(ord(ch) > 127 for ch in row.get("unit") or row.get("title")) for row in served.values())


def test_csv_download_starts_with_a_bom_like_the_cli_export(datasette_server):
    response, body = get(f"{datasette_server}/thanthien/launches.csv?_stream=on&_dl=1", raw=True)
    assert "attachment" in response.headers["Content-Disposition"]
    assert body.startswith(b"\xef\xbb\xbfid,")
    assert not get(f"{datasette_server}/thanthien/launches.csv?_stream=on", raw=True)[1].startswith(b"\xef\xbb\xbf")


@pytest.fixture(scope="module")
def hostile(crawled, tmp_path_factory):
    archive = make_hostile_archive(crawled["db_path"], tmp_path_factory.mktemp("hostile"))
    with serve_archive(archive["db_path"]) as base:
        yield dict(archive, base=base)


def test_stored_html_is_escaped_everywhere(hostile):
    base, article_id = hostile["base"], hostile["article_id"]
    pages = [f"/-/article/{article_id}", f"/thanthien/articles/{article_id}", "/thanthien/articles?_search=pwnedword",
             "/-/search?q=pwnedword", "/thanthien/search?q=pwnedword", "/thanthien/launches", "/thanthien/article_list"]
    for path in pages:
        html = get(base + path)
        assert "<script>window.__pwned" not in html and "<img src=x onerror" not in html, path
    assert "&lt;script&gt;window.__pwned" in get(f"{base}/-/article/{article_id}")


def test_hostile_capture_is_sandboxed(hostile):
    response, body = get(f"{hostile['base']}/-/capture/{hostile['capture_id']}", raw=True)
    assert b"window.__pwned = 3" in body  # the bytes as archived …
    assert response.headers["Content-Security-Policy"].split(";")[0] == "sandbox"  # … in a sandbox where they never run
    assert response.headers["X-Content-Type-Options"] == "nosniff"


# --- stories (written by the dedupe step as articles.story_id) -------------------------------------

def test_stories_export_needs_story_ids(crawled, tmp_path):
    # An archive written before stories existed: no articles.story_id (its index and the views that
    # read it go first, as SQLite's DROP COLUMN requires).
    db_path = copy_archive(crawled["db_path"], tmp_path / "plain")
    db = sqlite_utils.Database(db_path)
    for view in db.view_names():
        db.execute(f"drop view [{view}]")
    for index in db["articles"].indexes:
        if "story_id" in index.columns:
            db.execute(f"drop index [{index.name}]")
    db.execute("alter table articles drop column story_id")
    db.conn.commit()
    assert "story_id" not in db["articles"].columns_dict
    result = thanthien("export", "--table", "stories", "--db", db_path, check=False)
    assert result.returncode == 1 and "no stories yet" in result.stderr and "Traceback" not in result.stderr
    thanthien("reprocess", "--db", db_path)  # as the error says: the older archive gets its stories
    rows = json.loads(thanthien("export", "--table", "stories", "--json", "--db", db_path).stdout)
    with_stories = sqlite_utils.Database(crawled["db_path"])
    assert len(rows) == with_stories.execute(
        "select count(*) from articles where story_id in (select story_id from articles group by story_id having count(*) > 1)"
    ).fetchone()[0] > 0


def test_stories_export_query_and_article_page_once_articles_have_story_ids(crawled, tmp_path):
    db_path = copy_archive(crawled["db_path"], tmp_path / "stories")
    db = sqlite_utils.Database(db_path)
    if "story_id" not in db["articles"].columns_dict:  # what the dedupe step adds
        db.execute("create table if not exists stories (id integer primary key)")
        db["articles"].add_column("story_id", int)
    ids = [r["id"] for r in db.query("select id from articles where is_launch_report = 1 order by published_date, id limit 3")]
    with db.conn:
        db.execute("update articles set story_id = null")
        db.execute("update articles set story_id = 901 where id in (?, ?)", ids[:2])
        db.execute("update articles set story_id = 902 where id = ?", [ids[2]])  # a story with one copy: not listed
    db.close()
    rows = json.loads(thanthien("export", "--table", "stories", "--json", "--db", db_path).stdout)
    assert [(r["story_id"], r["article_id"]) for r in rows] == [(901, ids[0]), (901, ids[1])]
    assert list(rows[0]) == ["story_id", "article_id", "title", "published_date", "portal", "url", "is_launch_report",
                             "article_key", "simulated"]
    with serve_archive(db_path) as base:
        stories = get_json(f"{base}/thanthien/stories_with_copies.json?_shape=array")
        assert [(s["story_id"], s["copies"], s["article_id"]) for s in stories] == [(901, 2, ids[0])]
        assert stories[0]["copy_list"].count("\n") == 1
        page = get(f"{base}/-/article/{ids[0]}")  # the row id redirects to the permanent key
        key = sqlite_utils.Database(db_path).execute("select article_key from articles where id = ?", [ids[1]]).fetchone()[0]
        assert 'id="tt-copies"' in page and f'href="/-/article/{key}"' in page


# --- hardening (issue "Nothing lost": the published archive) ------------------------------------

def _sql_error(base, sql):
    try:
        get(f"{base}/thanthien.json?" + urllib.parse.urlencode({"sql": sql}))
    except urllib.error.HTTPError as exc:
        return json.loads(exc.read().decode("utf-8")).get("error", "")
    return None


def test_native_pointer_and_file_functions_are_denied_and_plugin_functions_are_capped(datasette_server):
    assert "not authorized" in (_sql_error(datasette_server, "select fts3_tokenizer('simple')") or "")
    assert "not authorized" in (_sql_error(datasette_server, "select hex(fts3_tokenizer('porter'))") or "")
    # a 16 MB string is refused at once, not scanned for seconds
    error = _sql_error(datasette_server, "select thanthien_snippet(printf('%.*c', 16000000, 'a'), 'a')")
    assert error is not None and "user-defined function raised exception" in error
    # ordinary use still works
    rows = get_json(f"{datasette_server}/thanthien.json?_shape=array&" + urllib.parse.urlencode(
        {"sql": "select thanthien_snippet('Đảng ủy xã Trung Thượng', 'dang uy') as s, fold('Đảng ủy') as f"}))
    assert rows == [{"s": "【Đảng ủy】 xã Trung Thượng", "f": "dang uy"}]


def test_every_page_sends_security_headers(datasette_server):
    for path in ("/", "/thanthien/articles", "/-/search?q=dang+uy", "/thanthien/articles.csv?_dl=1"):
        response, _body = get(datasette_server + path, raw=True)
        assert response.headers["X-Content-Type-Options"] == "nosniff", path
        assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"], path
        assert response.headers["X-Frame-Options"] == "DENY", path


def test_a_missing_capture_names_no_server_path(crawled, tmp_path):
    db_path = copy_archive(crawled["db_path"], tmp_path / "nowarc")
    shutil.rmtree(tmp_path / "nowarc" / "warc")  # a deployment with the database only
    capture_id = sqlite_utils.Database(db_path).execute("select min(id) from captures").fetchone()[0]
    with serve_archive(db_path) as base:
        try:
            get(f"{base}/-/capture/{capture_id}")
            raise AssertionError("a capture without its WARC file was served")
        except urllib.error.HTTPError as exc:
            body = exc.read().decode("utf-8")
            assert exc.code == 404 and "not available" in body
            assert str(tmp_path) not in body and "/warc/" not in body
