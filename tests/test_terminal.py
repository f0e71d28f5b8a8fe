"""What `thanthien crawl` and `thanthien demo` print (issue 14, part 7): a progress display and one
summary on the terminal, Scrapy's log in a file beside the archive (`--verbose` shows it too)."""
from __future__ import annotations

import io
import re
import sqlite3

from .conftest import free_port, free_port_block, thanthien

SUMMARY = re.compile(r"^crawl run (\d+) (\w+) in [\d.]+s: pages (\d+), articles new (\d+) updated (\d+) "
                     r"unchanged (\d+), launch reports (\d+), errors (\d+)$", re.M)
ARCHIVE = re.compile(r"^archive .+: (\d+) articles, (\d+) launch reports, (\d+) launches, (\d+) stories$", re.M)
SCRAPY_LOG = re.compile(r"\[scrapy\.|\[scrapers\.|\[pipelines\.|DEBUG:|INFO:")


def summary_matches_the_run(output: str, db_path) -> int:
    """The one summary's numbers are the crawl_runs row's (and the archive line the archive's)."""
    found = SUMMARY.findall(output)
    assert len(found) == 1, output  # printed once
    run_id, status, pages, new, updated, unchanged, launch_reports, errors = found[0]
    with sqlite3.connect(db_path) as conn:
        row = conn.execute("select status, pages_fetched, articles_new, articles_updated, articles_unchanged, errors "
                           "from crawl_runs where id = ?", [int(run_id)]).fetchone()
        held = conn.execute("select count(*), coalesce(sum(is_launch_report), 0), count(distinct story_id) "
                            "from articles").fetchone()
        launches = conn.execute("select count(*) from launches").fetchone()[0]
    assert (status, int(pages), int(new), int(updated), int(unchanged), int(errors)) == row
    if int(new) == held[0]:  # a first run: every launch report of the archive was stored by it
        assert int(launch_reports) == held[1]
    archive = ARCHIVE.findall(output)
    assert len(archive) == 1 and tuple(map(int, archive[0])) == (held[0], held[1], launches, held[2])
    return int(run_id)


def test_demo_is_short_and_its_log_is_in_a_file(tmp_path):
    db_path = tmp_path / "demo" / "thanthien.db"
    result = thanthien("demo", "--no-serve", "--db", db_path, "--sim-port-base", free_port_block(), timeout=600)
    terminal = result.stdout + result.stderr
    assert len(terminal.splitlines()) < 40, terminal
    assert not SCRAPY_LOG.search(terminal), terminal
    assert "Traceback" not in terminal and "\x1b[" not in terminal  # not a terminal: no redrawing
    run_id = summary_matches_the_run(result.stdout, db_path)
    log_path = db_path.parent / "logs" / f"crawl-{run_id}.log"
    assert f"log: {log_path}" in result.stdout
    log = log_path.read_text(encoding="utf-8")
    assert "[scrapy.core.engine] INFO: Spider opened" in log and "[scrapy.statscollectors]" in log
    assert f"thanthien serve --db {db_path}" in result.stdout  # the next commands for this archive
    assert "articles new 64 updated 0 unchanged 0" in result.stdout


def crawl_args(simulator, db_path, *names):
    args = ["crawl", "--simulated", "--db", db_path]
    for name in names or simulator.base_urls:
        args += ["--portal", name, "--base-url", f"{name}={simulator.base_urls[name]}"]
    return args


