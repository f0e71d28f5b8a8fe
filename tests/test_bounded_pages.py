"""Bounded work per page (issue 13): no page, however large or deep, loses its article or costs the
extractor more than a bounded view of it. Seconds per MB are measured in `bench/page_size.py`."""
from __future__ import annotations

import base64
import os

import pytest

from pipelines import bounds
from pipelines.bounds import bounded_body, bounded_html, parse_html, shallow_tags
from pipelines.extract import extract_record
from pipelines.vn.people import officials

TITLE = "Phường Hải Hòa ra mắt mô hình “Chính quyền thân thiện, vì Nhân dân phục vụ”"
LEAD = ("Sáng 12/4, UBND phường Hải Hòa tổ chức lễ ra mắt mô hình “Chính quyền thân thiện, vì Nhân dân "
        "phục vụ” với sự tham dự của đồng chí Lê Văn Tiến, Trưởng Ban Dân vận Thị ủy.")
PARAGRAPHS = "".join(f"<p>{LEAD} Đoạn {i}.</p>" for i in range(6))
URL = "http://127.0.0.1:8000/tin/hai-hoa.html"


def page(body: str) -> bytes:
    return (f"<!doctype html><html><head><meta charset=utf-8><title>{TITLE}</title></head><body>"
            f"<div id=content><h1>{TITLE}</h1><p class=date>12/04/2023</p>{body}</div></body></html>").encode()


def depth_of(doc) -> int:
    deepest, stack = 0, [(doc, 0)]
    while stack:
        el, d = stack.pop()
        deepest = max(deepest, d)
        stack.extend((c, d + 1) for c in el if isinstance(c.tag, str))
    return deepest


@pytest.mark.parametrize("levels", [300, 5_000, 100_000])
def test_a_page_nested_thousands_deep_keeps_its_article(levels):
    # libxml2 stops reading at 256 levels (2,048 with huge_tree): without the caps the article is lost
    html = page("<div>" * levels + PARAGRAPHS + "</div>" * levels)
    record = extract_record(html, URL)
    assert record["title"] == TITLE
    assert record["body_text"].count("Lê Văn Tiến") == 6
    assert "Đoạn 5." in record["body_text"]
    assert record["is_launch_report"]


def test_unclosed_tags_keep_every_paragraph_in_order():
    # a template that opens a <div> (and a <font>) per paragraph and never closes them
    body = "".join(f"<div class=row><font color=blue><p>{LEAD} Đoạn {i}.</p>" for i in range(3_000))
    record = extract_record(page(body), URL)
    text = record["body_text"]
    positions = [text.index(f"Đoạn {i}.") for i in (0, 1, 500, 2_999)]
    assert positions == sorted(positions)


def test_the_parsed_tree_is_never_deeper_than_the_cap():
    html = "<html><body>" + "<div><span>" * 3_000 + "<p>x</p>" + "</span></div>" * 3_000 + "</body></html>"
    doc = parse_html(html)
    assert depth_of(doc) <= bounds.MAX_DEPTH
    assert doc.xpath("string(//p)") == "x"


def test_shallow_tags_drops_only_what_is_past_the_limit():
    html = "<div><div><div><p>a</p></div><p>b</p></div></div>"
    assert shallow_tags(html, limit=1) == "<div><p>a</p><p>b</p></div>"
    assert shallow_tags(html, limit=3) == html  # nothing past the limit: unchanged
    # end tags of elements that were never dropped stay where they were
    assert shallow_tags("<b><i>x</i></b><i>y</i>", limit=1) == "<b>x</b><i>y</i>"


def test_a_page_of_inline_base64_photos_yields_its_article_and_not_its_pictures():
    photo = base64.b64encode(os.urandom(187_500)).decode()  # 250 KB of base64 a photo
    sections = "".join(f'<p>{LEAD} Đoạn {i}.</p><figure><img src="data:image/jpeg;base64,{photo}">'
                       f"<figcaption>Ảnh {i}: quang cảnh buổi lễ</figcaption></figure>" for i in range(120))
    html = page(sections)
    assert len(html) > 30_000_000
    assert len(bounded_html(html.decode())) < 200_000  # the photos are emptied before parsing
    record = extract_record(html, URL)
    assert record["body_text"].count("Lê Văn Tiến") == 120
    assert "base64" not in record["body_text"]
    assert record["is_launch_report"]


def test_a_body_past_the_cap_is_cut_at_a_paragraph_end():
    paragraph = f"<p>{LEAD}</p>"
    repeat = bounds.BODY_TEXT_MAX // len(LEAD) + 500
    record = extract_record(page(paragraph * repeat), URL)
    body = record["body_text"]
    assert bounds.BODY_TEXT_MAX // 2 < len(body) <= bounds.BODY_TEXT_MAX
    assert body.endswith("Thị ủy.")
    assert bounded_body("a" * 50, limit=10) == "a" * 10  # no paragraph end: a hard cut


def test_a_page_bigger_than_the_parse_cap_is_read_up_to_it():
    html = page(f"<p>{LEAD}</p>" * 10 + "<p>" + "chữ " * 3_000_000 + "</p>")
    assert len(bounded_html(html.decode())) == bounds.MAX_PAGE_CHARS
    record = extract_record(html, URL)
    assert record["title"] == TITLE and "Lê Văn Tiến" in record["body_text"]


def test_offices_before_a_title_are_read_after_a_long_unpunctuated_run():
    # the look-back for "Ủy viên Ban Thường vụ, " is a bounded window (it was the whole text before
    # each title: quadratic on a page-long run without punctuation); the window's offset must not
    # shift what it finds
    filler = "và nhân dân " * 3_000
    text = filler + "hội nghị có Ủy viên Ban Thường vụ, Trưởng Ban Dân vận Huyện ủy Sầm Thị Lan dự."
    assert officials(text) == [{"name": "Sầm Thị Lan",
                                "title": "Ủy viên Ban Thường vụ, Trưởng Ban Dân vận Huyện ủy"}]


def test_extraction_runs_off_the_event_loop_so_fetching_keeps_its_turns():
    # the crawler's reactor is an asyncio loop: while one large page is extracted, other coroutines
    # (downloads, the scheduler) must keep running. A ticker counts its turns during one extraction.
    import asyncio

    from pipelines.scrapy_pipelines import ExtractPipeline

    big = page("".join(f"<div class=row><p>{LEAD} Đoạn {i}.</p>" for i in range(4_000)))
    item = {"url": URL, "body": big, "headers": {}, "status": 200, "portal": None}

    async def run():
        ticks = 0
        done = asyncio.Event()

        async def ticker():
            nonlocal ticks
            while not done.is_set():
                ticks += 1
                await asyncio.sleep(0.005)

        tick_task = asyncio.create_task(ticker())
        loop = asyncio.get_running_loop()
        started = loop.time()
        await ExtractPipeline().process_item(item)
        took = loop.time() - started
        done.set()
        await tick_task
        return ticks, took

    ticks, took = asyncio.run(run())
    assert "Đoạn 3999." in item["record"]["body_text"]
    # blocked, the loop would turn once; free, about once per 5 ms of the extraction
    assert ticks >= max(5, took / 0.005 / 4), (ticks, took)
