"""Captures: WARC for every response, rebuild from WARC, SIGKILL and resume, incremental re-runs."""
import hashlib
import os
import signal
import subprocess
import sys
import time

import pytest
import sqlite_utils
from warcio.archiveiterator import ArchiveIterator

from archive.warc import read_record

from .conftest import ROOT, thanthien

# An article is its canonical URL; which of a portal's addresses for it was fetched first (Liferay's
# /-/slug or its asset-publisher form) depends on the crawl's order, so `url` is not compared.
COMPARED = ("canonical_url", "portal", "platform", "title", "published_date", "author", "source",
            "body_text", "images", "content_hash", "is_launch_report", "launch_score", "event")


def article_rows(db_path):
    db = sqlite_utils.Database(db_path)
    return sorted(tuple(r[c] for c in COMPARED) for r in db["articles"].rows)


def launch_rows(db_path):
    db = sqlite_utils.Database(db_path)
    return sorted(db.execute("select articles.canonical_url, unit, district, province, event_date, board_size"
                             " from launches join articles on articles.id = article_id").fetchall())


def crawl_args(simulator, db_path, *extra):
    args = ["crawl", "--simulated", "--db", db_path, *extra]
    for name, url in simulator.base_urls.items():
        args += ["--portal", name, "--base-url", f"{name}={url}"]
    return args


def read_all_records(warc_dir):
    count = 0
    for path in sorted(warc_dir.glob("*.warc.gz")):
        with open(path, "rb") as fh:
            for record in ArchiveIterator(fh):
                record.content_stream().read()
                count += 1
    return count


def test_every_article_traces_to_captured_bytes(crawled):
    db = sqlite_utils.Database(crawled["db_path"])
    archive_dir = crawled["db_path"].parent
    rows = list(db.query("select articles.url, captures.* from articles join captures on captures.id = articles.capture_id"))
    assert len(rows) == db["articles"].count
    for row in rows:
        record = read_record(archive_dir, row["warc_path"], row["warc_offset"])
        assert record.url == row["url"]
        assert hashlib.sha256(record.body).hexdigest() == row["sha256"]
    kinds = {r["url"].rsplit("/", 1)[-1] for r in db.query("select url from captures")}
    assert "robots.txt" in kinds
    statuses = {r["status"] for r in db.query("select distinct status from captures")}
    assert 200 in statuses
    assert read_all_records(archive_dir / "warc") == 2 * db["captures"].count  # request + response each


def test_rebuild_from_warc_equals_the_original(crawled, tmp_path):
    rebuilt = tmp_path / "rebuilt.db"
    warcs = sorted((crawled["db_path"].parent / "warc").glob("*.warc.gz"))
    out = thanthien("import-warc", *warcs, "--db", rebuilt).stdout
    assert f"articles_new {len(crawled['truth'])}" in out
    assert article_rows(rebuilt) == article_rows(crawled["db_path"])
    assert launch_rows(rebuilt) == launch_rows(crawled["db_path"])
    # reprocess on the rebuilt archive reads the copied WARC files and changes nothing
    out = thanthien("reprocess", "--db", rebuilt).stdout
    assert f"articles_unchanged {len(crawled['truth'])}" in out and "articles_updated" not in out


def test_reprocess_reports_changes(crawled, tmp_path):
    import shutil

    copy_dir = tmp_path / "copy"
    shutil.copytree(crawled["db_path"].parent, copy_dir)
    db = sqlite_utils.Database(copy_dir / "thanthien.db")
    launch_article = db.execute("select min(article_id) from launches").fetchone()[0]
    db.execute("update articles set title = 'stale title' where id = 1")
    db.execute("delete from launches where article_id = ?", [launch_article])
    db.conn.commit()
    out = thanthien("reprocess", "--db", copy_dir / "thanthien.db", "--changes", tmp_path / "c.json").stdout
    # the stale row is rewritten, and so is an article whose launches are missing (a store left
    # incomplete is repaired, even when its extracted record is unchanged)
    assert f"articles_updated {len({1, launch_article})}," in out
    assert article_rows(copy_dir / "thanthien.db") == article_rows(crawled["db_path"])