def test_crawl_without_a_terminal_writes_quiet_progress_lines(simulator, tmp_path):
    db_path = tmp_path / "a" / "thanthien.db"
    result = thanthien(*crawl_args(simulator, db_path), "--set", "THANTHIEN_PROGRESS_INTERVAL=0.2")
    assert not SCRAPY_LOG.search(result.stdout + result.stderr), result.stderr
    progress = [line for line in result.stderr.splitlines() if line.startswith("progress ")]
    assert progress, result.stderr
    assert all(re.fullmatch(r"progress \d+s: portals \d+/6 done, pages \d+, articles new \d+ updated \d+ unchanged \d+, "
                            r"launch reports \d+, errors \d+", line) for line in progress), progress
    assert len(progress) == len(set(progress))  # a line only when something changed
    assert "\x1b[" not in result.stderr and "\r" not in result.stderr
    run_id = summary_matches_the_run(result.stdout, db_path)
    assert (db_path.parent / "logs" / f"crawl-{run_id}.log").stat().st_size > 0
    # a second run: its own log file, the summary still the run's own numbers
    again = thanthien(*crawl_args(simulator, db_path))
    second = summary_matches_the_run(again.stdout, db_path)
    assert second == run_id + 1 and (db_path.parent / "logs" / f"crawl-{second}.log").exists()


def test_verbose_brings_scrapys_log_back(simulator, tmp_path):
    db_path = tmp_path / "v" / "thanthien.db"
    result = thanthien(*crawl_args(simulator, db_path, "sim-quangchau"), "--verbose")
    assert "[scrapy.core.engine] INFO: Spider opened" in result.stderr
    assert "[scrapy.statscollectors] INFO: Dumping Scrapy stats" in result.stderr
    assert not [line for line in result.stderr.splitlines() if line.startswith("progress ")]
    run_id = summary_matches_the_run(result.stdout, db_path)
    log = (db_path.parent / "logs" / f"crawl-{run_id}.log").read_text(encoding="utf-8")
    assert "[scrapy.core.engine] INFO: Spider opened" in log  # the file has it too


def test_an_error_that_stops_the_crawl_is_one_thanthien_line(simulator, tmp_path):
    dead = f"http://127.0.0.1:{free_port()}"
    db_path = tmp_path / "u" / "thanthien.db"
    result = thanthien("crawl", "--simulated", "--db", db_path, "--set", "RETRY_TIMES=0",
                       "--portal", "quanson", "--base-url", f"quanson={dead}", check=False)
    assert result.returncode == 2
    said = [line for line in result.stderr.splitlines() if line.startswith("thanthien:")]
    assert said == ["thanthien: unreachable (no page could be fetched): quanson"], result.stderr
    assert not SCRAPY_LOG.search(result.stderr) and "Traceback" not in result.stderr
    summary_matches_the_run(result.stdout, db_path)


class _Stats:
    def __init__(self, values):
        self.values = values

    def get_stats(self):
        return self.values


class _Crawler:
    def __init__(self, **values):
        self.stats = _Stats(values)


class _Terminal(io.StringIO):
    def isatty(self):
        return True


def test_on_a_terminal_the_display_is_redrawn_in_place_and_erased(monkeypatch):
    from archive.crawl import CrawlProgress

    monkeypatch.setenv("COLUMNS", "100")  # a 100-column terminal (lines are cut to the width: an xdist worker sees 80)

    quanson = _Crawler(start_time=1, response_received_count=3, **{"thanthien/articles_new": 2, "thanthien/errors": 1,
                                                                      "thanthien/faults": 4})
    samson = _Crawler()
    screen = _Terminal()
    display = CrawlProgress([("sim-quanson", quanson), ("sim-samson", samson)], stream=screen)
    display.tick()
    first = screen.getvalue()
    assert "sim-quanson crawling  pages    3  articles    2" in first and "errors   1 (faults 4)" in first
    assert "sim-samson  waiting" in first and "all" in first and first.count("\n") == 3
    quanson.stats.values.update(finish_reason="finished", response_received_count=5)
    display.tick()
    redraw = screen.getvalue()[len(first):]
    assert redraw.startswith("\r\x1b[3A") and "sim-quanson done" in redraw and "1/2 done" in redraw
    display.say("a note")
    assert screen.getvalue().endswith("\r\x1b[3A\x1b[Ja note\n")  # above the display, which redraws below it
    display.tick()
    display.stop()
    assert screen.getvalue().endswith("\r\x1b[3A\x1b[J")  # erased: the summary follows
