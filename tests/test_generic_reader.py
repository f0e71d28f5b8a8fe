"""The generic reader's mechanisms, each on a small page of our own writing: what class names say
(`pipelines.boxes`), the densest block and the listing judgement (`pipelines.density`), the block
walk (`pipelines.body`), and headline and lead (`pipelines.generic`).

The reader is called directly (`extract_generic`), so that these tests say what the reader does,
whatever page-kind judgement or profile choice `extract_fields` makes before it."""
import re
import unicodedata

import lxml.html
import pytest

from pipelines.blocks import body_blocks
from pipelines.body import walk_body
from pipelines.boxes import is_article_box, is_boilerplate_box, is_hidden_box
from pipelines.density import is_listing
from pipelines.generic import extract_generic

from .fixtures.handwritten import PARAGRAPHS, TITLE

P1, P2, P3, P4 = PARAGRAPHS
BODY = "".join(f"<p>{p}</p>" for p in PARAGRAPHS)
URL = "https://bao.example/thoi-su/xa-quang-chau-ra-mat-mo-hinh.html"
SUMMARY = "Sáng ngày {i}/5, Đảng ủy xã tổ chức hội nghị ra mắt mô hình với sự tham dự của lãnh đạo huyện."


def _doc(html: str):
    doc = lxml.html.document_fromstring(html)
    for bad in doc.xpath("//script|//style"):
        bad.drop_tree()
    return doc


def _page(body: str, head: str = "") -> str:
    return (f"<!DOCTYPE html><html><head><meta charset=utf-8><title>{TITLE} - Báo điện tử</title>{head}</head>"
            f"<body>{body}</body></html>")


def _read(body: str, head: str = "") -> dict | None:
    html = _page(body, head)
    return extract_generic(_doc(html), URL, html)


def _paragraphs(body: str, head: str = "") -> list[str]:
    fields = _read(body, head)
    assert fields is not None
    return fields["body_text"].split("\n\n")


def _el(html: str):
    return lxml.html.fragment_fromstring(html)


# --- names (pipelines.boxes) ----------------------------------------------------------------------

@pytest.mark.parametrize("markup, boilerplate", [
    ('<div class="comments">', True),
    ('<div class="box-binh-luan">', True),
    ('<div class="tinLienQuan">', True),          # camelCase
    ('<div class="jp-relatedposts">', True),      # glued to another word
    ('<div class="boxtinlienquan">', True),
    ('<div class="article-body pagination-first">', False),  # the article's own name wins
    ('<article class="post-7 post type-post tag-review">', False),  # WordPress taxonomy classes
    ('<div class="morebikes">', False),           # "more" only inside a word
    ('<div class="commentary">', False),          # an opinion column, not comments
    ('<div class="address">', False),             # not an "ad"
    ('<div class="comment-body">', True),         # both in one name: a comment
    ('<div class="sharedaddy" id="like-post-wrapper-1">', True),  # an id names no article
])
def test_class_names_are_read_as_words(markup, boilerplate):
    assert is_boilerplate_box(_el(markup + "</div>")) is boilerplate


def test_article_names_and_hidden_classes():
    assert is_article_box(_el('<div class="fck_detail"></div>'))
    assert not is_article_box(_el('<div id="content"></div>'))
    assert is_hidden_box(_el('<div class="gallery-overlay hidden"></div>'))
    assert is_hidden_box(_el('<span class="sr-only"></span>'))
    assert not is_hidden_box(_el('<div class="d-none d-md-block"></div>'))  # shown on wider screens
    assert not is_hidden_box(_el('<div class="hidden-xs"></div>'))


# --- the densest block and listings (pipelines.density) -------------------------------------------

def test_a_misleading_class_on_the_body_does_not_lose_it():
    """"pagination-first" on the body and "tag-…" classes on its <article> once discounted the
    article below the page's chrome."""
    paragraphs = _paragraphs(
        f"<main class=main><header><h1>{TITLE}</h1></header>"
        f"<article class='post tag-news'><div class='article-body pagination-first'>{BODY}</div></article>"
        "<section class=recommended-videos><div class=other-videos>"
        + "".join(f"<p>{SUMMARY.format(i=i)}</p>" for i in range(3)) + "</div></section></main>")
    assert paragraphs == PARAGRAPHS


