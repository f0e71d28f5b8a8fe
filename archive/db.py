"""The archive database: schema, writes and the diacritics-folded search index.

Every write of one article (its row, launches, officials, slogans, documents and search entry)
happens in one transaction, so a crash never leaves half an article. WAL journal mode keeps
readers (Datasette) working while a crawl writes.
"""
from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path

import sqlite_utils

from archive import permalink, tables
from pipelines import record_schema
from pipelines.text import fold

SCHEMA_VERSION = 3
DEFAULT_DB = Path("archive") / "thanthien.db"


class SchemaError(RuntimeError):
    """The database was written by a newer thanthien (or is not a thanthien archive)."""


def now_iso() -> str:
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat()


def open_db(path: str | Path, *, create: bool = True) -> sqlite_utils.Database:
    path = Path(path)
    if not create and not path.exists():
        raise FileNotFoundError(f"no archive at {path}")
    path.parent.mkdir(parents=True, exist_ok=True)
    db = sqlite_utils.Database(path)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=NORMAL")
    db.execute("PRAGMA foreign_keys=ON")
    ensure_schema(db)
    return db


def ensure_schema(db: sqlite_utils.Database) -> None:
    version = db.execute("PRAGMA user_version").fetchone()[0]
    if version > SCHEMA_VERSION:
        raise SchemaError(f"archive schema version {version} is newer than this thanthien ({SCHEMA_VERSION}); upgrade thanthien")
    with db.conn:
        if 0 < version < 2:
            _officials_by_place(db)
        tables.create_tables(db)
        db.execute(f"PRAGMA user_version={SCHEMA_VERSION}")


def sync_portals(db: sqlite_utils.Database, portals) -> None:
    with db.conn:
        db["portals"].upsert_all([p.as_row() for p in portals], pk="name")


def upsert_record(db: sqlite_utils.Database, record: dict, *, seen_at: str | None = None, crawl_run_id: int | None = None,
                  capture_id: int | None = None, recovered_from: str | None = None,
                  snapshot_date: str | None = None, stories=None, story_analysis=None) -> tuple[int, str]:
    """Store one extracted record by canonical URL, with all its rows (launches, officials, slogans,
    documents, search entry, story) in one transaction: a crash leaves the article whole or absent.
    Returns (article id, "new"|"updated"|"unchanged"|"kept_live"); an unchanged record whose rows are
    incomplete (an archive written by an older thanthien) is written again ("updated").

    `recovered_from` ('wayback') and `snapshot_date` mark a record recovered from an archive's
    snapshot (NULL for live crawls). Merge rule: a recovered record never replaces a live row
    ("kept_live": only its capture is kept); a live record replaces a recovered one. The story is
    decided here, in the article's transaction, with the writer's `stories` (archive/stories.py)
    and the body's `story_analysis` if made already; without `stories`, the index is loaded for this store."""
    seen_at = seen_at or now_iso()
    row = {
        **record_schema.article_values(record),  # the schema's columns (x-sqlite), as stored
        "last_seen": seen_at, "crawl_run_id": crawl_run_id, "capture_id": capture_id,
        "recovered_from": recovered_from, "snapshot_date": snapshot_date,
    }
    with db.atomic():  # one transaction: sqlite-utils' own writes nest as savepoints inside it
        if record["portal"]:
            _ensure_portal(db, record["portal"])
        # the stored values of the columns whose change makes the article "updated" (schema: all
        # but those marked compare false), compared by name
        compared = [c.name for c in record_schema.columns("articles") if c.compare]
        cursor = db.execute(f"select id, recovered_from, {', '.join(compared)} from articles where canonical_url = ?",
                            [record["canonical_url"]])
        found = cursor.fetchone()
        existing = dict(zip([d[0] for d in cursor.description], found)) if found else None
        if existing is None:
            row["first_seen"] = seen_at
            row["article_key"] = permalink.free_key(db, record["canonical_url"])
            article_id = db["articles"].insert(row).last_pk
            status = "new"
        else:
            article_id = existing["id"]
            if recovered_from and existing["recovered_from"] is None:
                return article_id, "kept_live"
            status = "unchanged" if all(existing[name] == row[name] for name in compared) else "updated"
            if status == "unchanged" and not _is_whole(db, article_id, record):
                status = "updated"  # rows an older, interrupted store left out: write them again
            if status == "unchanged":
                db["articles"].update(article_id, {"last_seen": max(seen_at, existing_last_seen(db, article_id)),
                                                   **({"capture_id": capture_id} if capture_id else {}),
                                                   "recovered_from": recovered_from, "snapshot_date": snapshot_date})
            else:
                db["articles"].update(article_id, row)
        if status != "unchanged":
            _write_rows(db, article_id, record, stories, story_analysis)
    return article_id, status


def _write_rows(db: sqlite_utils.Database, article_id: int, record: dict, stories, story_analysis) -> None:
    """An article's other rows, inside its transaction: event, search entry, story."""
    _write_event(db, article_id, record)
    db.execute("delete from articles_fts where rowid = ?", [article_id])
    db.execute("insert into articles_fts (rowid, title, body_text) values (?, ?, ?)",
               [article_id, fold(record["title"] or ""), fold(record["body_text"] or "")])
    if stories is None:  # a one-off writer: the archive's index, loaded for this store
        from archive.stories import StoryAssigner

        stories = StoryAssigner(db)
    stories.assign(db, article_id, record["body_text"] or "", analysis=story_analysis)
    stories.save(db)  # commits the article, its story and its index entry together


