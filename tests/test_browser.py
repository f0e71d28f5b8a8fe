"""The publication in a real browser: headless Chromium (Debian's) driven by Playwright against a real
`thanthien serve` of the crawled simulator archive. Screenshots of the main pages go to test-artifacts/.

Skipped, with the reason, when /usr/bin/chromium or Playwright for Python is missing. Playwright's own
browser downloads are never used: Chromium is launched from /usr/bin/chromium.
"""
from __future__ import annotations

import csv
import io
import re
import shutil
import sqlite3
import urllib.parse
from pathlib import Path

import pytest
import sqlite_utils

from .conftest import ROOT
from .test_publish import make_hostile_archive, serve_archive

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
ARTIFACTS = ROOT / "test-artifacts"


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        pytest.skip("headless Chromium is not installed (/usr/bin/chromium: apt-get install chromium chromium-driver)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("Playwright for Python is not installed (pip install playwright)")
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    page = context.new_page()
    page.dialogs = []
    page.errors = []
    page.on("dialog", lambda dialog: (page.dialogs.append(dialog.message), dialog.dismiss()))
    page.on("pageerror", lambda error: page.errors.append(str(error)))
    yield page
    context.close()


def shot(page, name: str, full_page: bool = True) -> None:
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=full_page)


def test_search_as_people_type_finds_the_launch_reports(page, datasette_server, crawled):
    db = sqlite_utils.Database(crawled["db_path"])
    reports = db.execute("select count(*) from articles where is_launch_report = 1").fetchone()[0]
    page.goto(datasette_server + "/")
    shot(page, "01-home")
    page.fill("#tt-search-q", "chinh quyen than thien")
    page.press("#tt-search-q", "Enter")
    page.wait_for_url(re.compile(r"/-/search\?q=chinh"))
    heading = page.locator("#tt-articles h2").inner_text()
    assert int(re.search(r"Articles: (\d+)", heading).group(1)) >= reports
    marks = page.locator("#tt-articles mark")
    assert marks.count() > 0 and marks.first.is_visible()
    assert any(t.startswith("Chính quyền") for t in marks.all_inner_texts())  # highlighted as written
    assert page.locator("#tt-articles .tt-badge").count() > 0  # launch reports are marked
    shot(page, "02-search-all")

    # The same words in Datasette's own search box on the articles table.
    page.goto(datasette_server + "/thanthien/articles")
    page.fill("input[name=_search]", "chinh quyen than thien")
    page.press("input[name=_search]", "Enter")
    page.wait_for_load_state()
    count_text = page.locator("h3").first.inner_text()
    assert int(re.search(r"([\d,]+) rows?", count_text).group(1).replace(",", "")) >= reports
    # every launch report is among the matches: the is_launch_report facet counts them
    facet = page.locator("#facet-is_launch_report li", has_text=re.compile(r"^\s*1\s"))
    assert int(facet.inner_text().split()[-1]) == reports
    shot(page, "03-articles-table-search", full_page=False)

    # The ranked canned query with highlighted snippets.
    page.goto(datasette_server + "/thanthien/search?q=" + urllib.parse.quote('"ra mat mo hinh"'))
    assert page.locator("td.col-snippet mark").count() > 0
    assert "【" not in page.locator("table.rows-and-columns").inner_text()
    shot(page, "04-ranked-search", full_page=False)
    assert not page.errors


def test_map_renders_a_marker_for_every_located_launch(page, datasette_server, crawled):
    db = sqlite_utils.Database(crawled["db_path"])
    located = db.execute("select count(*) from story_launches where latitude is not null and longitude is not null").fetchone()[0]
    assert located
    page.goto(datasette_server + "/-/map")  # tiles come from the internet and stay grey offline: markers still render
    page.wait_for_selector(".leaflet-marker-icon", timeout=20000)
    icons = page.locator(".leaflet-marker-icon")
    counts = []
    for i in range(icons.count()):  # a cluster icon shows how many launches it holds, a single marker is one
        text = icons.nth(i).inner_text().strip()
        counts.append(int(text) if text.isdigit() else 1)
    assert sum(counts) == located
    page.locator(".leaflet-container").first.scroll_into_view_if_needed()
    shot(page, "05-map", full_page=False)


