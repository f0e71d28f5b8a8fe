"""The `thanthien` command line: each command does one thing on an archive path."""
from __future__ import annotations

import json
import shlex
import sys
import time
from pathlib import Path

import click

from archive import db as archive_db
from archive.cli_output import RowWriter, output_options
from archive.lock import ArchiveBusy, hold_writer
from scrapers.registry import RegistryError, default_registry, get_portal, portal_of

DB_OPTION = click.option("--db", "db_path", type=click.Path(dir_okay=False, path_type=Path), default=archive_db.DEFAULT_DB,
                         show_default=True, help="The archive's SQLite file.")


class CliError(click.ClickException):
    """One clear line and exit 1, never a traceback."""

    def show(self, file=None) -> None:
        click.echo(f"thanthien: {self.format_message()}", err=True, file=file)



@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="thanthien")
def cli():
    """thanthien: an open archive of Vietnamese local-government news about the launches of
    «Chính quyền thân thiện, vì Nhân dân phục vụ»."""


@cli.group(invoke_without_command=True)
@click.option("--all", "show_all", is_flag=True, help="Include the simulator's portals.")
@click.option("--province", help="Only this province's portals (diacritics and 'tỉnh' optional: --province 'son la').")
@DB_OPTION
@click.pass_context
@output_options(json_lines=True)
def portals(ctx, output_format, show_all, province, db_path):
    """List the portal registry with each portal's latest check, and portals per province.

    The table ends with the counts per province; the other formats give one row per portal, its
    latest check as `last_check`. `thanthien portals check` probes the portals' hosts and records
    what answers."""
    if ctx.invoked_subcommand:
        return
    from scrapers.portalcheck import latest_checks
    from scrapers.registry import counts_by_province, in_province

    if show_all:
        _add_simulator_portals()
    listed = in_province(province) if province else list(default_registry().values())
    listed = [p for p in listed if show_all or not p.simulated]
    if province and not listed:
        known = ", ".join(counts_by_province(p for p in default_registry().values() if not p.simulated))
        raise CliError(f"no registry portal in province {province!r}; provinces: {known}")
    checks = latest_checks(db_path)

    def table_line(row):
        flag = "verified" if row["verified"] else "unverified"
        line = (f"{row['name']:<18} {row['platform']:<10} {row['status']:<8} {flag:<10} "
                f"{row['province'] or '':<10} {row['district'] or '':<22} {row['base_url']}")
        check = row["last_check"]
        if check:
            seen = f" → {check['final_url']}" if check["status"] == "moved" else ""
            seen += f"; thanthien recover --portal {row['name']}" if check["status"] == "closed" else ""
            line += f"  [checked {check['checked_at'][:10]}: {check['status']}{seen}]"
        return line

    out = RowWriter(output_format, table_line=table_line)
    for portal in listed:
        out.write(portal.as_row() | {"last_check": checks.get(portal.name)})
    out.close()
    if not out.is_table:
        return
    click.echo(f"\n{'province':<12} {'portals':>7} {'verified':>8} {'checked':>7} "
               + " ".join(f"{s:>7}" for s in ("live", "moved", "closed", "unknown")))
    for name, count in counts_by_province(listed).items():
        mine = [p for p in listed if (p.province or "—") == name]
        statuses = [checks[p.name]["status"] for p in mine if p.name in checks]
        click.echo(f"{name:<12} {count:>7} {sum(p.verified for p in mine):>8} {len(statuses):>7} "
                   + " ".join(f"{statuses.count(s):>7}" for s in ("live", "moved", "closed", "unknown")))
    click.echo(f"{'all':<12} {len(listed):>7} {sum(p.verified for p in listed):>8} "
               f"{sum(p.name in checks for p in listed):>7}")


@portals.command("check")
@click.option("--province", "provinces", multiple=True, help="Check this province's portals (repeatable).")
@click.option("--portal", "portal_names", multiple=True, help="Check this registry portal (repeatable).")
@click.option("--base-url", "base_urls", multiple=True, help="NAME=URL: check a registry portal served from elsewhere (mirror, simulator).")
@click.option("--resolve", "resolves", multiple=True,
              help="HOST=ADDRESS:PORT: connect to ADDRESS:PORT (plain HTTP) for HOST, keeping its URLs (tests, like curl --resolve).")
