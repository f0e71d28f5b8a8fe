"""The listing commands' shared output options (archive/cli_output.py): --csv, --tsv, --json, --nl and
the default table, on a real crawled archive, a real `portals check` of the simulator and a running
`thanthien sim`."""
from __future__ import annotations

import csv
import io
import json
import subprocess
import sys

import click
import sqlite_utils
from click.testing import CliRunner

from archive.cli_output import RowWriter, output_options
from scrapers.registry import default_registry

from .conftest import ROOT, thanthien


def cell(value) -> str:
    """What a JSON value is in a CSV cell."""
    if value is None:
        return ""
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def assert_formats_agree(*args, json_lines=False, vary=()):
    """--csv, --tsv and --nl hold the same rows as --json (but the columns in `vary`, which differ
    between two runs of the command); returns the --json rows."""
    as_json = thanthien(*args, "--json").stdout
    if json_lines:  # `portals` and `portals check`: --json is one object per line, as before the decorator
        rows = [json.loads(line) for line in as_json.splitlines()]
    else:
        rows = json.loads(as_json)
        assert isinstance(rows, list)
    assert rows, f"{args}: no rows to compare"
    nl = [json.loads(line) for line in thanthien(*args, "--nl").stdout.splitlines()]  # one object per line
    assert len(nl) == len(rows) and [list(r) for r in nl] == [list(r) for r in rows]
    assert [{k: v for k, v in r.items() if k not in vary} for r in nl] == [
        {k: v for k, v in r.items() if k not in vary} for r in rows]
    for flag, delimiter in (("--csv", ","), ("--tsv", "\t")):
        parsed = list(csv.reader(io.StringIO(thanthien(*args, flag).stdout), delimiter=delimiter))
        assert parsed[0] == list(rows[0]), f"{flag}: header is not the JSON keys"
        keep = [i for i, column in enumerate(parsed[0]) if column not in vary]
        assert [[line[i] for i in keep] for line in parsed[1:]] == [
            [cell(v) for k, v in row.items() if k not in vary] for row in rows]
    return rows


def test_runs_formats_agree_and_the_table_is_unchanged(crawled):
    db_path = crawled["db_path"]
    rows = assert_formats_agree("runs", "--db", db_path)
    db = sqlite_utils.Database(db_path)
    assert rows == list(db.query("select * from crawl_runs order by id"))
    assert {"finished"} == {r["status"] for r in rows} and rows[0]["pages_fetched"] > 0
    # the table, as `thanthien runs` printed it before the output options
    expected = [f"{'id':>4} {'started':<26} {'status':<11} {'pages':>6} {'new':>5} {'upd':>5} {'same':>5} "
                f"{'faults':>6} {'errors':>6}  portals"]
    expected += [f"{r['id']:>4} {r['started_at'] or '':<26} {r['status'] or '':<11} {r['pages_fetched'] or 0:>6} "
                 f"{r['articles_new'] or 0:>5} {r['articles_updated'] or 0:>5} {r['articles_unchanged'] or 0:>5} "
                 f"{r['faults'] or 0:>6} {r['errors'] or 0:>6}  {r['portals']}" for r in rows]
    table = thanthien("runs", "--db", db_path).stdout
    assert table == "\n".join(expected) + "\n"
    assert thanthien("runs", "--table", "--db", db_path).stdout == table


def test_runs_errors_formats_agree(simulator, tmp_path):
    """A crawl with one portal refusing connections: its faults in every format."""
    from .conftest import free_port

    db_path = tmp_path / "a.db"
    crawl = thanthien("crawl", "--simulated", "--db", db_path, "--set", "RETRY_TIMES=1",
                      "--portal", "sim-dongvan", "--base-url", f"sim-dongvan={simulator.base_urls['sim-dongvan']}",
                      "--portal", "quanson", "--base-url", f"quanson=http://127.0.0.1:{free_port()}", check=False)
    assert crawl.returncode == 2 and "unreachable (no page could be fetched): quanson" in crawl.stderr
    db = sqlite_utils.Database(db_path)
    run = db.execute("select crawl_run_id from crawl_events group by crawl_run_id").fetchone()
    assert run, "the crawl recorded no crawl_events"
    rows = assert_formats_agree("runs", "--errors", run[0], "--db", db_path)
    assert rows == list(db.query("select * from crawl_events where crawl_run_id = ? order by id", [run[0]]))
    assert {r["kind"] for r in rows if r["portal"] == "quanson"} == {"refused"}
    table = thanthien("runs", "--errors", run[0], "--db", db_path).stdout.splitlines()
    kinds = list(db.query("select kind, count(*) as n, sum(final) as final from crawl_events where crawl_run_id = ?"
                          " group by kind order by n desc", [run[0]]))
    assert table[:len(kinds)] == [f"{k['kind']:<18} {k['n']:>5} ({k['final']} final)" for k in kinds]
    assert table[len(kinds):] == [
        f"  {r['kind']:<18} {'final' if r['final'] else 'retry':<5} {r['status'] or '':<4} {r['url']}  {r['detail'] or ''}"
        for r in rows]