def test_a_body_in_a_stack_of_section_wrappers_is_joined():
    """A CMS that wraps each section of a long article in its own stack of single-child <div>s."""
    def section(paragraphs):
        return ("<div class=acf><section class=outer><div class=flex><div class=wysiwyg>"
                + "".join(f"<p>{p}</p>" for p in paragraphs) + "</div></div></section></div>")
    paragraphs = _paragraphs(f"<div class=post><h1>{TITLE}</h1><div id=postBody>"
                             f"{section([P1, P2, P3, P4])}{section([P3, P4])}</div></div>")
    assert paragraphs == [P1, P2, P3, P4, P3, P4]


def test_an_article_with_linked_lines_is_not_a_listing():
    """"Related: …" lines between paragraphs, linked product names heading each section: an
    article's running text is paragraphs that follow each other."""
    related = '<p><strong>Related:</strong> <a href="/x{i}">Xã {i} sơ kết mô hình Dân vận khéo năm 2023</a></p>'
    body = "".join(related.format(i=i) + f"<p>{p}</p><p>{q}</p>" for i, (p, q) in enumerate(zip(PARAGRAPHS, PARAGRAPHS[1:] + [P1])))
    paragraphs = _paragraphs(f"<article><h1>{TITLE}</h1><div class=entry>{body}</div></article>")
    assert [p for p in paragraphs if not p.startswith("Related")] == [P1, P2, P2, P3, P3, P4, P4, P1]


def test_a_teaser_listing_is_a_listing():
    item = ('<div class=item><h3><a href="/tin/{i}.html">Xã {i} ra mắt mô hình “Chính quyền thân thiện”</a></h3>'
            '<div class=date>1{i}/05/2024</div><p>' + SUMMARY + "</p></div>")
    fields = _read("<h1>Tin tức</h1><div class=list>" + "".join(item.format(i=i) for i in range(1, 9)) + "</div>")
    assert fields is not None and fields["body_text"] == ""


def test_a_home_page_of_two_teasers_over_an_address_footer_is_a_listing():
    """The footer's address lines outscore two one-summary teasers; the teasers, between the
    page's headline and that block, still say what the page is."""
    item = ('<div class=c5><a class=c6 href="/a/h0{i}.html">Xã {i} sơ kết hai năm thực hiện mô hình “Chính quyền thân '
            'thiện, vì Nhân dân phục vụ”</a> <span class=c7>(20/06/2023)</span><div class=c8>Ngày 20/6, UBND xã {i} tổ '
            'chức hội nghị sơ kết hai năm thực hiện mô hình “Chính quyền thân thiện” với sự tham dự...</div></div>')
    html = ("<!DOCTYPE html><html><head><meta charset=utf-8><title>Trang thông tin điện tử huyện Thọ Xuân</title></head>"
            "<body><div class=c0><div class=c1><img src=/img/banner.jpg alt=''> Trang thông tin điện tử huyện Thọ Xuân</div>"
            "<div class=c2><a href='/'>Trang chủ</a> | <a href='/a/t01.html'>Giới thiệu</a></div><div class=c13>"
            "<div class=c3>Tin tức - Sự kiện</div>" + "".join(item.format(i=i) for i in (1, 2))
            + "<div class=c9>Trang: <b>1</b> <a href='/?page=2'>2</a></div></div><div class=c14>Trang thông tin điện tử "
            "huyện Thọ Xuân<br>Địa chỉ: Khu 3, thị trấn Thọ Xuân, huyện Thọ Xuân, tỉnh Thanh Hóa<br>Điện thoại: "
            "0237.3000.707 - Email: vanphong@thoxuan.example<br><a href='/admin/'>Quản trị</a></div></div></body></html>")
    fields = extract_generic(_doc(html), URL, html)
    assert fields is not None and fields["body_text"] == ""  # judged, not left to the last resort


def test_is_listing_reads_the_order_of_headline_and_summary():
    def blocks(html):
        return body_blocks(_el(f"<div>{html}</div>"), "http://x/")
    teaser = '<h3><a href="/a{i}">Xã {i} ra mắt mô hình chính quyền thân thiện</a></h3><p>{s}</p>'
    assert is_listing(blocks("".join(teaser.format(i=i, s=SUMMARY.format(i=i)) for i in range(4))))
    # the same links, each followed by a run of paragraphs (however short the second): an
    # article's sections
    section = '<h3><a href="/a{i}">Sản phẩm {i} của hợp tác xã</a></h3><p>{a}</p><p>{b}</p>'
    closing = "Hội nghị kết thúc trong không khí phấn khởi."
    assert not is_listing(blocks("".join(section.format(i=i, a=f"{P1} {P2}", b=closing) for i in range(4))))
    # linked "call to action" lines after each deal's description, unlinked headings before it
    deal = '<h2>Ưu đãi {i}: máy lọc nước</h2><p>{s}</p><ul><li><a href="/buy{i}">Mua ngay tại cửa hàng {i}</a></li></ul>'
    assert not is_listing(blocks("".join(deal.format(i=i, s=SUMMARY.format(i=i)) for i in range(4))))


