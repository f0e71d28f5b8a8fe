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

from archive import launch_events, permalink
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
        _create_tables(db)
        db.execute(f"PRAGMA user_version={SCHEMA_VERSION}")


def _create_tables(db: sqlite_utils.Database) -> None:
    db["portals"].create(
        {"name": str, "title": str, "base_url": str, "platform": str, "province": str, "district": str,
         "district_code": str, "status": str, "verified": int, "simulated": int},
        pk="name", if_not_exists=True,
    )
    db["crawl_runs"].create(
        {"id": int, "started_at": str, "finished_at": str, "status": str, "portals": str, "pages_fetched": int,
         "articles_new": int, "articles_updated": int, "articles_unchanged": int, "pages_dropped": int,
         "errors": int, "error_summary": str, "pid": int, "faults": int},
        pk="id", if_not_exists=True,
    )
    db["crawl_events"].create(
        {"id": int, "crawl_run_id": int, "portal": str, "url": str, "kind": str, "status": int,
         "final": int, "detail": str, "at": str},
        pk="id", foreign_keys=[("crawl_run_id", "crawl_runs", "id")], if_not_exists=True,
    )
    db["crawl_events"].create_index(["crawl_run_id", "kind"], if_not_exists=True)
    db["captures"].create(
        {"id": int, "url": str, "fetched_at": str, "status": int, "content_type": str, "sha256": str,
         "warc_path": str, "warc_offset": int, "warc_length": int, "crawl_run_id": int, "portal": str,
         "etag": str, "last_modified": str, "source": str, "snapshot_timestamp": str, "archive_url": str},
        pk="id", foreign_keys=[("crawl_run_id", "crawl_runs", "id")], if_not_exists=True,
    )
    db["captures"].create_index(["url"], if_not_exists=True)
    db["captures"].create_index(["warc_path", "warc_offset"], if_not_exists=True)
    # The record's columns are the schema's (schema/record.schema.json x-sqlite), at their positions;
    # the store's own columns follow, and a field added to the schema comes last (_schema_columns).
    db["articles"].create(
        {"id": int, **_placed_columns("articles"),
         "first_seen": str, "last_seen": str, "crawl_run_id": int, "capture_id": int,
         "recovered_from": str, "snapshot_date": str, "story_id": int, "is_canonical": int, "article_key": str},
        pk="id", not_null={"canonical_url", "url"}, if_not_exists=True,
        foreign_keys=[("portal", "portals", "name"), ("crawl_run_id", "crawl_runs", "id"), ("capture_id", "captures", "id")],
    )
    # Wayback provenance (archive/recover.py): archives made before it get the columns, NULL.
    for table, column in (("captures", "snapshot_timestamp"), ("captures", "archive_url"),
                          ("articles", "recovered_from"), ("articles", "snapshot_date")):
        if column not in db[table].columns_dict:
            db[table].add_column(column, str)
    # Stories (archive/stories.py): one row per story, articles.story_id and is_canonical.
    from archive import coverage, stories

    stories.create_tables(db)
    for column in ("story_id", "is_canonical"):
        if column not in db["articles"].columns_dict:
            db["articles"].add_column(column, int)
    db["articles"].create_index(["story_id"], if_not_exists=True)
    db["articles"].create_index(["canonical_url"], unique=True, if_not_exists=True)
    # the public key of each article (archive/permalink.py); archives made before it get theirs here
    if "article_key" not in db["articles"].columns_dict:
        db["articles"].add_column("article_key", str)
    permalink.fill_missing_keys(db)
    db["articles"].create_index(["article_key"], unique=True, if_not_exists=True)
    _schema_columns(db, "articles")
    db["articles"].create_index(["published_date"], if_not_exists=True)
    db["articles"].create_index(["content_hash"], if_not_exists=True)
    db["launches"].create(
        # one row per unit of the event: the event's own columns (schema x-sqlite), then the gazetteer's
        {"id": int, "article_id": int, "unit": str, "unit_type": str, **_placed_columns("launches"),
         "unit_code": str, "unit_name": str, "district_code": str,
         "province_code": str, "new_unit": str, "new_unit_code": str, "latitude": float, "longitude": float,
         "gazetteer_status": str},
        pk="id", foreign_keys=[("article_id", "articles", "id")], if_not_exists=True,
    )
    _schema_columns(db, "launches")
    db["launches"].create_index(["article_id"], if_not_exists=True)
    for table, column in (("slogans", "slogan"), ("documents", "code")):
        db[table].create({"id": int, column: str}, pk="id", if_not_exists=True)
        db[table].create_index([column], unique=True, if_not_exists=True)
    # An official is a person in a place: namesakes in two districts are two people. The place is
    # the report's district and province ('' when the report names none, so the key is never NULL).
    db["officials"].create({"id": int, "name": str, "district": str, "province": str}, pk="id",
                           not_null={"district", "province"}, defaults={"district": "", "province": ""},
                           if_not_exists=True)
    db.execute("CREATE UNIQUE INDEX IF NOT EXISTS idx_officials_person ON officials (name, district, province)")
    db["article_officials"].create(
        {"article_id": int, "official_id": int, "title": str}, pk=("article_id", "official_id"),
        foreign_keys=[("article_id", "articles", "id"), ("official_id", "officials", "id")], if_not_exists=True,
    )
    db["article_slogans"].create(
        {"article_id": int, "slogan_id": int}, pk=("article_id", "slogan_id"),
        foreign_keys=[("article_id", "articles", "id"), ("slogan_id", "slogans", "id")], if_not_exists=True,
    )
    db["article_documents"].create(
        {"article_id": int, "document_id": int}, pk=("article_id", "document_id"),
        foreign_keys=[("article_id", "articles", "id"), ("document_id", "documents", "id")], if_not_exists=True,
    )
    coverage.create_table(db)
    # WARC files brought in by `import-warc`, known by their content (archive/ingest.py)
    db["imported_warcs"].create({"sha256": str, "path": str, "source_name": str, "bytes": int}, pk="sha256",
                                if_not_exists=True)
    # The search index holds folded text (no marks, đ→d) under the article's id as rowid. It is its
    # own table, not an external-content index on `articles`, so that stored text stays as written.
    if "articles_fts" not in db.table_names():
        db.execute(
            "CREATE VIRTUAL TABLE articles_fts USING fts5(title, body_text, tokenize='unicode61 remove_diacritics 2')"
        )
    # The publication's launches: a table kept by triggers (archive/launch_events.py), no longer a view.
    launch_events.ensure(db)
    # Views for the Datasette publication (facets by year and month); recreated when their SQL changes.
    for name, sql in VIEWS.items():
        found = db.execute("select sql from sqlite_master where type = 'view' and name = ?", [name]).fetchone()
        if found and not found[0].endswith(f" as {sql}"):
            db.execute(f"drop view {name}")
        db.execute(f"create view if not exists {name} as {sql}")