@click.option("--simulated", is_flag=True, help="Loopback hosts (a local simulator) skip the politeness budget.")
@click.option("--interval", type=float, help="Seconds between requests to one registrable domain (default THANTHIEN_SITE_INTERVAL; a longer robots.txt Crawl-delay wins).")
@click.option("--timeout", type=float, default=20.0, show_default=True, help="Seconds to wait for each answer.")
@click.option("--workers", type=int, default=8, show_default=True, help="Registrable domains checked at once.")
@DB_OPTION
@output_options(json_lines=True)
def portals_check(provinces, portal_names, base_urls, resolves, simulated, interval, timeout, workers, output_format,
                  db_path):
    """Probe each portal's host politely (robots.txt, home page) and record live / moved / closed / unknown.

    Without --portal or --province every registry portal (not the simulator's) is checked. Results
    are printed as they come, one row per portal; the totals and hints go to stderr."""
    import threading

    from scrapers import portalcheck, settings as crawl_settings
    from scrapers.registry import in_province

    _add_simulator_portals()  # a simulator's portal is checked when named, with its --base-url
    try:
        chosen = [get_portal(n) for n in portal_names]
    except RegistryError as exc:
        raise CliError(str(exc)) from None
    for province in provinces:
        found = [p for p in in_province(province) if not p.simulated]
        if not found:
            raise CliError(f"no registry portal in province {province!r} (see `thanthien portals`)")
        chosen += found
    if not portal_names and not provinces:
        chosen = [p for p in default_registry().values() if not p.simulated]
    chosen = list({p.name: p for p in chosen}.values())
    mapping = _parse_base_urls(base_urls)
    unknown = set(mapping) - {p.name for p in chosen}
    if unknown:
        raise CliError(f"--base-url names portals not being checked: {', '.join(sorted(unknown))}")
    targets = [p.with_base_url(mapping[p.name]) if p.name in mapping else p for p in chosen]
    for portal in targets:
        if portal.simulated and portal.name not in mapping:
            raise CliError(f"{portal.name} is served by the simulator: give --base-url {portal.name}=URL")
    try:
        resolve = portalcheck.parse_resolve(resolves)
    except ValueError as exc:
        raise CliError(str(exc)) from None
    if interval is None:
        interval = getattr(crawl_settings, "THANTHIEN_SITE_INTERVAL", 1.0)
    db = _open_archive(db_path, create=True, write=True)
    click.echo(f"checking {len(targets)} portals: robots.txt and home page, one request per {interval:g}s "
               "per registrable domain", err=True)
    echo_lock = threading.Lock()

    def table_line(row):
        return (f"{row['portal']:<18} {row['status']:<8} {row['http_status'] or '-':>4} "
                f"{row['platform_seen'] or '-':<10} {row['final_url'] or '-'}"
                + (f"  ({row['detail']})" if row["detail"] else ""))

    columns = [f for f in portalcheck.CheckResult.__dataclass_fields__ if f != "platform_changed"]
    out = RowWriter(output_format, columns, table_line=table_line)

    def show(result):
        with echo_lock:
            out.write(result.as_row())

    started = time.monotonic()
    results = portalcheck.check_portals(targets, user_agent=crawl_settings.USER_AGENT, interval=interval,
                                        simulated=simulated, timeout=timeout, resolve=resolve, workers=workers,
                                        on_result=show)
    out.close()
    portalcheck.store(db, results, chosen)
    counts = {s: sum(r.status == s for r in results) for s in portalcheck.STATUSES}
    click.echo(f"checked {len(results)} portals in {time.monotonic() - started:.1f}s: "
               + ", ".join(f"{s} {n}" for s, n in counts.items()) + f" → {db_path} (portal_checks)", err=True)
    for result in results:
        if result.platform_changed:
            click.echo(f"note: {result.portal}: {result.detail}; fix its registry entry once a page confirms it", err=True)
    for result in results:
        if result.status == "closed":
            click.echo(f"hint: {result.portal} is closed; its articles may survive in the Wayback Machine: "
                       f"thanthien recover --portal {result.portal}", err=True)


