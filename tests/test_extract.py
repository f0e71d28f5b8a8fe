"""extract_record on saved pages: one per platform and kind, and hand-written encoding traps."""
import json
import unicodedata
from pathlib import Path

import pytest

from pipelines.extract import RECORD_KEYS, NotAnArticle, extract_record
from scrapers.registry import portal_of
from pipelines.text import fold

from .conftest import FIXTURES, thanthien
from .fixtures.handwritten import PARAGRAPHS, TITLE, legacy_page, unknown_template_page

PAGES = sorted((FIXTURES / "pages").glob("*.html"))


@pytest.mark.parametrize("page", PAGES, ids=[p.stem for p in PAGES])
def test_platform_page_matches_ground_truth(page: Path):
    expected = json.loads(page.with_suffix(".expected.json").read_text(encoding="utf-8"))
    record = extract_record(page.read_bytes(), expected["url"], portal=portal_of(expected["url"], expected["portal"]))
    assert tuple(record) == RECORD_KEYS
    assert record["platform"] == expected["platform"]
    for field in ("title", "published_date", "author", "source", "body_text", "is_launch_report"):
        assert record[field] == expected[field], field
    assert [i["caption"] for i in record["images"]] == [i["caption"] for i in expected["images"]]
    assert all(unicodedata.is_normalized("NFC", record[f]) for f in ("title", "body_text"))
    if expected["is_launch_report"]:
        got, want = record["event"], expected["event"]
        for field in ("event_date", "units", "district", "province", "board_size", "slogans", "documents"):
            assert got[field] == want[field], field
        assert [o["name"] for o in got["officials"]] == [o["name"] for o in want["officials"]]
        assert record["launch_score"] > 0.5
    else:
        assert record["event"] is None and record["launch_score"] < 0.5


def test_sharepoint_noise_is_decoded():
    raw = (FIXTURES / "pages" / "quanson-launch.html").read_bytes()
    assert b"__VIEWSTATE" in raw and (b"&acirc;" in raw or b"&ecirc;" in raw)
    record = extract_record(raw, "http://sim.invalid/portal/Pages/2023-3-17/x.aspx", portal=portal_of("", "sim-quanson"))
    assert "&" not in record["body_text"].replace("&DL", "")
    assert "\u00a0" not in record["body_text"]
    assert "Tin khác" not in record["body_text"] and "VIEWSTATE" not in record["body_text"]


def test_windows_1258_legacy_page_decodes_to_nfc():
    record = extract_record(legacy_page(), "http://xaquangchau.example/news.asp?id=17")
    assert record["platform"] == "generic"
    assert record["title"] == TITLE
    assert record["published_date"] == "2022-05-13"
    assert record["body_text"].split("\n\n")[:4] == PARAGRAPHS
    assert record["is_launch_report"]
    assert record["event"]["board_size"] == 15


@pytest.mark.parametrize("headers", [
    {"Content-Type": "text/html; charset=utf-8"},        # the header lies: bytes are windows-1258
    {"Content-Type": "text/html; charset=iso-8859-1"},
    None,
])
def test_lying_charset_declarations(headers):
    record = extract_record(legacy_page(), "http://xaquangchau.example/news.asp?id=17", headers)
    assert record["title"] == TITLE


def test_utf8_page_declaring_windows_1258():
    page = unknown_template_page().replace(b'<meta charset="utf-8">', b'<meta charset="windows-1258">')
    record = extract_record(page, "http://bao.example/xa-quang-chau-ra-mat-mo-hinh-chinh-quyen-than-thien.html")
    assert record["title"] == TITLE


def test_nfd_page_is_stored_nfc():
    record = extract_record(unknown_template_page("NFD"), "http://bao.example/xa-quang-chau-ra-mat.html")
    assert record["title"] == TITLE
    assert unicodedata.is_normalized("NFC", record["body_text"])


def test_unknown_template_uses_generic_fallback():
    record = extract_record(unknown_template_page(), "http://bao.example/xa-quang-chau-ra-mat.html")
    assert record["platform"] == "generic"
    assert record["published_date"] == "2022-05-13"
    assert record["body_text"].split("\n\n") == PARAGRAPHS
    assert "Dân vận khéo" not in record["body_text"]
    assert record["is_launch_report"] and record["event"]["units"] == ["xã Quảng Châu"]


