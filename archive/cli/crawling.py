"""The commands that fetch: crawl, recover, schedule, and the distributed worker and store."""
from __future__ import annotations

import shlex
import sys
from pathlib import Path

import click

from archive import db as archive_db
from scrapers.registry import RegistryError, default_registry, get_portal

from .base import CliError, DB_OPTION, add_simulator_portals, cli, fail, parse_base_urls


@cli.command()
@click.option("--portal", "portal_names", multiple=True, help="Registry name (repeatable).")
@click.option("--start-url", multiple=True, help="Crawl a site not in the registry with the generic platform.")
@click.option("--base-url", "base_urls", multiple=True, help="NAME=URL: serve a registry portal from elsewhere (mirror, simulator).")
@click.option("--simulated", is_flag=True, help="Local simulator: no politeness delays.")
@click.option("--full", is_flag=True, help="Fetch every article again, not only the new ones (no early stop).")
@click.option("--refresh", is_flag=True, help="Re-request archived articles conditionally (ETag/Last-Modified) to catch edits.")
@click.option("--set", "overrides", multiple=True, help="Scrapy setting override KEY=VALUE (repeatable).")
@click.option("-v", "--verbose", is_flag=True, help="Show Scrapy's log here too (it is always in <archive dir>/logs/).")
@click.option("--redis", "redis_url", help="Distributed: share the frontier in this Redis (redis://HOST:PORT/DB) "
              "with --workers worker processes, this process storing (README: Distributed crawling).")
@click.option("--workers", type=click.IntRange(1, 64), default=2, show_default=True, help="Worker processes with --redis.")
@DB_OPTION
def crawl(portal_names, start_url, base_urls, simulated, full, refresh, overrides, verbose, redis_url, workers, db_path):
    """Crawl portals for real and store what they publish.

    Progress per portal goes to stderr, the summary to stdout, Scrapy's log to
    <archive dir>/logs/crawl-<run id>.log (--verbose: here too). With --redis, worker processes
    share the crawl through Redis and this process is the archive's single writer."""
    from archive.crawl import run_crawl

    if not portal_names and not start_url:
        raise CliError("name at least one --portal (see `thanthien portals`) or a --start-url")
    if redis_url and (start_url or refresh):
        raise CliError("--redis crawls registry portals (--portal); --start-url and --refresh need a single-process crawl")
    targets, settings = _targets_and_settings(portal_names, base_urls, overrides, full)
    targets += [{"start_url": url} for url in start_url]
    settings["THANTHIEN_REFRESH"] = refresh
    if redis_url:
        return _crawl_distributed(targets, _redis_url(redis_url), db_path, workers, settings, simulated)
    summary = run_crawl(targets, db_path, overrides=settings, simulated=simulated, verbose=verbose)
    print_summary(summary)
    if summary.storage_failure:
        fail(f"the crawl stopped: storage failed ({summary.storage_failure}); what was stored before is kept, "
              "free space and run the same command again to resume")
    if summary.unreachable:
        click.echo(f"thanthien: unreachable (no page could be fetched): {', '.join(summary.unreachable)}", err=True)
        sys.exit(2)


def _targets_and_settings(portal_names, base_urls, overrides, full) -> tuple[list[dict], dict]:
    """The registry portals named (each with its --base-url, if any) and the Scrapy settings of
    --full and --set, as `crawl` and `worker` take them. The simulator's portals are crawled by
    name too (with or without --simulated, which only lifts the politeness budget on loopback)."""
    add_simulator_portals()
    try:
        targets = [{"portal": get_portal(n).name} for n in portal_names]
    except RegistryError as exc:
        raise CliError(str(exc)) from None
    mapping = parse_base_urls(base_urls)
    for target in targets:
        target["base_url"] = mapping.get(target["portal"])
    settings = {"THANTHIEN_INCREMENTAL": not full}
    for item in overrides:
        key, sep, value = item.partition("=")
        if not sep:
            raise CliError(f"--set takes KEY=VALUE, got {item!r}")
        settings[key] = value
    return targets, settings