# --- the block walk (pipelines.body) --------------------------------------------------------------

def _walk(html: str):
    return walk_body(lxml.html.fragment_fromstring(html, create_parent="div"), "http://x.example/")


def test_an_elements_own_text_before_its_first_child_is_kept():
    el = _el(f"<div class=body>{P1}<div class=fake-br></div>{P2}<br><div class=fake-br></div></div>")
    assert [b.text for b in body_blocks(el, "http://x/")] == [P1, P2]
    paragraphs = _paragraphs(f"<h1>{TITLE}</h1><div class=g-row><div class=article-inner>{P1}<div></div>{P2} {P3}</div></div>")
    assert paragraphs == [P1, f"{P2} {P3}"]


def test_inline_boxes_inside_a_paragraph_do_not_split_it():
    parts = _walk("<div class=para>Chỉ số <span>VN-Index</span> <span>(<span class=chart><a href=/q>VNI</a></span>)</span>"
                  " tăng 0,3% trong phiên sáng nay, thanh khoản cải thiện.</div>")
    assert parts.paragraphs == ["Chỉ số VN-Index (VNI) tăng 0,3% trong phiên sáng nay, thanh khoản cải thiện."]
    # legacy <font> soup with <br> lines is still read line by line
    parts = _walk(f"<td><font>{P1}<br><br>{P2}</font></td>")
    assert parts.paragraphs == [P1, P2]


def test_custom_elements_are_boxes():
    # the article's own text inside a custom element is read, not skipped as an unknown tag
    parts = _walk(f"<p>{P1}</p><story-text><p>{P2}</p><p>{P3}</p></story-text>")
    assert parts.paragraphs == [P1, P2, P3]
    # a promo box inside the body, as a custom element in a plain <div>: a box named as a promo
    paragraphs = _paragraphs(f"<h1>{TITLE}</h1><div class=content><p>{P1}</p><div class=enhancement><ps-promo "
                             "class=PromoSmall><div><a href=/x>Xã khác ra mắt mô hình</a></div><div>Một bài khác của "
                             f"chuyên mục, có tóm tắt.</div></ps-promo></div><p>{P2}</p><p>{P3}</p></div>")
    assert paragraphs == [P1, P2, P3]


def test_captions_never_enter_the_body():
    slideshow = ("<ul class=gallery><li><div class=img-wrap><img src=a.jpg></div><div class=caption>"
                 "<div class=caption-full>Lãnh đạo huyện tặng hoa chúc mừng Ban Chỉ đạo xã Quảng Châu.</div>"
                 "<div class=caption-truncated>Lãnh đạo huyện tặng hoa…</div></div></li></ul>"
                 "<div class=credit>Ảnh: Minh Hằng</div>")
    parts = _walk(f"<p>{P1}</p>{slideshow}<p>{P2}</p>")
    assert parts.paragraphs == [P1, P2]
    # a long caption in the top picture's box, between headline and body, is no lead
    paragraphs = _paragraphs(f"<h1>{TITLE}</h1><div class='image top'><img src=a.jpg><p>Quang cảnh hội nghị ra mắt mô hình "
                             "tại hội trường xã, với sự tham dự của lãnh đạo huyện, các ban ngành đoàn thể, đại biểu các "
                             "thôn và đông đảo nhân dân trong xã; hội nghị diễn ra trong không khí trang trọng, phấn khởi. "
                             f"Ảnh: Minh Hằng.</p></div><div class=article-body>{BODY}</div>")
    assert paragraphs == PARAGRAPHS


def test_a_printed_caption_replaces_the_image_title():
    parts = _walk(f"<p>{P1}</p><div class=gallery><figure class=article-img><img src=a.jpg title='Ảnh hội nghị'>"
                  "</figure><div class=img-caption>Quang cảnh hội nghị</div></div><p>{P2}</p>".replace("{P2}", P2))
    assert parts.paragraphs == [P1, P2]
    assert parts.images[0]["caption"] == "Quang cảnh hội nghị"