def test_portals_formats_agree_with_a_real_check(simulator, tmp_path):
    db_path = tmp_path / "thanthien.db"
    check = ["portals", "check", "--portal", "quanson", "--base-url", f"quanson={simulator.base_urls['sim-quanson']}",
             "--simulated", "--interval", "0", "--timeout", "5", "--db", db_path]
    checked = assert_formats_agree(*check, json_lines=True, vary={"checked_at"})  # four real checks, one per format
    assert [r["portal"] for r in checked] == ["quanson"] and checked[0]["status"] == "live"
    assert list(checked[0]) == ["portal", "checked_at", "status", "http_status", "final_url", "platform_seen", "detail"]
    table = thanthien(*check).stdout.splitlines()
    r = checked[0]
    assert table == [f"{r['portal']:<18} {r['status']:<8} {r['http_status'] or '-':>4} "
                     f"{r['platform_seen'] or '-':<10} {r['final_url'] or '-'}" + (f"  ({r['detail']})" if r["detail"] else "")]

    rows = assert_formats_agree("portals", "--province", "thanh hoa", "--db", db_path, json_lines=True)
    assert len(rows) == 27 and {r["province"] for r in rows} == {"Thanh Hóa"}
    quanson = next(r for r in rows if r["name"] == "quanson")
    assert quanson["last_check"]["status"] == "live"  # in CSV: the check's JSON text (assert_formats_agree)
    assert sum(r["last_check"] is not None for r in rows) == 1
    # the table: the old per-portal lines, then the counts per province
    out = thanthien("portals", "--province", "thanh hoa", "--db", db_path).stdout
    assert thanthien("portals", "--province", "thanh hoa", "--table", "--db", db_path).stdout == out
    lines = out.splitlines()
    for row, line in zip(rows, lines):
        flag = "verified" if row["verified"] else "unverified"
        expected = (f"{row['name']:<18} {row['platform']:<10} {row['status']:<8} {flag:<10} "
                    f"{row['province'] or '':<10} {row['district'] or '':<22} {row['base_url']}")
        if row["last_check"]:
            expected += f"  [checked {row['last_check']['checked_at'][:10]}: live]"
        assert line == expected
    assert lines[len(rows)] == "" and lines[len(rows) + 1].split() == ["province", "portals", "verified", "checked",
                                                                       "live", "moved", "closed", "unknown"]
    assert lines[-1].split() == ["all", "27", "2", "1"]


def test_portals_registry_rows_in_every_format(tmp_path):
    """Without an archive: the whole registry (not the simulator's portals), last_check empty."""
    rows = assert_formats_agree("portals", "--db", tmp_path / "none.db", json_lines=True)
    registry = [p for p in default_registry().values() if not p.simulated]
    assert rows == [p.as_row() | {"last_check": None} for p in registry]


def test_sim_lists_its_portals_in_every_format():
    outputs = {}
    for flag in ("--table", "--json", "--nl", "--csv"):
        proc = subprocess.Popen([sys.executable, "-m", "archive.cli", "sim", flag], cwd=ROOT, text=True,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        try:
            lines = []
            while True:  # the listing comes first; then it serves until stopped
                line = proc.stdout.readline()
                assert line, f"sim {flag} ended: {proc.stderr.read()}"
                lines.append(line)
                if (flag == "--table" and line == "Ctrl-C to stop\n") or (flag == "--json" and line.endswith("]\n")):
                    break
                if flag in ("--nl", "--csv") and len(lines) == len(outputs["--json"]) + (flag == "--csv"):
                    break
            outputs[flag] = json.loads("".join(lines)) if flag == "--json" else lines
        finally:
            proc.terminate()
            proc.wait(timeout=10)
    portals = outputs["--json"]
    assert len(portals) >= 4 and {"sim-quanson", "sim-dongvan"} <= {p["portal"] for p in portals}
    assert all(p["base_url"].startswith("http://127.0.0.1:") for p in portals)
    assert [list(json.loads(line)) for line in outputs["--nl"]] == [["portal", "base_url"]] * len(portals)
    assert outputs["--csv"][0] == "portal,base_url\n" and len(outputs["--csv"]) == len(portals) + 1  # free ports: each run its own
    assert len(outputs["--table"]) == len(portals) + 1
    assert all(line.split()[1].startswith("http://127.0.0.1:") and line.endswith("/\n") for line in outputs["--table"][:-1])


def test_export_takes_nl_as_jsonl(crawled):
    db_path = crawled["db_path"]
    nl = thanthien("export", "launches", "--nl", "--db", db_path).stdout
    assert nl and nl == thanthien("export", "launches", "--jsonl", "--db", db_path).stdout
    assert all(json.loads(line)["id"] for line in nl.splitlines())


def test_two_formats_at_once_is_a_usage_error(tmp_path):
    result = thanthien("runs", "--csv", "--json", "--db", tmp_path / "a.db", check=False)
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr == "thanthien: --csv and --json: choose one output format (see `thanthien runs --help`)\n"


def test_a_command_without_its_own_table_gets_an_aligned_one():
    @click.command()
    @output_options
    def listing(output_format):
        RowWriter(output_format).write_all([{"name": "quanson", "pages": 12}, {"name": "sim-dongvan", "pages": None}]).close()

    runner = CliRunner()
    assert runner.invoke(listing, []).output == ("name        pages\n"
                                                  "quanson     12\n"
                                                  "sim-dongvan\n")
    assert runner.invoke(listing, ["--json"]).output == '[{"name": "quanson", "pages": 12},\n {"name": "sim-dongvan", "pages": null}]\n'
    assert runner.invoke(listing, ["--tsv"]).stdout_bytes == b"name\tpages\r\nquanson\t12\r\nsim-dongvan\t\r\n"