def test_timeline_draws_launches_per_month(page, datasette_server):
    page.goto(datasette_server + "/-/timeline")
    page.wait_for_selector(".vega-embed svg, .vega-embed canvas, svg.marks, canvas.marks", timeout=20000)
    assert "launches_by_month" in page.url
    shot(page, "06-timeline")
    assert not page.errors


def test_csv_download_keeps_vietnamese(page, datasette_server, crawled, tmp_path):
    page.goto(datasette_server + "/thanthien/launches")
    page.check("form[action$='launches.csv'] input[name=_dl]")
    with page.expect_download() as download_info:
        page.click("form[action$='launches.csv'] input[type=submit]")
    download = download_info.value
    target = tmp_path / download.suggested_filename
    download.save_as(target)
    data = target.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")  # Excel reads it as UTF-8
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    db = sqlite_utils.Database(crawled["db_path"])
    assert len(rows) == db["launches"].count
    expected = {r["id"]: r for r in db.query("select id, unit, district, province from launches")}
    for row in rows:
        want = expected[int(row["id"])]
        assert (row["unit"], row["district"], row["province"]) == (want["unit"] or "", want["district"] or "", want["province"] or "")
    assert any("Đắk Lắk" == r["province"] for r in rows) and any("Thanh Hóa" == r["province"] for r in rows)
    shutil.copy(target, ARTIFACTS / "launches.csv")


def test_article_page_shows_the_event_beside_the_text(page, datasette_server, crawled):
    db = sqlite_utils.Database(crawled["db_path"])
    article = next(db.query("select * from articles where is_launch_report = 1 and event like '%\"board_size\": 1%'"
                            " order by id limit 1"))
    launches = list(db.query("select * from launches where article_id = ? order by id", [article["id"]]))
    officials = [r["name"] for r in db.query("select name from officials join article_officials on official_id = officials.id"
                                             " where article_id = ?", [article["id"]])]
    page.goto(f"{datasette_server}/-/article/{article['id']}")
    assert page.locator("h1").inner_text() == article["title"]
    assert page.locator("#tt-published").inner_text() == article["published_date"]
    assert page.locator("#tt-event-date").inner_text() == launches[0]["event_date"]
    assert page.locator("#tt-district").inner_text() == launches[0]["district"]
    assert page.locator("#tt-province").inner_text() == launches[0]["province"]
    assert page.locator("#tt-board").inner_text() == f"{launches[0]['board_size']} members"
    units = page.locator("#tt-units").inner_text()
    assert all(launch["unit"] in units for launch in launches)
    assert page.locator("#tt-officials li").count() == len(officials) and officials
    assert all(name in page.locator("#tt-officials").inner_text() for name in officials)
    first_paragraph = article["body_text"].split("\n\n")[0].strip()
    assert page.locator("#tt-text p").first.inner_text() == first_paragraph
    assert page.locator("#tt-original").get_attribute("href") == article["url"]
    # the event sits beside the text, not under it
    text_box, event_box = page.locator("#tt-text").bounding_box(), page.locator("#tt-event").bounding_box()
    assert event_box["x"] > text_box["x"] + text_box["width"] - 1 and abs(event_box["y"] - text_box["y"]) < 50
    shot(page, "07-article")
    page.click("#tt-capture")
    page.wait_for_load_state()
    assert page.url.endswith("/capture")
    shot(page, "08-capture", full_page=False)


@pytest.fixture(scope="module")
def hostile_server(crawled, tmp_path_factory):
    archive = make_hostile_archive(crawled["db_path"], tmp_path_factory.mktemp("hostile-browser"))
    with serve_archive(archive["db_path"]) as base:
        yield dict(archive, base=base)


