"""Exports as a user meets them: `thanthien export launches` is Datasette's launch_events CSV,
filters take what people type, and the downloaded .db is searchable with sqlite-utils."""
from __future__ import annotations

import csv
import io
import json
import subprocess
import urllib.parse
import urllib.request

import pytest
import sqlite_utils

from archive.datasette.plugin import matches_all
from archive.export import matching_names

from .conftest import ROOT, thanthien

SQLITE_UTILS = ROOT / ".venv" / "bin" / "sqlite-utils"


def get(url: str) -> str:
    with urllib.request.urlopen(url, timeout=30) as response:
        return response.read().decode("utf-8")


def table(text: str) -> tuple[list[str], list[list[str]]]:
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    return rows[0], rows[1:]


def export(crawled, *args, check=True):
    return thanthien("export", *args, "--db", crawled["db_path"], check=check)


def served_launch_events(base: str, query: str = "") -> tuple[list[str], list[list[str]]]:
    return table(get(f"{base}/thanthien/launch_events.csv?_stream=on&_size=max{query}"))


def chronological(header, rows):
    """The export's order (event date, then id; no date first, as SQLite sorts NULL)."""
    date, row_id = header.index("event_date"), header.index("id")
    return sorted(rows, key=lambda r: (r[date] != "", r[date], int(r[row_id])))


# --- one "launches" --------------------------------------------------------------------------------

def test_cli_launches_export_is_the_launch_events_csv(datasette_server, crawled):
    served_header, served = served_launch_events(datasette_server)
    header, rows = table(export(crawled, "launches", "--csv").stdout)
    assert header == served_header  # the same columns in the same order …
    assert rows == chronological(served_header, served)  # … and the same rows, value for value
    db = sqlite_utils.Database(crawled["db_path"])
    assert len(rows) == db.execute("select count(*) from story_launches").fetchone()[0] > 0
    for column in ("new_unit", "latitude", "longitude", "year", "month", "article_key", "permalink", "simulated"):
        assert column in header
    as_dicts = [dict(zip(header, r)) for r in rows]
    assert all(r["permalink"] == f"/-/article/{r['article_key']}" and r["article_key"] for r in as_dicts)
    assert {r["simulated"] for r in as_dicts} == {"1"}  # every portal of the crawled archive is the simulator's
    assert all(r["year"] == r["event_date"][:4] and r["month"] == r["event_date"][:7] for r in as_dicts if r["event_date"])
    assert any(r["latitude"] and r["new_unit"] for r in as_dicts)
    permalink = as_dicts[0]["permalink"]
    assert as_dicts[0]["title"] in get(datasette_server + permalink)  # the permalink is the article page


def test_simulated_is_the_portals_flag(crawled, tmp_path):
    import shutil

    db_path = tmp_path / "thanthien.db"
    shutil.copy(crawled["db_path"], db_path)
    db = sqlite_utils.Database(db_path)
    portal = db.execute("select portal from launch_events order by id limit 1").fetchone()[0]
    with db.conn:
        db.execute("update portals set simulated = 0 where name = ?", [portal])
    db.close()
    for name in ("launches", "articles", "officials", "stories"):  # every export carries the flag
        rows = [json.loads(line) for line in thanthien("export", name, "--jsonl", "--db", db_path).stdout.splitlines()]
        flags = {r["simulated"] for r in rows if r["portal"] == portal}
        assert flags == {0} if name != "stories" else flags <= {0}, name  # it may have no republished copy
        assert {r["simulated"] for r in rows if r["portal"] != portal} == {1}, name


def test_copies_are_the_same_columns_over_every_launch(crawled):
    header, canonical = table(export(crawled, "launches").stdout)
    copies_header, copies = table(export(crawled, "launches", "--copies").stdout)
    assert copies_header == header
    db = sqlite_utils.Database(crawled["db_path"])
    assert sorted(int(r[0]) for r in copies) == sorted(r[0] for r in db.execute("select id from launches"))
    assert len(copies) > len(canonical)  # the simulator republishes reports
    by_id = {r[0]: r for r in copies}
    assert all(by_id[r[0]] == r for r in canonical)  # a canonical row is the same row in both
    assert copies == chronological(header, copies)


