"""Event structurer: each field, each written form, and the two real seed reports."""
from pathlib import Path

import pytest

from pipelines.structure import (
    find_board_size,
    find_district,
    find_documents,
    find_event_date,
    find_officials,
    find_province,
    find_slogans,
    find_units,
    structure_event,
)
from pipelines.vn.numbers import read_number

SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"
MODEL = "“Chính quyền thân thiện, vì Nhân dân phục vụ”"
KEYS = {"event_date", "units", "district", "province", "unit_codes", "board_size", "officials", "slogans", "documents"}


def _seed(name):
    if not SEEDS.is_dir():
        pytest.skip(f"seed folder {SEEDS} not present")
    path = SEEDS / name
    if not path.exists():
        pytest.skip(f"seed {name} not present")
    title, body = path.read_text(encoding="utf-8").split("\n", 1)
    return title.strip(), body


def _launch(lead, *more):
    return "\n\n".join((lead,) + more)


# --- event_date -----------------------------------------------------------------------------------

@pytest.mark.parametrize(
    "sentence, published, expected",
    [
        ("Sáng ngày 17/3, xã A tổ chức hội nghị ra mắt mô hình.", "2023-03-17", "2023-03-17"),
        ("Chiều 21/8, xã A tổ chức lễ ra mắt mô hình.", "2023-08-22 08:00", "2023-08-21"),
        ("Ngày 4 tháng 10 năm 2022, xã A ra mắt mô hình.", "2022-10-06", "2022-10-04"),
        ("Ngày 26/9/2024, xã A ra mắt mô hình.", "2024-09-28", "2024-09-26"),
        ("Sáng 5/4, xã A ra mắt mô hình.", "2024-04-05", "2024-04-05"),
        ("Xã A đã ra mắt mô hình vào ngày 12/5/2023.", "2023-05-20", "2023-05-12"),
        ("Sáng ngày 4 tháng 10, xã A ra mắt mô hình.", "2022-10-06", "2022-10-04"),
        ("Ngày 17-3-2023, xã A ra mắt mô hình.", "2023-03-20", "2023-03-17"),
    ],
)
def test_event_date_forms(sentence, published, expected):
    assert find_event_date("", sentence, published) == expected


def test_event_date_year_from_url_when_no_published_date():
    body = "Sáng ngày 17/3, xã A ra mắt mô hình."
    url = "https://quanson.thanhhoa.gov.vn/portal/Pages/2023-3-17/Ra-mat-mo-hinhabc123.aspx"
    assert find_event_date("", body, None, url) == "2023-03-17"
    assert find_event_date("", body, None, "https://x.vn/2022/03/18/ra-mat/") == "2022-03-17"


def test_event_date_late_december_published_in_january_is_last_year():
    assert find_event_date("", "Sáng ngày 28/12, xã A ra mắt mô hình.", "2024-01-03") == "2023-12-28"


def test_event_date_none_without_year_source_or_date():
    assert find_event_date("", "Sáng ngày 28/12, xã A ra mắt mô hình.", None) is None
    assert find_event_date("", "Xã A ra mắt mô hình, sơ kết vào tháng 12/2023.", "2023-05-20") is None


def test_event_date_not_fooled_by_codes_and_dc():
    body = (
        "Thực hiện Kế hoạch số 120-KH/HU ngày 5/1/2023 của Huyện ủy, Chỉ thị 05-CT/TW, Pháp lệnh "
        "34/2007/PL-UBTVQH11, Đ/c Hà Văn A chủ trì. Sáng 5/4, xã A tổ chức ra mắt mô hình."
    )
    assert find_event_date("", body, "2023-04-06") == "2023-04-05"


def test_event_date_prefers_the_event_sentence_over_other_dates():
    body = _launch(
        "Thực hiện Kế hoạch của Ban Dân vận Huyện ủy ban hành ngày 10/2/2023, chiều 21/8, xã A tổ chức lễ ra mắt mô hình.",
        "Mô hình được sơ kết vào ngày 30/12/2023.",
    )
    assert find_event_date("", body, "2023-08-22") == "2023-08-21"


# --- units -----------------------------------------------------------------------------------------

