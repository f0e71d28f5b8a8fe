"""`launch_events`, the publication's table of launches (one row per launching unit of each story's
canonical report), kept by SQLite itself.

It was a view joining every launch to its article for the canonical filter; at a million articles a
facet on it took 4 s and its CSV stream, paged by OFFSET over the view, ended halfway (bench/search.py).
As a table with `id` = launches.id it is paged by rowid and faceted by index. Triggers on launches,
articles and portals keep it equal to its query (LAUNCH_EVENTS_SQL) in the same transaction as the
write that changed it, so it can never lag behind the archive; `rebuild` recomputes it whole (an archive
from before the table, or a check).
"""
from __future__ import annotations

import sqlite_utils

# The query the table holds, as the view was: each launch of a canonical report, with its article and portal.
SELECT = (
    "select launches.id, launches.unit, launches.unit_type, launches.district, launches.province, launches.event_date,"
    " substr(launches.event_date, 1, 4) as year, substr(launches.event_date, 1, 7) as month, launches.board_size,"
    " launches.unit_code, launches.new_unit, launches.latitude, launches.longitude, articles.portal,"
    " coalesce(portals.simulated, 0) as simulated,"
    " articles.title, articles.published_date, articles.url, launches.article_id, articles.article_key,"
    " '/-/article/' || articles.article_key as permalink"
    " from launches join articles on articles.id = launches.article_id"
    " left join portals on portals.name = articles.portal")
CANONICAL_FILTER = " where coalesce(articles.is_canonical, 1) = 1"
LAUNCH_EVENTS_SQL = SELECT + CANONICAL_FILTER

COLUMNS = ("id", "unit", "unit_type", "district", "province", "event_date", "year", "month", "board_size",
           "unit_code", "new_unit", "latitude", "longitude", "portal", "simulated", "title", "published_date", "url",
           "article_id", "article_key", "permalink")
INDEXED = ("province", "district", "event_date", "year", "portal", "article_id")
# The articles columns the table copies or filters on: a change to any of them refreshes the article's rows.
_ARTICLE_COLUMNS = ("is_canonical", "portal", "title", "published_date", "url", "article_key")

_TRIGGERS = {
    "launch_events_launch_insert": f"""AFTER INSERT ON launches BEGIN
        INSERT OR REPLACE INTO launch_events {LAUNCH_EVENTS_SQL} and launches.id = new.id; END""",
    "launch_events_launch_update": f"""AFTER UPDATE ON launches BEGIN
        DELETE FROM launch_events WHERE id = old.id;
        INSERT OR REPLACE INTO launch_events {LAUNCH_EVENTS_SQL} and launches.id = new.id; END""",
    "launch_events_launch_delete": """AFTER DELETE ON launches BEGIN
        DELETE FROM launch_events WHERE id = old.id; END""",
    "launch_events_article_update": f"""AFTER UPDATE OF {", ".join(_ARTICLE_COLUMNS)} ON articles BEGIN
        DELETE FROM launch_events WHERE article_id = new.id;
        INSERT OR REPLACE INTO launch_events {LAUNCH_EVENTS_SQL} and launches.article_id = new.id; END""",
    "launch_events_article_delete": """AFTER DELETE ON articles BEGIN
        DELETE FROM launch_events WHERE article_id = old.id; END""",
    "launch_events_portal_insert": """AFTER INSERT ON portals BEGIN
        UPDATE launch_events SET simulated = coalesce(new.simulated, 0) WHERE portal = new.name; END""",
    "launch_events_portal_update": """AFTER UPDATE OF simulated ON portals BEGIN
        UPDATE launch_events SET simulated = coalesce(new.simulated, 0) WHERE portal = new.name; END""",
}


def ensure(db: sqlite_utils.Database) -> None:
    """Create the table, its indexes and triggers where missing (replacing the view of older archives,
    and triggers whose SQL changed); fill it when it was just made."""
    kind = db.execute("select type from sqlite_master where name = 'launch_events'").fetchone()
    made = False
    if kind and kind[0] == "view":
        db.execute("drop view launch_events")
        kind = None
    if kind is None:
        columns = ", ".join("id INTEGER PRIMARY KEY" if c == "id" else f"[{c}]" for c in COLUMNS)
        db.execute(f"create table launch_events ({columns})")
        made = True
    for column in INDEXED:
        db.execute(f"create index if not exists idx_launch_events_{column} on launch_events ([{column}])")
    for name, body in _TRIGGERS.items():
        sql = f"CREATE TRIGGER {name} {body}"
        found = db.execute("select sql from sqlite_master where type = 'trigger' and name = ?", [name]).fetchone()
        if found and found[0] != sql:
            db.execute(f"drop trigger {name}")
            found = None
        if not found:
            db.execute(sql)
    if made:
        rebuild(db)


def rebuild(db: sqlite_utils.Database) -> int:
    """Recompute the table from its query; the number of rows."""
    db.execute("delete from launch_events")
    db.execute(f"insert into launch_events ({', '.join(COLUMNS)}) {LAUNCH_EVENTS_SQL}")
    return db.execute("select count(*) from launch_events").fetchone()[0]


def differences(db: sqlite_utils.Database) -> int:
    """Rows where the table and its query disagree (0 when the triggers did their job)."""
    cols = ", ".join(COLUMNS)
    return db.execute(f"select count(*) from (select {cols} from launch_events except {LAUNCH_EVENTS_SQL}"
                      f" union all select * from ({LAUNCH_EVENTS_SQL} except select {cols} from launch_events))").fetchone()[0]
