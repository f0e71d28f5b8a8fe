"""Search respects what is typed (issue 14): a query typed with diacritics ranks the articles that hold
its words as typed first and highlights only those words; typed without diacritics it folds as before.
Filters (launch, since/until, province) and /-/search.json, /-/search.csv — over HTTP, against a real
`thanthien serve` of a small archive of records made here."""
from __future__ import annotations

import csv
import hashlib
import io
import json
import re
import urllib.error
import urllib.parse

import pytest

from archive import db as archive_db
from archive.datasette.plugin import MARK_CLOSE, MARK_OPEN, exact_count, has_marks, snippet, word_forms

from .test_publish import get, get_json, serve_archive

PORTALS = [
    {"name": "tt-quanson", "title": "Cổng thông tin điện tử huyện Quan Sơn", "province": "Thanh Hóa",
     "district": "huyện Quan Sơn", "base_url": "https://quanson.example.vn"},
    {"name": "tt-krongbuk", "title": "Cổng thông tin điện tử huyện Krông Búk", "province": "Đắk Lắk",
     "district": "huyện Krông Búk", "base_url": "https://krongbuk.example.vn"},
]

# key: (portal, date, title, body, launch province or None)
ARTICLES = {
    "dang-ky-hop": ("tt-quanson", "2023-02-10", "Đảng ủy xã Trung Thượng họp kỳ đầu năm",
                    "Sáng 10/2, Đảng ủy xã Trung Thượng tổ chức kỳ họp thường lệ đầu năm để bàn nhiệm vụ trọng tâm.", None),
    "dang-ky-cu-tru": ("tt-krongbuk", "2024-03-05", "Hướng dẫn đăng ký cư trú trực tuyến",
                       "Công an xã hướng dẫn người dân đăng ký cư trú qua ứng dụng VNeID, không phải đến trụ sở.", None),
    "ca-hai": ("tt-quanson", "2024-07-01", "Hội nghị sơ kết công tác dân vận",
               "Đảng ủy phường phát động phong trào; đoàn viên đăng ký tham gia hiến máu tình nguyện tại hội trường.", None),
    "ra-mat-quanson": ("tt-quanson", "2023-04-14", "Xã Trung Thượng ra mắt mô hình “Chính quyền thân thiện”",
                       "Ngày 14/4/2023, xã Trung Thượng tổ chức lễ ra mắt mô hình “Chính quyền thân thiện, vì Nhân dân "
                       "phục vụ”. Ban Điều hành gồm 9 thành viên.", "Thanh Hóa"),
    "ra-mat-krongbuk": ("tt-krongbuk", "2024-06-01", "Xã Ea Sin ra mắt mô hình chính quyền thân thiện",
                        "Ngày 1/6/2024, UBND xã Ea Sin ra mắt mô hình “Chính quyền thân thiện, vì Nhân dân phục vụ”.",
                        "Đắk Lắk"),
    "ra-mat-near": ("tt-quanson", "2024-09-20", "Rà mặt đường trước mùa mưa lũ",
                    "Đoàn kiểm tra rà mặt đường tỉnh lộ, phát hiện nhiều ổ gà cần vá trước mùa mưa.", None),
    "thanh-hoa-old": ("tt-krongbuk", "2022-11-11", "Đoàn công tác tỉnh Thanh Hoá thăm Krông Búk",
                      "Đoàn công tác của tỉnh Thanh Hoá thăm và làm việc tại huyện Krông Búk.", None),
}


def _record(key, portal, date, title, body, launch_province):
    url = f"https://{portal}.example.vn/tin-tuc/{key}.html"
    event = None
    if launch_province:
        unit = title.split(" ra mắt")[0].replace("Xã", "xã")
        event = {"event_date": date, "units": [unit], "district": None, "province": launch_province,
                 "board_size": None, "officials": [], "slogans": [], "documents": []}
    return {
        "canonical_url": url, "url": url, "portal": portal, "platform": "generic", "title": title,
        "published_date": date, "author": None, "source": None, "body_text": body, "images": [],
        "content_hash": hashlib.sha256(body.encode()).hexdigest(), "is_launch_report": bool(launch_province),
        "launch_score": 0.9 if launch_province else 0.1, "event": event,
    }


@pytest.fixture(scope="module")
def archive(tmp_path_factory):
    db_path = tmp_path_factory.mktemp("as-typed") / "thanthien.db"
    db = archive_db.open_db(db_path)
    db["portals"].insert_all(PORTALS, pk="name")
    urls = {}
    for key, values in ARTICLES.items():
        record = _record(key, *values)
        archive_db.upsert_record(db, record)
        urls[key] = record["url"]
    keys = {key: db.execute("select article_key from articles where url = ?", [url]).fetchone()[0] for key, url in urls.items()}
    db.close()
    with serve_archive(db_path) as base:
        yield {"base": base, "keys": keys, "by_key": {v: k for k, v in keys.items()}}