@pytest.mark.parametrize(
    "title, expected",
    [
        (f"Ra mắt mô hình {MODEL} tại xã Trung Thượng", ["xã Trung Thượng"]),
        (f"Ra mắt mô hình {MODEL} tại các xã Sơn Hà, Sơn Điện và Tam Lư", ["xã Sơn Hà", "xã Sơn Điện", "xã Tam Lư"]),
        (f"Ra mắt mô hình {MODEL} ở 2 xã Ea Phê và Krông Búk", ["xã Ea Phê", "xã Krông Búk"]),
        (f"Phường Quảng Tiến tổ chức hội nghị ra mắt mô hình {MODEL}", ["phường Quảng Tiến"]),
        (f"Xã Đồng Tiến và xã Đồng Lương ra mắt mô hình {MODEL}", ["xã Đồng Tiến", "xã Đồng Lương"]),
        (f"Thị trấn Sơn Lư ra mắt mô hình {MODEL}", ["thị trấn Sơn Lư"]),
        (f"Thị xã Nghi Sơn ra mắt mô hình {MODEL} tại phường Hải Hòa", ["phường Hải Hòa"]),
        (f"Ra mắt mô hình {MODEL} tại Phường 3", ["phường 3"]),
    ],
)
def test_units_in_title(title, expected):
    assert find_units(title, "") == expected


def test_units_from_the_launch_sentence_list_with_colon():
    body = f"Sáng 5/4, Ban Dân vận Huyện ủy tổ chức ra mắt mô hình {MODEL} tại 3 xã: Ea Kly, Ea Yông và Hòa An."
    assert find_units("Ra mắt mô hình", body) == ["xã Ea Kly", "xã Ea Yông", "xã Hòa An"]


def test_units_exclude_neighbouring_communes_that_attend():
    body = _launch(
        f"Sáng 5/4, tại xã Trung Hạ, Ban Dân vận Huyện ủy tổ chức ra mắt mô hình {MODEL}; "
        "lãnh đạo các xã Sơn Hà, Sơn Điện dự.",
        "Tham dự hội nghị có lãnh đạo các xã Sơn Hà, Sơn Điện, Tam Lư, Trung Thượng.",
        "Sau khi ra mắt mô hình, Ban Dân vận tập huấn cho lãnh đạo các xã trọng cụm gồm: xã Sơn Hà, Tam Lư.",
    )
    assert find_units("Hội nghị ra mắt mô hình", body) == ["xã Trung Hạ"]


def test_units_dedupe_case_and_tone_variants_and_drop_the_district():
    body = f"Sáng 5/4, UBND xã Thọ Hoà, huyện Quan Sơn tổ chức lễ ra mắt mô hình {MODEL} tại Xã Thọ Hòa."
    assert find_units(f"Ra mắt mô hình {MODEL} tại xã Thọ Hòa", body) == ["xã Thọ Hòa"]


def test_units_attending_officials_before_a_launch_anchor_are_not_attendance():
    body = f"Sáng 5/4, lãnh đạo huyện dự lễ ra mắt mô hình {MODEL} tại xã Trung Hạ, xã Trung Xuân."
    assert find_units("Lễ ra mắt mô hình", body) == ["xã Trung Hạ", "xã Trung Xuân"]


# --- district and province -------------------------------------------------------------------------

def test_district_from_party_committee_name():
    body = f"Sáng 17/3, Ban Dân vận Huyện ủy Quan Sơn tổ chức hội nghị ra mắt mô hình {MODEL}."
    assert find_district("Ra mắt mô hình", body, "huyện Mường Lát") == "huyện Quan Sơn"


def test_district_forms():
    assert find_district(f"Thị xã Nghi Sơn ra mắt mô hình {MODEL}", "") == "thị xã Nghi Sơn"
    body = f"Chiều 21/8, Ban Dân vận Thành ủy Sầm Sơn tổ chức lễ ra mắt mô hình {MODEL}."
    assert find_district("Lễ ra mắt", body) == "thành phố Sầm Sơn"


def test_district_nameless_thanh_uy_falls_back_to_portal():
    body = f"Chiều 17/11, Ban Dân vận Thành ủy tổ chức hội nghị ra mắt mô hình {MODEL} tại phường Quảng Tiến."
    assert find_district("Ra mắt", body, "thành phố Sầm Sơn") == "thành phố Sầm Sơn"
    assert find_district("Ra mắt", body) is None


