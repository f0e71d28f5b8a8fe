"""Labelled facts outside the article (pipelines/labelled.py) and the meta line inside a profile's
body element: each fills author or date only where the article itself says nothing."""
import lxml.html

from pipelines.extract import extract_record
from pipelines.labelled import labelled_meta

from .fixtures.handwritten import PARAGRAPHS, TITLE

BODY = "".join(f"<p>{p}</p>" for p in PARAGRAPHS)


def test_an_article_information_box_gives_author_and_date():
    doc = lxml.html.document_fromstring(
        "<html><body><dl><dt>Tác giả</dt><dd>Phạm Ngọc Ánh</dd><dt>Ngày đăng</dt><dd>21/09/2023 09:12</dd>"
        "<dt>Chuyên mục</dt><dd>An ninh</dd></dl><table><tr><th>Tác giả:</th><td>Văn phòng UBND phường</td></tr></table>"
        "</body></html>")
    assert labelled_meta(doc) == {"author": "Phạm Ngọc Ánh", "published_date": "2023-09-21"}
    office = lxml.html.document_fromstring("<html><body><dl><dt>Tác giả</dt><dd>Văn phòng UBND phường</dd></dl></body></html>")
    assert labelled_meta(office) == {}  # an office account is no author


def test_the_box_fills_only_what_the_article_left_empty():
    page = (f"<html><head><meta charset=utf-8><title>{TITLE}</title></head><body><div class=main><h1>{TITLE}</h1>"
            f"<div class=noidung>{BODY}<p style='text-align:right'><b>Lê Văn Nam</b></p></div></div>"
            "<aside><dl><dt>Tác giả</dt><dd>Phạm Ngọc Ánh</dd><dt>Ngày đăng</dt><dd>21/09/2023</dd></dl></aside></body></html>")
    record = extract_record(page.encode(), "https://xa.example.gov.vn/tin-tuc/ra-mat-mo-hinh-123.html")
    assert record["author"] == "Lê Văn Nam" and record["published_date"] == "2023-09-21"


def test_a_liferay_meta_line_names_the_author_beside_a_source_in_the_foot():
    page = ("<html><head><meta charset=utf-8><title>Tin</title></head><body><div id=p_p_id_56_INSTANCE_x_>"
            "<div class='journal-content-article'><h1 class=news-title>" + TITLE + "</h1><div class=news-meta>"
            "<span class='metadata-entry metadata-publish-date'>15/04/2023 08:42</span> "
            "<span class='metadata-entry metadata-author'>Tác giả: Hoàng Yến</span></div>"
            f"<div class=news-content>{BODY}<p>Nguồn: Ban Dân vận Huyện ủy</p></div></div></div>"
            "<script src='/o/frontend-js-web/liferay/global.bundle.js'></script><script>Liferay.Portlet</script></body></html>")
    record = extract_record(page.encode(), "https://ductrong.lamdong.gov.vn/-/xa-ta-nang-ra-mat-mo-hinh")
    assert record["platform"] == "liferay"
    assert (record["author"], record["source"]) == ("Hoàng Yến", "Ban Dân vận Huyện ủy")
