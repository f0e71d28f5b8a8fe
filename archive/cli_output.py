"""One output-format decorator for every `thanthien` command that lists rows (modelled on sqlite-utils'
`output_options`): `--table` (the default: the command's own aligned text), `--csv`, `--tsv`, `--json`
(a JSON array) and `--nl` (newline-delimited JSON, one object per line).

    @cli.command()
    @output_options
    def runs(output_format, ...):
        out = RowWriter(output_format, columns, table_line=lambda row: f"{row['id']:>4} ...")
        for row in rows:
            out.write(row)
        out.close()

Rows are dicts. CSV/TSV cells: None is empty, a dict or list is its JSON text, anything else str().
The writer streams: a row is printed when it is written (`portals check` shows results as they come).
"""
from __future__ import annotations

import csv
import functools
import io
import json
from typing import Callable, Iterable

import click

FORMATS = ("table", "csv", "tsv", "json", "nl")
FLAGS = {fmt: f"--{fmt}" for fmt in FORMATS}


def output_options(fn=None, *, json_lines: bool = False):
    """Add --table/--csv/--tsv/--json/--nl to a click command; it gets them as one `output_format`
    argument ("table" unless a flag says otherwise). Two of them at once is a usage error.

    json_lines=True keeps `--json` meaning one object per line (the same as --nl), for commands
    whose `--json` printed JSON lines before this decorator existed (`portals`, `portals check`)."""

    def decorate(fn):
        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            chosen = [fmt for fmt in FORMATS if kwargs.pop(f"output_{fmt}")]
            if len(chosen) > 1:
                raise click.UsageError(" and ".join(FLAGS[f] for f in chosen) + ": choose one output format",
                                       ctx=click.get_current_context(silent=True))
            fmt = chosen[0] if chosen else "table"
            if fmt == "json" and json_lines:
                fmt = "nl"
            return fn(*args, output_format=fmt, **kwargs)

        json_help = ("JSON, one object per line (the same as --nl)." if json_lines
                     else "A JSON array of objects.")
        options = (
            click.option("--table", "output_table", is_flag=True, help="Aligned text for people (the default)."),
            click.option("--csv", "output_csv", is_flag=True, help="CSV with a header row."),
            click.option("--tsv", "output_tsv", is_flag=True, help="Tab-separated values with a header row."),
            click.option("--json", "output_json", is_flag=True, help=json_help),
            click.option("--nl", "output_nl", is_flag=True, help="Newline-delimited JSON: one object per line."),
        )
        for option in reversed(options):
            wrapper = option(wrapper)
        return wrapper

    return decorate(fn) if fn is not None else decorate


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, (dict, list, tuple)):
        return json.dumps(value, ensure_ascii=False, default=str)
    return str(value)


class RowWriter:
    """Print rows (dicts) in one of FORMATS.

    table_line(row) -> str gives the command's own line for a row in the table format, and
    table_header a line printed before the rows (also when there are none); without table_line
    the table is a generic one (columns padded to their widest cell, printed at close()).
    columns: the CSV/TSV header and the order of JSON keys; None takes the first row's keys."""

    def __init__(self, output_format: str, columns: Iterable[str] | None = None, *,
                 table_line: Callable[[dict], str] | None = None, table_header: str | None = None):
        if output_format not in FORMATS:
            raise ValueError(f"unknown output format {output_format!r}")
        self.format = output_format
        self.columns = list(columns) if columns is not None else None
        self.table_line = table_line
        self.count = 0
        self._buffered: list[dict] = []
        self._started = False
        if output_format == "table" and table_header is not None:
            click.echo(table_header)
        if self.columns is not None:
            self._start()

    @property
    def is_table(self) -> bool:
        return self.format == "table"

    def _start(self) -> None:
        if self._started:
            return
        self._started = True
        if self.format in ("csv", "tsv"):
            self._echo_record(self.columns)

    def _echo_record(self, values) -> None:
        buffer = io.StringIO()
        csv.writer(buffer, delimiter="\t" if self.format == "tsv" else ",", lineterminator="\r\n").writerow(
            [_cell(v) for v in values])
        click.echo(buffer.getvalue(), nl=False)

    def _ordered(self, row: dict) -> dict:
        return {c: row.get(c) for c in self.columns} | {k: v for k, v in row.items() if k not in self.columns}

    def write(self, row: dict) -> None:
        if self.columns is None:
            self.columns = list(row)
        self._start()
        fmt = self.format
        if fmt == "table":
            if self.table_line is None:
                self._buffered.append(row)
            else:
                click.echo(self.table_line(row))
        elif fmt in ("csv", "tsv"):
            self._echo_record([row.get(c) for c in self.columns])
        else:
            text = json.dumps(self._ordered(row), ensure_ascii=False, default=str)
            if fmt == "nl":
                click.echo(text)
            else:  # a JSON array, one object per line, as sqlite-utils prints it
                click.echo(("[" if self.count == 0 else ",\n ") + text, nl=False)
        self.count += 1

    def write_all(self, rows: Iterable[dict]) -> "RowWriter":
        for row in rows:
            self.write(row)
        return self

    def close(self) -> None:
        if self.format == "json":
            click.echo("]" if self.count else "[]")
        elif self.format == "table" and self.table_line is None and self._buffered:
            for line in aligned(self.columns, self._buffered):
                click.echo(line)
            self._buffered = []


def aligned(columns: list[str], rows: list[dict]) -> list[str]:
    """A plain text table: a header, then each row, every column padded to its widest cell."""
    cells = [[_cell(row.get(c)) for c in columns] for row in rows]
    widths = [max([len(c)] + [len(r[i]) for r in cells]) for i, c in enumerate(columns)]
    return [" ".join(v.ljust(w) for v, w in zip(line, widths)).rstrip() for line in [columns, *cells]]
