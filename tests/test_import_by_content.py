"""import-warc knows files by their content: two files of one name are two files, the same bytes
are copied once, and a copy cut short by a kill is never taken for the file (issue "Nothing lost")."""
from pathlib import Path

from archive import db as archive_db
from archive.ingest import import_warc

from .test_import_foreign import write_foreign_warc

BODY = ("<html><head><meta charset='utf-8'><title>{t}</title></head><body><h1>{t}</h1><p>Ngày đăng: 12/04/2023</p>"
        "<div class='content'>" + "<p>Sáng ngày 12/4, xã {u} tổ chức hội nghị ra mắt mô hình “Chính quyền thân thiện, vì "
        "Nhân dân phục vụ”. Hội nghị có sự tham dự của đông đảo cán bộ, công chức và Nhân dân trong xã.</p>" * 4
        + "</div></body></html>")


def _warc(path: Path, units: list[str]) -> None:
    pages = [(f"https://x{i}.example.vn/tin/{u.replace(' ', '-')}", BODY.format(t=f"Xã {u} ra mắt mô hình", u=u).encode(),
              "text/html; charset=utf-8") for i, u in enumerate(units)]
    write_foreign_warc(path, pages)


def _titles(db) -> set[str]:
    return {r[0] for r in db.execute("select title from articles")}


def test_two_files_of_one_name_are_both_imported_and_the_same_bytes_once(tmp_path):
    archive = tmp_path / "archive"
    archive.mkdir()
    db = archive_db.open_db(archive / "thanthien.db")
    first, second = tmp_path / "a" / "crawl.warc.gz", tmp_path / "b" / "crawl.warc.gz"
    first.parent.mkdir()
    second.parent.mkdir()
    _warc(first, ["Trung Thượng", "Quang Tiến"])
    _warc(second, ["Na Mèo", "Sơn Điện"])
    import_warc(db, archive, [first])
    import_warc(db, archive, [second])
    assert _titles(db) == {"Xã Trung Thượng ra mắt mô hình", "Xã Quang Tiến ra mắt mô hình",
                           "Xã Na Mèo ra mắt mô hình", "Xã Sơn Điện ra mắt mô hình"}
    copies = sorted(p.name for p in (archive / "warc" / "imported").iterdir())
    assert len(copies) == 2 and all(name.endswith("-crawl.warc.gz") for name in copies)
    # the same bytes under another name: no new copy, no new capture rows
    again = tmp_path / "renamed.warc.gz"
    again.write_bytes(first.read_bytes())
    captures = db.execute("select count(*) from captures").fetchone()[0]
    import_warc(db, archive, [again])
    assert len(list((archive / "warc" / "imported").iterdir())) == 2
    assert db.execute("select count(*) from captures").fetchone()[0] == captures


def test_a_copy_cut_short_by_a_kill_is_never_taken_for_the_file(tmp_path):
    archive = tmp_path / "archive"
    archive.mkdir()
    db = archive_db.open_db(archive / "thanthien.db")
    source = tmp_path / "crawl.warc.gz"
    _warc(source, ["Trung Thượng", "Quang Tiến", "Na Mèo"])
    import_warc(db, archive, [source])
    copy = next((archive / "warc" / "imported").iterdir())
    db.conn.close()
    # an older thanthien's half-finished copy, and a half-written temporary file of this one
    copy.write_bytes(source.read_bytes()[: len(source.read_bytes()) // 3])
    copy.with_name(copy.name + ".part").write_bytes(b"\x1f\x8b partial")
    fresh = archive_db.open_db(tmp_path / "fresh.db")
    import_warc(fresh, archive, [source])
    assert len(_titles(fresh)) == 3
    assert copy.read_bytes() == source.read_bytes()