def print_summary(summary) -> None:
    """The run's one summary, on stdout: its totals as booked in `crawl_runs`, per portal, what the
    archive now holds, and where the log is. `crawl` and `demo` both print it, once."""
    import sqlite3

    from archive import coverage as archive_coverage

    run, archive, coverage = None, None, []
    try:
        db = archive_db.open_db(summary.db_path, create=False)
        try:
            coverage = archive_coverage.summary_lines(db, summary.run_id)
            run = db.execute("select status, pages_fetched, articles_new, articles_updated, articles_unchanged, errors, "
                             "faults from crawl_runs where id = ?", [summary.run_id]).fetchone()
            archive = db.execute("select count(*), coalesce(sum(is_launch_report), 0), count(distinct story_id) "
                                 "from articles").fetchone() + db.execute("select count(*) from launches").fetchone()
        finally:
            db.close()
    except (sqlite3.Error, OSError):
        pass  # a full disk may refuse even this: the numbers below come from the crawlers
    if run is None or run[0] == "running":  # not booked (the write failed): what the crawlers counted
        totals = summary.totals
        run = (summary.status, totals["pages_fetched"], totals["articles_new"], totals["articles_updated"],
               totals["articles_unchanged"], summary.events.get("errors", 0), summary.events.get("faults", 0))
    status, pages, new, updated, unchanged, errors, faults = (x or 0 for x in run)
    click.echo(f"\ncrawl run {summary.run_id} {summary.status} in {summary.seconds:.1f}s: pages {pages}, "
               f"articles new {new} updated {updated} unchanged {unchanged}, "
               f"launch reports {summary.launch_reports}, errors {errors}")
    if len(summary.per_portal) > 1 or any(c.get("finish_reason") != "finished" for c in summary.per_portal.values()):
        for name, counts in summary.per_portal.items():
            reason = counts.get("finish_reason")
            click.echo(f"  {name:<18} pages {counts['pages_fetched']:>4}  new {counts['articles_new']:>4}  "
                       f"updated {counts['articles_updated']:>3}  unchanged {counts['articles_unchanged']:>4}  "
                       f"launch reports {counts['launch_reports']:>3}  errors {counts.get('errors', 0):>3}"
                       + ("" if reason == "finished" else f"  ({reason or 'not started'})"))
    if faults:
        click.echo(f"  faults {faults} by kind {summary.events.get('error_summary')}; "
                   f"details: thanthien runs --errors {summary.run_id} --db {shlex.quote(str(summary.db_path))}")
    for line in coverage:  # fields whose share fell against each portal's previous run (archive/coverage.py)
        click.echo(line)
    if archive:
        click.echo(f"archive {summary.db_path}: {archive[0]} articles, {archive[1]} launch reports, "
                   f"{archive[3]} launches, {archive[2]} stories")
    if summary.log_path:
        logged = f" ({summary.logged_errors} ERROR lines)" if summary.logged_errors else ""
        click.echo(f"log: {summary.log_path}{logged}")


@cli.command()
@click.option("--portal", "portal_name", required=True, help="Registry name of the portal to recover (e.g. quanson).")
@click.option("--from", "date_from", help="Only snapshots from this time on (YYYY, YYYYMM, … up to 14 digits).")
@click.option("--to", "date_to", help="Only snapshots up to this time (YYYY, YYYYMM, …).")
@click.option("--latest", is_flag=True, help="The newest snapshot of each article instead of the earliest.")
@click.option("--wayback-url", help="The Wayback Machine to ask (default: THANTHIEN_WAYBACK_URL, https://web.archive.org).")
@click.option("--set", "overrides", multiple=True, help="Scrapy setting override KEY=VALUE (repeatable).")
@DB_OPTION
def recover(portal_name, date_from, date_to, latest, wayback_url, overrides, db_path):
    """Recover a (closed) portal's articles from the Wayback Machine, politely; resumable."""
    import re

    from archive.recover import run_recover

    try:
        portal = get_portal(portal_name)
    except RegistryError as exc:
        raise CliError(str(exc)) from None
    for name, value in (("--from", date_from), ("--to", date_to)):
        if value and not re.fullmatch(r"\d{1,14}", value):
            raise CliError(f"{name} takes 1 to 14 digits (YYYY, YYYYMM, YYYYMMDD …), got {value!r}")
    if wayback_url and not wayback_url.startswith(("http://", "https://")):
        raise CliError(f"--wayback-url takes an http(s) URL, got {wayback_url!r}")
    settings = {}
    for item in overrides:
        key, sep, value = item.partition("=")
        if not sep:
            raise CliError(f"--set takes KEY=VALUE, got {item!r}")
        settings[key] = value
    summary = run_recover(portal.name, db_path, wayback_url=wayback_url, date_from=date_from, date_to=date_to,
                          latest=latest, overrides=settings)
    click.echo("\n" + "\n".join(summary.lines()))
    if summary.stopped_by_429:
        click.echo("thanthien: the Wayback Machine asked us to slow down (429) repeatedly; stopped cleanly. "
                   "Run the same command again later to resume.", err=True)
        sys.exit(3)
    if summary.finish_reason != "finished":
        sys.exit(1)


