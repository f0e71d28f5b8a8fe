"""The command group, its options and errors: what every `thanthien` command shares."""
from __future__ import annotations

import sys
from pathlib import Path

import click

from archive import db as archive_db
from archive.lock import ArchiveBusy, hold_writer


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


def add_simulator_portals() -> None:
    """Merge the portal simulator's portals (portalsim/portals.toml) into this process's registry.

    The production registry holds only real portals; the commands that crawl, check or list the
    simulator's portals by name (demo, crawl, worker, portals check, portals --all) and those that
    read what it served (a demo archive reprocessed, its WARC files imported, its pages extracted,
    a store for simulated workers) add them here, so names such as sim-quanson resolve with their
    province and district. Listing and checking the whole registry still leave them out."""
    from portalsim.portals import REGISTRY_PATH
    from scrapers.registry import add_registry

    add_registry(REGISTRY_PATH)


def parse_base_urls(values) -> dict[str, str]:
    mapping = {}
    for value in values:
        name, sep, url = value.partition("=")
        if not sep or not url.startswith(("http://", "https://")):
            raise CliError(f"--base-url takes NAME=URL, got {value!r}")
        mapping[name] = url
    return mapping


def check_port(host: str, port: int) -> None:
    import socket

    with socket.socket() as sock:
        try:
            sock.bind((host, port))
        except OSError:
            raise CliError(f"port {port} on {host} is in use; choose another with --port") from None


def open_archive(db_path: Path, create: bool = False, write: bool = False):
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


def main() -> None:
    """Entry point: every failure a user can cause ends in one clear line and a non-zero exit."""
    import sqlite3

    try:
        code = cli.main(prog_name="thanthien", standalone_mode=False)
        if isinstance(code, int) and code:
            sys.exit(code)
    except click.Abort:
        fail("aborted")
    except click.UsageError as exc:  # a wrong option or argument: the same form as every other error
        hint = f" (see `{exc.ctx.command_path} --help`)" if exc.ctx is not None else ""
        click.echo(f"thanthien: {exc.format_message()}{hint}", err=True)
        sys.exit(exc.exit_code)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except (archive_db.SchemaError, ArchiveBusy) as exc:
        fail(str(exc))
    except sqlite3.DatabaseError as exc:
        fail(f"the archive database cannot be used: {exc} (is the folder writable, is it a thanthien archive?)")
    except PermissionError as exc:
        fail(f"permission denied: {exc.filename or exc}")
    except OSError as exc:
        fail(f"{exc.strerror or exc}: {exc.filename or ''}".rstrip(": "))


def fail(message: str) -> None:
    click.echo(f"thanthien: {message}", err=True)
    sys.exit(1)