def search(archive, query, fmt="json", **filters):
    args = urllib.parse.urlencode({"q": query, **filters})
    if fmt == "json":
        return get_json(f"{archive['base']}/-/search.json?{args}")
    return get(f"{archive['base']}/-/search{'.' + fmt if fmt else ''}?{args}")


def names(archive, data):
    return [archive["by_key"][row["article_key"]] for row in data["rows"]]


# --- the functions -------------------------------------------------------------------------------

def test_typed_with_diacritics_or_not():
    assert has_marks("đăng ký") and has_marks("Đảng") and has_marks("ra mắt") and has_marks("Ðang")  # Ð look-alike
    assert not has_marks("dang ky") and not has_marks("ra mat") and not has_marks('"chinh quy"*')


def test_word_forms_accept_either_tone_placement_only():
    assert word_forms("hoá") == {"hoá", "hóa"} and "hoà" not in word_forms("hoá")
    assert word_forms("mắt") == {"mắt"} and word_forms("ra") == {"ra"}


def test_exact_count_counts_terms_as_typed():
    text = "Đảng ủy xã họp kỳ đầu năm; người dân đăng ký cư trú. Tỉnh Thanh Hoá."
    assert exact_count(text, "đăng ký") == 2
    assert exact_count("Đảng ủy họp kỳ đầu năm", "đăng ký") == 0  # only folded
    assert exact_count(text, "dang ky") == 0  # typed without diacritics: folding, no preference
    assert exact_count(text, "thanh hóa") == 2  # "Hoá" is "Hóa" with the old tone placement
    assert exact_count(text, '"đăng ký cư"') == 1 and exact_count(text, '"ký đăng"') == 0
    assert exact_count(text, "đăn*") == 1 and exact_count(text, "đăn") == 0  # prefix, whole words
    assert exact_count("rà mặt đường", "ra mắt") == 0 and exact_count("lễ ra mắt", "ra mắt") == 2


def test_snippet_marks_only_matches_as_typed_when_there_are_some():
    both = "Đảng ủy phường phát động; đoàn viên đăng ký tham gia."
    assert snippet(both, "đăng ký") == f"Đảng ủy phường phát động; đoàn viên {MARK_OPEN}đăng ký{MARK_CLOSE} tham gia"
    assert f"{MARK_OPEN}Đảng{MARK_CLOSE}" in snippet(both, "dang ky")  # without diacritics: every form
    folded_only = "Đảng ủy xã họp kỳ đầu năm"
    marked = snippet(folded_only, "đăng ký")  # no match as typed: the folded matches are what matched
    assert f"{MARK_OPEN}Đảng{MARK_CLOSE}" in marked and f"{MARK_OPEN}kỳ{MARK_CLOSE}" in marked


# --- the served archive --------------------------------------------------------------------------

def test_as_typed_ranks_first_and_folding_still_finds_everything(archive):
    typed = search(archive, "đăng ký")
    plain = search(archive, "dang ky")
    assert typed["typed_with_diacritics"] and not plain["typed_with_diacritics"]
    assert set(names(archive, typed)) == set(names(archive, plain)) == {"dang-ky-hop", "dang-ky-cu-tru", "ca-hai"}
    assert typed["count"] == plain["count"] == 3
    order = names(archive, typed)
    assert set(order[:2]) == {"dang-ky-cu-tru", "ca-hai"} and order[2] == "dang-ky-hop"
    assert [row["as_typed"] for row in typed["rows"]] == [2, 2, 0]
    assert all(row["as_typed"] == 0 for row in plain["rows"])

    near = search(archive, "ra mắt")
    assert names(archive, near)[-1] == "ra-mat-near" and len(near["rows"]) == 3
    assert names(archive, search(archive, "rà mặt"))[0] == "ra-mat-near"
    assert names(archive, search(archive, "Thanh Hoá"))[0] == "thanh-hoa-old"


def test_snippets_highlight_only_what_matches_as_typed(archive):
    rows = {archive["by_key"][r["article_key"]]: r["snippet"] for r in search(archive, "đăng ký")["rows"]}
    assert f"{MARK_OPEN}đăng ký{MARK_CLOSE}" in rows["ca-hai"] and f"{MARK_OPEN}Đảng" not in rows["ca-hai"]
    assert f"{MARK_OPEN}Đảng{MARK_CLOSE}" in rows["dang-ky-hop"]  # only a folded match there
    rows = {archive["by_key"][r["article_key"]]: r["snippet"] for r in search(archive, "dang ky")["rows"]}
    assert f"{MARK_OPEN}Đảng{MARK_CLOSE}" in rows["ca-hai"] and f"{MARK_OPEN}đăng ký{MARK_CLOSE}" in rows["ca-hai"]
    html = search(archive, "đăng ký", fmt="")
    assert "<mark>đăng ký</mark>" in html and "words as typed first" in html and MARK_OPEN not in html
    assert "<mark>Đảng</mark> ủy phường" not in html


