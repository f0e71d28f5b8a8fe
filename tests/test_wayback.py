"""Wayback Machine recovery of a closed portal: the simulated Archive (CDX + replay) on 127.0.0.1,
real Scrapy crawls in subprocesses (`thanthien recover`, `scrapy crawl wayback`), ground truth."""
from __future__ import annotations

import json
import subprocess
import sys
import urllib.error
import urllib.request
from urllib.parse import urlencode, urlsplit

import pytest
import sqlite_utils

from archive.evaluate import compare, format_report
from archive.warc import read_record
from portalsim.wayback import WaybackSimulator, closed_portal_snapshots, sha1_base32, surt
from scrapers.wayback import timestamp_iso

from .conftest import ROOT, thanthien

REAL = "https://quanson.thanhhoa.gov.vn"
FAST = 600  # requests per minute in tests: 0.1 s apart


@pytest.fixture(scope="module")
def closed_portal():
    """Snapshots of sim-quanson as if captured on quanson.thanhhoa.gov.vn before it closed."""
    from portalsim.server import Simulator

    with Simulator() as sim:
        snapshots, truth = closed_portal_snapshots(sim, "sim-quanson", REAL)
    launch_reports = [t for t in truth if t["is_launch_report"]]
    # two launch reports the CDX prefix query does not return: only the listing pages name them
    hidden = [launch_reports[1]["url"], launch_reports[3]["url"]]
    return {"snapshots": snapshots, "truth": truth, "hidden": hidden}


def recover(wb, db_path, *extra, cdx=FAST, replay=FAST, check=True, **settings):
    args = ["recover", "--portal", "quanson", "--wayback-url", wb.base_url, "--db", db_path,
            "--set", f"THANTHIEN_CDX_PER_MINUTE={cdx}", "--set", f"THANTHIEN_WAYBACK_PER_MINUTE={replay}",
            "--set", "THANTHIEN_CDX_PAGE_SIZE=5", *extra]
    for key, value in settings.items():
        args += ["--set", f"{key}={value}"]
    return thanthien(*args, check=check)


def earliest(snapshots) -> dict[str, str]:
    """path (lower case) → earliest 200 timestamp, as the recovery must choose."""
    best: dict[str, str] = {}
    for snap in snapshots:
        if len(snap) > 3 and snap[3].get("status", 200) != 200:
            continue
        key = urlsplit(snap[1]).path.lower()
        best[key] = min(best.get(key, snap[0]), snap[0])
    return best


@pytest.fixture(scope="module")
def recovered(closed_portal, tmp_path_factory):
    db_path = tmp_path_factory.mktemp("wayback") / "thanthien.db"
    with WaybackSimulator(closed_portal["snapshots"], hidden_from_prefix=closed_portal["hidden"]) as wb:
        result = recover(wb, db_path)
        hits = list(wb.hits)
        gaps = {kind: wb.gaps(kind) for kind in ("cdx", "id_")}
        base_url = wb.base_url
    return {"db_path": db_path, "output": result.stdout + result.stderr, "hits": hits, "gaps": gaps, "base_url": base_url}


# --- the simulator speaks the Archive's protocol ------------------------------------------------
def _get(url):
    try:
        with urllib.request.urlopen(url, timeout=10) as resp:
            return resp.status, dict(resp.headers), resp.read()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read()


