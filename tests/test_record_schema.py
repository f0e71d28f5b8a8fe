"""The record as a schema (issue 16, item 2): schema/record.schema.json is the contract, and the
record's keys, the archive's columns, the exports, the Datasette descriptions and the coverage
report derive from it — a field added to the file reaches all of them with no other edit."""
from __future__ import annotations

import contextlib
import csv
import io
import json
import logging
import os
import sqlite3
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest
import yaml

from archive import coverage as archive_coverage
from archive import db as archive_db
from archive.export import export_rows
from archive.publish import load_metadata
from pipelines import record_schema
from pipelines.coverage import CoveragePipeline
from scrapers.registry import portal_of
from pipelines.extract import NotAnArticle, extract_record

from .conftest import FIXTURES, ROOT, free_port, thanthien, wait_for_http

EVAL = FIXTURES / "eval"

# Today's archive and export, as they were before the schema: the schema must give exactly these.
ARTICLES_COLUMNS = [
    "id", "canonical_url", "url", "portal", "platform", "title", "published_date", "author", "source", "body_text",
    "images", "content_hash", "is_launch_report", "launch_score", "event", "first_seen", "last_seen", "crawl_run_id",
    "capture_id", "recovered_from", "snapshot_date", "story_id", "is_canonical", "article_key"]
LAUNCHES_COLUMNS = [
    "id", "article_id", "unit", "unit_type", "district", "province", "event_date", "board_size", "unit_code",
    "unit_name", "district_code", "province_code", "new_unit", "new_unit_code", "latitude", "longitude",
    "gazetteer_status"]
ARTICLES_EXPORT = [
    "id", "canonical_url", "url", "portal", "platform", "title", "published_date", "author", "source",
    "is_launch_report", "launch_score", "content_hash", "first_seen", "last_seen", "body_text", "article_key",
    "simulated"]


def eval_records() -> list[tuple[str, dict]]:
    records = []
    for html in sorted(EVAL.glob("*.html")):
        gold = json.loads(html.with_name(html.stem + ".gold.json").read_text(encoding="utf-8"))
        try:
            records.append((html.stem, extract_record(html.read_bytes(), gold["url"], gold.get("headers"),
                                                      portal=portal_of(gold["url"], gold.get("portal")))))
        except NotAnArticle:
            continue
    return records


def columns(db_path: Path, table: str) -> list[str]:
    with contextlib.closing(sqlite3.connect(db_path)) as conn:
        return [row[1] for row in conn.execute(f"pragma table_info([{table}])")]


# --- the schema and the record ---------------------------------------------------------------------

