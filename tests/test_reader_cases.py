"""The readers (pipelines/vn/) on wordings met in the blind dev pages (b24–b27), one case a cause."""
import pytest

from pipelines.vn.credits import split_byline
from pipelines.vn.people import officials
from pipelines.vn.slogans import slogans


@pytest.mark.parametrize("text, expected", [
    # title, place and a Raglai family name (pipelines/vn/surnames.txt) in one run of capitals
    ("Tại buổi lễ, Chủ tịch UBND xã Phan Sơn Mang Thanh Tùng công bố quyết định thành lập Ban Chỉ đạo.",
     [("Mang Thanh Tùng", "Chủ tịch UBND xã Phan Sơn")]),
    ("Phó Chủ tịch UBND huyện Trà Bồng Hồ Văn Tây phát biểu.", [("Hồ Văn Tây", "Phó Chủ tịch UBND huyện Trà Bồng")]),
    # "lần lượt" (in turn) ends the title as a verb does
    ("Đồng chí Thạch Sô Phia - Chủ tịch UBND xã An Thạnh 1 và đồng chí Nguyễn Hoàng Em - Chủ tịch UBND xã An Thạnh 2 "
     "lần lượt công bố Quyết định.",
     [("Thạch Sô Phia", "Chủ tịch UBND xã An Thạnh 1"), ("Nguyễn Hoàng Em", "Chủ tịch UBND xã An Thạnh 2")]),
])
def test_officials(text, expected):
    assert [(o["name"], o["title"]) for o in officials(text)] == expected


@pytest.mark.parametrize("lines, expected", [
    # the category's link run into the meta line after the author's
    (["Tác giả: Nông Thu Huyền Tin hoạt động"], ("Nông Thu Huyền", None)),
    (["Bài và ảnh: Lường Thị Hà và Cầm Văn Dũng"], ("Lường Thị Hà, Cầm Văn Dũng", None)),
    (["Tác giả: Trung tâm Văn hóa huyện Quan Sơn"], (None, "Trung tâm Văn hóa huyện Quan Sơn")),
    # a source label run into the credit line
    (["Tin: Hà Trang Nguồn: Văn phòng HĐND và UBND phường Tam Thanh"], ("Hà Trang", "Văn phòng HĐND và UBND phường Tam Thanh")),
    (["Được viết bởi: Phạm Thu Hà"], ("Phạm Thu Hà", None)),
])
def test_bylines(lines, expected):
    assert split_byline(lines) == expected


def test_slogans_with_their_number_in_words_capitalised():
    assert slogans("Cán bộ thực hiện “Năm biết” (biết lắng nghe) và “Ba không” (không gây phiền hà).") == ["Năm biết", "Ba không"]