def test_province_named_or_portal():
    body = "Văn bản của Trung ương, của tỉnh Đắk Lắk. Đồng chí A B, Phó Trưởng Ban Dân vận Tỉnh ủy dự."
    assert find_province("", body, "Thanh Hóa") == "Đắk Lắk"
    # "Ban Dân vận Tỉnh ủy" names no province
    assert find_province("", "Đồng chí A B, Trưởng Ban Dân vận Tỉnh ủy dự.", "Thanh Hóa") == "Thanh Hóa"
    assert find_province("", "Đồng chí A B, Trưởng Ban Dân vận Tỉnh ủy dự.") is None
    # the portal's spelling wins when the text names the same province with another tone placement
    assert find_province("", "của tỉnh Thanh Hoá", "Thanh Hóa") == "Thanh Hóa"


# --- board size -------------------------------------------------------------------------------------

@pytest.mark.parametrize(
    "sentence, expected",
    [
        (f"công bố quyết định thành lập Ban Điều hành mô hình {MODEL} với 11 thành viên", 11),
        ("công bố quyết định thành lập Ban Điều hành gồm 20 thành viên", 20),
        ("Ban Chỉ đạo có 15 thành viên", 15),
        ("BCĐ mô hình gồm mười một thành viên", 11),
        ("Ban Chỉ đạo gồm mười lăm thành viên", 15),
        ("Ban Điều hành có hai mươi mốt thành viên", 21),
        ("Ban Điều hành có hai mươi lăm thành viên", 25),
        ("Ban Chỉ đạo gồm chín thành viên", 9),
        ("Ban Điều hành (13 thành viên) ra mắt", 13),
        ("Ban Điều hành gồm từ 9 đến 11 thành viên", None),
        ("Ban Điều hành gồm 9-11 thành viên", None),
        ("Ban Điều hành gồm các đồng chí trong Đảng ủy xã", None),
        ("Hội nghị có 120 đại biểu dự.", None),
    ],
)
def test_board_size(sentence, expected):
    assert find_board_size(sentence) == expected


@pytest.mark.parametrize(
    "words, n",
    [("mot", 1), ("chin", 9), ("muoi", 10), ("muoi mot", 11), ("muoi lam", 15), ("hai muoi", 20),
     ("hai muoi mot", 21), ("hai muoi tu", 24), ("hai muoi lam", 25), ("ba muoi", 30), ("lam", None)],
)
def test_word_numbers(words, n):
    assert read_number(words) == n


# --- officials --------------------------------------------------------------------------------------

def test_officials_dash_form_stops_before_the_verb():
    body = "Đồng chí Hà Xuân Khanh - Ủy viên BTV, Trưởng Ban Dân vận Huyện ủy Quan Sơn khai mạc hội nghị."
    assert find_officials(body) == [
        {"name": "Hà Xuân Khanh", "title": "Ủy viên BTV, Trưởng Ban Dân vận Huyện ủy Quan Sơn"}
    ]


def test_officials_comma_form_and_given_name_that_looks_like_a_title():
    body = "Đ/c Hà Xuân Thành, Phó Bí thư Thường trực Huyện ủy dự, chỉ đạo hội nghị."
    assert find_officials(body) == [{"name": "Hà Xuân Thành", "title": "Phó Bí thư Thường trực Huyện ủy"}]


def test_officials_list_form():
    body = (
        "Tham dự hội nghị có các đồng chí: Phạm Trọng Dũng, Phó trưởng Ban Thường trực Ban Dân vận Tỉnh ủy; "
        "Vũ Thị Suất, Ủy viên Ban Thường vụ, Trưởng Ban Dân vận Thành ủy, Chủ tịch UB.MTTQ thành phố; "
        "Bùi Quốc Đạt, Ủy viên Ban Thường vụ Thành ủy, Phó Chủ tịch UBND thành phố; các phòng, ban thành phố."
    )
    assert find_officials(body) == [
        {"name": "Phạm Trọng Dũng", "title": "Phó trưởng Ban Thường trực Ban Dân vận Tỉnh ủy"},
        {"name": "Vũ Thị Suất", "title": "Ủy viên Ban Thường vụ, Trưởng Ban Dân vận Thành ủy, Chủ tịch UB.MTTQ thành phố"},
        {"name": "Bùi Quốc Đạt", "title": "Ủy viên Ban Thường vụ Thành ủy, Phó Chủ tịch UBND thành phố"},
    ]


