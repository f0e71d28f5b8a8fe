"""The archived capture page (issue 14): a web-archive banner (original URL, capture time, SHA-256,
"archived copy — not the live site", the article) above the archived page in a sandboxed frame whose
links and resources point to the captures we hold, and the raw bytes at /-/capture/{id}/raw with the
sandbox headers — over HTTP against a real `thanthien serve` of the crawled simulator."""
from __future__ import annotations

import hashlib
import sqlite3
import urllib.error
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import lxml.html
import pytest
import sqlite_utils

from pipelines.text import decode_body

from .test_publish import copy_archive, get, serve_archive

CHROMIUM = Path("/usr/bin/chromium")


def banner(html: str) -> dict:
    doc = lxml.html.document_fromstring(html)

    def text(id_):
        found = doc.get_element_by_id(id_, None)
        return None if found is None else found.text_content().strip()

    frame = doc.get_element_by_id("tt-capture-frame", None)
    return {"doc": doc, "url": text("tt-capture-url"), "time": text("tt-capture-time"), "sha256": text("tt-capture-sha256"),
            "warning": text("tt-capture-warning"), "frame": frame,
            "article": doc.get_element_by_id("tt-capture-article", None),
            "raw": doc.get_element_by_id("tt-capture-raw", None)}


def archived_links(html: str, base: str | None = None) -> list[tuple[str, str, str]]:
    """(tag, attribute, link) of every link in an HTML document, absolute against `base` if given."""
    doc = lxml.html.document_fromstring(html)
    if base:
        doc.make_links_absolute(base, resolve_base_href=True, handle_failures="discard")
    return [(el.tag, attr, link) for el, attr, link, _ in doc.iterlinks() if attr]


@pytest.fixture(scope="module")
def report(crawled):
    db = sqlite_utils.Database(crawled["db_path"])
    row = next(db.query("select articles.article_key, articles.title, captures.* from articles"
                        " join captures on captures.id = articles.capture_id"
                        " where articles.is_launch_report = 1 and captures.content_type like 'text/html%' order by articles.id limit 1"))
    captured = {r["url"]: r["id"] for r in db.query("select id, url from captures")}
    return {"row": row, "captured": captured}


def test_the_banner_names_url_time_digest_and_the_article(datasette_server, report):
    row = report["row"]
    for path in (f"/-/article/{row['article_key']}/capture", f"/-/capture/{row['id']}"):
        response, body = get(datasette_server + path, raw=True)
        assert response.headers["Content-Security-Policy"].split(";")[0] == "sandbox", path  # the page is sandboxed too
        assert response.headers["Content-Type"].startswith("text/html")
        page = banner(body.decode("utf-8"))
        assert page["warning"] == "Archived copy — not the live site."
        assert page["url"] == row["url"]
        assert page["doc"].get_element_by_id("tt-capture-url").find("a").get("href") == row["url"]
        assert page["time"].startswith(row["fetched_at"])
        assert page["sha256"] == row["sha256"] and len(row["sha256"]) == 64
        assert page["article"].get("href") == f"/-/article/{row['article_key']}"
        assert page["raw"].get("href") == f"/-/capture/{row['id']}/raw"
        assert page["frame"].get("sandbox") == ""  # no allow-scripts, allow-forms, allow-same-origin …
        assert row["title"].split("“")[0].strip() in page["frame"].get("srcdoc")


def test_the_raw_endpoint_serves_the_archived_bytes_sandboxed(datasette_server, report):
    row = report["row"]
    response, body = get(f"{datasette_server}/-/capture/{row['id']}/raw", raw=True)
    assert hashlib.sha256(body).hexdigest() == row["sha256"]  # the digest in the banner is of these bytes
    assert response.headers["Content-Security-Policy"].split(";")[0] == "sandbox"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Content-Type"].startswith("text/html")
    assert response.headers["Link"] == f'<{row["url"]}>; rel="original"'
    assert response.headers["X-Archived-Status"] == "200"
    for missing in ("/-/capture/999999/raw", "/-/capture/999999"):
        with pytest.raises(urllib.error.HTTPError) as error:
            get(datasette_server + missing)
        assert error.value.code == 404


