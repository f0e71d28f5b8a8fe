"""Serve the archive with Datasette: metadata keyed to the database's name, read-only settings."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from importlib import resources
from pathlib import Path

import yaml

from pipelines import record_schema

# Read-only and bounded by default: the archive is published, not edited, over the web.
SERVE_SETTINGS = {
    "sql_time_limit_ms": 3000,
    "max_returned_rows": 2000,
    "max_csv_mb": 0,  # full CSV exports: the default (100) truncates even _stream=on
    "default_page_size": 50,
    "facet_time_limit_ms": 400,
    # suggested facets run a query per column on every table page (bench/search.py: half the time
    # of a table search at a million articles); the metadata names the facets worth having
    "suggest_facets": False,
}


# Stories (pipelines/dedupe/) give articles a story_id: copies of one report share it. The query is
# added only for an archive that has the column, so an archive without stories has no broken page.
STORIES_QUERY = {
    "title": "Stories with their copies",
    "hide_sql": True,
    "description": "Reports published on several portals (or twice): one row per story with at least two copies, the earliest copy's title (links to its article page), how many copies on how many portals, and every copy with its portal, date and URL.",
    "sql": """select articles.story_id,
       (select a.title from articles a where a.story_id = articles.story_id order by a.published_date, a.id limit 1) as title,
       count(*) as copies, count(distinct articles.portal) as portals,
       min(articles.published_date) as first_published, max(articles.published_date) as last_published,
       max(articles.is_launch_report) as is_launch_report,
       group_concat(coalesce(articles.portal, '?') || ' ' || coalesce(articles.published_date, '') || ' ' || articles.url, char(10)) as copy_list,
       (select a.id from articles a where a.story_id = articles.story_id order by a.published_date, a.id limit 1) as article_id
from articles where articles.story_id is not null
group by articles.story_id having count(*) > 1
order by copies desc, first_published""",
}


def has_stories(db_path: Path | None) -> bool:
    import sqlite3

    if db_path is None or not Path(db_path).exists():
        return False
    try:
        conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
        try:
            return "story_id" in {row[1] for row in conn.execute("pragma table_info(articles)")}
        finally:
            conn.close()
    except sqlite3.Error:
        return False


# The descriptions of the record's columns come from the schema (schema/record.schema.json), the
# rest of the metadata from metadata.yml. On a table page they are listed after this column of
# metadata.yml (where the page listed them before the schema), a table not named here at the end;
# views that are `select TABLE.*` get the table's descriptions too.
SCHEMA_COLUMNS_AFTER = {"articles": "article_key", "launches": "unit_type", "story_launches": "unit_type"}
SAME_COLUMNS = {"launches": ("story_launches",)}


def schema_descriptions(tables: dict) -> None:
    """Add the schema's column descriptions to metadata.yml's tables (in place)."""
    for table, described in record_schema.described_columns().items():
        for name in (table, *SAME_COLUMNS.get(table, ())):
            meta = tables.setdefault(name, {})
            listed = {k: v for k, v in (meta.get("columns") or {}).items() if k not in described}
            after = SCHEMA_COLUMNS_AFTER.get(name)
            cut = list(listed).index(after) + 1 if after in listed else len(listed)
            items = list(listed.items())
            meta["columns"] = dict(items[:cut] + list(described.items()) + items[cut:])


def load_metadata(db_name: str, db_path: Path | None = None) -> dict:
    """metadata.yml with its database section keyed to the served file's name, the column
    descriptions of the record's fields from the schema (and, for an archive with stories, the
    stories query)."""
    text = resources.files("archive.datasette").joinpath("metadata.yml").read_text(encoding="utf-8")
    text = text.replace("/thanthien/", f"/{db_name}/")  # links in descriptions follow the served file's name
    metadata = yaml.safe_load(text)
    databases = metadata.get("databases", {})
    if databases:
        metadata["databases"] = {db_name: next(iter(databases.values()))}
        schema_descriptions(metadata["databases"][db_name].setdefault("tables", {}))
        if has_stories(db_path):
            metadata["databases"][db_name].setdefault("queries", {})["stories_with_copies"] = dict(STORIES_QUERY)
    return metadata


def datasette_command(db_path: Path, *, host: str = "127.0.0.1", port: int = 8001, immutable: bool = True,
                      metadata_path: Path | None = None) -> list[str]:
    if metadata_path is None:
        handle = tempfile.NamedTemporaryFile("w", suffix=".json", prefix="thanthien-metadata-", delete=False, encoding="utf-8")
        json.dump(load_metadata(db_path.stem, db_path), handle, ensure_ascii=False, indent=2)
        handle.close()
        metadata_path = Path(handle.name)
    cmd = [sys.executable, "-m", "datasette", "serve", "--host", host, "--port", str(port), "--metadata", str(metadata_path)]
    cmd += ["--immutable", str(db_path)] if immutable else [str(db_path)]
    for key, value in SERVE_SETTINGS.items():
        cmd += ["--setting", key, ("on" if value else "off") if isinstance(value, bool) else str(value)]
    return cmd


def ensure_views(db_path: Path) -> None:
    """An archive built before the publication's views (archive/tables.py VIEWS) or its launch_events
    table (archive/launch_events.py) gets them before serving.

    Only when one is missing; a read-only archive is served as it is (its view pages are then absent)."""
    import sqlite3

    from archive import db as archive_db
    from archive.tables import VIEWS

    try:
        conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
        try:
            present = {row[0] for row in conn.execute("select name from sqlite_master where type = 'view'")}
            tables = {row[0] for row in conn.execute("select name from sqlite_master where type = 'table'")}
        finally:
            conn.close()
        if set(VIEWS) <= present and "launch_events" in tables:
            return
        archive_db.open_db(db_path, create=False).close()
    except (sqlite3.Error, OSError, archive_db.SchemaError):
        pass


def checkpoint(db_path: Path) -> None:
    """Fold a leftover WAL (a crawl still writing, or killed) into the file: immutable serving
    ignores the WAL, so rows still in it would be invisible. A read-only archive is served as is."""
    import sqlite3

    wal = Path(f"{db_path}-wal")
    if not wal.exists() or wal.stat().st_size == 0:
        return
    try:
        conn = sqlite3.connect(db_path)
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        conn.close()
    except sqlite3.Error:
        pass


def serve(db_path: Path, **kwargs) -> int:
    checkpoint(db_path)
    ensure_views(db_path)
    cmd = datasette_command(db_path, **kwargs)
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    if os.name == "posix":
        # Become the server: a SIGTERM (systemd, a test fixture) or Ctrl-C reaches Datasette itself and
        # no orphaned server is left holding the port.
        sys.stdout.flush()
        sys.stderr.flush()
        os.execve(sys.executable, cmd, env)
    try:
        return subprocess.call(cmd, env=env)
    except KeyboardInterrupt:
        return 0


if __name__ == "__main__":
    # `python -m archive.publish metadata [DB_NAME | PATH.db]`: the metadata as JSON, for `datasette publish`
    # / `datasette package` (--metadata); DB_NAME is the database file's stem (default thanthien).
    # With a path instead of a name, the name is the file's stem and the archive's stories are looked up.
    if len(sys.argv) >= 2 and sys.argv[1] == "metadata":
        target = sys.argv[2] if len(sys.argv) > 2 else "thanthien"
        path = Path(target) if target.endswith(".db") else None
        json.dump(load_metadata(path.stem if path else target, path), sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
    else:
        sys.exit("usage: python -m archive.publish metadata [DB_NAME | PATH.db]")
