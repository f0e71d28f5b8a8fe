"""`thanthien demo` is reproducible (issue 14): its simulator listens on fixed ports, so running
it twice finds the same articles at the same URLs and the archive does not double."""
from __future__ import annotations

import socket
import sqlite3

from .conftest import free_port_block, thanthien


def counts(db_path):
    with sqlite3.connect(db_path) as conn:
        return conn.execute("select count(*), count(distinct article_key), sum(is_launch_report) from articles").fetchone()


def test_demo_twice_gives_the_same_archive(tmp_path):
    db_path = tmp_path / "demo" / "thanthien.db"
    base = free_port_block()  # a free block keeps the test off a demo someone is running
    first = thanthien("demo", "--no-serve", "--db", db_path, "--sim-port-base", base, timeout=600)
    once = counts(db_path)
    assert once[0] > 40 and once[0] == once[1]
    assert f"thanthien serve --db {db_path}" in first.stdout  # the next commands name this archive
    with sqlite3.connect(db_path) as conn:
        keys = dict(conn.execute("select canonical_url, article_key from articles"))
    second = thanthien("demo", "--no-serve", "--db", db_path, "--sim-port-base", base, timeout=600)
    assert counts(db_path) == once
    with sqlite3.connect(db_path) as conn:
        assert dict(conn.execute("select canonical_url, article_key from articles")) == keys
    assert "articles_new" not in second.stdout or "articles_new 0" in second.stdout


def test_demo_ports_taken_is_one_clear_line(tmp_path):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = thanthien("demo", "--no-serve", "--db", tmp_path / "d.db", "--sim-port-base", port, check=False)
    assert result.returncode == 1
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "--sim-port-base" in lines[0] and "Traceback" not in result.stderr
    assert not (tmp_path / "d.db").exists()