def test_what_follows_an_image_without_a_caption_sign():
    # loose text after an image (Blogger's <br> runs) is the next paragraph
    line = "Ban Chỉ đạo gồm mười lăm thành viên do đồng chí Chủ tịch UBND xã làm Trưởng ban"
    parts = _walk(f"<div class=post-body>{P1}<br><div class=sep><img src=a.jpg></div><br>{line}<br><br>{P2}<br></div>")
    assert parts.paragraphs == [P1, line, P2]
    # a quotation, however it is styled
    quote = "“Thủ tục nhanh, cán bộ niềm nở, tận tình!”"
    parts = _walk(f"<p>{P1}</p><blockquote><p align=center><img src=a.jpg></p><p align=center>{quote}</p></blockquote>")
    assert parts.paragraphs == [P1, quote]
    # a sentence that ends inside its closing quote, or with CJK punctuation
    parts = _walk(f"<p>{P1}</p><p><img src=a.jpg></p><p>Bà con nói: “Thủ tục nay rất nhanh.”</p>"
                  "<p><img src=b.jpg></p><p>手続きがとても速くなりました。</p>")
    assert parts.paragraphs == [P1, "Bà con nói: “Thủ tục nay rất nhanh.”", "手続きがとても速くなりました。"]


# --- headline and lead (pipelines.generic) --------------------------------------------------------

def test_a_linked_headline_repeating_og_title_is_the_headline():
    """A WordPress theme links the headline to its permalink; the site's name (in an <h1>, and in
    the <title> "Headline | Site") must not win, nor the sidebar between them give a lead."""
    html = ("<!DOCTYPE html><html><head><meta charset=utf-8><title>" + TITLE + " | Cổng thông tin xã Quảng Châu</title>"
            f"<meta property='og:title' content='{TITLE}'></head><body><div id=header><h1>Cổng thông tin xã Quảng Châu</h1>"
            "</div><div id=main><div class=widget-area><div class=textwidget><p>Trang thông tin điện tử của xã, nơi "
            "đăng tải các tin tức, sự kiện và văn bản chỉ đạo điều hành của chính quyền địa phương.</p></div></div>"
            f"<div class=post><h2><a href='{URL}'>{TITLE}</a></h2><div class=entry>{BODY}</div></div></div></body></html>")
    fields = extract_generic(_doc(html), URL, html)
    assert fields["title"] == TITLE
    assert fields["body_text"].split("\n\n") == PARAGRAPHS


def test_a_part_of_the_title_tag_is_not_the_headline():
    """<title>Headline - Section</title> and the section's name printed between headline and body:
    the heading that covers the title tag is the headline, not the nearer one it also contains."""
    html = (f"<!DOCTYPE html><html><head><meta charset=utf-8><title>{TITLE} - Tin tức sự kiện của xã</title></head>"
            f"<body><div class=detail><h2>{TITLE}</h2><h3>Tin tức sự kiện của xã</h3><div class=entry>{BODY}</div>"
            "</div></body></html>")
    assert extract_generic(_doc(html), URL, html)["title"] == TITLE


def test_key_points_are_no_lead():
    paragraphs = _paragraphs(f"<h1>{TITLE}</h1><div class=key-points><div>Điểm chính</div><ul><li>{P3}</li><li>{P4}</li>"
                             f"</ul></div><div class=article-body><p>{P1}</p><p>{P2}</p><p>{P3}</p></div>")
    assert paragraphs == [P1, P2, P3]


def test_a_lead_in_a_sapo_is_still_the_first_paragraph():
    lead = "Lãnh đạo huyện cùng hơn 200 người dân dự lễ ra mắt mô hình tại xã Quảng Châu, sáng 12/5."
    paragraphs = _paragraphs(f"<h1>{TITLE}</h1><h2 class=sapo>{lead}</h2><div class=article-body>{BODY}</div>")
    assert paragraphs == [lead, *PARAGRAPHS]


def test_a_picture_between_the_headline_and_the_body_is_the_article_s():
    """A newspaper's top picture under the sapo, a legacy page's picture table above the text: the
    picture and its caption are the article's; an avatar in the author box is not."""
    lead = "Lãnh đạo huyện cùng hơn 200 người dân dự lễ ra mắt mô hình tại xã Quảng Châu, sáng 12/5."
    caption = "Quang cảnh hội nghị ra mắt mô hình tại xã Quảng Châu"
    top = _read(f"<h1>{TITLE}</h1><h2 class=sapo>{lead}</h2><figure><img src=/a.jpg width=720><figcaption>{caption}"
                f"</figcaption></figure><div class=article-body>{BODY}</div>")
    assert top["body_text"].split("\n\n") == [lead, *PARAGRAPHS]
    assert [i["caption"] for i in top["images"]] == [caption]
    table = _read(f"<h1>{TITLE}</h1><p><i>Cập nhật ngày: 17/04/2023</i></p><table><tr><td><img src=/b.jpg width=500>"
                  f"</td></tr><tr><td align=center><i>{caption}</i></td></tr></table><div class=noidung>{BODY}</div>")
    assert table["body_text"].split("\n\n") == PARAGRAPHS
    assert [i["caption"] for i in table["images"]] == [caption]
    avatar = _read(f"<h1>{TITLE}</h1><div class=author-box><img src=/avatar.png width=40 height=40>"
                   f"<b>Người đăng: Văn phòng UBND xã</b></div><div class=article-body>{BODY}</div>")
    assert avatar["images"] == [] and avatar["body_text"].split("\n\n") == PARAGRAPHS