def _add_simulator_portals() -> None:
    """Merge the portal simulator's portals (portalsim/portals.toml) into this process's registry.

    The production registry holds only real portals; the commands that crawl, check or list the
    simulator's portals by name (demo, crawl, worker, portals check, portals --all) and those that
    read what it served (a demo archive reprocessed, its WARC files imported, its pages extracted,
    a store for simulated workers) add them here, so names such as sim-quanson resolve with their
    province and district. Listing and checking the whole registry still leave them out."""
    from portalsim.portals import REGISTRY_PATH
    from scrapers.registry import add_registry

    add_registry(REGISTRY_PATH)


def _parse_base_urls(values) -> dict[str, str]:
    mapping = {}
    for value in values:
        name, sep, url = value.partition("=")
        if not sep or not url.startswith(("http://", "https://")):
            raise CliError(f"--base-url takes NAME=URL, got {value!r}")
        mapping[name] = url
    return mapping


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
    _print_summary(summary)
    if summary.storage_failure:
        _fail(f"the crawl stopped: storage failed ({summary.storage_failure}); what was stored before is kept, "
              "free space and run the same command again to resume")
    if summary.unreachable:
        click.echo(f"thanthien: unreachable (no page could be fetched): {', '.join(summary.unreachable)}", err=True)
        sys.exit(2)


def _targets_and_settings(portal_names, base_urls, overrides, full) -> tuple[list[dict], dict]:
    """The registry portals named (each with its --base-url, if any) and the Scrapy settings of
    --full and --set, as `crawl` and `worker` take them. The simulator's portals are crawled by
    name too (with or without --simulated, which only lifts the politeness budget on loopback)."""
    _add_simulator_portals()
    try:
        targets = [{"portal": get_portal(n).name} for n in portal_names]
    except RegistryError as exc:
        raise CliError(str(exc)) from None
    mapping = _parse_base_urls(base_urls)
    for target in targets:
        target["base_url"] = mapping.get(target["portal"])
    settings = {"THANTHIEN_INCREMENTAL": not full}
    for item in overrides:
        key, sep, value = item.partition("=")
        if not sep:
            raise CliError(f"--set takes KEY=VALUE, got {item!r}")
        settings[key] = value
    return targets, settings


def _print_summary(summary) -> None:
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


@cli.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--url", help="The page's original URL (default: file:// of the path).")
@click.option("--portal", "portal_name", help="Registry portal the page comes from (default: by the URL's host).")
@click.option("--jsonl", is_flag=True, help="One compact record per line.")
def extract(files, url, portal_name, jsonl):
    """Print the record of saved page(s) as JSON (the crawler's own extraction)."""
    from pipelines.extract import NotAnArticle, extract_record

    _add_simulator_portals()
    failed = 0
    for path in files:
        try:
            body = path.read_bytes()
        except OSError as exc:
            raise CliError(f"cannot read {path}: {exc.strerror or exc}") from None
        page_url = url if url and len(files) == 1 else (url.rstrip("/") + "/" + path.name if url else path.resolve().as_uri())
        try:
            record = extract_record(body, page_url, portal=portal_of(page_url, portal_name))
        except NotAnArticle as exc:
            click.echo(f"thanthien: {path}: {exc}", err=True)
            failed += 1
            continue
        click.echo(json.dumps(record, ensure_ascii=False, indent=None if jsonl else 2))
    if failed:
        sys.exit(1)


@cli.command()
@DB_OPTION
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8001, show_default=True, type=int)
@click.option("--immutable/--mutable", default=True, show_default=True, help="Serve read-only (immutable).")
def serve(db_path, host, port, immutable):
    """Publish the archive with Datasette (read-only)."""
    from archive.publish import serve as run_serve

    if not db_path.exists():
        raise CliError(f"no archive at {db_path}; run `thanthien crawl` or `thanthien demo` first")
    _check_port(host, port)
    click.echo(f"Datasette on http://{host}:{port}/ serving {db_path}")
    sys.exit(run_serve(db_path, host=host, port=port, immutable=immutable))


def _check_port(host: str, port: int) -> None:
    import socket

    with socket.socket() as sock:
        try:
            sock.bind((host, port))
        except OSError:
            raise CliError(f"port {port} on {host} is in use; choose another with --port") from None


