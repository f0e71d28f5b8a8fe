"""Run real Scrapy crawls from Python (the CLI and the demo): one crawler per portal, one reactor,
one `crawl_runs` row for the whole invocation.

What the terminal shows (as pip or `scrapy crawl -L WARNING` users expect): Scrapy's log goes to
`<archive dir>/logs/crawl-<run id>.log` (Scrapy's own LOG_FILE, appended, LOG_LEVEL), and stderr
gets one progress display for all the portals (`CrawlProgress`); `verbose=True` shows the log on the
terminal as well, as `scrapy crawl` does, and no progress display.
"""
from __future__ import annotations

import json
import logging
import shutil
import sqlite3
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from scrapy.crawler import CrawlerProcess
from scrapy.settings import Settings

from archive import db as archive_db
from archive import runs
from archive.lock import hold_writer
from archive.stories import StoryAssigner
from scrapers import settings as default_settings
from scrapers.extensions import run_counts
from scrapers.registry import Portal


@dataclass
class CrawlSummary:
    run_id: int
    db_path: Path
    seconds: float
    per_portal: dict[str, dict] = field(default_factory=dict)
    unreachable: list[str] = field(default_factory=list)
    events: dict = field(default_factory=dict)
    status: str = "running"
    storage_failure: str | None = None     # why a write failed (scrapers/storage.py), if one did
    log_path: Path | None = None           # Scrapy's log of this run

    @property
    def launch_reports(self) -> int:
        return sum(p.get("launch_reports", 0) for p in self.per_portal.values())

    @property
    def logged_errors(self) -> int:
        """ERROR lines in the log (Scrapy's log_count/ERROR)."""
        return sum(p.get("logged_errors", 0) for p in self.per_portal.values())

    @property
    def totals(self) -> dict:
        keys = ("pages_fetched", "articles_new", "articles_updated", "articles_unchanged", "pages_dropped")
        return {k: sum(p.get(k, 0) for p in self.per_portal.values()) for k in keys}


def project_settings(db_path: Path, overrides: dict | None = None, simulated: bool = False) -> Settings:
    settings = Settings()
    settings.setmodule(default_settings, priority="project")
    settings.set("THANTHIEN_DB", str(db_path), priority="cmdline")
    if simulated:
        settings.setdict(default_settings.SIMULATOR_SETTINGS, priority="cmdline")
    for key, value in (overrides or {}).items():
        settings.set(key, value, priority="cmdline")
    return settings


def run_crawl(targets: list[dict], db_path: Path, *, overrides: dict | None = None, simulated: bool = False,
              verbose: bool = False, progress: bool = True) -> CrawlSummary:
    """Crawl each target ({"portal": name, "base_url": …} or {"start_url": …}) in one process.

    Blocks until every crawler has finished. Call once per process (Twisted's reactor cannot restart).
    Scrapy's log goes to `summary.log_path` (and to stderr too with `verbose`); `progress` draws
    the per-portal progress on stderr while crawling (not with `verbose`: the log is the progress).
    """
    overrides = dict(overrides or {})
    run_id, log_path, stories = _book_run(targets, db_path, overrides)
    settings = project_settings(db_path, {**overrides, "THANTHIEN_RUN_ID": run_id, "LOG_FILE": str(log_path),
                                          "THANTHIEN_STORIES": stories}, simulated)
    started = time.monotonic()
    crawlers, status = _crawl(targets, settings, run_id, log_path, verbose=verbose, progress=progress)
    summary = CrawlSummary(run_id=run_id, db_path=Path(db_path), seconds=time.monotonic() - started, log_path=log_path)
    for name, crawler in crawlers:
        stats = crawler.stats.get_stats() if crawler.stats else {}
        summary.per_portal[name] = {**run_counts(stats), "launch_reports": stats.get("thanthien/launch_reports", 0),
                                    "logged_errors": stats.get("log_count/ERROR", 0),
                                    "finish_reason": stats.get("finish_reason")}
    summary.unreachable = [name for name, counts in summary.per_portal.items() if not counts.get("ok_responses")]
    if status == "finished" and summary.unreachable:
        status = "unreachable"
    failures = [c.stats.get_value("thanthien/storage_failed") for _, c in crawlers if c.stats]
    summary.storage_failure = next(filter(None, failures), None)
    if summary.storage_failure:
        status = "failed"  # a write failed (scrapers/storage.py): the crawl stopped there
    summary.status = status
    _book_finish(db_path, run_id, summary)
    return summary


