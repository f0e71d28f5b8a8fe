"""The CLI as a user meets it: registry listing, exports, runs, clear errors."""
import csv
import io
import json

import sqlite_utils

from portalsim.portals import registry_portals
from scrapers.registry import REGISTRY_PATH, default_registry, load_registry

from .conftest import thanthien


def test_registry_has_the_27_thanh_hoa_district_portals():
    registry = default_registry()
    real = [p for p in registry.values() if not p.simulated and p.province == "Thanh Hóa"]
    assert len(real) == 27
    assert all(p.platform == "sharepoint" and p.base_url.endswith(".thanhhoa.gov.vn") for p in real)
    assert {p.name for p in real if p.verified} == {"quanson", "samson"}
    # the production file holds only real portals; the simulator's come from portalsim/portals.toml
    assert not any(p.simulated for p in load_registry(REGISTRY_PATH).values())
    assert {"sim-quanson", "sim-samson", "sim-krongpac", "sim-dongvan"} <= registry_portals().keys()


def test_registry_covers_the_gazetteer_districts():
    import sqlite3
    from pathlib import Path

    import vietnamadminunits

    data = Path(vietnamadminunits.__file__).parent / "data" / "dataset.db"
    codes = {r[0] for r in sqlite3.connect(data).execute(
        "select distinct districtCode from admin_units_legacy where provinceShort = 'Thanh Hóa'")}
    assert codes <= {p.district_code for p in default_registry().values()}


def test_portals_command_lists_registry():
    rows = [json.loads(line) for line in thanthien("portals", "--json").stdout.strip().splitlines()]
    assert len(rows) == sum(not p.simulated for p in default_registry().values()) > 100
    lines = thanthien("portals", "--json", "--province", "thanh hoa").stdout.strip().splitlines()
    assert len(lines) == 27 and {json.loads(line)["province"] for line in lines} == {"Thanh Hóa"}
    assert "sim-quanson" in thanthien("portals", "--all").stdout


def test_export_launches_csv_with_bom(crawled, tmp_path):
    out = tmp_path / "launches.csv"
    thanthien("export", "--csv", "launches", "-o", out, "--db", crawled["db_path"])
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    db = sqlite_utils.Database(crawled["db_path"])
    assert len(rows) == db.execute("select count(*) from story_launches").fetchone()[0]  # one per story
    assert list(rows[0])[:9] == ["id", "unit", "unit_type", "district", "province", "event_date", "year", "month", "board_size"]
    assert any(r["province"] == "Thanh Hóa" for r in rows)


def test_export_filters_and_json(crawled):
    out = thanthien("export", "--table", "launches", "--jsonl", "--province", "Đắk Lắk", "--db", crawled["db_path"]).stdout
    rows = [json.loads(line) for line in out.strip().splitlines()]
    assert rows and all(r["province"] == "Đắk Lắk" for r in rows)
    articles = json.loads(thanthien("export", "--table", "articles", "--json", "--launch-only", "--db", crawled["db_path"]).stdout)
    assert articles and all(a["is_launch_report"] == 1 for a in articles)


def test_runs_lists_crawl_runs(crawled):
    out = thanthien("runs", "--db", crawled["db_path"]).stdout
    assert "finished" in out and "sim-quanson" in out


def test_missing_archive_is_a_clear_error(tmp_path):
    for args in (["runs"], ["export", "launches"], ["serve"]):
        result = thanthien(*args, "--db", tmp_path / "none.db", check=False)
        assert result.returncode == 1
        assert "no archive at" in result.stderr and "Traceback" not in result.stderr


def test_unknown_portal_is_a_clear_error(tmp_path):
    result = thanthien("crawl", "--portal", "nowhere", "--db", tmp_path / "a.db", check=False)
    assert result.returncode == 1 and "unknown portal 'nowhere'" in result.stderr


def test_launch_exports_count_stories_unless_copies(crawled):
    db = sqlite_utils.Database(crawled["db_path"])
    one_per_story = thanthien("export", "launches", "--jsonl", "--db", crawled["db_path"]).stdout.strip().splitlines()
    every_copy = thanthien("export", "launches", "--jsonl", "--copies", "--db", crawled["db_path"]).stdout.strip().splitlines()
    assert len(one_per_story) == db.execute("select count(*) from story_launches").fetchone()[0]
    assert len(every_copy) == db["launches"].count > len(one_per_story)
    stories = thanthien("export", "--table", "stories", "--jsonl", "--db", crawled["db_path"]).stdout.strip().splitlines()
    assert len(stories) == db.execute("select sum(size) from stories where size > 1").fetchone()[0]