def test_simulator_cdx_and_replay_protocol():
    page = b"<html><body><p>bai viet</p></body></html>"
    snaps = [
        ("20200101000000", "https://www.example.gov.vn/portal/Pages/2020-1-1/A.aspx", page),
        ("20210101000000", "http://example.gov.vn:80/portal/pages/2020-1-1/A.aspx", page),
        ("20200505000000", "https://example.gov.vn/portal/Pages/2020-5-5/B.aspx", b"<html>B</html>"),
        ("20200606000000", "https://example.gov.vn/portal/Pages/2020-6-6/C.aspx", b"gone", {"status": 404}),
        ("20200707000000", "https://example.gov.vn/portal/Pages/D.pdf", b"%PDF", {"content_type": "application/pdf"}),
        ("20200808000000", "https://example.gov.vn/other/E.aspx", b"<html>E</html>"),
    ]
    assert surt("https://www.Example.gov.vn:443/portal/Pages/X.aspx?b=2&a=1") == "vn,gov,example)/portal/pages/x.aspx?a=1&b=2"
    with WaybackSimulator(snaps) as wb:
        def cdx(**params):
            query = urlencode([(k.rstrip("_"), v) for k, vs in params.items() for v in (vs if isinstance(vs, list) else [vs])])
            status, _headers, body = _get(f"{wb.base_url}/cdx/search/cdx?{query}")
            assert status == 200
            return json.loads(body)

        base = dict(url="example.gov.vn/portal/Pages/", matchType="prefix", output="json", fl="timestamp,original,digest,length")
        rows = cdx(**base)
        assert rows[0] == ["timestamp", "original", "digest", "length"]  # header row first
        assert len(rows) == 1 + 5  # prefix matched case-insensitively, www and :80 folded
        filtered = cdx(**base, filter=["statuscode:200", "mimetype:text/html"])
        assert [r[0] for r in filtered[1:]] == ["20200101000000", "20210101000000", "20200505000000"]
        assert filtered[1][2] == sha1_base32(page)
        assert len(cdx(**base, filter=["statuscode:200", "mimetype:text/html"], collapse="urlkey")) == 1 + 2
        assert [r[0] for r in cdx(**base, from_="2021")[1:]] == ["20210101000000"]
        assert [r[0] for r in cdx(**base, to="2020", filter="!statuscode:404", collapse="urlkey")[1:]] == \
            ["20200101000000", "20200505000000", "20200707000000"]
        assert cdx(url="example.gov.vn/nothing/", matchType="prefix", output="json") == []
        # paging: limit + showResumeKey → an empty row, then [key]; resumeKey continues after it
        seen, key = [], None
        while True:
            page_rows = cdx(**base, limit="2", showResumeKey="true", **({"resumeKey": key} if key else {}))
            if page_rows and page_rows[-2:-1] == [[]]:
                seen += page_rows[1:-2]
                key = page_rows[-1][0]
            else:
                seen += page_rows[1:]
                break
        assert [r[0] for r in seen] == [r[0] for r in rows[1:]]
        # replay: id_ is the original bytes; without it, the toolbar; a near timestamp redirects
        status, headers, body = _get(f"{wb.base_url}/web/20200101000000id_/https://www.example.gov.vn/portal/Pages/2020-1-1/A.aspx")
        assert status == 200 and body == page
        status, _h, body = _get(f"{wb.base_url}/web/20200101000000/https://www.example.gov.vn/portal/Pages/2020-1-1/A.aspx")
        assert status == 200 and b"wm-ipp" in body and body != page
        status, _h, body = _get(f"{wb.base_url}/web/20200102id_/https://example.gov.vn/portal/Pages/2020-1-1/A.aspx")
        assert status == 200 and body == page  # followed the 302 to 20200101000000
        assert any(h.status == 302 for h in wb.hits)
        wb.fail_next(1, retry_after=7)
        status, headers, _ = _get(f"{wb.base_url}/cdx/search/cdx?url=example.gov.vn")
        assert status == 429 and headers["Retry-After"] == "7"
        assert [h.status for h in wb.hits_of("cdx")][-1] == 429


