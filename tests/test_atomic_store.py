"""One article, one transaction: a store interrupted at any statement leaves the article whole or
absent, and the next store makes it whole (issue "Nothing lost")."""
import sqlite3

import pytest

from archive import db as archive_db
from .test_officials_by_place import _record

_DENY = 1  # sqlite3.SQLITE_DENY


def _state(db, url):
    row = db.execute("select id, story_id from articles where canonical_url = ?", [url]).fetchone()
    if row is None:
        return {"article": False, "fts": 0, "launches": 0, "officials": 0, "story": False}
    article_id, story_id = row
    count = lambda sql: db.execute(sql, [article_id]).fetchone()[0]  # noqa: E731
    return {"article": True, "fts": count("select count(*) from articles_fts where rowid = ?"),
            "launches": count("select count(*) from launches where article_id = ?"),
            "officials": count("select count(*) from article_officials where article_id = ?"),
            "story": story_id is not None
            and db.execute("select 1 from stories where id = ?", [story_id]).fetchone() is not None}


WHOLE = {"article": True, "fts": 1, "launches": 1, "officials": 1, "story": True}
ABSENT = {"article": False, "fts": 0, "launches": 0, "officials": 0, "story": False}


def test_a_store_is_one_transaction(tmp_path):
    db = archive_db.open_db(tmp_path / "a.db")
    seen = []
    db.conn.set_trace_callback(lambda sql: seen.append(sql.split()[0].upper()))
    archive_db.upsert_record(db, _record(1, "Lê Văn Tiến", "huyện Quan Sơn", "Thanh Hóa", "Chủ tịch UBND huyện"))
    assert seen.count("COMMIT") == 1 and seen.count("BEGIN") == 1


def test_a_store_with_the_writers_story_index_is_one_transaction(tmp_path):
    # the crawl's StoryPipeline path: the index held for the run, the analysis made beforehand
    from archive.stories import StoryAssigner
    from pipelines.dedupe import analyze

    db = archive_db.open_db(tmp_path / "a.db")
    stories = StoryAssigner(db)
    record = _record(1, "Lê Văn Tiến", "huyện Quan Sơn", "Thanh Hóa", "Chủ tịch UBND huyện")
    seen = []
    db.conn.set_trace_callback(lambda sql: seen.append(sql.split()[0].upper()))
    archive_db.upsert_record(db, record, stories=stories, story_analysis=analyze(record["body_text"]))
    assert seen.count("COMMIT") == 1 and seen.count("BEGIN") == 1
    assert len(stories.index) == 1 and _state(db, record["canonical_url"]) == WHOLE


def test_an_interrupted_store_leaves_the_article_whole_or_absent_then_whole(tmp_path):
    """SQLite asks the authorizer before every action of every statement; refusing from the n-th
    request on stops the store there, as a crash would. n runs over every point until the store
    gets through."""
    record = _record(1, "Lê Văn Tiến", "huyện Quan Sơn", "Thanh Hóa", "Chủ tịch UBND huyện")
    interrupted = 0
    for fail_at in range(1, 5000):
        path = tmp_path / f"k{fail_at}.db"
        db = archive_db.open_db(path)
        asked = []

        def deny_from(action, *args, _n=fail_at):
            asked.append(action)
            return _DENY if len(asked) >= _n else 0

        db.conn.set_authorizer(deny_from)
        try:
            archive_db.upsert_record(db, record)
            finished = True
        except sqlite3.DatabaseError:
            finished, interrupted = False, interrupted + 1
        db.conn.set_authorizer(None)
        db.conn.close()
        db = archive_db.open_db(path)  # what is on disk: whole or absent, never a part
        assert _state(db, record["canonical_url"]) == (WHOLE if finished else ABSENT), fail_at
        archive_db.upsert_record(db, record)  # the next run
        assert _state(db, record["canonical_url"]) == WHOLE, fail_at
        db.conn.close()
        if finished:
            break
    assert interrupted > 50  # every statement of the store was a failure point once


def test_an_article_left_incomplete_by_an_older_store_is_repaired(tmp_path):
    db = archive_db.open_db(tmp_path / "old.db")
    record = _record(1, "Lê Văn Tiến", "huyện Quan Sơn", "Thanh Hóa", "Chủ tịch UBND huyện")
    article_id, _ = archive_db.upsert_record(db, record)
    with db.conn:  # what a kill between two of the old store's 16 commits left behind
        db.execute("delete from articles_fts where rowid = ?", [article_id])
        db.execute("delete from launches where article_id = ?", [article_id])
    assert archive_db.upsert_record(db, record) == (article_id, "updated")
    assert _state(db, record["canonical_url"]) == WHOLE
    assert archive_db.upsert_record(db, record) == (article_id, "unchanged")
