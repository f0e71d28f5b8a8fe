"""The officials reader (pipelines/vn/people.py) on wordings met in the blind dev pages of the south."""
import pytest

from pipelines.vn.people import officials


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