def _book_run(targets: list[dict], db_path: Path, overrides: dict):
    """The run's row, this process as the archive's one writer, the log's path and the run's story
    index; (run id, log path, stories)."""
    db = archive_db.open_db(db_path)
    hold_writer(db_path)  # before the run is booked: a second crawl of this archive stops here
    log_dir = Path(overrides.get("THANTHIEN_ARCHIVE_DIR") or Path(db_path).parent) / "logs"
    if not overrides.get("LOG_FILE"):
        log_dir.mkdir(parents=True, exist_ok=True)  # before the run is booked: a folder we cannot write stops here
    run_id = runs.start_run(db, [t.get("portal") or t.get("start_url") for t in targets])
    # one story index for every crawler of the run: each portal's StorePipeline writes through its
    # own connection, and a copy on another portal must find the first one (StoryPipeline)
    stories = StoryAssigner(db)
    db.close()
    return run_id, Path(overrides.get("LOG_FILE") or log_dir / f"crawl-{run_id}.log"), stories


def _crawl(targets: list[dict], settings, run_id: int, log_path: Path, *, verbose: bool, progress: bool):
    """One crawler per target in one CrawlerProcess, with the progress display; (crawlers, status)."""
    process = CrawlerProcess(settings)  # configures logging: Scrapy's root handler writes LOG_FILE
    if verbose:
        _log_to_terminal_too(settings)
    crawlers = []
    for target in targets:
        crawler = process.create_crawler("portal")
        crawlers.append((target.get("portal") or target.get("start_url"), crawler))
        process.crawl(crawler, **{k: v for k, v in target.items() if v})
    display = None
    if progress and not verbose:
        display = CrawlProgress(crawlers, interval=settings.getfloat("THANTHIEN_PROGRESS_INTERVAL"))
        display.say(f"crawling {len(crawlers)} portal{'s' * (len(crawlers) != 1)} (run {run_id}); "
                    f"Scrapy's log: {log_path} (--verbose shows it here)")
        display.start()
    notice = _ShutdownNotice(display)
    logging.getLogger("scrapy.crawler").addHandler(notice)
    status = "finished"
    try:
        process.start()
    except KeyboardInterrupt:
        status = "interrupted"
    finally:
        logging.getLogger("scrapy.crawler").removeHandler(notice)
        if display:
            display.stop()
    if notice.received:
        status = "interrupted"  # Ctrl-C (Scrapy's graceful shutdown): the next run walks every listing again
    return crawlers, status


def _book_finish(db_path: Path, run_id: int, summary: CrawlSummary) -> None:
    """The run's row finished with its counts and faults; the WAL folded into the file."""
    db = archive_db.open_db(db_path)
    try:
        runs.finish_run(db, run_id, status=summary.status, **summary.totals)
        if summary.storage_failure:
            booked = json.loads(db.execute("select error_summary from crawl_runs where id = ?", [run_id]).fetchone()[0]
                                or "{}")
            with db.conn:
                db["crawl_runs"].update(run_id, {"error_summary": json.dumps(
                    {**booked, "storage_failed": summary.storage_failure}, ensure_ascii=False)})
        summary.events = runs.event_counts(db, run_id)
        for name in summary.per_portal:
            summary.per_portal[name]["errors"] = db.execute(
                "select count(*) from crawl_events where crawl_run_id = ? and portal = ? and final = 1", [run_id, name]
            ).fetchone()[0]
        # Fold the WAL into the main file: `thanthien serve` opens the archive immutable, which ignores WAL.
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    except sqlite3.OperationalError:
        if not summary.storage_failure:
            raise
        # the disk is still full: the run stays booked "running" and is seen as interrupted next time
    finally:
        db.close()


