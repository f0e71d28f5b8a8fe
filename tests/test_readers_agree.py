"""One reader per fact: the event structurer and the near-duplicate features read a sentence alike.

Each case is a sentence the issue found read two ways (structure vs dedupe), or a wording a reader
missed; both stages must now give the same answer because they call the same reader.
"""
import pytest

from pipelines import dedupe
from pipelines.structure import find_board_size, find_event_date, find_slogans, find_units, structure_event
from pipelines.text import fold
from pipelines.vn.dates import complete_year, parse_page_date
from pipelines.vn.numbers import read_number

MODEL = "“Chính quyền thân thiện, vì Nhân dân phục vụ”"


@pytest.mark.parametrize("sentence, size", [
    ("Ban Chỉ đạo gồm mười lăm thành viên.", 15),
    ("Ban Điều hành mô hình có 11 thành viên.", 11),
    ("Ban Chỉ đạo (09 thành viên) ra mắt.", 9),
    ("Ban Điều hành gồm hai mươi mốt thành viên.", 21),
])
def test_board_size_is_one_reading(sentence, size):
    assert find_board_size(sentence) == size
    assert dedupe.analyze(sentence).features.board == (size,)


def test_number_words_have_one_meaning():
    assert read_number("lăm") is None and read_number("mười lăm") == 15 and read_number("lam") is None
    assert read_number("hai mươi mốt") == 21 and read_number("09") == 9 and read_number("tư") is None


@pytest.mark.parametrize("sentence, unit", [
    (f"Đảng ủy xã Trung Hạ Ban Dân vận Huyện ủy phối hợp tổ chức ra mắt mô hình {MODEL}.", "xã Trung Hạ"),
    (f"Sáng 12/4, xã Hợp Thành tổ chức ra mắt mô hình {MODEL}.", "xã Hợp Thành"),
    (f"Sáng 12/4, thị trấn Mường Lát ra mắt mô hình {MODEL}.", "thị trấn Mường Lát"),
])
def test_units_are_one_reading(sentence, unit):
    assert find_units("", sentence) == [unit]
    assert list(dedupe.analyze(sentence).features.units) == [fold(unit.split(" ", 1)[1] if not unit.startswith("thị trấn") else unit[9:])]


@pytest.mark.parametrize("sentence, day_month", [
    (f"Chiều 19-5, xã Na Mèo ra mắt mô hình {MODEL}.", (19, 5)),
    (f"Tối 19.5, xã Na Mèo ra mắt mô hình {MODEL}.", (19, 5)),
    (f"Sáng nay (19/5), xã Na Mèo ra mắt mô hình {MODEL}.", (19, 5)),
    (f"Ngày 14 tháng 5 năm 2023, xã Na Mèo ra mắt mô hình {MODEL}.", (14, 5)),
])
def test_event_dates_are_one_reading(sentence, day_month):
    day, month = day_month
    assert find_event_date("", sentence, "2023-05-20") == f"2023-{month:02d}-{day:02d}"
    assert dedupe.analyze(sentence).features.first_date == month * 100 + day


def test_a_document_date_is_neither_the_event_date_nor_the_lead_date():
    body = (f"Thực hiện Kế hoạch số 12-KH/UBND ngày 3/2/2023, chiều 5-4 xã Na Mèo ra mắt mô hình {MODEL}.")
    assert find_event_date("", body, "2023-04-06") == "2023-04-05"
    assert dedupe.analyze(body).features.first_date == 405


def test_a_day_and_month_take_the_year_on_or_before_publication():
    body = f"Chiều 29/12, xã Na Mèo ra mắt mô hình {MODEL}."
    assert find_event_date("", body, "2024-01-02") == "2023-12-29"
    assert find_event_date("", body, "2023-12-29") == "2023-12-29"   # the same day
    assert find_event_date("", f"Sáng 3/1, xã Na Mèo ra mắt mô hình {MODEL}.", "2023-12-30") == "2023-01-03"
    assert complete_year(29, 2, None, None) is None                     # nothing to take the year from
    assert complete_year(17, 3, 2021, None).isoformat() == "2021-03-17"  # a year as written stands


@pytest.mark.parametrize("text, iso", [
    ("14/04/2023 10:21:35 SA", "2023-04-14"),
    ("Cập nhật: 07:50 CH 29-03-2024", "2024-03-29"),
    ("2023-10-25T23:30:00+00:00", "2023-10-26"),   # dated in Vietnam's time
    ("Đăng vào 11 Tháng Ba, 2024bởi admin", "2024-03-11"),   # WordPress's Vietnamese month names
    ("8/23/2023 2:15:00 PM", "2023-08-23"),         # DotNetNuke in an en-US culture: month first
    ("5/4/2023", "2023-04-05"),                     # …but a Vietnamese page is day first
])
def test_page_dates_with_times(text, iso):
    assert parse_page_date(text) == iso


def test_relative_dates_name_no_day():
    assert find_event_date("", f"Vừa qua, xã Na Mèo đã ra mắt mô hình {MODEL}.", "2023-04-06") is None


def test_known_slogans_are_read_without_quotes_unknown_ones_only_in_quotes():
    assert find_slogans("Cán bộ thực hiện tốt 5 biết, 3 không và “6 rõ” khi tiếp dân.") == ["5 biết", "3 không", "6 rõ"]
    assert find_slogans("Gửi 4 xin lỗi tới công dân; 6 rõ ràng.") == []


def test_a_closing_credit_is_neither_body_for_dedupe_nor_an_official():
    body = (f"Sáng 12/4, xã Quài Cang ra mắt mô hình {MODEL}. Ông Bùi Văn Tám, Chủ tịch UBND xã cho biết: xã sẽ làm tốt."
            "\n\nTin, ảnh: Lương Thị Hiền")
    event = structure_event("", body, "2023-04-12", author="Lương Thị Hiền")
    assert [o["name"] for o in event["officials"]] == ["Bùi Văn Tám"]
    assert dedupe.normalize_for_dedupe(body) == dedupe.normalize_for_dedupe(body.rsplit("\n\n", 1)[0])


def test_a_title_before_a_name_after_a_place_and_words_before_the_verb():
    from pipelines.structure import find_officials

    body = ("Tại hội nghị, Chủ tịch UBND xã Trung Hà Quan Văn Lợi và Chủ tịch UBND xã Hà Lang Ma Thị Thúy lần lượt "
            "công bố quyết định. Phó Chủ tịch UBND tỉnh Lê Thị Hương dự.")
    assert [(o["name"], o["title"]) for o in find_officials(body)] == [
        ("Quan Văn Lợi", "Chủ tịch UBND xã Trung Hà"), ("Ma Thị Thúy", "Chủ tịch UBND xã Hà Lang"),
        ("Lê Thị Hương", "Phó Chủ tịch UBND tỉnh")]
    event = structure_event("", body, "2023-04-12", portal_province="Quảng Trị")
    assert event["province"] == "Quảng Trị"   # "tỉnh Lê Thị Hương" names a person, no province


def test_other_units_boards_with_or_without_a_verb_and_a_district_board():
    assert find_board_size("Ban Chỉ đạo xã Lục Sơn có 13 thành viên, xã Trường Sơn 11 thành viên.") is None
    assert find_board_size("Ban Chỉ đạo của huyện gồm 21 thành viên. Ban Điều hành mô hình xã Long Hậu gồm 17 thành viên.") == 17
    assert find_board_size("Ban Chỉ đạo (09 đồng chí) ra mắt.") == 9