def test_not_an_article_raises():
    with pytest.raises(NotAnArticle):
        extract_record("<html><body><h1>404</h1><p>Trang không tồn tại</p></body></html>".encode(), "http://x.example/a")
    with pytest.raises(NotAnArticle):
        extract_record(b"", "http://x.example/a")


def test_fold_matches_search_forms():
    assert fold("Chính quyền thân thiện") == "chinh quyen than thien"
    assert fold("Đảng ủy") == fold("dang uy") == fold("ÐẢNG ỦY")
    assert fold("Thanh Hoá") == fold("Thanh Hóa")


def test_cli_extract_prints_a_full_record(tmp_path):
    page = FIXTURES / "pages" / "quanson-launch.html"
    result = thanthien("extract", page, "--url", "https://quanson.thanhhoa.gov.vn/portal/Pages/2023-3-17/x.aspx")
    record = json.loads(result.stdout)
    assert tuple(record) == RECORD_KEYS
    assert record["portal"] == "quanson" and record["platform"] == "sharepoint"
    assert record["is_launch_report"] and record["event"]["units"]
    lines = thanthien("extract", *PAGES[:3], "--jsonl").stdout.strip().splitlines()
    assert len(lines) == 3 and all(json.loads(line)["title"] for line in lines)


def test_cli_extract_missing_file_is_one_clear_line():
    result = thanthien("extract", "/nonexistent/page.html", check=False)
    assert result.returncode != 0
    assert "cannot read /nonexistent/page.html" in result.stderr and "Traceback" not in result.stderr


def test_fold_per_character_equals_decomposing_the_whole_text():
    """`fold` maps each character once (a cached table) instead of decomposing the whole text: the
    result must be what NFD minus combining marks gives, on every saved page, NFC or NFD."""
    import glob
    import html
    import unicodedata

    from pipelines.text import _LOOKALIKES, fold

    def reference(text):
        text = unicodedata.normalize("NFD", html.unescape(text).translate(_LOOKALIKES))
        text = "".join(ch for ch in text if not unicodedata.combining(ch)).replace("đ", "d").replace("Đ", "D")
        return " ".join(text.lower().split())

    root = Path(__file__).resolve().parent / "fixtures"
    pages = sorted(glob.glob(str(root / "**" / "*.html"), recursive=True))[:150]
    assert pages
    for path in pages:
        text = Path(path).read_bytes().decode("utf-8", errors="replace")
        for form in (text, unicodedata.normalize("NFD", text)):
            assert fold(form) == reference(form), path
    assert fold("&ecirc;\u0301 Ð ĐẢNG Ủy  ǅ 한") == reference("&ecirc;\u0301 Ð ĐẢNG Ủy  ǅ 한")


def test_a_liferay_body_that_holds_the_headline_and_its_date_line_keeps_neither():
    # journal-content-article wraps the whole article: <h1>, the date/author/views line, the text
    paragraphs = "".join(f"<p>{p}</p>" for p in PARAGRAPHS)
    html = (f"<html><head><meta charset=utf-8><title>{TITLE}</title><script>Liferay.x=1</script></head><body>"
            f"<div class='journal-content-article'><div class=news-detail><h1 class=news-title>{TITLE}</h1>"
            "<div class=news-meta><span class='metadata-entry metadata-publish-date'>15/04/2023 08:42</span>"
            "<span class=metadata-author>Tác giả: Hoàng Yến</span><span>Lượt xem: 412</span></div>"
            f"<div class=news-content>{paragraphs}</div></div></div></body></html>")
    record = extract_record(html.encode(), "https://ductrong.lamdong.gov.vn/-/xa-ta-nang-ra-mat-mo-hinh")
    assert record["platform"] == "liferay"
    assert record["body_text"].split("\n\n") == list(PARAGRAPHS)
    assert record["title"] == TITLE and record["published_date"] == "2023-04-15" and record["author"] == "Hoàng Yến"
