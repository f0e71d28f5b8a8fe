"""A legacy table-layout commune portal (classic ASP, windows-1258): xã Quảng Châu …

What a crawler meets on the real thing, and what this renderer reproduces:
- articles at /news.asp?id=N (ids from an Access autonumber: gaps, oldest lowest); the listing
  /news.asp?cat=1 (also plain /news.asp) paginated with &page=N, the home /default.asp ("/" answers
  the same page); an unknown id or a page past the end gives the site's "Không tìm thấy" page;
- the page is one layout <table>: banner row, a left menu cell, the content cell with the headline
  as <font size="3" color=…><b>, the "(Cập nhật: dd/mm/yyyy)" line, the body in
  <p align="justify"><font face="Arial" size="2"> runs (the lead a bold first paragraph), centred
  <img> with an italic caption line, the byline right-aligned and bold, "Nguồn: …" right-aligned
  italic, then "Các tin khác:" with the older news of the site;
- no class names, no feeds, no sitemap; encoded as windows-1258 (decomposed tones, as Vietnamese
  Windows keyboards wrote it), declared in the header and in a <meta http-equiv>.
"""
from __future__ import annotations

from typing import Mapping

from pipelines.text import encode_cp1258

from .common import Request, Response, Site, cacheable, dmy, esc, hex_id, images_after, page_links, paginate, summary

PER_PAGE = 4
CATEGORY = ("1", "Tin tức - Sự kiện")
CHARSET = "windows-1258"


def cp1258_response(text: str, status: int = 200) -> Response:
    return Response(status, encode_cp1258(text), f"text/html; charset={CHARSET}")


