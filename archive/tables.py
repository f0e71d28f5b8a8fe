"""The archive's tables, indexes and views, created where missing each time an archive is opened
(an older archive gets what it lacks). The record's columns come from the schema
(schema/record.schema.json); the store's own columns are written here."""
from __future__ import annotations

import sqlite_utils

from archive import launch_events, permalink
from pipelines import record_schema


def create_tables(db: sqlite_utils.Database) -> None:
    """Every table, index, trigger and view, where missing (older archives get their new columns)."""
    _run_tables(db)
    _article_tables(db)
    _event_tables(db)
    _search_and_publication(db)


def _run_tables(db: sqlite_utils.Database) -> None:
    """The registry, crawl runs, their faults and the captures."""
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


def _article_tables(db: sqlite_utils.Database) -> None:
    """Articles (the record's columns, then the store's), stories and permanent keys."""
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
    from archive import stories

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


def _event_tables(db: sqlite_utils.Database) -> None:
    """Launches, officials (people in a place), slogans, documents and the links to their reports."""
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


def _search_and_publication(db: sqlite_utils.Database) -> None:
    """Field coverage, imported WARCs, the search index, launch_events and the views."""
    from archive import coverage

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