def _placed_columns(table: str) -> dict:
    """The schema's columns of `table` that have a position: {name: type} for a fresh table."""
    return {c.name: record_schema.SQL_TYPES[c.sql_type] for c in record_schema.columns(table) if c.position is not None}


def _schema_columns(db: sqlite_utils.Database, table: str) -> None:
    """Every schema column of `table` exists: a field added to the schema (or an archive made
    before it) gets its column at the end of the table, NULL until a store fills it."""
    present = db[table].columns_dict
    for column in record_schema.columns(table):
        if column.name not in present:
            db[table].add_column(column.name, record_schema.SQL_TYPES[column.sql_type])


VIEWS = {
    # Launch counts count stories: a report republished by three portals is one launch. The
    # `launches` table keeps every copy's rows; this view keeps the story's canonical copy only.
    "story_launches": (
        "select launches.* from launches join articles on articles.id = launches.article_id"
        " where coalesce(articles.is_canonical, 1) = 1"),
    "article_list": (
        "select id, published_date, substr(published_date, 1, 4) as year, substr(published_date, 1, 7) as month,"
        " portal, platform, title, author, source, is_launch_report, launch_score, url, article_key from articles"),
}


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
            _write_event(db, article_id, record)
            db.execute("delete from articles_fts where rowid = ?", [article_id])
            db.execute(
                "insert into articles_fts (rowid, title, body_text) values (?, ?, ?)",
                [article_id, fold(record["title"] or ""), fold(record["body_text"] or "")],
            )
            if stories is None:  # a one-off writer: the archive's index, loaded for this store
                from archive.stories import StoryAssigner

                stories = StoryAssigner(db)
            stories.assign(db, article_id, record["body_text"] or "", analysis=story_analysis)
            stories.save(db)  # commits the article, its story and its index entry together
    return article_id, status


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
    _create_tables(db)
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


def start_run(db: sqlite_utils.Database, portals: list[str]) -> int:
    import os

    with db.conn:
        return db["crawl_runs"].insert({
            "started_at": now_iso(), "status": "running", "portals": ",".join(portals), "pages_fetched": 0, "pid": os.getpid(),
            "articles_new": 0, "articles_updated": 0, "articles_unchanged": 0, "pages_dropped": 0, "errors": 0,
        }).last_pk


def record_event(db: sqlite_utils.Database, run_id: int | None, portal: str | None, url: str, kind: str,
                 status: int | None = None, final: bool = False, detail: str = "") -> None:
    with db.conn:
        db["crawl_events"].insert({"crawl_run_id": run_id, "portal": portal, "url": url, "kind": kind, "status": status,
                                   "final": int(final), "detail": detail or None, "at": now_iso()})


def event_counts(db: sqlite_utils.Database, run_id: int) -> dict:
    """faults (every event), errors (final failures) and the counts by kind, for a run."""
    by_kind = {kind: n for kind, n in db.execute(
        "select kind, count(*) from crawl_events where crawl_run_id = ? group by kind order by kind", [run_id])}
    errors = db.execute("select count(*) from crawl_events where crawl_run_id = ? and final = 1", [run_id]).fetchone()[0]
    return {"faults": sum(by_kind.values()), "errors": errors, "error_summary": json.dumps(by_kind) if by_kind else None}


def finish_run(db: sqlite_utils.Database, run_id: int, **counts) -> None:
    counts.pop("errors", None)
    with db.conn:
        db["crawl_runs"].update(run_id, {"finished_at": now_iso(), **counts, **event_counts(db, run_id)})


def _pid_alive(pid: int | None) -> bool:
    import os

    if not pid:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def interrupted_runs(db: sqlite_utils.Database) -> list[dict]:
    """Runs left 'running' by a process that no longer exists (killed, crashed): marked 'interrupted'."""
    stale = [r for r in db.query("select * from crawl_runs where status = 'running'") if not _pid_alive(r["pid"])]
    with db.conn:
        for run in stale:
            db["crawl_runs"].update(run["id"], {"status": "interrupted"})
    return stale


def unfinished_portals(db: sqlite_utils.Database) -> set[str]:
    """Portals whose latest run did not finish: their next run walks every listing page again."""
    latest: dict[str, str] = {}
    # Runs still 'running' are live processes (this one included): they say nothing about the past.
    for row in db.query("select portals, status from crawl_runs where status != 'running' order by id"):
        for name in (row["portals"] or "").split(","):
            latest[name] = row["status"]
    return {name for name, status in latest.items() if status == "interrupted"}