@cli.command()
@click.argument("table_arg", required=False, metavar="[TABLE]")
@click.option("--table", type=click.Choice(["launches", "articles", "officials", "stories"]), help="What to export.")
@click.option("--csv", "fmt", flag_value="csv", default=True, help="CSV, UTF-8 with BOM (default).")
@click.option("--json", "fmt", flag_value="json", help="A JSON array.")
@click.option("--jsonl", "fmt", flag_value="jsonl", help="JSON lines.")
@click.option("--nl", "fmt", flag_value="jsonl", help="JSON lines (the same as --jsonl).")
@click.option("--no-bom", is_flag=True, help="CSV without the byte-order mark Excel needs.")
@click.option("--province", help="Diacritics and 'tỉnh' optional: 'Thanh Hoa' matches Thanh Hóa.")
@click.option("--district", help="Diacritics and type word optional: 'quan son' matches huyện Quan Sơn.")
@click.option("--portal", help="Registry name of the portal (e.g. quanson).")
@click.option("--since", help="YYYY, YYYY-MM or YYYY-MM-DD (event date for launches, published date otherwise).")
@click.option("--until", help="YYYY, YYYY-MM or YYYY-MM-DD, included (--until 2024: all of 2024).")
@click.option("--launch-only", is_flag=True, help="Only launch reports (articles, officials).")
@click.option("--copies", is_flag=True, help="Launches/officials of every copy of a republished report (default: one per story).")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="File to write (default stdout).")
@DB_OPTION
def export(table_arg, table, fmt, no_bom, province, district, portal, since, until, launch_only, copies, output, db_path):
    """Export launches, articles, officials or stories (copies of one report) as CSV / JSON.

    `launches` is the launch_events view, the same rows and columns as Datasette's
    /thanthien/launch_events.csv."""
    from archive.export import ExportError, empty_hint, export_rows, write_csv, write_json

    table = table or table_arg or "launches"
    if not db_path.exists():
        raise CliError(f"no archive at {db_path}")
    db = archive_db.open_db(db_path, create=False)
    filters = dict(province=province, district=district, since=since, until=until, portal=portal)
    try:
        columns, rows = export_rows(db, table, launch_only=launch_only, copies=copies, **filters)
    except ExportError as exc:
        raise CliError(str(exc)) from None
    out = open(output, "w", encoding="utf-8", newline="") if output else sys.stdout
    try:
        if fmt == "csv":
            write_csv(out, columns, rows, bom=not no_bom and output is not None)
        else:
            write_json(out, columns, rows, lines=fmt == "jsonl")
    finally:
        if output:
            out.close()
    if not rows:
        click.echo(empty_hint(db, table, **filters), err=True)
    if output:
        click.echo(f"{len(rows)} {table} rows → {output}", err=True)


@cli.command()
@DB_OPTION
@click.option("--errors", "errors_run", type=int, help="List the faults and errors of this run.")
@output_options
def runs(db_path, errors_run, output_format):
    """List crawl runs with their counts (or one run's faults with --errors RUN).

    Every format but the table gives all the columns of the crawl_runs rows (of the run's
    crawl_events rows with --errors; the table starts with their counts by kind)."""
    if not db_path.exists():
        raise CliError(f"no archive at {db_path}")
    db = _open_archive(db_path)
    if errors_run is not None:
        if not db.execute("select 1 from crawl_runs where id = ?", [errors_run]).fetchone():
            raise CliError(f"no crawl run {errors_run} in {db_path}")
        if output_format == "table":
            for row in db.query("select kind, count(*) as n, sum(final) as final from crawl_events where crawl_run_id = ?"
                                " group by kind order by n desc", [errors_run]):
                click.echo(f"{row['kind']:<18} {row['n']:>5} ({row['final']} final)")
        out = RowWriter(output_format, db["crawl_events"].columns_dict, table_line=lambda row: (
            f"  {row['kind']:<18} {'final' if row['final'] else 'retry':<5} {row['status'] or '':<4} {row['url']}  {row['detail'] or ''}"))
        out.write_all(db.query("select * from crawl_events where crawl_run_id = ? order by id", [errors_run])).close()
        return
    out = RowWriter(output_format, db["crawl_runs"].columns_dict, table_header=(
        f"{'id':>4} {'started':<26} {'status':<11} {'pages':>6} {'new':>5} {'upd':>5} {'same':>5} {'faults':>6} {'errors':>6}  portals"),
        table_line=lambda row: (
            f"{row['id']:>4} {row['started_at'] or '':<26} {row['status'] or '':<11} {row['pages_fetched'] or 0:>6} "
            f"{row['articles_new'] or 0:>5} {row['articles_updated'] or 0:>5} {row['articles_unchanged'] or 0:>5} "
            f"{row['faults'] or 0:>6} {row['errors'] or 0:>6}  {row['portals']}"))
    out.write_all(db.query("select * from crawl_runs order by id")).close()


