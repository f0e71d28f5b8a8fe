"""The one judgement of what a page is (pipelines/pagekind.py), on hand-written pages."""
from pipelines.pagekind import judge_html

PARA = ("Sáng ngày 17/3, Đảng ủy xã Trung Thượng tổ chức hội nghị ra mắt mô hình “Chính quyền thân thiện, "
        "vì Nhân dân phục vụ” với sự tham dự của lãnh đạo huyện, cán bộ, công chức xã và đại diện Nhân dân các bản.")
SUMMARY = "Ngày {i}/6, UBND xã tổ chức hội nghị sơ kết thực hiện mô hình với sự tham dự của các ban, ngành..."
CHROME = ("<div class=top>Thứ Tư, 02/12/2026</div><ul class=menu>" + "".join(
    f"<li><a href='/c/{i}'>Chuyên mục {i}</a></li>" for i in range(8)) + "</ul>")
FOOTER = ("<div class=site-footer><p>Cơ quan chủ quản: Ủy ban nhân dân huyện Quan Sơn, tỉnh Thanh Hóa</p>"
          "<p>Địa chỉ: Khu 1, thị trấn Sơn Lư, huyện Quan Sơn, tỉnh Thanh Hóa. Điện thoại: 0237.3000.101</p></div>")


def page(main: str) -> str:
    return f"<html><head><title>Cổng thông tin</title></head><body>{CHROME}<div class=c1>{main}</div>{FOOTER}</body></html>"


def teaser(i: int) -> str:
    return (f"<div class=item><h3><a href='/a/{i}'>Xã {i} sơ kết một năm thực hiện mô hình chính quyền thân thiện</a></h3>"
            f"<span>({i:02d}/06/2023)</span><p>{SUMMARY.format(i=i)}</p></div>")


def test_an_article_with_a_related_box_is_an_article():
    related = "<div class=x><b>Tin khác</b>" + "".join(
        f"<p><a href='/a/{i}'>Xã {i} ra mắt mô hình “Chính quyền thân thiện, vì Nhân dân phục vụ”</a></p>" for i in range(6)) + "</div>"
    kind = judge_html(page(f"<h1>Xã Trung Thượng ra mắt mô hình</h1><p>17/03/2023</p>{('<p>' + PARA + '</p>') * 4}{related}"))
    assert kind.kind == "article" and kind.article_chars > 4 * 150


def test_teasers_with_summaries_are_a_listing_however_few():
    for n in (1, 2, 8):
        kind = judge_html(page("<h2>Tin tức - Sự kiện</h2>" + "".join(teaser(i) for i in range(1, n + 1))))
        assert kind.kind == "listing", (n, kind)


def test_an_article_with_inline_read_more_lines_is_no_listing():
    body = "".join(f"<p>{PARA}</p><p><a href='/a/{i}'>Xem thêm: Xã {i} ra mắt mô hình chính quyền thân thiện</a></p>"
                   f"<p>{PARA}</p>" for i in range(3))
    assert judge_html(page(f"<h1>Hội nghị ra mắt mô hình</h1>{body}")).kind == "article"


def test_an_about_page_without_a_date_is_other_and_a_footer_is_never_the_article():
    about = ("<h1>Giới thiệu</h1><p>Quan Sơn là huyện miền núi biên giới nằm ở phía tây tỉnh Thanh Hóa, có đường "
             "biên giới dài với nước bạn Lào.</p><p>Trang thông tin điện tử huyện cung cấp thông tin về hoạt động chỉ "
             "đạo, điều hành của chính quyền địa phương.</p>")
    html = page(about).replace("<div class=top>Thứ Tư, 02/12/2026</div>", "")
    kind = judge_html(html)
    assert kind.kind == "other" and kind.article_chars < 250


def test_a_br_separated_table_cell_is_read_line_by_line():
    cell = "".join(f"<a href='news.asp?id={i}'>Xã {i} ra mắt mô hình chính quyền thân thiện</a><br>{SUMMARY.format(i=i)}<br><br>"
                   for i in range(4))
    assert judge_html(f"<html><body><table><tr><td>{cell}</td></tr></table></body></html>").kind == "listing"
    article = "<font><b>Xã Quảng Thọ ra mắt mô hình</b></font><br>(Cập nhật: 17/03/2023)<br>" + f"{PARA}<br><br>" * 3
    assert judge_html(f"<html><body><table><tr><td>{article}</td></tr></table></body></html>").kind == "article"