# --- recovery ---------------------------------------------------------------------------------
def test_recovery_brings_every_archived_article_with_correct_fields(recovered, closed_portal):
    db = sqlite_utils.Database(recovered["db_path"])
    rows = list(db["articles"].rows)
    report = compare(rows, closed_portal["truth"])
    print(format_report(report))
    assert report["missing"] == [] and report["extra"] == [] and report["duplicates"] == 0
    assert report["mistakes"] == []
    assert report["false_launches"] == [] and report["missed_launches"] == []
    launch_reports = [t for t in closed_portal["truth"] if t["is_launch_report"]]
    assert len(launch_reports) >= 5
    assert db.execute("select count(*) from articles where is_launch_report = 1").fetchone()[0] == len(launch_reports)
    # the ORIGINAL urls on the registry's scheme and host: the canonical_url a live crawl gives
    assert all(r["canonical_url"].startswith(REAL + "/portal/Pages/") for r in rows)
    assert {r["portal"] for r in rows} == {"quanson"}
    # the two launch reports missing from the prefix query came through the listing pages
    urls = {r["url"].lower() for r in rows}
    assert {u.lower() for u in closed_portal["hidden"]} <= urls
    lookups = [h for h in recovered["hits"] if h.kind == "cdx" and "matchType=exact" in h.path]
    assert len(lookups) == len(closed_portal["hidden"])
    assert "found by listings 2" in recovered["output"]


def test_recovered_rows_carry_their_provenance(recovered, closed_portal):
    db = sqlite_utils.Database(recovered["db_path"])
    archive_dir = recovered["db_path"].parent
    first = earliest(closed_portal["snapshots"])
    digests = {(urlsplit(s[1]).path.lower(), s[0]): sha1_base32(s[2]) for s in closed_portal["snapshots"]}
    rows = list(db.query("select a.url, a.recovered_from, a.snapshot_date, c.source, c.snapshot_timestamp, c.archive_url,"
                         " c.url as capture_url, c.warc_path, c.warc_offset from articles a join captures c on c.id = a.capture_id"))
    assert len(rows) == db["articles"].count == len(closed_portal["truth"])
    for row in rows:
        path = urlsplit(row["url"]).path.lower()
        assert row["recovered_from"] == "wayback" and row["source"] == "wayback"
        assert row["snapshot_timestamp"] == first[path]  # the earliest capture by default
        assert row["snapshot_date"] == timestamp_iso(first[path])
        assert row["archive_url"].startswith(recovered["base_url"] + f"/web/{first[path]}id_/")
        assert row["capture_url"] == row["url"]
        record = read_record(archive_dir, row["warc_path"], row["warc_offset"])
        assert record.url == row["url"]
        assert record.warc_headers["WARC-Thanthien-Archive-URL"] == row["archive_url"]
        assert sha1_base32(record.body) == digests[(path, row["snapshot_timestamp"])]  # the CDX digest
    # only original bytes were fetched: never the toolbar page, never anything but the Archive
    assert not [h for h in recovered["hits"] if h.kind in ("toolbar", "other")]
    assert all(h.status == 200 for h in recovered["hits"])
    # rebuilding from the WARC files keeps the provenance
    rebuilt = archive_dir / "rebuilt.db"
    thanthien("import-warc", *sorted((archive_dir / "warc").glob("*.warc.gz")), "--db", rebuilt)
    again = sqlite_utils.Database(rebuilt)
    assert sorted((r["canonical_url"], r["recovered_from"], r["snapshot_date"]) for r in again["articles"].rows) == \
        sorted((r["canonical_url"], r["recovered_from"], r["snapshot_date"]) for r in db["articles"].rows)


def test_request_spacing_respects_the_limits(recovered):
    for kind in ("cdx", "id_"):
        gaps = recovered["gaps"][kind]
        assert len(gaps) >= 5
        print(f"{kind}: {len(gaps) + 1} requests, smallest gap {min(gaps):.4f}s (limit {60 / FAST:.3f}s)")
        assert min(gaps) >= 60 / FAST


def test_separate_limits_and_date_window(closed_portal, tmp_path):
    """CDX and snapshots at their own limits (here 240/min and 400/min); --from/--to narrows to 2023."""
    with WaybackSimulator(closed_portal["snapshots"]) as wb:
        result = recover(wb, tmp_path / "a.db", "--from", "2023", "--to", "2023", cdx=240, replay=400)
        cdx_gaps, replay_gaps = wb.gaps("cdx"), wb.gaps("id_")
    print(result.stdout, f"cdx min gap {min(cdx_gaps):.4f}s, id_ min gap {min(replay_gaps):.4f}s")
    assert min(cdx_gaps) >= 60 / 240 and min(replay_gaps) >= 60 / 400
    db = sqlite_utils.Database(tmp_path / "a.db")
    dates = [r["snapshot_date"] for r in db["articles"].rows]
    assert dates and all(d.startswith("2023-") for d in dates)
    wanted = {p for p, ts in earliest(closed_portal["snapshots"]).items() if ts.startswith("2023") and "/20" in p}
    assert {urlsplit(r["url"]).path.lower() for r in db["articles"].rows} == wanted


