"""The commands that read or rewrite what the archive holds: extract, export, runs, import-warc, reprocess."""
from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import click

from archive import db as archive_db
from archive.cli_output import RowWriter, output_options
from scrapers.registry import portal_of

from .base import CliError, DB_OPTION, add_simulator_portals, cli, fail, open_archive


@cli.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--url", help="The page's original URL (default: file:// of the path).")
@click.option("--portal", "portal_name", help="Registry portal the page comes from (default: by the URL's host).")
@click.option("--jsonl", is_flag=True, help="One compact record per line.")
def extract(files, url, portal_name, jsonl):
    """Print the record of saved page(s) as JSON (the crawler's own extraction)."""
    from pipelines.extract import NotAnArticle, extract_record

    add_simulator_portals()
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

    `launches` is the launch_events table, the same rows and columns as Datasette's
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
    db = open_archive(db_path)
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
    db = open_archive(db_path, create=True, write=True)
    add_simulator_portals()
    summary = import_warc(db, db_path.parent, list(files))
    if not summary.counts["html_responses"] and (summary.counts["malformed"] or not summary.counts["records"]):
        # nothing imported: one line with the first reason, and a non-zero exit
        reason = summary.changed[0]["error"] if summary.changed else "no WARC record in it"
        fail(f"nothing imported from {', '.join(p.name for p in files)}: {reason}")
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
    db = open_archive(db_path, write=True)
    add_simulator_portals()
    total = db.execute("select count(distinct url) from captures where status = 200").fetchone()[0]
    started = time.monotonic()
    with click.progressbar(length=total, label="reprocess", file=sys.stderr) as bar:
        summary = run_reprocess(db, db_path.parent, since=since, portal=portal_name, progress=lambda: bar.update(1))
    seconds = time.monotonic() - started
    rate = summary.counts["captures"] / seconds if seconds else 0
    click.echo(f"reprocess: {summary.line()} ({seconds:.1f}s, {rate:.0f} pages/s)")
    if changes:
        changes.write_text(changes_json(summary), encoding="utf-8")