def test_the_canned_search_query_highlights_as_typed_too(archive):
    rows = get_json(f"{archive['base']}/thanthien/search.json?_shape=array&q={urllib.parse.quote('đăng ký')}")
    snippets = [r["snippet"] for r in rows if "phường" in r["snippet"]]
    assert snippets and all(f"{MARK_OPEN}Đảng" not in s for s in snippets)
    # and ranks as /-/search does: the articles holding the words as typed first
    assert [archive["by_key"][r["article_key"]] for r in rows][2] == "dang-ky-hop"


@pytest.mark.parametrize("filters, expected", [
    ({"launch": "1"}, {"ra-mat-quanson", "ra-mat-krongbuk"}),
    ({"province": "thanh hoa"}, {"ra-mat-quanson", "ra-mat-near"}),
    ({"province": "Tỉnh Thanh Hóa", "launch": "1"}, {"ra-mat-quanson"}),
    ({"province": "dak lak"}, {"ra-mat-krongbuk"}),
    ({"since": "2024"}, {"ra-mat-krongbuk", "ra-mat-near"}),
    ({"until": "2024-06"}, {"ra-mat-quanson", "ra-mat-krongbuk"}),
    ({"since": "2023-04-14", "until": "2023-04-14"}, {"ra-mat-quanson"}),
    ({"since": "2024-06-02", "until": "2024-12-31"}, {"ra-mat-near"}),
])
def test_filters(archive, filters, expected):
    data = search(archive, "ra mat", **filters)
    assert set(names(archive, data)) == expected and data["count"] == len(expected)
    assert data["filters"] == filters | ({"launch": "1"} if "launch" in filters else {})


def test_a_bad_date_is_said_and_ignored(archive):
    data = search(archive, "ra mat", since="2024-13-45")
    assert data["count"] == 3 and data["problems"] and "since" in data["problems"][0]
    assert "is not a date" in search(archive, "ra mat", fmt="", since="yesterday")
    assert search(archive, "ra mat", until="2024-13")["problems"]


def test_the_page_the_json_and_the_csv_give_the_same_rows(archive):
    html = search(archive, "ra mắt", fmt="", launch="1")
    page_keys = re.findall(r'<td><a href="/-/article/([a-z2-7]{10})">', html)
    data = search(archive, "ra mắt", launch="1")
    table = list(csv.DictReader(io.StringIO(search(archive, "ra mắt", fmt="csv", launch="1"))))
    assert page_keys == [r["article_key"] for r in data["rows"]] == [r["article_key"] for r in table]
    assert len(page_keys) == 2
    first = data["rows"][0]
    assert {k: str(v) for k, v in first.items()} == table[0]
    assert first["page"] == f"{archive['base']}/-/article/{first['article_key']}" and MARK_OPEN in first["snippet"]
    assert 'checked' in re.search(r'<input type="checkbox" name="launch"[^>]*>', html).group()
    with urllib.request.urlopen(f"{archive['base']}/-/search.csv?q=ra+mat&_dl=1", timeout=30) as response:
        body = response.read()
        assert "attachment" in response.headers["Content-Disposition"] and body.startswith(b"\xef\xbb\xbfarticle_key,")


def test_more_goes_to_the_article_list_with_the_same_filters(archive):
    html = search(archive, "ra mat", fmt="", launch="1", since="2024", until="2024")
    more = re.search(r'href="([^"]+)" id="tt-more"', html).group(1).replace("&amp;", "&")
    assert more.startswith("/thanthien/article_list?_search=ra+mat")
    path, _, query = more.partition("?")
    rows = get_json(f"{archive['base']}{path}.json?{query}&_shape=array")
    assert [r["article_key"] for r in rows] == [archive["keys"]["ra-mat-krongbuk"]]
    assert "body_text" not in rows[0]


def test_thanthien_exact_in_sql_is_capped(archive):
    sql = "select thanthien_exact('Đảng ủy; đăng ký', 'đăng ký') as typed, thanthien_exact('Đảng ủy', 'đăng ký') as folded"
    rows = get_json(f"{archive['base']}/thanthien.json?_shape=array&" + urllib.parse.urlencode({"sql": sql}))
    assert rows == [{"typed": 2, "folded": 0}]
    try:
        get(f"{archive['base']}/thanthien.json?" + urllib.parse.urlencode(
            {"sql": "select thanthien_exact(printf('%.*c', 16000000, 'a'), 'ă')"}))
        raise AssertionError("a 16 MB text was not refused")
    except urllib.error.HTTPError as exc:
        assert "user-defined function raised exception" in json.loads(exc.read().decode("utf-8"))["error"]