def test_429_is_survived_honouring_retry_after(closed_portal, tmp_path):
    with WaybackSimulator(closed_portal["snapshots"], hidden_from_prefix=closed_portal["hidden"]) as wb:
        wb.fail_next(2, retry_after=1)
        result = recover(wb, tmp_path / "a.db")
        hits = [h for h in wb.hits if h.kind != "robots"]
    assert [h.status for h in hits[:3]] == [429, 429, 200]
    assert hits[1].t - hits[0].t >= 1.0 and hits[2].t - hits[1].t >= 1.0  # Retry-After: 1
    assert "429s 2" in result.stdout
    db = sqlite_utils.Database(tmp_path / "a.db")
    assert compare(list(db["articles"].rows), closed_portal["truth"])["missing"] == []


def test_repeated_429s_stop_cleanly_and_the_next_run_resumes(closed_portal, tmp_path):
    db_path = tmp_path / "a.db"
    with WaybackSimulator(closed_portal["snapshots"], hidden_from_prefix=closed_portal["hidden"]) as wb:
        # 4 listing pages and 5 articles go through, then three 429s in a row (Retry-After 0.2 s)
        wb.fail_after(9, 3, retry_after=0.2, kind="id_")
        first = recover(wb, db_path, check=False)
        assert first.returncode == 3, first.stdout + first.stderr[-3000:]
        assert "Run the same command again later to resume" in first.stderr
        db = sqlite_utils.Database(db_path)
        stored_first = db["articles"].count
        assert stored_first == 5
        assert [r["status"] for r in db["crawl_runs"].rows] == ["wayback_rate_limited"]
        fetched_first = {h.path for h in wb.hits_of("id_") if h.status == 200}
        before = len(wb.hits)
        second = recover(wb, db_path)
        later = wb.hits[before:]
    assert "429" not in {h.status for h in later}
    # nothing stored is fetched again: not the CDX answers, not the listings, not the articles
    assert not [h for h in later if h.kind == "cdx"]
    fetched_second = {h.path for h in later if h.kind == "id_"}
    assert fetched_second and not fetched_second & fetched_first
    assert "already stored 5" in second.stdout
    db = sqlite_utils.Database(db_path)
    report = compare(list(db["articles"].rows), closed_portal["truth"])
    assert report["missing"] == [] and report["duplicates"] == 0 and report["mistakes"] == []
    assert [r["status"] for r in db["crawl_runs"].rows] == ["wayback_rate_limited", "finished"]
    # one stored capture per snapshot: the resumed run did not duplicate any
    assert db.execute("select count(*) from (select url, snapshot_timestamp from captures where source = 'wayback'"
                      " group by 1, 2 having count(*) > 1)").fetchone()[0] == 0


def test_digest_mismatch_is_counted_and_not_stored(closed_portal, tmp_path):
    victim = closed_portal["truth"][0]["url"]
    with WaybackSimulator(closed_portal["snapshots"], hidden_from_prefix=closed_portal["hidden"]) as wb:
        wb.tamper(victim)
        result = recover(wb, tmp_path / "a.db")
    assert "digest mismatches 1" in result.stdout
    assert "digest mismatch for" in result.stderr
    db = sqlite_utils.Database(tmp_path / "a.db")
    report = compare(list(db["articles"].rows), closed_portal["truth"])
    assert report["missing"] == [victim] and report["mistakes"] == []
    path = urlsplit(victim).path.lower()
    assert not [r for r in db.query("select url from captures where source = 'wayback'") if urlsplit(r["url"]).path.lower() == path]