def test_import_warc_skips_bad_records_with_a_summary(tmp_path, crawled):
    warc = sorted((crawled["db_path"].parent / "warc").glob("*.warc.gz"))[0]
    broken = tmp_path / "broken.warc.gz"
    data = warc.read_bytes()
    broken.write_bytes(data[: len(data) // 2] + b"garbage that is not gzip")
    result = thanthien("import-warc", broken, "--db", tmp_path / "a" / "t.db")
    assert "malformed 1" in result.stdout and "Traceback" not in result.stderr
    not_warc = tmp_path / "page.html"
    not_warc.write_text("<html></html>")
    result = thanthien("import-warc", not_warc, "--db", tmp_path / "a" / "t.db", check=False)
    assert result.returncode == 1 and "is not a WARC file" in result.stderr


def test_unchanged_site_rerun_fetches_only_the_first_listing_pages(simulator, tmp_path):
    db_path = tmp_path / "inc.db"
    thanthien(*crawl_args(simulator, db_path))
    before = len(simulator.requests)
    thanthien(*crawl_args(simulator, db_path))
    second = simulator.requests[before:]
    db = sqlite_utils.Database(db_path)
    runs = list(db["crawl_runs"].rows)
    assert runs[1]["articles_new"] == 0 and runs[1]["articles_updated"] == 0
    first_run_pages = runs[0]["pages_fetched"]
    # robots.txt, the first page of each listing, the feeds: nothing else
    assert runs[1]["pages_fetched"] == len(second) < first_run_pages / 2
    assert not any("PageIndex=2" in path or "_cur=2" in path or "/page/2/" in path for _p, _m, path, _s in second)
    assert db["articles"].count == len(simulator.ground_truth())


def test_refresh_uses_conditional_requests(simulator, tmp_path):
    db_path = tmp_path / "refresh.db"
    args = ["crawl", "--simulated", "--db", db_path, "--portal", "sim-dongvan",
            "--base-url", f"sim-dongvan={simulator.base_urls['sim-dongvan']}"]
    thanthien(*args)
    before = len(simulator.requests)
    thanthien(*args, "--refresh")
    statuses = [s for _p, _m, _path, s in simulator.requests[before:]]
    assert statuses.count(304) >= 1
    assert sqlite_utils.Database(db_path)["articles"].count == 12


@pytest.mark.parametrize("kill_after", [8, 25, 45])
def test_sigkill_mid_crawl_then_resume_equals_uninterrupted(simulator, crawled, tmp_path, kill_after):
    db_path = tmp_path / "killed.db"
    # Slow the crawl down (one request at a time, 30 ms apart) so there is a "mid" to kill it in.
    slow = ["--set", "CONCURRENT_REQUESTS_PER_DOMAIN=1", "--set", "DOWNLOAD_DELAY=0.03", "--set", "AUTOTHROTTLE_ENABLED=false"]
    cmd = [sys.executable, "-m", "archive.cli", *map(str, crawl_args(simulator, db_path, *slow))]
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if db_path.exists():
            try:
                count = sqlite_utils.Database(db_path).execute("select count(*) from captures").fetchone()[0]
            except Exception:  # noqa: BLE001 - the table may not exist yet
                count = 0
            if count >= kill_after:
                break
        time.sleep(0.01)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    partial = sqlite_utils.Database(db_path)
    assert partial.execute("pragma integrity_check").fetchone()[0] == "ok"
    assert partial["articles"].count < len(crawled["truth"])
    thanthien(*crawl_args(simulator, db_path))  # the same command again
    assert article_rows(db_path) == article_rows(crawled["db_path"])
    assert launch_rows(db_path) == launch_rows(crawled["db_path"])
    db = sqlite_utils.Database(db_path)
    assert [r["status"] for r in db["crawl_runs"].rows] == ["interrupted", "finished"]
    assert read_all_records(tmp_path / "warc") >= 2 * db["captures"].count


def test_a_warc_cut_at_any_point_imports_what_precedes_the_cut_with_one_reason(tmp_path, crawled):
    """warcio raises AttributeError at some cut points (a record header cut before its target URI):
    every cut imports the complete records before it and names one reason, never a traceback."""
    from archive import db as archive_db
    from archive.ingest import import_warc
    from archive.warc import complete_gzip_end

    warc = sorted((crawled["db_path"].parent / "warc").glob("*.warc.gz"))[0]
    data = warc.read_bytes()
    whole = import_warc(archive_db.open_db(tmp_path / "whole.db"), tmp_path, [warc]).counts["html_responses"]
    step = max(1, len(data) // 150)
    for i, cut in enumerate(range(50, len(data), step)):
        folder = tmp_path / f"c{i}"
        folder.mkdir()
        (folder / "t.warc.gz").write_bytes(data[:cut])
        summary = import_warc(archive_db.open_db(folder / "a.db"), folder, [folder / "t.warc.gz"])
        # a cut that falls between two records leaves a shorter, whole file: nothing to report
        whole_file = complete_gzip_end(folder / "t.warc.gz")[0]
        assert summary.counts["malformed"] == len(summary.changed) == (0 if whole_file else 1), cut
        assert summary.counts["html_responses"] <= whole


def test_a_gzipped_file_that_is_not_a_warc_is_one_line_and_a_non_zero_exit(tmp_path):
    import gzip

    fake = tmp_path / "notes.warc.gz"
    fake.write_bytes(gzip.compress("Biên bản họp, không phải WARC.\n".encode()))
    result = thanthien("import-warc", fake, "--db", tmp_path / "t.db", check=False)
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert result.returncode == 1 and len(lines) == 1 and lines[0].startswith("thanthien: nothing imported from notes.warc.gz")
    assert "Traceback" not in result.stderr