@cli.command("import-warc")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@DB_OPTION
def import_warc_command(files, db_path):
    """Ingest WARC files (any tool's) through the same pipelines as a crawl."""
    from archive.ingest import import_warc

    for path in files:
        if not path.is_file():
            raise CliError(f"cannot read {path}: no such file")
        with open(path, "rb") as fh:
            head = fh.read(4)
        if not (head[:2] == b"\x1f\x8b" or head.startswith(b"WARC")):
            raise CliError(f"{path} is not a WARC file (neither gzip nor 'WARC/' at the start)")
    db = _open_archive(db_path, create=True, write=True)
    _add_simulator_portals()
    summary = import_warc(db, db_path.parent, list(files))
    if not summary.counts["html_responses"] and (summary.counts["malformed"] or not summary.counts["records"]):
        # nothing imported: one line with the first reason, and a non-zero exit
        reason = summary.changed[0]["error"] if summary.changed else "no WARC record in it"
        _fail(f"nothing imported from {', '.join(p.name for p in files)}: {reason}")
    for problem in summary.changed:
        click.echo(f"thanthien: {problem['file']}: malformed: {problem['error']}", err=True)
    click.echo(f"import-warc: {summary.line()}")


@cli.command()
@DB_OPTION
@click.option("--since", help="Only captures fetched on or after this date (YYYY-MM-DD).")
@click.option("--portal", "portal_name", help="Only this portal's captures.")
@click.option("--changes", type=click.Path(dir_okay=False, path_type=Path), help="Write the changed articles as JSON here.")
def reprocess(db_path, since, portal_name, changes):
    """Re-extract every stored capture with the current code, in place, without network."""
    from archive.ingest import changes_json, reprocess as run_reprocess

    if not db_path.exists():
        raise CliError(f"no archive at {db_path}")
    db = _open_archive(db_path, write=True)
    _add_simulator_portals()
    total = db.execute("select count(distinct url) from captures where status = 200").fetchone()[0]
    started = time.monotonic()
    with click.progressbar(length=total, label="reprocess", file=sys.stderr) as bar:
        summary = run_reprocess(db, db_path.parent, since=since, portal=portal_name, progress=lambda: bar.update(1))
    seconds = time.monotonic() - started
    rate = summary.counts["captures"] / seconds if seconds else 0
    click.echo(f"reprocess: {summary.line()} ({seconds:.1f}s, {rate:.0f} pages/s)")
    if changes:
        changes.write_text(changes_json(summary), encoding="utf-8")


def _open_archive(db_path: Path, create: bool = False, write: bool = False):
    try:
        db = archive_db.open_db(db_path, create=create)
        if write:
            hold_writer(db_path)  # one writer per archive (archive/lock.py)
        return db
    except ArchiveBusy as exc:
        raise CliError(str(exc)) from None
    except archive_db.SchemaError as exc:
        raise CliError(str(exc)) from None
    except FileNotFoundError:
        raise CliError(f"no archive at {db_path}") from None


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


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@output_options
def sim(host, output_format):
    """Serve the bundled portal simulator until Ctrl-C.

    Prints each portal's name and base URL first (in every format but the table, the
    "Ctrl-C to stop" line goes to stderr)."""
    from portalsim.server import Simulator

    with Simulator(host=host) as simulator:
        out = RowWriter(output_format, ["portal", "base_url"], table_line=lambda row: f"{row['portal']:<14} {row['base_url']}/")
        out.write_all({"portal": name, "base_url": url} for name, url in simulator.base_urls.items()).close()
        click.echo("Ctrl-C to stop", err=not out.is_table)
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            pass