def test_less_than_an_article_is_left_to_the_last_resort():
    assert _read(f"<h1>{TITLE}</h1><div class=body><p>{P1}</p><p>Xem thêm.</p></div>") is None


def test_the_reader_keeps_vietnamese_nfc():
    nfd = unicodedata.normalize("NFD", BODY)
    paragraphs = _paragraphs(f"<h1>{TITLE}</h1><div class=article-body>{nfd}</div>")
    assert paragraphs == PARAGRAPHS and all(unicodedata.is_normalized("NFC", p) for p in paragraphs)
    assert re.search("ủy", paragraphs[0])


def test_a_meta_line_with_date_and_byline():
    """Inline <span>s of a meta line read as one line ("13/04/2024 / Bởi Hà Văn Tú"): date and
    author both come from it."""
    meta = ("<div class=entry-meta><span class=posted-on><span class=published>13/04/2024</span></span> / Bởi "
            "<span class='posted-by vcard author'><a href=/author/hatu rel=author><span class=author-name>Hà Văn Tú"
            "</span></a></span></div>")
    fields = _read(f"<article><h1>{TITLE}</h1>{meta}<div class=entry-content>{BODY}</div></article>")
    assert (fields["published_date"], fields["author"]) == ("2024-04-13", "Hà Văn Tú")
    assert fields["body_text"].split("\n\n") == PARAGRAPHS


# --- bylines and boxes met on the blind set's pages (written here anew) ----------------------------

def test_an_inline_read_more_box_does_not_end_the_article_and_the_closing_byline_is_read():
    box = ('<div class="box-x"><h4>Đọc thêm</h4><ul><li><a href="/a1.htm">Huyện Hoằng Hóa ra mắt mô hình tại 8 xã</a></li>'
           '<li><a href="/a2.htm">Thạch Thành sơ kết công tác dân vận quý I</a></li></ul></div>')
    fields = _read(f"<article><h1>{TITLE}</h1><p>{P1}</p><p>{P2}</p>{box}<p>{P3}</p><p>{P4}</p>"
                   "<p style='text-align:right'><strong>Hoàng Đông (CTV)</strong></p></article>")
    assert fields["body_text"].split("\n\n") == [P1, P2, P3, P4]
    assert (fields["author"], fields["source"]) == ("Hoàng Đông", None)


def test_a_meta_line_gives_its_byline_without_the_other_fields():
    meta = ('<div class="meta"><span>Tác giả: <a href="/u/57">Thanh Tâm</a></span> <span>/</span> <time>29/03/2023</time>'
            ' <span>/</span> <span>Chuyên mục: <a href="/c/12">Tin hoạt động</a></span></div>')
    fields = _read(f"<div class=main><h1>{TITLE}</h1>{meta}<div class=content>{BODY}</div></div>")
    assert fields["author"] == "Thanh Tâm" and fields["published_date"] == "2023-03-29"
    dated = _read(f"<div class=main><h1>{TITLE}</h1><div class=m>09/08/2023 9:15:02 SA · Bùi Hằng</div>"
                  f"<div class=content>{BODY}</div></div>")
    assert dated["author"] == "Bùi Hằng" and dated["published_date"] == "2023-08-09"


def test_bullet_images_of_a_related_list_do_not_keep_the_byline_in_the_body():
    related = "".join(f"<tr><td><img src='img/dot.gif' width=5 height=5></td><td><a href='news.asp?id={i}'>Xã {i} ra mắt "
                      f"mô hình chính quyền thân thiện</a></td></tr>" for i in range(4))
    cell = (f"<font>{P1}<br><br>{P2}<br><br>{P3}</font><p align=right><b>Tin, ảnh: Thu Hà</b></p>"
            f"<table><tr><td colspan=2><b>Các tin khác</b></td></tr>{related}</table>")
    fields = _read(f"<table><tr><td><b>{TITLE}</b><br>{cell}</td></tr></table>")
    assert fields["author"] == "Thu Hà" and "Thu Hà" not in fields["body_text"]