def test_the_schema_is_the_record_of_record_md():
    assert record_schema.SOURCE == "schema/record.schema.json"
    assert record_schema.RECORD_KEYS == (
        "url", "canonical_url", "portal", "platform", "title", "published_date", "author", "source", "body_text",
        "images", "content_hash", "is_launch_report", "launch_score", "event")
    assert record_schema.EVENT_FIELDS == ("event_date", "units", "district", "province", "unit_codes", "board_size",
                                          "officials", "slogans", "documents")
    shipped = json.loads((ROOT / "schema" / "record.schema.json").read_text(encoding="utf-8"))
    assert shipped["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert all(p.get("description") for p in shipped["properties"].values())
    assert all(p.get("description") for p in shipped["properties"]["event"]["properties"].values())


def test_every_saved_page_gives_a_record_the_schema_accepts():
    records = eval_records()
    assert len(records) >= 60
    for name, record in records:
        assert tuple(record) == record_schema.RECORD_KEYS, name
        if record["event"] is not None:
            assert tuple(record["event"]) == record_schema.EVENT_FIELDS, name
        assert record_schema.validate(record) == [], name
    # and no field of the schema is one that no page fills (a key the extractors dropped, null everywhere)
    filled = {field for _, record in records for field, is_filled in record_schema.coverage_values(record) if is_filled}
    assert filled == set(record_schema.COVERAGE_FIELDS)


def test_a_record_that_breaks_the_schema_is_told_by_field():
    _, record = next((n, r) for n, r in eval_records() if r["event"])
    broken = {**record, "title": 7, "event": {**record["event"], "board_size": "mười một"}}
    del broken["author"]
    assert {field for field, _ in record_schema.validate(broken)} == {"title", "author", "event.board_size"}


# --- what derives from it ------------------------------------------------------------------------------

def test_a_fresh_archive_and_its_export_have_todays_columns_in_todays_order(tmp_path):
    db_path = tmp_path / "thanthien.db"
    db = archive_db.open_db(db_path)
    header, _rows = export_rows(db, "articles")
    db.close()
    assert columns(db_path, "articles") == ARTICLES_COLUMNS
    assert columns(db_path, "launches") == LAUNCHES_COLUMNS
    assert header == ARTICLES_EXPORT
    assert columns(db_path, "field_coverage") == ["crawl_run_id", "portal", "field", "filled", "articles", "share",
                                                  "invalid"]


def test_the_crawled_archive_and_its_csv_have_todays_columns(crawled):
    assert columns(crawled["db_path"], "articles") == ARTICLES_COLUMNS
    assert columns(crawled["db_path"], "launches") == LAUNCHES_COLUMNS
    csv_text = thanthien("export", "articles", "--csv", "--db", crawled["db_path"]).stdout
    assert next(csv.reader(io.StringIO(csv_text.lstrip("\ufeff")))) == ARTICLES_EXPORT


def test_column_descriptions_come_from_the_schema_and_metadata_yml_keeps_the_rest():
    tables = load_metadata("thanthien")["databases"]["thanthien"]["tables"]
    for table, described in record_schema.described_columns().items():
        for column, description in described.items():
            assert tables[table]["columns"][column] == description
    assert tables["story_launches"]["columns"]["board_size"] == tables["launches"]["columns"]["board_size"]
    # metadata.yml no longer repeats what the schema says (one place for each description)
    raw = yaml.safe_load((ROOT / "archive" / "datasette" / "metadata.yml").read_text(encoding="utf-8"))
    articles = raw["databases"]["thanthien"]["tables"]["articles"]["columns"]
    assert not set(articles) & set(record_schema.described_columns()["articles"])
    # the table page lists them where it did before the schema
    assert list(tables["articles"]["columns"])[:4] == ["id", "article_key", "canonical_url", "url"]


def test_stored_and_new_values_are_compared_by_name(tmp_path):
    _, record = next((n, r) for n, r in eval_records() if r["event"])
    db = archive_db.open_db(tmp_path / "thanthien.db")
    assert archive_db.upsert_record(db, record)[1] == "new"
    assert archive_db.upsert_record(db, dict(record))[1] == "unchanged"
    assert archive_db.upsert_record(db, {**record, "platform": "generic"})[1] == "unchanged"  # compare: false
    assert archive_db.upsert_record(db, {**record, "author": "Người Khác"})[1] == "updated"
    changed_event = {**record, "author": "Người Khác", "event": {**record["event"], "board_size": 99}}
    assert archive_db.upsert_record(db, changed_event)[1] == "updated"
    assert db.execute("select distinct board_size from launches").fetchall() == [(99,)]
    db.close()


# --- the coverage pipeline and report ---------------------------------------------------------------

def _is_filled(value) -> bool:
    return value is not None and value not in ("", [], {})


def test_coverage_rows_are_the_counts_of_the_articles_table(crawled):
    with contextlib.closing(sqlite3.connect(crawled["db_path"])) as conn:
        conn.row_factory = sqlite3.Row
        run_id = conn.execute("select min(crawl_run_id) from field_coverage").fetchone()[0]
        booked = {(r["portal"], r["field"]): (r["filled"], r["articles"], r["share"], r["invalid"])
                  for r in conn.execute("select * from field_coverage where crawl_run_id = ?", [run_id])}
        articles = [dict(r) for r in conn.execute("select * from articles")]
    expected: dict[tuple[str, str], list[int]] = {}
    for row in articles:
        for key in record_schema.RECORD_KEYS:
            value = row[key]
            if key in ("images", "event") and value is not None:
                value = json.loads(value)
            count = expected.setdefault((row["portal"], key), [0, 0])
            count[0] += _is_filled(value)
            count[1] += 1
        event = json.loads(row["event"]) if row["event"] else None
        for key in record_schema.EVENT_FIELDS:
            count = expected.setdefault((row["portal"], f"event.{key}"), [0, 0])
            if event is not None:
                count[0] += _is_filled(event.get(key))
                count[1] += 1
    assert {k: (v[0], v[1]) for k, v in booked.items()} == {k: tuple(v) for k, v in expected.items()}
    assert all(share == (round(f / n, 4) if n else None) and invalid == 0 for f, n, share, invalid in booked.values())
    assert "coverage: 23 fields, see field_coverage" in crawled["output"]


def test_fields_that_fell_are_named_in_the_summary_and_the_drift_query(tmp_path):
    db = archive_db.open_db(tmp_path / "thanthien.db")
    for run in (1, 2, 3):
        db["crawl_runs"].insert({"id": run, "status": "finished"})

    def counts(author, board):
        return {"title": {"filled": 10, "articles": 10, "invalid": 0},
                "author": {"filled": author, "articles": 10, "invalid": 0},
                "event.board_size": {"filled": board, "articles": 4, "invalid": 1}}

    archive_coverage.save(db, 1, "quanson", counts(9, 4))
    archive_coverage.save(db, 1, "samson", counts(9, 4))
    archive_coverage.save(db, 2, "quanson", counts(9, 4))
    assert archive_coverage.summary_lines(db, 2) == ["coverage: 3 fields, see field_coverage"]
    archive_coverage.save(db, 3, "quanson", counts(2, 1))  # the template changed: author and board size lost
    archive_coverage.save(db, 3, "samson", counts(9, 4))
    assert archive_coverage.summary_lines(db, 3) == ["coverage quanson: fell event.board_size 100%→25%, author 90%→20%"]
    sql = load_metadata("thanthien")["databases"]["thanthien"]["queries"]["coverage_drift"]["sql"]
    drift = [(r[0], r[1], r[2], r[3]) for r in db.execute(sql)]
    assert drift == [("quanson", "event.board_size", 1.0, 0.25), ("quanson", "author", 0.9, 0.2)]
    db.close()


class _Crawler:
    class settings:  # noqa: N801 (a stand-in for Scrapy's settings object)
        @staticmethod
        def get(name):
            return None

    class stats:  # noqa: N801
        values: dict = {}

        @classmethod
        def inc_value(cls, key):
            cls.values[key] = cls.values.get(key, 0) + 1


def test_a_record_that_breaks_the_schema_is_logged_and_passed_on(caplog):
    _, record = next((n, r) for n, r in eval_records() if r["event"])
    broken = {**record, "event": {**record["event"], "board_size": "mười một"}}
    pipeline = CoveragePipeline(_Crawler())
    item = {"url": broken["url"], "record": broken}
    with caplog.at_level(logging.WARNING, logger="pipelines.coverage"):
        assert pipeline.process_item(item) is item  # stored anyway: the store pipeline gets it unchanged
    assert "event.board_size" in caplog.text and "stored anyway" in caplog.text
    tally = pipeline.counts.portals[record["portal"]]
    assert tally["event.board_size"] == {"filled": 1, "articles": 1, "invalid": 1}
    assert tally["title"] == {"filled": 1, "articles": 1, "invalid": 0}


# --- a field added to the schema, and nothing else ---------------------------------------------------

def test_a_field_added_to_the_schema_reaches_the_archive_the_export_datasette_and_coverage(simulator, tmp_path):
    schema = json.loads((ROOT / "schema" / "record.schema.json").read_text(encoding="utf-8"))
    schema["properties"]["lead"] = {
        "type": ["string", "null"], "description": "The article's lead paragraph (sapo) as published",
        "x-sqlite": {"table": "articles", "type": "TEXT"}, "x-export": {"articles": None}}
    schema["properties"]["event"]["properties"]["venue"] = {
        "type": ["string", "null"], "description": "Where the launch ceremony was held (hội trường …)",
        "x-sqlite": {"table": "launches", "type": "TEXT"}}
    schema_path = tmp_path / "record.schema.json"
    schema_path.write_text(json.dumps(schema, ensure_ascii=False), encoding="utf-8")
    env = dict(os.environ, THANTHIEN_RECORD_SCHEMA=str(schema_path))
    db_path = tmp_path / "archive" / "thanthien.db"
    names = ("sim-quangchau", "sim-samson")
    args = ["crawl", "--simulated", "--db", db_path]
    for name in names:
        args += ["--portal", name, "--base-url", f"{name}={simulator.base_urls[name]}"]
    crawl = thanthien(*args, env=env)
    assert "coverage: 25 fields, see field_coverage" in crawl.stdout

    assert columns(db_path, "articles")[-1] == "lead" and columns(db_path, "launches")[-1] == "venue"
    with contextlib.closing(sqlite3.connect(db_path)) as conn:
        coverage = {(p, f): (share, n) for p, f, share, n in conn.execute(
            "select portal, field, share, articles from field_coverage where field in ('lead', 'event.venue')")}
        stored = conn.execute("select count(*), count(lead) from articles").fetchone()
    assert stored[0] > 0 and stored[1] == 0
    assert {k: v[0] for k, v in coverage.items()} == {(p, f): 0.0 for p in names for f in ("lead", "event.venue")}

    exported = thanthien("export", "articles", "--csv", "--db", db_path, env=env).stdout
    header = next(csv.reader(io.StringIO(exported.lstrip("\ufeff"))))
    assert header == ARTICLES_EXPORT + ["lead"]

    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "archive.cli", "serve", "--db", str(db_path), "--port", str(port)],
                              cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for_http(f"http://127.0.0.1:{port}/-/versions.json")
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/-/metadata.json", timeout=30) as response:
            tables = json.loads(response.read())["databases"]["thanthien"]["tables"]
    finally:
        server.terminate()
        server.wait(timeout=10)
    assert tables["articles"]["columns"]["lead"] == "The article's lead paragraph (sapo) as published"
    assert tables["launches"]["columns"]["venue"] == tables["story_launches"]["columns"]["venue"]

    # the shipped schema is untouched: without the override the archive reads as before
    assert "lead" not in record_schema.RECORD_KEYS


@pytest.mark.parametrize("bad, says", [
    ({"x-sqlite": {"table": "launches", "type": "TEXT"}}, "x-sqlite table must be 'articles'"),
    ({"x-sqlite": {"table": "articles", "type": "INTEGER"}}, "is stored as TEXT"),
])
def test_a_misused_project_keyword_is_one_clear_error(tmp_path, bad, says):
    schema = json.loads((ROOT / "schema" / "record.schema.json").read_text(encoding="utf-8"))
    schema["properties"]["lead"] = {"type": ["string", "null"], "description": "x", **bad}
    path = tmp_path / "s.json"
    path.write_text(json.dumps(schema), encoding="utf-8")
    result = subprocess.run([sys.executable, "-c", "import pipelines.record_schema"], cwd=ROOT, capture_output=True,
                            text=True, env=dict(os.environ, THANTHIEN_RECORD_SCHEMA=str(path)))
    assert result.returncode == 1 and says in result.stderr, result.stderr