SYSTEMD_SERVICE = """[Unit]
Description=thanthien daily crawl of Vietnamese local-government portals
After=network-online.target
Wants=network-online.target

[Service]
Type=oneshot
WorkingDirectory={workdir}
ExecStart={exe} crawl {portals} --db {db}
Nice=10
"""


SYSTEMD_TIMER = """[Unit]
Description=Run the thanthien crawl daily

[Timer]
OnCalendar=*-*-* {time}:00
RandomizedDelaySec=30min
Persistent=true

[Install]
WantedBy=timers.target
"""


@cli.command()
@click.option("--portal", "portal_names", multiple=True, help="Portals to crawl (default: every live or unknown registry portal).")
@click.option("--at", "at_time", default="03:15", show_default=True, help="Time of day (HH:MM, local).")
@DB_OPTION
@click.option("--install", is_flag=True, help="Write the systemd units to /etc/systemd/system (root) and print how to enable them.")
@click.option("--unit-dir", type=click.Path(file_okay=False, path_type=Path), default=Path("/etc/systemd/system"), show_default=True)
def schedule(portal_names, at_time, db_path, install, unit_dir):
    """Print (or install) a systemd timer and service, and a cron line, for a daily crawl."""
    import shutil as _shutil

    if not portal_names:
        # portals whose platform is known: a guessed host of the national registry is checked first
        # (`thanthien portals check`), and scheduled once its platform is set
        portal_names = [p.name for p in default_registry().values()
                        if not p.simulated and p.status != "closed" and p.platform != "unknown"]
    try:
        hour, minute = (int(x) for x in at_time.split(":"))
        assert 0 <= hour < 24 and 0 <= minute < 60
    except (ValueError, AssertionError):
        raise CliError(f"--at takes HH:MM, got {at_time!r}") from None
    exe = _shutil.which("thanthien") or f"{sys.executable} -m archive.cli"
    portals_args = " ".join(f"--portal {n}" for n in portal_names)
    db_abs = db_path.resolve()
    service = SYSTEMD_SERVICE.format(workdir=Path.cwd(), exe=exe, portals=portals_args, db=db_abs)
    timer = SYSTEMD_TIMER.format(time=f"{hour:02d}:{minute:02d}")
    cron = f"{minute} {hour} * * * cd {Path.cwd()} && {exe} crawl {portals_args} --db {db_abs} >> {db_abs.parent}/crawl.log 2>&1"
    if install:
        try:
            unit_dir.mkdir(parents=True, exist_ok=True)
            (unit_dir / "thanthien-crawl.service").write_text(service, encoding="utf-8")
            (unit_dir / "thanthien-crawl.timer").write_text(timer, encoding="utf-8")
        except OSError as exc:
            raise CliError(f"cannot write units to {unit_dir}: {exc.strerror or exc}") from None
        click.echo(f"wrote {unit_dir}/thanthien-crawl.service and .timer; enable with:\n"
                   "  systemctl daemon-reload && systemctl enable --now thanthien-crawl.timer")
        return
    click.echo("# /etc/systemd/system/thanthien-crawl.service\n" + service)
    click.echo("# /etc/systemd/system/thanthien-crawl.timer\n" + timer)
    click.echo("# or, with cron (crontab -e):\n" + cron)


