"""WARC files that heal: a write that fails (the file may not grow: a full disk, a size limit)
leaves no half record, later records stay readable, and repair keeps every complete record
(issue "Nothing lost"). The failure is real: the process's file-size limit (RLIMIT_FSIZE) makes
the kernel refuse the write, as a full disk does."""
import gzip
import subprocess
import sys
import textwrap
from pathlib import Path

from archive.warc import WarcStore, complete_gzip_end, read_record, repair_file

ROOT = Path(__file__).resolve().parents[1]


def test_a_failed_write_leaves_no_half_record_and_later_records_stay(tmp_path):
    script = textwrap.dedent(f"""
        import json, os, resource, signal, sys
        sys.path.insert(0, {str(ROOT)!r})
        from archive.warc import WarcStore
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)   # the write fails with EFBIG instead of a signal
        store = WarcStore({str(tmp_path)!r}, "t")
        written, failed = [], 0
        soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
        for i in range(40):
            body = os.urandom(3000) + f"record {{i}}".encode()   # incompressible: each record ~3 KB
            if i == 10:
                resource.setrlimit(resource.RLIMIT_FSIZE, (store._file.tell() + 1500, hard))  # "disk full"
            if i == 14:
                resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))  # space again
            try:
                rec = store.write(f"http://127.0.0.1/a/{{i}}", 200, "OK", [("Content-Type", "text/html")], body)
                written.append((i, rec.warc_path, rec.offset))
            except OSError:
                failed += 1
        store.close()
        print(json.dumps({{"written": written, "failed": failed}}))
    """)
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=True)
    import json

    result = json.loads(out.stdout)
    assert result["failed"] == 4 and len(result["written"]) == 36
    path = tmp_path / result["written"][0][1]
    ok, _end = complete_gzip_end(path)
    assert ok  # no half record anywhere: the failed writes were cut back
    assert not repair_file(path)
    for i, warc_path, offset in result["written"]:
        assert read_record(tmp_path, warc_path, offset).body.endswith(f"record {i}".encode())


def test_repair_keeps_complete_records_after_a_damaged_stretch_and_cuts_only_the_tail(tmp_path):
    store = WarcStore(tmp_path, "t")
    first = [store.write(f"http://127.0.0.1/a/{i}", 200, "OK", [], f"body {i}".encode() * 50) for i in range(3)]
    store.close()
    path = tmp_path / first[0].warc_path
    with open(path, "ab") as fh:  # what an older thanthien left: half a member, then whole records
        fh.write(gzip.compress(b"WARC/1.0 half a record" * 100)[:40])
    store = WarcStore(tmp_path, "t")
    store._path, store._file = path, open(path, "ab")
    later = [store.write(f"http://127.0.0.1/b/{i}", 200, "OK", [], f"later {i}".encode() * 50) for i in range(3)]
    store.close()
    with open(path, "ab") as fh:  # and a kill mid-record at the end
        fh.write(gzip.compress(b"WARC/1.0 cut" * 100)[:25])
    size = path.stat().st_size
    assert repair_file(path)
    assert path.stat().st_size == size - 25
    for rec, prefix in [(r, "body") for r in first] + [(r, "later") for r in later]:
        assert read_record(tmp_path, rec.warc_path, rec.offset).body.startswith(prefix.encode())


def test_a_full_disk_mid_crawl_stops_it_cleanly_and_keeps_what_was_stored(simulator, tmp_path):
    """The crawl process may not grow any file past a limit (as a full disk refuses writes): the
    first refused write stops the crawl — one reason, the run booked `failed`, no traceback storm
    — and everything stored before stays whole; with space again, the same command resumes."""
    import resource
    import signal
    import sqlite3

    from .conftest import thanthien
    from .test_captures import crawl_args

    db_path = tmp_path / "full" / "thanthien.db"
    thanthien("crawl", "--simulated", "--db", db_path, "--start-url", "http://127.0.0.1:9/", check=False)  # an empty archive
    room = db_path.stat().st_size + 300_000  # room for some articles, then "disk full"

    def limit():
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (room, resource.RLIM_INFINITY))

    result = thanthien(*crawl_args(simulator, db_path), check=False, preexec_fn=limit, timeout=300)
    assert result.returncode == 1, result.stderr[-2000:]
    assert result.stderr.count("Traceback") == 0, result.stderr[-3000:]
    assert result.stderr.count("storage failed (") == 1
    assert "thanthien: the crawl stopped: " in result.stderr
    conn = sqlite3.connect(db_path)
    assert conn.execute("pragma integrity_check").fetchone()[0] == "ok"
    stored = conn.execute("select count(*) from articles").fetchone()[0]
    status, summary = conn.execute("select status, error_summary from crawl_runs order by id desc limit 1").fetchone()
    conn.close()
    assert status in ("failed", "running") and (status == "running" or "storage_failed" in summary)
    # every WARC file still reads record by record (the failed write left no half record behind)
    for path in (db_path.parent / "warc").glob("*.warc.gz"):
        repair_file(path)
        assert complete_gzip_end(path)[0]
    thanthien(*crawl_args(simulator, db_path))  # space again: the same command resumes
    conn = sqlite3.connect(db_path)
    assert conn.execute("select count(*) from articles").fetchone()[0] == len(simulator.ground_truth()) >= stored