def test_other_exports_carry_the_article_key(crawled):
    db = sqlite_utils.Database(crawled["db_path"])
    keys = dict(db.execute("select id, article_key from articles"))
    for name, id_column in (("articles", "id"), ("officials", "article_id")):
        rows = json.loads(export(crawled, name, "--json").stdout)
        assert rows and all(r["article_key"] == keys[r[id_column]] for r in rows), name
    articles = table(export(crawled, "articles").stdout)[0]
    assert articles[:2] == ["id", "canonical_url"] and articles[-3:] == ["body_text", "article_key", "simulated"]


# --- filters that accept natural input ---------------------------------------------------------------

@pytest.mark.parametrize("typed", ["Thanh Hoa", "tỉnh Thanh Hóa", "thanh hoá", "THANH HÓA", "Tỉnh Thanh Hoá"])
def test_province_filter_accepts_natural_input(crawled, datasette_server, typed):
    header, rows = table(export(crawled, "launches", "--province", typed).stdout)
    served_header, served = served_launch_events(datasette_server, "&province=" + urllib.parse.quote("Thanh Hóa"))
    assert rows and rows == chronological(served_header, served)
    assert {r[header.index("province")] for r in rows} == {"Thanh Hóa"}


@pytest.mark.parametrize("typed", ["Quan Sơn", "quan son", "huyện Quan Sơn", "huyen quan son", "Huyện Quan Sơn"])
def test_district_filter_accepts_names_without_type_words(crawled, datasette_server, typed):
    header, rows = table(export(crawled, "launches", "--district", typed).stdout)
    served_header, served = served_launch_events(datasette_server, "&district=" + urllib.parse.quote("huyện Quan Sơn"))
    assert rows and rows == chronological(served_header, served)
    assert {r[header.index("district")] for r in rows} == {"huyện Quan Sơn"}


def test_place_filters_apply_to_articles_and_officials(crawled):
    db = sqlite_utils.Database(crawled["db_path"])
    in_quanson = {r[0] for r in db.execute("select article_id from launches where district = 'huyện Quan Sơn'")}
    articles = json.loads(export(crawled, "articles", "--json", "--district", "quan son").stdout)
    assert articles and {a["id"] for a in articles} == in_quanson
    officials = json.loads(export(crawled, "officials", "--json", "--province", "thanh hoa").stdout)
    assert officials and {o["article_id"] for o in officials} <= {
        r[0] for r in db.execute("select article_id from launches where province = 'Thanh Hóa'")}


def test_matching_names_keeps_names_apart():
    districts = ["huyện Quan Sơn", "huyện Quan Hóa", "thành phố Sầm Sơn", "quận Ba Đình", "huyện Sơn"]
    assert matching_names("quan son", districts) == ["huyện Quan Sơn"]  # "quan" is a name here, not quận
    assert matching_names("Quan Hoá", districts) == ["huyện Quan Hóa"]
    assert matching_names("tp sam son", districts) == ["thành phố Sầm Sơn"]
    assert matching_names("Ba Dinh", districts) == matching_names("quận Ba Đình", districts) == ["quận Ba Đình"]
    assert matching_names("son", districts) == ["huyện Sơn"]
    assert matching_names("Nga Sơn", districts) == []


@pytest.mark.parametrize("since,until", [("2024", "2024"), ("2023-06", "2024-03"), ("2024-03-21", None), (None, "2022-12-31")])
def test_date_filters_take_years_months_and_days(crawled, since, until):
    args = (["--since", since] if since else []) + (["--until", until] if until else [])
    header, rows = table(export(crawled, "launches", "--copies", *args).stdout)
    all_rows = table(export(crawled, "launches", "--copies").stdout)[1]
    date = header.index("event_date")
    expected = [r for r in all_rows if r[date] and (not since or r[date] >= since) and (not until or r[date][:len(until)] <= until)]
    assert rows == expected
    if since == until == "2024":
        assert rows and {r[date][:4] for r in rows} == {"2024"}  # --until 2024 includes all of 2024


