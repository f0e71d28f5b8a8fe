"""The site's own place (pipelines/siteplace.py) fills district and province where the text is silent."""
import lxml.html

from pipelines.extract import extract_record
from pipelines.siteplace import site_place
from scrapers.registry import portal_of

TUANGIAO = "https://tuangiao.dienbien.gov.vn/tin-tuc/quai-cang-ra-mat"  # a registry host: its entry says where the site is

BODY = ("<p>Sáng ngày 12/4, Đảng ủy, HĐND, UBND xã Quài Cang tổ chức hội nghị ra mắt mô hình “Chính quyền thân thiện, "
        "vì Nhân dân phục vụ”. Dự hội nghị có đồng chí Lò Văn Chiến - Trưởng Ban Dân vận Huyện ủy.</p>"
        "<p>Tại hội nghị, đồng chí Chủ tịch UBND xã công bố Quyết định thành lập Ban Chỉ đạo xây dựng mô hình gồm 11 "
        "thành viên. Đoàn đã học tập kinh nghiệm tại tỉnh Nghệ An trước khi triển khai mô hình.</p>")


def page(published: str, body: str = BODY) -> bytes:
    return (f"<html><head><meta charset=utf-8><title>Cổng thông tin điện tử huyện Tuần Giáo</title></head><body>"
            f"<h1>Xã Quài Cang ra mắt mô hình “Chính quyền thân thiện, vì Nhân dân phục vụ”</h1><p>Ngày {published}</p>"
            f"<div class=noidung>{body}</div><div id=footer>Cơ quan chủ quản: UBND huyện Tuần Giáo<br>"
            f"Địa chỉ: Khối Tân Tiến, thị trấn Tuần Giáo, huyện Tuần Giáo, tỉnh Điện Biên<br>Điện thoại: 0215.386.2000"
            f"</div></body></html>").encode("utf-8")


def test_the_footer_and_title_name_the_site_not_the_article_s_other_places():
    doc = lxml.html.document_fromstring(page("14/04/2023").decode())
    assert site_place(doc) == ("huyện Tuần Giáo", "Điện Biên")


SILENT = BODY.replace(" Đoàn đã học tập kinh nghiệm tại tỉnh Nghệ An trước khi triển khai mô hình.", "")


def test_a_text_silent_on_its_places_takes_the_site_place():
    record = extract_record(page("14/04/2023", SILENT), TUANGIAO, portal=portal_of(TUANGIAO))
    assert record["is_launch_report"]
    assert (record["event"]["district"], record["event"]["province"]) == ("huyện Tuần Giáo", "Điện Biên")


def test_after_july_2025_the_site_names_no_district():
    record = extract_record(page("14/09/2025", SILENT), TUANGIAO, portal=portal_of(TUANGIAO))
    assert record["event"]["district"] is None and record["event"]["province"] == "Điện Biên"


def test_a_provincial_newspaper_names_its_province():
    html = ("<html><head><title>Xã Mường So ra mắt mô hình - Báo Điện Biên Phủ điện tử</title></head><body><p>x</p>"
            "<div class=footer>Cơ quan của Đảng bộ tỉnh. Giấy phép số 12/GP-BTTTT</div></body></html>")
    assert site_place(lxml.html.document_fromstring(html)) == (None, "Điện Biên")


def test_the_site_s_places_are_read_by_the_article_s_readers():
    """One reader per fact: a dashed province, a city under the central government and its quận are
    read in a footer as in the text (pipelines.vn.places)."""
    footer = ("<html><head><title>Trang thông tin điện tử phường 11</title></head><body><p>x</p><div class=footer>"
              "Địa chỉ: 89 Lý Thường Kiệt, Phường 1, thành phố Vũng Tàu, tỉnh Bà Rịa - Vũng Tàu<br>Điện thoại: 0254"
              "</div></body></html>")
    assert site_place(lxml.html.document_fromstring(footer)) == ("thành phố Vũng Tàu", "Bà Rịa - Vũng Tàu")
    city = ("<html><head><title>Cổng thông tin điện tử quận Hải An</title></head><body><p>x</p><div id=footer>"
            "Địa chỉ: số 1, quận Hải An, thành phố Hải Phòng</div></body></html>")
    assert site_place(lxml.html.document_fromstring(city)) == ("quận Hải An", "Hải Phòng")
