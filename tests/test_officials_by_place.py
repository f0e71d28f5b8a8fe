"""Officials are people in a place: keyed by name, district and province; old archives are re-keyed."""
import json
import sqlite3

from archive import db as archive_db
from archive.stories import StoryAssigner
from pipelines.extract import RECORD_KEYS


def _record(n: int, name: str, district: str, province: str, title: str) -> dict:
    body = (f"Sáng 1{n}/4, xã Số {n} ra mắt mô hình “Chính quyền thân thiện, vì Nhân dân phục vụ”. "
            f"Đồng chí {name} - {title} dự. " + "Nội dung hội nghị được triển khai đến toàn thể cán bộ. " * 5)
    event = {"event_date": f"2023-04-1{n}", "units": [f"xã Số {n}"], "district": district, "province": province,
             "unit_codes": [], "board_size": None, "officials": [{"name": name, "title": title}], "slogans": [],
             "documents": []}
    record = {"url": f"http://127.0.0.1/a/{n}", "canonical_url": f"http://127.0.0.1/a/{n}", "portal": None,
              "platform": "generic", "title": f"Ra mắt mô hình tại xã Số {n}", "published_date": f"2023-04-1{n}",
              "author": None, "source": None, "body_text": body, "images": [], "content_hash": f"h{n}",
              "is_launch_report": True, "launch_score": 0.9, "event": event}
    return {k: record[k] for k in RECORD_KEYS}


def test_namesakes_in_two_districts_are_two_officials_and_titles_stay_per_report(tmp_path):
    db = archive_db.open_db(tmp_path / "a.db")
    archive_db.upsert_record(db, _record(1, "Lê Văn Tiến", "huyện Quan Sơn", "Thanh Hóa", "Chủ tịch UBND huyện"))
    archive_db.upsert_record(db, _record(2, "Lê Văn Tiến", "huyện Quan Sơn", "Thanh Hóa", "Bí thư Huyện ủy"))
    archive_db.upsert_record(db, _record(3, "Lê Văn Tiến", "huyện Mường Ảng", "Điện Biên", "Phó Chủ tịch UBND huyện"))
    rows = list(db.query("select name, district, province, (select group_concat(title, '; ') from article_officials"
                         " where official_id = officials.id) as titles from officials order by id"))
    assert rows == [
        {"name": "Lê Văn Tiến", "district": "huyện Quan Sơn", "province": "Thanh Hóa",
         "titles": "Chủ tịch UBND huyện; Bí thư Huyện ủy"},
        {"name": "Lê Văn Tiến", "district": "huyện Mường Ảng", "province": "Điện Biên", "titles": "Phó Chủ tịch UBND huyện"},
    ]


def test_an_archive_keyed_by_name_alone_is_rekeyed_on_open(tmp_path):
    path = tmp_path / "old.db"
    db = archive_db.open_db(path)
    archive_db.upsert_record(db, _record(1, "Lê Văn Tiến", "huyện Quan Sơn", "Thanh Hóa", "Chủ tịch UBND huyện"))
    archive_db.upsert_record(db, _record(3, "Lê Văn Tiến", "huyện Mường Ảng", "Điện Biên", "Phó Chủ tịch UBND huyện"))
    db.conn.close()
    # what schema 1 wrote: one row per name
    conn = sqlite3.connect(path)
    with conn:
        conn.execute("delete from article_officials")
        conn.execute("drop table officials")
        conn.execute("create table officials (id integer primary key, name text)")
        conn.execute("create unique index idx_officials_name on officials (name)")
        conn.execute("insert into officials (id, name) values (1, 'Lê Văn Tiến')")
        ids = [r[0] for r in conn.execute("select id from articles order by id")]
        conn.executemany("insert into article_officials (article_id, official_id, title) values (?, 1, ?)",
                         [(ids[0], "Chủ tịch UBND huyện"), (ids[1], "Phó Chủ tịch UBND huyện")])
        conn.execute("pragma user_version = 1")
    conn.close()
    db = archive_db.open_db(path)
    assert db.execute("pragma user_version").fetchone()[0] == archive_db.SCHEMA_VERSION
    rows = [tuple(r) for r in db.execute("select o.name, o.district, a.title from officials o join article_officials a"
                                         " on a.official_id = o.id order by a.article_id").fetchall()]
    assert rows == [("Lê Văn Tiến", "huyện Quan Sơn", "Chủ tịch UBND huyện"),
                    ("Lê Văn Tiến", "huyện Mường Ảng", "Phó Chủ tịch UBND huyện")]
    assert json.loads(db.execute("select event from articles order by id").fetchone()[0])["officials"]


def test_a_dedupe_index_built_by_older_code_is_rebuilt_from_the_articles(tmp_path, caplog):
    path = tmp_path / "stale.db"
    db = archive_db.open_db(path)
    for n in (1, 2):
        archive_db.upsert_record(db, _record(n, "Lê Văn Tiến", "huyện Quan Sơn", "Thanh Hóa", "Chủ tịch UBND huyện"))
    with db.conn:
        db.execute("update dedupe_meta set value = '1' where key = 'format_version'")
        db.execute("delete from dedupe_features where article_id = (select min(id) from articles)")
    with caplog.at_level("WARNING"):
        assigner = StoryAssigner(db)
    assert "re-analysing 2 stored articles" in caplog.text
    assert len(assigner.index) == 2
    assert db.execute("select count(*) from dedupe_features").fetchone()[0] == 2
    assert db.execute("select value from dedupe_meta where key = 'format_version'").fetchone()[0] != "1"