def test_links_point_to_captures_we_hold_and_never_to_this_server(datasette_server, report):
    row, captured = report["row"], report["captured"]
    response, body = get(f"{datasette_server}/-/capture/{row['id']}/raw", raw=True)
    raw = decode_body(body, {"content-type": response.headers["Content-Type"]})[0]  # utf-8 or windows-1258
    page = banner(get(f"{datasette_server}/-/capture/{row['id']}"))
    original = archived_links(raw, base=row["url"])
    shown = archived_links(page["frame"].get("srcdoc"))
    assert len(original) == len(shown) and original
    rewritten = 0
    for (tag, attr, before), (tag2, attr2, after) in zip(original, shown):
        assert (tag, attr) == (tag2, attr2)
        url = before.split("#")[0]
        if urlsplit(before).scheme not in ("http", "https"):
            assert after == before  # javascript:, mailto: … left as they are (the frame runs no script)
        elif url in captured:
            wanted = f"/-/capture/{captured[url]}" if tag in ("a", "area") else f"/-/capture/{captured[url]}/raw"
            assert after.split("#")[0] == wanted, before
            rewritten += 1
        else:
            assert after == before and urlsplit(after).netloc == urlsplit(row["url"]).netloc  # the original host
    assert rewritten >= 3  # the portal's own pages in its menu and lists were crawled
    assert not any(link.startswith("/") and not link.startswith("/-/capture/") for _, _, link in shown)


def test_text_captures_are_shown_and_other_captures_are_listed(datasette_server, crawled):
    db = sqlite_utils.Database(crawled["db_path"])
    robots = next(db.query("select id, url from captures where content_type like 'text/plain%' order by id limit 1"))
    page = banner(get(f"{datasette_server}/-/capture/{robots['id']}"))
    assert page["frame"] is None and "User-agent" in page["doc"].get_element_by_id("tt-capture-text").text_content()
    assert page["article"] is None and page["url"] == robots["url"]
    same = [r["id"] for r in db.query("select id from captures where url = ? order by fetched_at, id", [robots["url"]])]
    if len(same) > 1:
        listed = page["doc"].get_element_by_id("tt-capture-others")
        assert {a.get("href") for a in listed.iter("a")} == {f"/-/capture/{i}" for i in same if i != robots["id"]}


@pytest.fixture(scope="module")
def styled(crawled, tmp_path_factory):
    """A copy of the archive with a page whose relative stylesheet was captured and whose image was not."""
    from archive.warc import WarcStore

    dest = tmp_path_factory.mktemp("styled")
    db_path = copy_archive(crawled["db_path"], dest)
    store = WarcStore(dest, "styled")
    css = b"#x { color: rgb(1, 2, 3); }"
    page = ("<!doctype html><html><head><meta charset='utf-8'><base href='/site/'>"
            "<link rel=stylesheet href='css/style.css'><title>styled</title></head><body>"
            "<p id=x>Trang lưu trữ</p><img src='../img/missing.png' srcset='css/style.css 1x, ../img/big.png 2x'><a href='/other/page.aspx#top'>again</a>"
            "<script>window.__ran = 1</script></body></html>").encode("utf-8")
    rows = []
    for url, content_type, body in (("http://portal.example/site/css/style.css", "text/css", css),
                                    ("http://portal.example/other/page.aspx", "text/html; charset=utf-8", page)):
        stored = store.write(url, 200, "OK", [("Content-Type", content_type)], body)
        rows.append({"url": url, "fetched_at": "2026-01-01T00:00:00+00:00", "status": 200, "content_type": content_type,
                     "sha256": stored.sha256, "warc_path": stored.warc_path, "warc_offset": stored.offset,
                     "warc_length": stored.length, "portal": None, "source": "crawl"})
    store.close()
    with sqlite3.connect(db_path) as conn:
        ids = []
        for row in rows:
            columns = ", ".join(row)
            ids.append(conn.execute(f"insert into captures ({columns}) values ({', '.join('?' * len(row))})",
                                    list(row.values())).lastrowid)
    with serve_archive(db_path) as base:
        yield {"base": base, "css_id": ids[0], "page_id": ids[1]}