def _need_distributed() -> None:
    import importlib

    try:
        for module in ("redis", "scrapy_redis"):
            importlib.import_module(module)
    except ImportError:
        raise CliError('distributed crawling needs the `distributed` extra: pip install -e ".[distributed]"') from None


def _redis_url(url: str) -> str:
    if not url.startswith(("redis://", "rediss://", "unix://")):
        raise CliError(f"--redis takes redis://HOST:PORT/DB, got {url!r}")
    return url


def _crawl_distributed(targets, redis_url, db_path, workers, settings, simulated) -> None:
    """`crawl --redis`: N `thanthien worker` processes on a fresh job, this process the store."""
    _need_distributed()
    import redis

    from archive.store_worker import run_distributed_crawl, summary_line

    settings.pop("THANTHIEN_REFRESH", None)  # refused with --redis before this
    try:
        redis.Redis.from_url(redis_url, socket_connect_timeout=5).ping()
        summary = run_distributed_crawl(targets, redis_url, db_path, workers=workers, simulated=simulated,
                                        overrides=settings)
    except redis.exceptions.ConnectionError as exc:
        raise CliError(f"cannot reach Redis at {redis_url}: {exc}") from None
    click.echo(summary_line(summary))


@cli.command()
@click.option("--redis", "redis_url", required=True, help="The shared Redis: redis://HOST:PORT/DB.")
@click.option("--portal", "portal_names", multiple=True, required=True, help="Registry name (repeatable).")
@click.option("--base-url", "base_urls", multiple=True, help="NAME=URL: serve a registry portal from elsewhere (mirror, simulator).")
@click.option("--job", default="thanthien", show_default=True,
              help="Name of the crawl in Redis: workers of one job share its frontier; a new crawl of the same portals takes a new name.")
@click.option("--simulated", is_flag=True, help="Local simulator: no politeness delays for loopback hosts.")
@click.option("--full", is_flag=True, help="Fetch every article again, not only the new ones (no early stop).")
@click.option("--set", "overrides", multiple=True, help="Scrapy setting override KEY=VALUE (repeatable).")
@click.option("-v", "--verbose", is_flag=True, help="Scrapy's log (INFO) on stderr; default WARNING.")
@click.option("--db", "db_path", type=click.Path(dir_okay=False, path_type=Path),
              help="An archive to read (never written) for incremental runs: what it holds is not fetched again.")
def worker(redis_url, portal_names, base_urls, job, simulated, full, overrides, verbose, db_path):
    """Crawl portals as one of several processes sharing a Redis frontier; `thanthien store` writes.

    Blocks until every named portal's shared frontier is done (no queued request, none in flight
    at a live worker)."""
    _need_distributed()
    from archive.worker import run_worker

    targets, settings = _targets_and_settings(portal_names, base_urls, overrides, full)
    import redis

    try:
        result = run_worker(targets, _redis_url(redis_url), job=job, db_path=db_path if db_path and db_path.exists() else None,
                            overrides=settings, simulated=simulated, verbose=verbose)
    except redis.exceptions.ConnectionError as exc:
        raise CliError(f"cannot reach Redis at {redis_url}: {exc}") from None
    pages = sum(p["pages_fetched"] for p in result["portals"].values())
    records = sum(p["records_pushed"] for p in result["portals"].values())
    click.echo(f"worker {result['worker']} finished in {result['seconds']:.1f}s: pages {pages}, articles pushed {records}")


@cli.command()
@click.option("--redis", "redis_url", required=True, help="The shared Redis: redis://HOST:PORT/DB.")
@click.option("--job", default="thanthien", show_default=True, help="The crawl whose items to store (as given to the workers).")
@click.option("--until-idle", type=float, help="Stop after this many seconds without an item (default: until SIGTERM/Ctrl-C).")
@DB_OPTION
def store(redis_url, job, until_idle, db_path):
    """The archive's single writer for `thanthien worker`s: WARC records, captures and articles."""
    _need_distributed()
    import redis

    from archive.store_worker import run_store, summary_line

    add_simulator_portals()
    try:
        summary = run_store(_redis_url(redis_url), db_path, job=job, until_idle=until_idle)
    except redis.exceptions.ConnectionError as exc:
        raise CliError(f"cannot reach Redis at {redis_url}: {exc}") from None
    click.echo(summary_line(summary))