def _log_to_terminal_too(settings) -> None:
    """--verbose: Scrapy's log on stderr as `scrapy crawl` shows it, besides the log file."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter(fmt=settings.get("LOG_FORMAT"), datefmt=settings.get("LOG_DATEFORMAT")))
    handler.setLevel(settings.get("LOG_LEVEL"))
    logging.root.addHandler(handler)


class _ShutdownNotice(logging.Handler):
    """Notes Scrapy's "Received SIGINT, shutting down gracefully" (the run is then booked
    `interrupted`), and, since the log goes to a file, shows it to the person who pressed Ctrl-C."""

    def __init__(self, display: "CrawlProgress | None"):
        super().__init__(logging.INFO)
        self.display = display
        self.received = False

    def emit(self, record):
        message = record.getMessage()
        if message.startswith("Received SIG"):
            self.received = True
            if self.display:
                self.display.say("thanthien: " + message.strip().replace("Send again to force", "Ctrl-C again to force"))


class CrawlProgress:
    """Per-portal progress on stderr, read from each crawler's stats on a timer.

    A LoopingCall here rather than a Scrapy extension: the display spans every crawler of the
    process (one line per portal, one total), and the stats already hold exactly what the run
    books (`run_counts`, `thanthien/launch_reports`, `thanthien/errors` from the run recorder), so
    what is shown is what `crawl_runs` gets, without a second count kept per item.

    On a terminal the lines are redrawn in place (ANSI cursor-up) a few times a second and erased
    at the end, leaving the summary; otherwise (CI, cron, a log file) one quiet line of totals
    every `interval` seconds, when something changed.
    """

    TTY_INTERVAL = 0.25

    def __init__(self, crawlers: list[tuple[str, object]], *, interval: float = 10.0, stream=None):
        self.crawlers = crawlers
        self.stream = stream or sys.stderr
        self.tty = hasattr(self.stream, "isatty") and self.stream.isatty()
        self.interval = self.TTY_INTERVAL if self.tty else max(float(interval or 10.0), 0.1)
        self.started = time.monotonic()
        self.drawn = 0          # lines of the display currently on the terminal
        self.last_line = None   # the last periodic line (non-TTY): not repeated while nothing changes
        self.loop = None

    def counts(self, crawler) -> dict:
        stats = crawler.stats.get_stats() if getattr(crawler, "stats", None) else {}
        reason = stats.get("finish_reason")
        state = "done" if reason == "finished" else reason or ("crawling" if stats.get("start_time") else "waiting")
        return {**run_counts(stats), "launch_reports": stats.get("thanthien/launch_reports", 0),
                "errors": stats.get("thanthien/errors", 0), "faults": stats.get("thanthien/faults", 0), "state": state}

    def start(self) -> None:
        from twisted.internet import reactor, task

        self.loop = task.LoopingCall(self.tick)
        reactor.callWhenRunning(self.loop.start, self.interval, now=self.tty)

    def stop(self) -> None:
        if self.loop is not None and self.loop.running:
            self.loop.stop()
        self._erase()

    def say(self, text: str) -> None:
        """A line above the display (which is redrawn below it at the next tick)."""
        self._erase()
        self.stream.write(text + "\n")
        self.stream.flush()

    def tick(self) -> None:
        rows = [(name, self.counts(crawler)) for name, crawler in self.crawlers]
        if self.tty:
            self._draw(rows)
            return
        line = self._total_line(rows)
        if line != self.last_line:
            self.last_line = line
            self.stream.write(f"progress {time.monotonic() - self.started:.0f}s: {line}\n")
            self.stream.flush()

    @staticmethod
    def _total_line(rows) -> str:
        total = {k: sum(c[k] for _, c in rows) for k in
                 ("pages_fetched", "articles_new", "articles_updated", "articles_unchanged", "launch_reports", "errors")}
        done = sum(c["state"] not in ("waiting", "crawling") for _, c in rows)
        return (f"portals {done}/{len(rows)} done, pages {total['pages_fetched']}, articles new {total['articles_new']} "
                f"updated {total['articles_updated']} unchanged {total['articles_unchanged']}, "
                f"launch reports {total['launch_reports']}, errors {total['errors']}")

    def _draw(self, rows) -> None:
        width, height = shutil.get_terminal_size((100, 24))
        room = max(height - 3, 1)
        if len(rows) > room:  # more portals than lines: the ones crawling first, the total says the rest
            order = {"crawling": 0, "waiting": 1}
            rows_shown = sorted(rows, key=lambda r: order.get(r[1]["state"], 2))[:room]
        else:
            rows_shown = rows
        name_width = min(max([3] + [len(name) for name, _ in rows]), 30)
        done = sum(c["state"] not in ("waiting", "crawling") for _, c in rows)
        total = {k: sum(c[k] for _, c in rows) for k in rows[0][1] if k != "state"} if rows else {}

        def line(name, state, c):
            stored = c["articles_new"] + c["articles_updated"] + c["articles_unchanged"]
            return (f"  {name[:name_width]:<{name_width}} {state:<8}  pages {c['pages_fetched']:>4}  articles {stored:>4}  "
                    f"launch reports {c['launch_reports']:>3}  errors {c['errors']:>3}"
                    + (f" (faults {c['faults']})" if c["faults"] > c["errors"] else ""))

        lines = [line(name, c["state"][:8], c) for name, c in rows_shown]
        if total:
            lines.append(line("all", f"{done}/{len(rows)} done", total) + f"  {time.monotonic() - self.started:.0f}s")
        out = f"\r\x1b[{self.drawn}A" if self.drawn else "\r"
        out += "".join(f"\x1b[2K{text[:width - 1]}\n" for text in lines) + "\x1b[J"
        self.stream.write(out)
        self.stream.flush()
        self.drawn = len(lines)

    def _erase(self) -> None:
        if self.tty and self.drawn:
            self.stream.write(f"\r\x1b[{self.drawn}A\x1b[J")
            self.stream.flush()
        self.drawn = 0


def portal_targets(portals: list[Portal], base_urls: dict[str, str] | None = None) -> list[dict]:
    base_urls = base_urls or {}
    return [{"portal": p.name, "base_url": base_urls.get(p.name)} for p in portals]