def test_page_resources_resolve_to_archived_captures(styled):
    page = banner(get(f"{styled['base']}/-/capture/{styled['page_id']}"))
    links = {(tag, link) for tag, _, link in archived_links(page["frame"].get("srcdoc"))}
    assert ("link", f"/-/capture/{styled['css_id']}/raw") in links  # relative, under <base>: found in the archive
    assert ("img", "http://portal.example/img/missing.png") in links  # not archived: the original host
    assert ("a", f"/-/capture/{styled['page_id']}#top") in links  # a page we hold: its banner page
    assert "<base" not in page["frame"].get("srcdoc")
    img = lxml.html.document_fromstring(page["frame"].get("srcdoc")).find(".//img")
    assert img.get("srcset") == f"/-/capture/{styled['css_id']}/raw 1x, http://portal.example/img/big.png 2x"
    response, body = get(f"{styled['base']}/-/capture/{styled['css_id']}/raw", raw=True)
    assert body == b"#x { color: rgb(1, 2, 3); }" and response.headers["Content-Type"].startswith("text/css")


def test_in_a_browser_the_archived_stylesheet_applies_and_no_script_runs(styled):
    if not CHROMIUM.exists():
        pytest.skip("headless Chromium is not installed (/usr/bin/chromium)")
    playwright_api = pytest.importorskip("playwright.sync_api")
    with playwright_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                             args=["--headless", "--no-sandbox", "--disable-gpu"])
        try:
            page = browser.new_page()
            page.goto(f"{styled['base']}/-/capture/{styled['page_id']}")
            frame = page.frame_locator("#tt-capture-frame")
            frame.locator("#x").wait_for()
            color = frame.locator("#x").evaluate("e => getComputedStyle(e).color")
            assert color == "rgb(1, 2, 3)"  # the stylesheet came from /-/capture/{id}/raw
            assert page.locator("#tt-capture-warning").is_visible()
            assert page.evaluate("typeof window.__ran") == "undefined"
            assert all(f.evaluate("typeof window.__ran") == "undefined" for f in page.frames if f != page.main_frame)
        finally:
            browser.close()


def test_a_windows_1258_page_is_shown_in_vietnamese(datasette_server, crawled):
    db = sqlite_utils.Database(crawled["db_path"])
    found = list(db.query("select articles.title, captures.id from articles join captures on captures.id = articles.capture_id"
                          " where captures.content_type like '%1258%' and articles.title is not null limit 1"))
    if not found:
        pytest.skip("the simulator served no windows-1258 article page")
    page = banner(get(f"{datasette_server}/-/capture/{found[0]['id']}"))
    assert found[0]["title"] in page["frame"].get("srcdoc")  # decoded (cp1258 → NFC), not mojibake


def test_in_a_browser_a_capture_never_fetches_from_the_live_site(simulator, crawled, datasette_server):
    # The archived pages name resources we never fetched (SharePoint's /_layouts/ stylesheets and
    # scripts, which robots.txt forbids us): their URLs stay in the markup, and the browser must not
    # ask the live portal — here the simulator, which logs every request it gets.
    if not CHROMIUM.exists():
        pytest.skip("headless Chromium is not installed (/usr/bin/chromium)")
    playwright_api = pytest.importorskip("playwright.sync_api")
    db = sqlite_utils.Database(crawled["db_path"])
    captures = [r["capture_id"] for r in db.query(
        "select min(capture_id) as capture_id from articles group by platform")]
    with playwright_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                             args=["--headless", "--no-sandbox", "--disable-gpu"])
        try:
            page = browser.new_page()
            asked = []
            page.on("request", lambda request: asked.append(request.url))
            before = len(simulator.requests)
            for capture_id in captures:
                for path in (f"/-/capture/{capture_id}", f"/-/capture/{capture_id}/raw"):
                    page.goto(datasette_server + path)
                    page.wait_for_load_state("networkidle")
            leaked = simulator.requests[before:]
        finally:
            browser.close()
    live = {urlsplit(u).netloc for u in simulator.base_urls.values()}
    assert any(urlsplit(u).netloc in live for u in asked)  # the pages did name the live site's resources …
    assert leaked == [], leaked  # … and none of them was fetched from it
