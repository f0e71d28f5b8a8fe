"""The `thanthien` command line: each command does one thing on an archive path.

One click group (`base.cli`) and its commands by what they do: portals (the registry), crawling
(crawl, recover, schedule, worker, store), records (extract, export, runs, import-warc, reprocess)
and publishing (serve, sim, demo). Importing this package registers them all.
"""
from . import crawling, portals, publishing, records  # noqa: F401  (their commands register on `cli`)
from .base import DB_OPTION, CliError, cli, main
from .publishing import DEMO_PORT_BASE

__all__ = ["DB_OPTION", "DEMO_PORT_BASE", "CliError", "cli", "main"]
