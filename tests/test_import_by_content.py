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


def _peak_import_mb(folder: Path, record_mb: int) -> tuple[dict, float]:
    """Import a WARC holding a page, a response record of record_mb MB (zeros: a small file) and
    another page, in a fresh process; (counts, its peak RSS in MB)."""
    import io
    import json
    import subprocess
    import sys
    import textwrap

    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    folder.mkdir()
    path = folder / "huge.warc.gz"
    with open(path, "wb") as fh:
        writer = WARCWriter(fh, gzip=True)
        for i, body in enumerate([BODY.format(t="Xã Na Mèo ra mắt mô hình", u="Na Mèo").encode(), None,
                                  BODY.format(t="Xã Sơn Điện ra mắt mô hình", u="Sơn Điện").encode()]):
            size = record_mb * 1024 * 1024
            payload = io.BytesIO(body) if body is not None else _Zeros(size)
            headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1")
            writer.write_record(writer.create_warc_record(f"https://x.example.vn/tin/{i}", "response", payload=payload,
                                                          http_headers=headers, length=None if body else size))
    root = Path(__file__).resolve().parents[1]
    script = textwrap.dedent(f"""
        import json, resource, sys
        sys.path.insert(0, {str(root)!r})
        from pathlib import Path
        from archive import db as archive_db
        from archive.ingest import import_warc
        folder = Path({str(folder)!r})
        summary = import_warc(archive_db.open_db(folder / "a.db"), folder, [folder / "huge.warc.gz"])
        print(json.dumps({{"counts": dict(summary.counts),
                           "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}}))
    """)
    out = json.loads(subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True,
                                    timeout=300).stdout)
    return out["counts"], out["peak_mb"]


def test_a_huge_record_is_skipped_in_bounded_memory(tmp_path):
    """A 300 MB response record between two pages is counted "skipped_too_large" and read through
    chunk by chunk; the pages around it are imported; and the import's peak memory does not grow
    with the record (a 30 MB one and a 300 MB one cost the same)."""
    small_counts, small_peak = _peak_import_mb(tmp_path / "small", 30)
    counts, peak = _peak_import_mb(tmp_path / "big", 300)
    assert counts["skipped_too_large"] == 1 and counts["html_responses"] == 2
    assert small_counts["skipped_too_large"] == 1
    assert peak - small_peak < 40, (small_peak, peak)


class _Zeros:
    """A payload of n zero bytes, produced as read (the test file stays small in memory too)."""

    def __init__(self, n: int):
        self.left = n

    def read(self, size: int = -1) -> bytes:
        size = self.left if size is None or size < 0 else min(size, self.left)
        size = min(size, 1 << 20)
        self.left -= size
        return b"\0" * size
