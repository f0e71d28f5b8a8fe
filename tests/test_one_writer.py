"""One writer per archive: while one process writes an archive, a second writer gets one clear
line and a non-zero exit, and nothing of it is written (issue "Nothing lost")."""
import subprocess
import sys
import time
from pathlib import Path

from archive import db as archive_db

from .conftest import thanthien
from .test_import_by_content import _warc

ROOT = Path(__file__).resolve().parents[1]


def test_a_second_writer_is_refused_with_one_line_while_the_first_holds_the_archive(tmp_path):
    db_path = tmp_path / "thanthien.db"
    archive_db.open_db(db_path).conn.close()
    holder = subprocess.Popen(
        [sys.executable, "-c", f"import sys, time; sys.path.insert(0, {str(ROOT)!r}); from archive.lock import hold_writer;"
         f" hold_writer({str(db_path)!r}); print('held', flush=True); time.sleep(60)"],
        stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        source = tmp_path / "crawl.warc.gz"
        _warc(source, ["Trung Thượng"])
        for args in (["import-warc", str(source)], ["reprocess"], ["crawl", "--start-url", "http://127.0.0.1:9/"]):
            done = thanthien(*args, "--db", str(db_path), check=False, timeout=120)
            assert done.returncode != 0, args
            lines = [line for line in done.stderr.splitlines() if line.strip()]
            assert len(lines) == 1 and lines[0].startswith(("thanthien: ", "Error: ")) and "is being written by thanthien pid" in lines[0], done.stderr
            assert "Traceback" not in done.stderr
        db = archive_db.open_db(db_path)
        assert db.execute("select count(*) from articles").fetchone()[0] == 0
        assert db.execute("select count(*) from crawl_runs").fetchone()[0] == 0
    finally:
        holder.kill()
        holder.wait()
    time.sleep(0.1)
    # the holder is gone (even killed): the lock goes with it
    assert thanthien("import-warc", str(source), "--db", str(db_path)).returncode == 0