def test_stored_script_never_runs(page, hostile_server):
    base, article_id = hostile_server["base"], hostile_server["article_id"]
    with sqlite3.connect(hostile_server["db_path"]) as conn:
        key = conn.execute("select article_key from articles where id = ?", [article_id]).fetchone()[0]
    for path in (f"/-/article/{key}", f"/thanthien/articles/{article_id}", "/thanthien/articles?_search=pwnedword",
                 "/-/search?q=pwnedword", "/thanthien/search?q=pwnedword", "/thanthien/launches",
                 f"/-/capture/{hostile_server['capture_id']}"):
        page.goto(base + path)
        page.wait_for_timeout(300)
        assert page.evaluate("typeof window.__pwned") == "undefined", path
        assert page.dialogs == [], path
        assert urllib.parse.urlsplit(page.url).path == path.split("?")[0], f"{path}: a form in the capture navigated away"
    page.goto(f"{base}/-/article/{article_id}")
    assert "<script>window.__pwned" in page.locator("#tt-text").inner_text()  # shown as text
    shot(page, "09-hostile-article", full_page=False)


def _result_links(page) -> list[str]:
    return page.locator("#tt-articles tbody tr td:first-child a").evaluate_all(
        "links => links.map(a => a.getAttribute('href'))")


def test_typed_with_diacritics_the_words_as_typed_come_first(page, datasette_server, crawled):
    # "đăng ký" (register) folds to "dang ky", as do "Đảng" (party) and "kỳ" (session): the articles
    # holding both words as typed must lead, and only they are highlighted.
    import unicodedata

    def holds_as_typed(text: str) -> bool:
        text = unicodedata.normalize("NFC", text).lower()
        return all(re.search(rf"(?<!\w){word}(?!\w)", text) for word in ("đăng", "ký"))

    db = sqlite_utils.Database(crawled["db_path"])
    rows = list(db.query("select article_key, title, body_text from articles"))
    exact = {f"/-/article/{r['article_key']}" for r in rows if holds_as_typed(f"{r['title']}\n{r['body_text']}")}
    page.goto(datasette_server + "/-/search?q=" + urllib.parse.quote("đăng ký"))
    links = _result_links(page)
    assert exact and len(links) > len(exact)  # folding still finds the others
    assert set(links[: len(exact)]) == exact
    marks = {m.lower() for m in page.locator("#tt-articles tbody tr:first-child mark").all_inner_texts()}
    assert marks and marks <= {"đăng", "ký", "đăng ký"}, marks
    shot(page, "10-search-as-typed", full_page=False)
    # typed without diacritics, nothing is preferred: the same matches, folded
    page.goto(datasette_server + "/-/search?q=dang+ky")
    assert int(re.search(r"Articles: ([\d,]+)", page.locator("#tt-articles h2").inner_text()).group(1)) >= len(links)


def test_a_permalink_opens_the_same_article_after_a_rebuild(page, crawled, tmp_path):
    # The archive rebuilt from its WARC files, served anew: the keys, and so the citations, hold.
    from .conftest import thanthien

    rebuilt = tmp_path / "rebuilt.db"
    thanthien("import-warc", *sorted((crawled["db_path"].parent / "warc").glob("*.warc.gz")), "--db", rebuilt)
    db, new = sqlite_utils.Database(crawled["db_path"]), sqlite_utils.Database(rebuilt)
    before = {r["article_key"]: (r["id"], r["title"]) for r in db.query("select id, article_key, title from articles")}
    after = {r["article_key"]: (r["id"], r["title"]) for r in new.query("select id, article_key, title from articles")}
    assert before.keys() == after.keys() and any(before[k][0] != after[k][0] for k in before)  # rowids moved
    reports = [r["article_key"] for r in db.query("select article_key from articles where is_launch_report = 1 order by id")]
    with serve_archive(crawled["db_path"]) as old_base, serve_archive(rebuilt) as new_base:
        for key in reports[:3] + reports[-2:]:
            shown = []
            for base in (old_base, new_base):
                page.goto(f"{base}/-/article/{key}")
                cite = page.locator("#tt-cite-text").inner_text()
                shown.append((page.locator("h1").inner_text(), cite.replace(base, "BASE")))
            assert shown[0] == shown[1] and shown[0][0] == before[key][1], key
            assert f"BASE/-/article/{key}" in shown[0][1]
        shot(page, "11-permalink-after-rebuild", full_page=False)