@pytest.mark.parametrize(
    "body, title",
    [
        ("đồng chí Lê Văn An - Bí thư Đảng ủy xã phát biểu", "Bí thư Đảng ủy xã"),
        ("đồng chí Lê Văn An - Bí thư Đảng ủy xã tặng hoa chúc mừng", "Bí thư Đảng ủy xã"),
        ("đồng chí Lê Văn An - Bí thư Đảng ủy xã trao quyết định", "Bí thư Đảng ủy xã"),
        ("đồng chí Lê Văn An - Bí thư Đảng ủy xã nhấn mạnh: …", "Bí thư Đảng ủy xã"),
        ("đồng chí Lê Văn An - Bí thư Đảng ủy xã đề nghị các ngành", "Bí thư Đảng ủy xã"),
        ("đồng chí Lê Văn An - Bí thư Đảng ủy xã cho biết", "Bí thư Đảng ủy xã"),
        ("đồng chí Lê Văn An - Bí thư Đảng ủy xã chủ trì hội nghị", "Bí thư Đảng ủy xã"),
        ("đồng chí Lê Văn An, Trưởng ban chỉ đạo mô hình; đồng chí B C", "Trưởng ban chỉ đạo mô hình"),
        ("đồng chí Lê Văn An, Giám đốc Sở Văn hóa, Thể thao và Du lịch dự.", "Giám đốc Sở Văn hóa, Thể thao và Du lịch"),
        ("đồng chí Lê Văn An - Phó Chủ tịch UBND huyện, lãnh đạo, cán bộ các phòng dự.", "Phó Chủ tịch UBND huyện"),
        ("đồng chí Lê Văn An khai mạc hội nghị.", None),
    ],
)
def test_officials_title_boundaries(body, title):
    assert find_officials(body)[0] == {"name": "Lê Văn An", "title": title}


def test_officials_once_each_later_mention_adds_missing_title():
    body = "Đồng chí Lê Văn Hùng phát biểu. Sau đó đồng chí Lê Văn Hùng, Bí thư Đảng ủy xã nhấn mạnh; đ/c Lê Văn Hùng - Chủ tịch."
    assert find_officials(body) == [{"name": "Lê Văn Hùng", "title": "Bí thư Đảng ủy xã"}]


def test_officials_ethnic_names_generic_mentions_and_author():
    body = (
        "Dự có Đ/c Y Ngông Niê Kdăm, Phó Bí thư Tỉnh ủy. Các đồng chí lãnh đạo huyện tặng hoa chúc mừng. "
        "Đồng chí Kim Chung dự."
    )
    assert find_officials(body, author="Kim Chung") == [{"name": "Y Ngông Niê Kdăm", "title": "Phó Bí thư Tỉnh ủy"}]


# --- slogans and documents --------------------------------------------------------------------------

def test_slogans():
    text = 'khẩu hiệu “5 biết”, “3 không”, "4 xin", “4 luôn”, “5 không”, “4 thể hiện”, “Năm Dân vận 2023”, “5 biết”'
    assert find_slogans(text) == ["5 biết", "3 không", "4 xin", "4 luôn", "5 không", "4 thể hiện"]


def test_documents():
    text = (
        "Chỉ thị số 05-CT/TW, Pháp lệnh số 34/2007/PL-UBTVQH11, Quyết định 1612/QĐ-UBND ngày 17/3/2023, "
        "Hướng dẫn 15-HD/BDVTW, Chỉ thị 25-CT/TU, Kế hoạch 120-KH/HU, Nghị quyết 202/2025/QH15, "
        "Nghị định 01/2023/NĐ-CP, Nghị quyết 13 của Đảng, lại Chỉ thị 05-CT/TW. Đ/c A."
    )
    assert find_documents(text) == [
        "05-CT/TW", "34/2007/PL-UBTVQH11", "1612/QĐ-UBND", "15-HD/BDVTW", "25-CT/TU", "120-KH/HU",
        "202/2025/QH15", "01/2023/NĐ-CP",
    ]