DEMO_PORT_BASE = 18401


@cli.command()
@click.option("--db", "db_path", type=click.Path(dir_okay=False, path_type=Path), default=Path("archive/demo/thanthien.db"),
              show_default=True, help="Where the demo archive is built.")
@click.option("--serve/--no-serve", default=True, show_default=True, help="Publish with Datasette after building.")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8001, show_default=True, type=int)
@click.option("--sim-port-base", default=DEMO_PORT_BASE, show_default=True, type=int,
              help="First port of the simulator's portals (one port each). Fixed, so that the demo's URLs, "
                   "and so its archive, are the same every run.")
@click.option("-v", "--verbose", is_flag=True, help="Show Scrapy's log here too (it is always in <archive dir>/logs/).")
def demo(db_path, serve, host, port, sim_port_base, verbose):
    """Serve the simulator, crawl it for real over HTTP, build the archive, publish it."""
    from archive.crawl import run_crawl
    from portalsim.server import Simulator

    if serve:
        _check_port(host, port)
    _add_simulator_portals()
    registry = default_registry()
    # The portals' URLs hold their ports: fixed ports make a second run find every article again
    # ("unchanged") instead of storing a second copy of each under new URLs.
    simulator = Simulator(port_base=sim_port_base)
    try:
        simulator.start()
    except OSError as exc:
        raise CliError(f"the simulator cannot listen on ports {sim_port_base}–{sim_port_base + len(simulator.portals) - 1}"
                       f" ({exc.strerror}): is a demo running? Pass --sim-port-base N (URLs, and so articles,"
                       " then differ from earlier demo runs)") from None
    with simulator:
        names = [n for n in simulator.base_urls if n in registry]
        click.echo(f"simulator: {len(names)} portals on 127.0.0.1 ({', '.join(names)})", err=True)
        targets = [{"portal": n, "base_url": simulator.base_urls[n]} for n in names]
        summary = run_crawl(targets, db_path, simulated=True, verbose=verbose)
    _print_summary(summary)
    if summary.storage_failure:
        _fail(f"the demo stopped: storage failed ({summary.storage_failure})")
    db_arg = "" if Path(db_path) == archive_db.DEFAULT_DB else f" --db {shlex.quote(str(db_path))}"
    click.echo("next: " + "; ".join(f"thanthien {c}{db_arg}" for c in ("serve", "export launches", "runs")))
    if serve:
        from archive.publish import serve as run_serve

        click.echo(f"Datasette on http://{host}:{port}/ (Ctrl-C to stop)")
        sys.exit(run_serve(db_path, host=host, port=port))


def main() -> None:
    """Entry point: every failure a user can cause ends in one clear line and a non-zero exit."""
    import sqlite3

    try:
        code = cli.main(prog_name="thanthien", standalone_mode=False)
        if isinstance(code, int) and code:
            sys.exit(code)
    except click.Abort:
        _fail("aborted")
    except click.UsageError as exc:  # a wrong option or argument: the same form as every other error
        hint = f" (see `{exc.ctx.command_path} --help`)" if exc.ctx is not None else ""
        click.echo(f"thanthien: {exc.format_message()}{hint}", err=True)
        sys.exit(exc.exit_code)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except (archive_db.SchemaError, ArchiveBusy) as exc:
        _fail(str(exc))
    except sqlite3.DatabaseError as exc:
        _fail(f"the archive database cannot be used: {exc} (is the folder writable, is it a thanthien archive?)")
    except PermissionError as exc:
        _fail(f"permission denied: {exc.filename or exc}")
    except OSError as exc:
        _fail(f"{exc.strerror or exc}: {exc.filename or ''}".rstrip(": "))


def _fail(message: str) -> None:
    click.echo(f"thanthien: {message}", err=True)
    sys.exit(1)


# --- distributed crawling (Redis): scrapers/distributed/, archive/worker.py, archive/store_worker.py -------------------

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

    _add_simulator_portals()
    try:
        summary = run_store(_redis_url(redis_url), db_path, job=job, until_idle=until_idle)
    except redis.exceptions.ConnectionError as exc:
        raise CliError(f"cannot reach Redis at {redis_url}: {exc}") from None
    click.echo(summary_line(summary))


if __name__ == "__main__":
    main()