@pytest.mark.parametrize("args", [["--since", "2024-13-45"], ["--until", "2024-02-30"], ["--since", "24-01"],
                                  ["--since", "yesterday"], ["--since", "2025", "--until", "2024"]])
def test_a_bad_date_is_one_clear_line(crawled, args):
    result = export(crawled, "launches", *args, check=False)
    assert result.returncode == 1 and result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("thanthien: ") and "Traceback" not in result.stderr
    assert "YYYY" in lines[0] or "after" in lines[0]


def test_an_empty_export_has_its_header_and_a_hint(crawled, tmp_path):
    result = export(crawled, "launches", "--province", "Hà Nội")
    header, rows = table(result.stdout)
    assert rows == [] and header[:2] == ["id", "unit"] and "permalink" in header
    assert "no province in the archive matches 'Hà Nội'" in result.stderr
    assert "Thanh Hóa (" in result.stderr and "huyện Quan Sơn" in result.stderr and "Đắk Lắk" in result.stderr
    # both filters match something, but not together
    together = export(crawled, "launches", "--province", "Đắk Lắk", "--district", "Quan Sơn")
    assert table(together.stdout)[1] == [] and "together" in together.stderr
    dated = export(crawled, "articles", "--since", "2031", "--json")
    assert json.loads(dated.stdout) == [] and "articles dated" in dated.stderr
    out = tmp_path / "none.csv"
    written = export(crawled, "launches", "--district", "huyện Nowhere", "-o", out)
    assert out.read_bytes().startswith(b"\xef\xbb\xbfid,unit,") and out.read_text("utf-8-sig").count("\n") == 1
    assert "0 launches rows" in written.stderr


# --- people who download the .db -----------------------------------------------------------------

FTS_QUERY = ("select articles.id, articles.article_key, articles.title, articles.published_date, articles.url"
             " from articles_fts join articles on articles.id = articles_fts.rowid"
             " where articles_fts match :q order by rank")


def sqlite_utils_cli(*args) -> subprocess.CompletedProcess:
    return subprocess.run([str(SQLITE_UTILS), *map(str, args)], capture_output=True, text=True, timeout=60)


@pytest.mark.skipif(not SQLITE_UTILS.exists(), reason=".venv/bin/sqlite-utils is not installed")
def test_the_downloaded_db_is_searchable_with_sqlite_utils(crawled):
    db = sqlite_utils.Database(crawled["db_path"])
    expected = {r["id"] for r in db.query("select id, title, body_text from articles")
                if matches_all(f"{r['title']}\n\n{r['body_text']}", "Đảng ủy")}
    assert expected
    for query in ("dang uy", "dảng ủy", "DANG UY"):  # as the README says: any marks, but đ written d
        result = sqlite_utils_cli("query", crawled["db_path"], FTS_QUERY, "-p", "q", query)
        assert result.returncode == 0, result.stderr
        rows = json.loads(result.stdout)
        assert {r["id"] for r in rows} == expected, query
        titles = dict(db.execute("select id, title from articles"))
        assert all(r["title"] == titles[r["id"]] for r in rows)  # the text as written, not the folded index
    assert json.loads(sqlite_utils_cli("query", crawled["db_path"], FTS_QUERY, "-p", "q", "Đảng ủy").stdout) == []
    # The README's literal form, inline in the SQL:
    inline = sqlite_utils_cli(crawled["db_path"], FTS_QUERY.replace(":q", "'dang uy'"), "--csv")
    assert inline.returncode == 0 and len(inline.stdout.strip().splitlines()) == len(expected) + 1
    # `sqlite-utils search DB articles` needs an FTS table declared content="articles" (its
    # detect_fts); articles_fts is a standalone index of folded text, so the README says to use the
    # query above. When the index becomes external-content, this flips: update the README.
    search = sqlite_utils_cli("search", crawled["db_path"], "articles", "dang uy")
    assert search.returncode != 0 and "not configured for full-text search" in search.stderr