# --- a short article end to end ---------------------------------------------------------------------

def test_structure_event_short_article():
    title = f"Ra mắt mô hình {MODEL} tại 2 xã Ea Phê và Ea Kuăng"
    body = _launch(
        f"Sáng 5/4, Ban Dân vận Huyện ủy Krông Pắc tổ chức hội nghị ra mắt mô hình {MODEL} tại 2 xã Ea Phê và Ea Kuăng.",
        "Dự hội nghị có đồng chí Y Ngông Niê Kdăm - Phó Bí thư Huyện ủy phát biểu chỉ đạo; lãnh đạo các xã Ea Yông, Hòa An.",
        "Mỗi xã công bố quyết định thành lập Ban Chỉ đạo gồm mười một thành viên, theo Hướng dẫn 15-HD/BDVTW, "
        "với khẩu hiệu “4 xin”, “4 luôn”.",
    )
    ev = structure_event(title, body, "2024-04-06 09:00", portal_district="huyện Krông Pắc",
                         portal_province="Đắk Lắk", author="Hoàng Yến")
    assert set(ev) == KEYS
    assert ev == {
        "event_date": "2024-04-05",
        "units": ["xã Ea Phê", "xã Ea Kuăng"],
        "district": "huyện Krông Pắc",
        "province": "Đắk Lắk",
        "unit_codes": [],
        "board_size": 11,
        "officials": [{"name": "Y Ngông Niê Kdăm", "title": "Phó Bí thư Huyện ủy"}],
        "slogans": ["4 xin", "4 luôn"],
        "documents": ["15-HD/BDVTW"],
    }


def test_structure_event_empty():
    ev = structure_event("", "", None)
    assert ev == {"event_date": None, "units": [], "district": None, "province": None, "unit_codes": [],
                  "board_size": None, "officials": [], "slogans": [], "documents": []}


# --- the real seeds ---------------------------------------------------------------------------------

def test_seed_trung_thuong():
    title, body = _seed("seed-quanson-trung-thuong.txt")
    ev = structure_event(title, body, "2023-03-17", portal_district="huyện Quan Sơn",
                         portal_province="Thanh Hóa", author="Kim Chung")
    assert set(ev) == KEYS
    assert ev["event_date"] == "2023-03-17"
    assert ev["units"] == ["xã Trung Thượng"]
    assert ev["district"] == "huyện Quan Sơn"
    assert ev["province"] == "Thanh Hóa"
    assert ev["board_size"] == 11
    names = [o["name"] for o in ev["officials"]]
    for name in ["Hà Xuân Khanh", "Hà Xuân Thành", "Chu Đình Trọng", "Hà Văn Hạnh"]:
        assert name in names
    assert "Kim Chung" not in names
    assert len(names) == len(set(names))
    assert ev["documents"] == ["05-CT/TW", "34/2007/PL-UBTVQH11"]
    assert ev["unit_codes"] == []


def test_seed_quang_tien():
    title, body = _seed("seed-samson-quang-tien.txt")
    ev = structure_event(title, body, "2023-11-18", portal_district="thành phố Sầm Sơn",
                         portal_province="Thanh Hóa", author="Băng Thanh")
    assert ev["event_date"] == "2023-11-17"
    assert ev["units"] == ["phường Quảng Tiến"]
    assert ev["district"] == "thành phố Sầm Sơn"
    assert ev["province"] == "Thanh Hóa"
    assert ev["board_size"] == 20
    titles = {o["name"]: o["title"] for o in ev["officials"]}
    assert titles["Phạm Trọng Dũng"] == "Phó trưởng Ban Thường trực Ban Dân vận Tỉnh ủy"
    assert titles["Vũ Thị Suất"] == "Ủy viên Ban Thường vụ, Trưởng Ban Dân vận Thành ủy, Chủ tịch UB.MTTQ thành phố"
    assert titles["Bùi Quốc Đạt"] == "Ủy viên Ban Thường vụ Thành ủy, Phó Chủ tịch UBND thành phố"
    assert ev["slogans"] == ["5 biết", "3 không", "4 thể hiện"]
    assert ev["documents"] == []