def test_latest_option_with_the_scrapy_command(closed_portal, tmp_path):
    """`scrapy crawl wayback -a latest=1`: the newest capture of each article."""
    db_path = tmp_path / "a.db"
    latest: dict[str, str] = {}
    for snap in closed_portal["snapshots"]:
        path = urlsplit(snap[1]).path.lower()
        if len(snap) == 3 and "/20" in path:
            latest[path] = max(latest.get(path, snap[0]), snap[0])
    with WaybackSimulator(closed_portal["snapshots"]) as wb:
        cmd = [sys.executable, "-m", "scrapy", "crawl", "wayback", "-a", "portal=quanson", "-a", "latest=1",
               "-a", f"wayback_url={wb.base_url}", "-s", f"THANTHIEN_DB={db_path}",
               "-s", f"THANTHIEN_CDX_PER_MINUTE={FAST}", "-s", f"THANTHIEN_WAYBACK_PER_MINUTE={FAST}"]
        result = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    db = sqlite_utils.Database(db_path)
    got = {urlsplit(r["url"]).path.lower(): r["snapshot_date"] for r in db["articles"].rows}
    assert got == {p: timestamp_iso(ts) for p, ts in latest.items()}
    assert any(ts.startswith("202505") for ts in latest.values())  # some articles were captured twice


# --- merging with live crawls -----------------------------------------------------------------
def test_recovered_capture_never_replaces_a_live_row(closed_portal, tmp_path):
    from archive import db as archive_db
    from pipelines.extract import extract_record
    from scrapers.registry import portal_of

    db_path = tmp_path / "a.db"
    truth = closed_portal["truth"]
    live_url, later_url = truth[0]["url"], truth[2]["url"]
    bodies = {urlsplit(s[1]).path.lower(): s[2] for s in closed_portal["snapshots"]}
    # the live crawl saw the first article after an edit: a live row whose text differs from the snapshot
    edited = bodies[urlsplit(live_url).path.lower()].replace(b"</p>", b" (c\xe1\xba\xadp nh\xe1\xba\xadt)</p>", 1)
    live = extract_record(edited, live_url, portal=portal_of(live_url, "quanson"))
    db = archive_db.open_db(db_path)
    live_id, status = archive_db.upsert_record(db, live)
    assert status == "new"
    db.close()
    with WaybackSimulator(closed_portal["snapshots"], hidden_from_prefix=closed_portal["hidden"]) as wb:
        result = recover(wb, db_path)
    assert "kept live 1" in result.stdout
    db = sqlite_utils.Database(db_path)
    row = db["articles"].get(live_id)
    assert row["body_text"] == live["body_text"] and row["recovered_from"] is None and row["snapshot_date"] is None
    assert db["articles"].count == len(truth)  # one row per canonical_url
    # both versions are kept: the snapshot as a capture beside the live row
    assert db.execute("select count(*) from captures where source = 'wayback' and url = ?", [live["url"]]).fetchone()[0] == 1
    # an incremental live crawl does not take recovered rows for "known": it fetches them once
    from scrapers.archive_state import ArchiveState
    from scrapers.spiders.portal import PortalSpider

    spider = PortalSpider(portal="quanson")
    spider.incremental = True
    spider.use_archive_state(ArchiveState(db_path).portal(spider.portal))
    assert spider.known == {live["canonical_url"]}
    # reprocess follows the same rule
    thanthien("reprocess", "--db", db_path)
    row = db["articles"].get(live_id)
    assert row["body_text"] == live["body_text"] and row["recovered_from"] is None
    assert db.execute("select count(*) from articles where recovered_from = 'wayback'").fetchone()[0] == len(truth) - 1
    # a later live crawl of a recovered article replaces it and clears the provenance
    later = extract_record(bodies[urlsplit(later_url).path.lower()], later_url, portal=portal_of(later_url, "quanson"))
    adb = archive_db.open_db(db_path)
    later_id, status = archive_db.upsert_record(adb, later)
    adb.close()
    assert status == "unchanged"
    row = db["articles"].get(later_id)
    assert row["recovered_from"] is None and row["snapshot_date"] is None
