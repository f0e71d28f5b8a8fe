"""`launch_events` is a table that SQLite keeps equal to its query (archive/launch_events.py): after a
real crawl, after every kind of write that changes what it shows, in the write's own transaction,
and for an archive from when it was a view."""
import sqlite3

import sqlite_utils

from archive import db as archive_db
from archive import launch_events

from .conftest import thanthien
from .test_publish import copy_archive


def _copy(crawled, tmp_path):
    return copy_archive(crawled["db_path"], tmp_path / "a")


def _rows(db):
    return {r[0]: r for r in db.execute(f"select {', '.join(launch_events.COLUMNS)} from launch_events")}


def test_after_a_crawl_and_a_reprocess_the_table_is_its_query(crawled, tmp_path):
    db_path = _copy(crawled, tmp_path)
    db = sqlite_utils.Database(db_path)
    assert db.execute("select type from sqlite_master where name = 'launch_events'").fetchone()[0] == "table"
    count = db.execute(f"select count(*) from ({launch_events.LAUNCH_EVENTS_SQL})").fetchone()[0]
    assert count > 20 and db.execute("select count(*) from launch_events").fetchone()[0] == count
    assert launch_events.differences(db) == 0
    db.close()
    thanthien("reprocess", "--db", db_path)  # every article stored again through upsert_record
    db = sqlite_utils.Database(db_path)
    assert launch_events.differences(db) == 0


def test_every_write_that_changes_a_launch_event_changes_the_table(crawled, tmp_path):
    db = archive_db.open_db(_copy(crawled, tmp_path))
    article_id, = db.execute("select article_id from launch_events order by id limit 1").fetchone()
    with db.conn:
        db.execute("update articles set title = 'Tiêu đề mới' where id = ?", [article_id])
    assert {r[15] for r in _rows(db).values() if r[18] == article_id} == {"Tiêu đề mới"}
    with db.conn:  # a copy of a republished report: its launches leave the table
        db.execute("update articles set is_canonical = 0 where id = ?", [article_id])
    assert not [r for r in _rows(db).values() if r[18] == article_id]
    with db.conn:
        db.execute("update articles set is_canonical = 1 where id = ?", [article_id])
    portal, = db.execute("select portal from articles where id = ?", [article_id]).fetchone()
    with db.conn:
        db.execute("update portals set simulated = 0 where name = ?", [portal])
    assert {r[14] for r in _rows(db).values() if r[13] == portal} == {0}
    launch_id, = db.execute("select id from launches where article_id = ? limit 1", [article_id]).fetchone()
    with db.conn:
        db.execute("update launches set province = 'Tỉnh Thử' where id = ?", [launch_id])
    assert _rows(db)[launch_id][4] == "Tỉnh Thử"
    with db.conn:
        db.execute("delete from launches where id = ?", [launch_id])
    assert launch_id not in _rows(db)
    assert launch_events.differences(db) == 0


def test_a_write_rolled_back_leaves_the_table_as_it_was(crawled, tmp_path):
    db = archive_db.open_db(_copy(crawled, tmp_path))
    before = _rows(db)
    db.execute("begin")  # as upsert_record does: one transaction an article
    db.execute("update articles set is_canonical = 0")
    assert db.execute("select count(*) from launch_events").fetchone() == (0,)
    db.execute("rollback")  # the store failed after its first statements
    assert _rows(db) == before


def test_an_archive_from_when_it_was_a_view_gets_the_table(crawled, tmp_path):
    db_path = _copy(crawled, tmp_path)
    conn = sqlite3.connect(db_path)
    conn.execute("drop table launch_events")
    for (name,) in conn.execute("select name from sqlite_master where type = 'trigger'").fetchall():
        conn.execute(f"drop trigger {name}")
    conn.execute(f"create view launch_events as {launch_events.LAUNCH_EVENTS_SQL}")
    conn.commit()
    view_rows = conn.execute("select * from launch_events order by id").fetchall()
    conn.close()
    db = archive_db.open_db(db_path)  # any command opens the archive so
    assert db.execute("select type from sqlite_master where name = 'launch_events'").fetchone()[0] == "table"
    assert db.execute("select * from launch_events order by id").fetchall() == view_rows