def test_unit_names_with_syllables_that_also_start_organisations():
    # "Thành", "Đoàn", "Ban" are syllables of commune names; "Thành ủy", "Ban Dân vận" are not
    assert find_units(f"Xã Hợp Thành và xã Đoàn Kết ra mắt mô hình {MODEL}", "") == ["xã Hợp Thành", "xã Đoàn Kết"]
    assert find_units(f"Ra mắt mô hình {MODEL} tại xã Ban Công", "") == ["xã Ban Công"]
    body = f"Sáng 5/4, phường Quảng Tiến Ban Dân vận Thành ủy tổ chức ra mắt mô hình {MODEL}."
    assert find_units("Lễ ra mắt", body) == ["phường Quảng Tiến"]


def test_officials_title_stops_before_a_following_group():
    body = "đồng chí Lê Văn An, Chủ tịch UBND xã Trung Thượng và lãnh đạo các ban, ngành dự."
    assert find_officials(body) == [{"name": "Lê Văn An", "title": "Chủ tịch UBND xã Trung Thượng"}]


def test_event_date_published_as_printed():
    assert find_event_date("", "Sáng 17/3, xã A ra mắt mô hình.", "17/03/2023 10:25") == "2023-03-17"


# --- names, provinces and codes as real pages write them ------------------------------------------

def test_place_names_ending_in_le_or_a_number():
    assert find_units("Xã Hòa Lễ ra mắt mô hình", "") == ["xã Hòa Lễ"]
    assert find_units("Xã Hố Nai 3 ra mắt mô hình", "") == ["xã Hố Nai 3"]
    body = f"Sáng ngày 15/3, Đảng ủy xã Hố Nai 3, huyện Trảng Bom tổ chức hội nghị ra mắt mô hình {MODEL}."
    assert find_units("", body) == ["xã Hố Nai 3"]
    # a number that counts something is not part of the name
    assert find_units("", f"Xã Quảng Ngọc 12 thành viên ra mắt mô hình {MODEL}.") == ["xã Quảng Ngọc"]
    # a ceremony named after the place still ends it
    assert find_units("Na Mèo: Lễ ra mắt mô hình", "") == []


def test_province_from_a_provincial_party_committee():
    body = "Dự hội nghị có đồng chí Hoàng Thị Mỹ Linh - Phó Trưởng Ban Dân vận Tỉnh ủy Đắk Lắk."
    assert find_province("", body) == "Đắk Lắk"
    assert find_province("", "Đồng chí A B, Ủy viên Ban Thường vụ Tỉnh ủy, Bí thư Huyện ủy.") is None


def test_document_codes_with_lower_case_letters():
    text = ("Quy định số 11-QĐi/TW, Chương trình số 12-CTr/HU, Quyết định 1234/QĐ-TTg, Chỉ thị 05-CT/TW, "
            "Nghị định 61/2018/NĐ-CP; ngày 3-Ngày không phải mã.")
    assert find_documents(text) == ["11-QĐi/TW", "12-CTr/HU", "1234/QĐ-TTg", "05-CT/TW", "61/2018/NĐ-CP"]


def test_officials_introduced_as_ong_ba_and_with_the_title_first():
    body = ("Dự hội nghị có ông Phạm Văn Lực, Phó Chủ tịch UBND huyện Bá Thước; bà Hà Thị Nguyệt, Phó Trưởng Ban Dân "
            "vận Huyện ủy. Phó Bí thư Thường trực Huyện ủy Nguyễn Văn Hòa dự và chỉ đạo hội nghị; Phó Chủ tịch UBND thị "
            "xã Y Wang Knul phát biểu. Cán bộ xã học tập tư tưởng của Chủ tịch Hồ Chí Minh. Bà con trong bản tới dự.")
    assert [(o["name"], o["title"]) for o in find_officials(body)] == [
        ("Phạm Văn Lực", "Phó Chủ tịch UBND huyện Bá Thước"),
        ("Hà Thị Nguyệt", "Phó Trưởng Ban Dân vận Huyện ủy"),
        ("Nguyễn Văn Hòa", "Phó Bí thư Thường trực Huyện ủy"),
        ("Y Wang Knul", "Phó Chủ tịch UBND thị xã"),
    ]