def _is_whole(db: sqlite_utils.Database, article_id: int, record: dict) -> bool:
    """The article has every row a store writes: its search entry, its story, and, for a launch
    report, one launch per unit (archives written before stores were one transaction can lack them)."""
    if not db.execute("select 1 from articles_fts where rowid = ?", [article_id]).fetchone():
        return False
    if db.execute("select story_id from articles where id = ?", [article_id]).fetchone()[0] is None:
        return False
    event = record.get("event") if record.get("is_launch_report") else None
    if event:
        launches = db.execute("select count(*) from launches where article_id = ?", [article_id]).fetchone()[0]
        if launches != max(1, len(event.get("units") or [])):
            return False
    return True


def _ensure_portal(db: sqlite_utils.Database, name: str) -> None:
    """articles.portal references portals.name: make sure the registry entry is there."""
    if db.execute("select 1 from portals where name = ?", [name]).fetchone():
        return
    from scrapers.registry import default_registry

    portal = default_registry().get(name)
    db["portals"].insert(portal.as_row() if portal else {"name": name})


def existing_last_seen(db: sqlite_utils.Database, article_id: int) -> str:
    return db.execute("select coalesce(last_seen, '') from articles where id = ?", [article_id]).fetchone()[0]


def add_capture(db: sqlite_utils.Database, row: dict) -> int:
    with db.conn:
        return db["captures"].insert(row).last_pk


def store_capture(db: sqlite_utils.Database, warc, capture: dict, *, portal: str | None, crawl_run_id: int | None,
                  warc_headers: dict | None = None) -> int:
    """One response kept: its WARC record written (and fsynced) by `warc` (an archive.warc.WarcStore),
    then its `captures` row; returns the row id. `capture` is what scrapers.extensions.capture_of
    makes of a response — the crawl process and the distributed store both keep captures this way."""
    stored = warc.write(capture["url"], capture["status"], "", capture["headers"], capture["body"],
                        request_method=capture["request_method"], request_headers=capture["request_headers"],
                        warc_date=capture["fetched_at"].replace("+00:00", "Z"),
                        extra_warc_headers={"WARC-Thanthien-Portal": portal or "", **(warc_headers or {}),
                                            **capture.get("warc_headers", {})})
    return add_capture(db, {
        "url": capture["url"], "fetched_at": capture["fetched_at"], "status": capture["status"],
        "content_type": capture.get("content_type"), "sha256": stored.sha256, "warc_path": stored.warc_path,
        "warc_offset": stored.offset, "warc_length": stored.length, "crawl_run_id": crawl_run_id, "portal": portal,
        "etag": capture.get("etag"), "last_modified": capture.get("last_modified"),
        "source": capture.get("source", "crawl"), **capture.get("columns", {}),
    })


def _write_event(db: sqlite_utils.Database, article_id: int, record: dict) -> None:
    for table in ("launches", "article_officials", "article_slogans", "article_documents"):
        db.execute(f"delete from {table} where article_id = ?", [article_id])
    event = record.get("event")
    if not record.get("is_launch_report") or not event:
        return
    from pipelines.gazetteer import resolve

    for unit in event.get("units") or [None]:
        place = resolve(unit, event.get("district"), event.get("province"))
        db["launches"].insert({
            "article_id": article_id, "unit": unit, "unit_type": _unit_type(unit),
            **record_schema.launch_values(event),  # the event's columns of the schema (x-sqlite: launches)
            **place.as_columns(),
        })
    for official in event.get("officials") or []:
        official_id = _official(db, official["name"], event.get("district"), event.get("province"))
        db["article_officials"].insert(
            {"article_id": article_id, "official_id": official_id, "title": official.get("title")}, replace=True
        )
    for slogan in event.get("slogans") or []:
        db["article_slogans"].insert({"article_id": article_id, "slogan_id": _lookup(db, "slogans", "slogan", slogan)}, replace=True)
    for code in event.get("documents") or []:
        db["article_documents"].insert({"article_id": article_id, "document_id": _lookup(db, "documents", "code", code)}, replace=True)


def _official(db: sqlite_utils.Database, name: str, district: str | None, province: str | None) -> int:
    key = [name, district or "", province or ""]
    found = db.execute("select id from officials where name = ? and district = ? and province = ?", key).fetchone()
    if found:
        return found[0]
    return db["officials"].insert({"name": key[0], "district": key[1], "province": key[2]}).last_pk


def _officials_by_place(db: sqlite_utils.Database) -> None:
    """Schema 1 → 2: officials were keyed by name alone; re-key them by name and place from the
    stored events (the titles per report stay in article_officials)."""
    db.execute("DELETE FROM article_officials")
    db.execute("DROP TABLE IF EXISTS officials")
    tables.create_tables(db)
    rows = db.execute("select id, event from articles where is_launch_report = 1 and event is not null").fetchall()
    for article_id, event_json in rows:
        event = json.loads(event_json)
        for official in event.get("officials") or []:
            official_id = _official(db, official["name"], event.get("district"), event.get("province"))
            db["article_officials"].insert(
                {"article_id": article_id, "official_id": official_id, "title": official.get("title")}, replace=True)


def _lookup(db: sqlite_utils.Database, table: str, column: str, value: str) -> int:
    found = db.execute(f"select id from {table} where {column} = ?", [value]).fetchone()
    if found:
        return found[0]
    return db[table].insert({column: value}).last_pk


def _unit_type(unit: str | None) -> str | None:
    if not unit:
        return None
    for word in ("thị trấn", "phường", "xã"):
        if unit.lower().startswith(word):
            return word
    return None
