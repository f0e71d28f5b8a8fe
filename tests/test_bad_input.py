"""Bad input to the CLI: one clear line, a non-zero exit, never a traceback."""
import os
import shutil
import socket
import sqlite3

import pytest

from .conftest import thanthien


def assert_one_clear_line(result, needle):
    assert result.returncode != 0
    assert "Traceback" not in result.stderr, result.stderr
    assert needle in result.stderr, result.stderr


def test_newer_schema_is_refused(tmp_path):
    db = tmp_path / "future.db"
    conn = sqlite3.connect(db)
    conn.execute("pragma user_version = 99")
    conn.close()
    for args in (["runs"], ["export", "launches"], ["reprocess"], ["crawl", "--portal", "quanson"]):
        assert_one_clear_line(thanthien(*args, "--db", db, check=False), "newer than this thanthien")


def test_not_a_database(tmp_path):
    db = tmp_path / "notes.db"
    db.write_text("these are my notes, not SQLite")
    assert_one_clear_line(thanthien("runs", "--db", db, check=False), "cannot be used")


def test_non_warc_and_missing_files(tmp_path):
    page = tmp_path / "page.html"
    page.write_text("<html></html>")
    assert_one_clear_line(thanthien("import-warc", page, "--db", tmp_path / "a.db", check=False), "is not a WARC file")
    assert_one_clear_line(thanthien("import-warc", tmp_path / "none.warc.gz", "--db", tmp_path / "a.db", check=False), "cannot read")
    assert_one_clear_line(thanthien("extract", tmp_path / "none.html", check=False), "cannot read")


def test_unreadable_file(tmp_path):
    page = tmp_path / "secret.html"
    page.write_text("<html></html>")
    page.chmod(0)
    tmp_path.chmod(0o755)
    assert_one_clear_line(_as_nobody(tmp_path, "extract", page), "cannot read")


def _as_nobody(tmp_path, *args):
    """The CLI run by an unprivileged user (root reads any file: CI runs as root, so drop to nobody)."""
    import subprocess
    import sys

    from .conftest import ROOT

    prefix = []
    if os.geteuid() == 0:
        setpriv = shutil.which("setpriv")
        if not setpriv:
            pytest.skip("root reads any file and setpriv is not available")
        prefix = [setpriv, "--reuid=65534", "--regid=65534", "--clear-groups"]
    return subprocess.run([*prefix, sys.executable, "-m", "archive.cli", *map(str, args)], cwd=ROOT,
                          capture_output=True, text=True, timeout=120, env={**os.environ, "HOME": str(tmp_path)})


def test_read_only_archive_directory(tmp_path):
    archive = tmp_path / "ro"
    archive.mkdir()
    archive.chmod(0o555)
    tmp_path.chmod(0o755)
    result = _as_nobody(tmp_path, "crawl", "--portal", "quanson", "--db", archive / "thanthien.db")
    assert_one_clear_line(result, "thanthien:")


def test_port_in_use(crawled):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        port = sock.getsockname()[1]
        result = thanthien("serve", "--db", crawled["db_path"], "--port", port, check=False)
    assert_one_clear_line(result, f"port {port} on 127.0.0.1 is in use")


def test_bad_flags(tmp_path):
    assert_one_clear_line(thanthien("crawl", "--db", tmp_path / "a.db", check=False), "name at least one --portal")
    assert_one_clear_line(thanthien("crawl", "--portal", "quanson", "--base-url", "oops", "--db", tmp_path / "a.db", check=False),
                          "--base-url takes NAME=URL")
    assert_one_clear_line(thanthien("schedule", "--at", "25:99", check=False), "--at takes HH:MM")
    assert_one_clear_line(thanthien("runs", "--errors", "42", "--db", tmp_path / "a.db", check=False), "no archive")


def test_wholly_unreachable_portal_exits_non_zero_with_a_summary(simulator, tmp_path):
    """One portal answers, one is dead: the live one is archived, the run says which one failed."""
    import sqlite_utils

    from .conftest import free_port

    dead = f"http://127.0.0.1:{free_port()}"  # nothing listens there: connection refused
    db = tmp_path / "a.db"
    result = thanthien("crawl", "--simulated", "--db", db, "--set", "RETRY_TIMES=1",
                       "--portal", "sim-dongvan", "--base-url", f"sim-dongvan={simulator.base_urls['sim-dongvan']}",
                       "--portal", "quanson", "--base-url", f"quanson={dead}", check=False)
    assert result.returncode == 2, result.stderr[-2000:]
    assert "unreachable (no page could be fetched): quanson" in result.stderr
    archive = sqlite_utils.Database(db)
    assert archive["articles"].count == 12
    run = next(archive["crawl_runs"].rows)
    assert run["status"] == "unreachable" and run["errors"] >= 1
    assert {r["kind"] for r in archive.query("select kind from crawl_events where portal = 'quanson'")} == {"refused"}