class LegacySite(Site):
    platform = "legacy"
    server_software = "Microsoft-IIS/6.0"
    extra_headers = {"X-Powered-By": "ASP.NET"}

    def __init__(self, portal, articles, base_url):
        super().__init__(portal, articles, base_url)
        # Access autonumber: oldest first, with the gaps deleted drafts leave behind.
        self.ids = {a["key"]: 87 + 13 * i for i, a in enumerate(reversed(self.articles))}
        self.by_id = {self.ids[a["key"]]: a for a in self.articles}

    # -- URLs ----------------------------------------------------------------------------------
    def article_path(self, article: Mapping) -> str:
        return f"/news.asp?id={self.ids[article['key']]}"

    def listing_path(self, page: int) -> str:
        return f"/news.asp?cat={CATEGORY[0]}" + (f"&page={page}" if page > 1 else "")

    def image_path(self, article: Mapping, index: int) -> str:
        return f"/upload/images/{hex_id(article['key'], 'img', index, length=10)}.jpg"

    # -- dispatch ------------------------------------------------------------------------------
    def route(self, req: Request) -> Response | None:
        path = req.path.lower()
        if path in ("/", "/default.asp"):
            return cp1258_response(self.home_page())
        if path != "/news.asp":
            return None
        q = {k.lower(): v for k, v in req.query.items()}
        if "id" in q:
            article = self.by_id.get(int(q["id"])) if q["id"].isdigit() else None
            if article is None:
                return None
            return cacheable(cp1258_response(self.article_page(article)), self.published[article["key"]])
        if q.get("cat", CATEGORY[0]) != CATEGORY[0]:
            return None
        raw_page = q.get("page", "1")
        page = int(raw_page) if raw_page.isdigit() else 0
        items, pages = paginate(self.articles, page, PER_PAGE)
        if page < 1 or page > pages:
            return None
        return cp1258_response(self.listing_page(items, page, pages))

    def robots_txt(self) -> str:
        return "User-agent: *\nDisallow: /admin/\nDisallow: /upload/files/\n"

    def not_found(self, req: Request) -> Response:
        # Classic ASP sites answer a missing record with their own page, status 404 on this one.
        cell = ('<font face="Arial" size="2" color="#CC0000"><b>Không tìm thấy thông tin bạn yêu cầu.</b></font><br>'
                '<font face="Arial" size="2"><a href="default.asp">Quay về trang chủ</a></font>')
        return cp1258_response(self.layout("Không tìm thấy trang", cell), status=404)

    # -- pages ---------------------------------------------------------------------------------
    def news_item(self, a: Mapping, teaser: bool) -> str:
        when = dmy(self.published[a["key"]])
        line = (f'<img src="images/bullet.gif" width="7" height="7"> <a href="news.asp?id={self.ids[a["key"]]}">'
                f'<font face="Arial" size="2" color="#003399"><b>{esc(a["title"])}</b></font></a> '
                f'<font face="Arial" size="1" color="#666666">({when})</font>')
        if teaser:
            line += f'<br><font face="Arial" size="2">{esc(summary(a, 180))}</font>'
        return f'<tr><td valign="top" style="padding:4px">{line}</td></tr>'

    def home_page(self) -> str:
        rows = "".join(self.news_item(a, teaser=True) for a in self.articles[:PER_PAGE])
        cell = (f'<table width="100%" border="0" cellpadding="0" cellspacing="0"><tr><td bgcolor="#E8EEF7">'
                f'<font face="Arial" size="2" color="#003399"><b>TIN MỚI</b></font></td></tr>{rows}'
                f'<tr><td align="right"><a href="{self.listing_path(1).lstrip("/")}"><font face="Arial" size="1">Xem tiếp &gt;&gt;</font></a></td></tr></table>')
        return self.layout("Trang chủ", cell)

    def listing_page(self, items: list[dict], page: int, pages: int) -> str:
        rows = "".join(self.news_item(a, teaser=True) for a in items)
        links = page_links(page, pages, lambda n: self.listing_path(n).lstrip("/"), "<b>[{n}]</b>",
                           '<a href="{href}">[{n}]</a>', '<a href="{href}">Tiếp &gt;&gt;</a>')
        cell = (f'<font face="Arial" size="3" color="#CC0000"><b>{esc(CATEGORY[1].upper())}</b></font>'
                f'<table width="100%" border="0" cellpadding="0" cellspacing="0">{rows}</table>'
                f'<p align="center"><font face="Arial" size="2">Trang: {" ".join(links)}</font></p>')
        return self.layout(CATEGORY[1], cell)

    def article_body(self, article: Mapping) -> str:
        placed = images_after(article)
        out = []

        def add_images(after: int) -> None:
            for index, image in placed.get(after, []):
                out.append(f'<p align="center"><img src="{self.image_path(article, index)}" width="450" border="0"></p>')
                if image.get("caption"):
                    out.append(f'<p align="center"><font face="Arial" size="1"><i>{esc(image["caption"])}</i></font></p>')

        if article.get("lead"):
            out.append(f'<p align="justify"><font face="Arial" size="2"><b>{esc(article["lead"])}</b></font></p>')
        add_images(-1)
        for i, paragraph in enumerate(article["paragraphs"]):
            out.append(f'<p align="justify"><font face="Arial" size="2">{esc(paragraph)}</font></p>')
            add_images(i)
        if article.get("author"):
            out.append(f'<p align="right"><font face="Arial" size="2"><b>{esc(article["author"])}</b></font></p>')
        if article.get("source"):
            out.append(f'<p align="right"><font face="Arial" size="2"><i>Nguồn: {esc(article["source"])}</i></font></p>')
        return "\n".join(out)

    def article_page(self, article: Mapping) -> str:
        when = self.published[article["key"]]
        others = [a for a in self.articles if a["key"] != article["key"]][:5]
        other_links = "".join(
            f'<img src="images/bullet.gif" width="7" height="7"> <a href="news.asp?id={self.ids[a["key"]]}">'
            f'<font face="Arial" size="2">{esc(a["title"])}</font></a> '
            f'<font face="Arial" size="1" color="#666666">({dmy(self.published[a["key"]])})</font><br>'
            for a in others
        )
        cell = (
            f'<font face="Arial" size="3" color="#CC0000"><b>{esc(article["title"])}</b></font><br>\n'
            f'<font face="Arial" size="1" color="#666666">(Cập nhật: {dmy(when)})</font>\n'
            f"{self.article_body(article)}\n"
            f'<p><a href="javascript:window.print()"><font face="Arial" size="1">In bài này</font></a></p>\n'
            f'<hr size="1" color="#CCCCCC"><font face="Arial" size="2" color="#003399"><b>Các tin khác:</b></font><br>\n'
            f"{other_links}"
        )
        return self.layout(article["title"], cell)

    # -- chrome --------------------------------------------------------------------------------
    def layout(self, title: str, cell: str) -> str:
        p = self.portal
        menu = [("Trang chủ", "default.asp"), (CATEGORY[1], self.listing_path(1).lstrip("/"))]
        menu_html = "".join(
            f'<tr><td style="padding:3px"><img src="images/arrow.gif"> <a href="{href}"><font face="Arial" size="2" color="#FFFFFF"><b>{esc(label)}</b></font></a></td></tr>'
            for label, href in menu
        )
        return f"""<html>
<head>
<meta http-equiv="Content-Type" content="text/html; charset={CHARSET}">
<title>{esc(p.display_name)} - {esc(title)}</title>
<link href="style.css" rel="stylesheet" type="text/css">
</head>
<body bgcolor="#FFFFFF" leftmargin="0" topmargin="0" marginwidth="0" marginheight="0">
<table width="780" border="0" align="center" cellpadding="0" cellspacing="0">
<tr><td colspan="2"><img src="images/banner.jpg" width="780" height="120" border="0"></td></tr>
<tr><td colspan="2" bgcolor="#003399" height="22"><font face="Arial" size="2" color="#FFFFFF"><marquee scrollamount="3">Chào mừng quý khách đến với {esc(p.display_name)}</marquee></font></td></tr>
<tr>
<td width="180" valign="top" bgcolor="#336699"><table width="100%" border="0" cellpadding="0" cellspacing="0">{menu_html}</table>
<br><center><font face="Arial" size="1" color="#FFFFFF">Số lượt truy cập: 0{len(self.articles) * 1731 + 20413}</font></center></td>
<td width="600" valign="top" style="padding:8px">
{cell}
</td>
</tr>
<tr><td colspan="2" bgcolor="#E8EEF7" align="center"><font face="Arial" size="1">Bản quyền thuộc {esc(p.display_name)}<br>
Địa chỉ: {esc(p.address)} - Điện thoại: {esc(p.phone)} - Email: {esc(p.email)}</font></td></tr>
</table>
</body>
</html>
"""