def test_two_slogans_in_one_pair_of_quotes_are_two_unless_the_slogan_is_a_pair():
    text = "Cán bộ thực hiện “4 xin, 4 luôn”, “2 tăng, 2 giảm” và “3 không”."
    assert find_slogans(text) == ["4 xin", "4 luôn", "2 tăng, 2 giảm", "3 không"]


def test_a_dash_date_after_a_time_of_day_is_the_event_date_and_a_code_is_not():
    body = ("Chiều 5-4, Đảng ủy xã Na Mèo tổ chức hội nghị ra mắt mô hình “Chính quyền thân thiện, vì Nhân dân phục vụ” "
            "theo Kế hoạch số 12-KH/HU.")
    assert find_event_date("", body, "2023-04-06") == "2023-04-05"


def test_a_person_named_after_a_title_is_not_a_district():
    body = ("Chiều 5/4, xã Ẳng Nưa tổ chức hội nghị ra mắt mô hình “Chính quyền thân thiện, vì Nhân dân phục vụ”. "
            "Dự có Phó Chủ tịch UBND huyện Lê Văn Tiến.")
    event = structure_event("Ra mắt mô hình tại xã Ẳng Nưa", body, "2023-04-06", portal_district="huyện Mường Ảng")
    assert event["district"] == "huyện Mường Ảng"
    assert [o["name"] for o in event["officials"]] == ["Lê Văn Tiến"]


def test_boards_of_different_sizes_for_several_units_give_no_single_size():
    assert find_board_size("Ban Chỉ đạo xã Môn Sơn gồm 15 thành viên, xã Lục Dạ gồm 13 thành viên.") is None
    assert find_board_size("Ban Điều hành xã Bắc Sơn gồm mười lăm thành viên, Ban Điều hành xã Hố Nai 3 gồm 13 thành viên.") is None
    assert find_board_size("Ban Chỉ đạo mỗi xã gồm 11 thành viên. Tổ giúp việc gồm 05 thành viên.") == 11


def test_offices_before_a_title_first_name_belong_to_its_title():
    body = ("Tham dự hội nghị có Ủy viên Ban Thường vụ, Trưởng Ban Dân vận Huyện ủy Sầm Thị Lan; ông Hồ Văn Tiến, "
            "Bí thư Đảng ủy xã Quỳnh Thạch tiếp thu ý kiến của Nhân dân.")
    assert [(o["name"], o["title"]) for o in find_officials(body)] == [
        ("Sầm Thị Lan", "Ủy viên Ban Thường vụ, Trưởng Ban Dân vận Huyện ủy"),
        ("Hồ Văn Tiến", "Bí thư Đảng ủy xã Quỳnh Thạch"),
    ]


def test_slogans_in_every_pair_of_quotes_and_with_their_number_in_words():
    text = ("phát động phương châm «năm biết», «ba không»; phương châm ‘2 tăng, 2 giảm’ và nếp '3 cùng'; "
            "chúc “năm mới an khang”")
    assert find_slogans(text) == ["năm biết", "ba không", "2 tăng, 2 giảm", "3 cùng"]


def test_a_place_named_like_a_person_after_its_type_word_is_the_place():
    text = ("Đến dự có các đồng chí: Nguyễn Hữu Tài, Phó Chủ tịch UBND huyện Châu Thành A; ông Lâm Văn Út, Bí thư "
            "Đảng ủy xã Lý Văn Lâm; Phó Chủ tịch UBND huyện Trịnh Quang Hưởng.")
    found = {o["name"]: o["title"] for o in find_officials(text)}
    assert found == {"Nguyễn Hữu Tài": "Phó Chủ tịch UBND huyện Châu Thành A",
                     "Lâm Văn Út": "Bí thư Đảng ủy xã Lý Văn Lâm",
                     "Trịnh Quang Hưởng": "Phó Chủ tịch UBND huyện"}  # no such place: a person
    assert find_district("", "Sáng 11/9, Ban Thường vụ Huyện ủy Châu Thành A tổ chức hội nghị ra mắt mô hình. "
                             "Dự có Phó Chủ tịch UBND huyện Châu Thành A.") == "huyện Châu Thành A"
