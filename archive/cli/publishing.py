"""The commands that show the archive: serve, sim (the portal simulator) and demo."""
from __future__ import annotations

import shlex
import sys
import time
from pathlib import Path

import click

from archive import db as archive_db
from archive.cli_output import RowWriter, output_options
from scrapers.registry import default_registry

from .base import CliError, DB_OPTION, add_simulator_portals, check_port, cli, fail
from .crawling import print_summary


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
    check_port(host, port)
    click.echo(f"Datasette on http://{host}:{port}/ serving {db_path}")
    sys.exit(run_serve(db_path, host=host, port=port, immutable=immutable))


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
        check_port(host, port)
    add_simulator_portals()
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
    print_summary(summary)
    if summary.storage_failure:
        fail(f"the demo stopped: storage failed ({summary.storage_failure})")
    db_arg = "" if Path(db_path) == archive_db.DEFAULT_DB else f" --db {shlex.quote(str(db_path))}"
    click.echo("next: " + "; ".join(f"thanthien {c}{db_arg}" for c in ("serve", "export launches", "runs")))
    if serve:
        from archive.publish import serve as run_serve

        click.echo(f"Datasette on http://{host}:{port}/ (Ctrl-C to stop)")
        sys.exit(run_serve(db_path, host=host, port=port))
