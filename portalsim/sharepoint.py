"""tandan SharePoint 2013 — the CMS of the Thanh Hóa district portals (Quan Sơn, Sầm Sơn …).

What a crawler meets on the real thing, and what this renderer reproduces:
- article URLs  /portal/Pages/{Y}-{M}-{D}/{Title-Case-Ascii-Slug}{random}.aspx  (date not padded,
  slug cut after 8 words, random suffix glued to the slug); some portals link "/portal/pages/"
  in lower case — IIS paths are case-insensitive, so both spellings are served;
- "/" redirects (302) to /portal/Pages/default.aspx;
- listings /portal/Pages/Tin-tuc-su-kien.aspx and the channel /portal/KenhTin/Dan-van.aspx,
  10 per page, ?PageIndex=N, pager "span.CurrentPage" + page-number links + "Tiếp";
- every page is one huge ASP.NET form (__VIEWSTATE of several KB, __EVENTVALIDATION);
- the body is a CKEditor rich-HTML field with entity / combining-mark / &nbsp; noise (noise.py),
  images as centred paragraphs followed by a centred <em> caption paragraph, byline as
  right-aligned paragraphs at the end, then tags and a "Tin khác" box that always lists launch
  reports (so unrelated pages mention the model too);
- no RSS, no sitemap.
"""
from __future__ import annotations

import base64
from typing import Mapping
from urllib.parse import quote

from .common import (
    Request, Response, Site, cacheable, dmy, dmy_hm, esc, hex_id, html_response, images_after,
    int_param, noise_bytes, page_links, paginate, random_chars, redirect, strip_marks, summary, frac,
)
from .noise import CkEditorNoise

PER_PAGE = 10
SLUG_WORDS = 8
CHANNEL_TAG = "Dân vận"

# Pages that exist on every tandan portal but carry no news: served as short static pages so a
# crawler following the menus meets real non-article pages (not 404s).
STATIC_PAGES = {
    "Gioi-thieu.aspx": ("Giới thiệu", "Giới thiệu chung về điều kiện tự nhiên, lịch sử và con người của địa phương."),
    "Van-ban.aspx": ("Văn bản", "Hệ thống văn bản chỉ đạo, điều hành của Ủy ban nhân dân."),
    "Thu-tuc-hanh-chinh.aspx": ("Thủ tục hành chính", "Danh mục thủ tục hành chính thuộc thẩm quyền giải quyết."),
    "Lich-cong-tac.aspx": ("Lịch công tác", "Lịch công tác tuần của Thường trực Huyện ủy, HĐND, UBND."),
    "Hoi-dap.aspx": ("Hỏi đáp", "Tiếp nhận và trả lời câu hỏi của công dân, tổ chức."),
    "Lien-he.aspx": ("Liên hệ", "Thông tin liên hệ Ban biên tập cổng thông tin điện tử."),
}
STATIC_CHANNELS = {
    "Chi-dao-dieu-hanh.aspx": "Chỉ đạo - Điều hành",
    "Kinh-te.aspx": "Kinh tế",
    "Van-hoa-Xa-hoi.aspx": "Văn hóa - Xã hội",
}


def title_slug(title: str, words: int = SLUG_WORDS) -> str:
    """"Ra mắt mô hình “Dân vận khéo” tại xã Trung Thượng" → "Ra-Mat-Mo-Hinh-Dan-Van-Kheo-Tai"."""
    parts = []
    for word in title.split():
        word = "".join(ch for ch in strip_marks(word, "d") if ch.isascii() and ch.isalnum())
        if word:
            parts.append(word[0].upper() + word[1:])
    return "-".join(parts[:words])


# -- the tandan markup, written once: the renderer, the fault dressing (faults.py: decoy items,
# trap pagers and pages) and the Wayback replay's snapshot walk (wayback.py) all use these.
NEWS_LIST = '<div class="channel-news">'  # opens every news list; faults.py inserts its decoys after it
NEWS_ITEM = "channel-news-item"  # the class of one entry: a listing page holds entries when it holds this


def news_item(href: str, title: str, date: str, thumb: str | None = None, teaser: str | None = None) -> str:
    """One entry of a news list: the photo and the teaser when given (a decoy has neither)."""
    img = f'<div class="channel-news-img"><a href="{esc(href)}"><img alt="" src="{thumb}"></a></div>' if thumb else ""
    more = f'<div class="channel-news-summary">{esc(teaser)}</div>' if teaser is not None else ""
    return (f'<div class="{NEWS_ITEM}">{img}'
            f'<div class="channel-news-title"><a href="{esc(href)}">{esc(title)}</a></div>'
            f'<div class="channel-news-date">({date})</div>{more}</div>')


def news_list(title: str, inner: str) -> str:
    """A listing's box: its heading, then its entries (and pager)."""
    return f'{NEWS_LIST}<h2 class="channel-title">{esc(title)}</h2>{inner}</div>'


def pager(links: list[str]) -> str:
    return '<div class="channel-pager">' + " ".join(links) + "</div>"


def page_index(req: Request) -> int:
    """?PageIndex=N — ASP.NET reads query keys case-insensitively."""
    return int_param(next((v for k, v in req.query.items() if k.lower() == "pageindex"), None))


class SharePointSite(Site):
    platform = "sharepoint"
    server_software = "Microsoft-IIS/8.5"
    extra_headers = {
        "X-Powered-By": "ASP.NET",
        "X-AspNet-Version": "4.0.30319",
        "MicrosoftSharePointTeamServices": "15.0.0.4569",
        "Cache-Control": "private, max-age=0",
    }

    def __init__(self, portal, articles, base_url):
        super().__init__(portal, articles, base_url)
        self.pages = f"/portal/{portal.pages_dir}"
        self.listing_path = f"{self.pages}/Tin-tuc-su-kien.aspx"
        self.channel_path = "/portal/KenhTin/Dan-van.aspx"
        self.home_path = f"{self.pages}/default.aspx"
        self.channel_articles = [
            a for a in self.articles if a.get("is_launch_report") or CHANNEL_TAG in (a.get("tags") or [])
        ]
        # IIS is case-insensitive: look every path up in lower case.
        self.by_path = {self.article_path(a).lower(): a for a in self.articles}

    # -- URLs ----------------------------------------------------------------------------------
    def article_path(self, article: Mapping) -> str:
        when = self.published[article["key"]]
        suffix = random_chars(6 + int(frac(article["key"], "suffix-length") * 5), article["key"], "suffix")
        return f"{self.pages}/{when.year}-{when.month}-{when.day}/{title_slug(article['title'])}{suffix}.aspx"

    def photo_path(self, article: Mapping, index: int) -> str:
        when = self.published[article["key"]]
        return f"/portal/Photos/{when:%Y-%m-%d}/{hex_id(article['key'], 'photo', index)}.jpg"

    # -- dispatch ------------------------------------------------------------------------------
    def route(self, req: Request) -> Response | None:
        path = req.path.lower()
        if path in ("/", "/portal", "/portal/", "/default.aspx"):
            return redirect(self.base_url + self.home_path)
        if path == self.home_path.lower():
            return html_response(self.home_page())
        if path == self.listing_path.lower():
            page = page_index(req)
            return html_response(self.listing_page("Tin tức - Sự kiện", self.listing_path, self.articles, page))
        if path == self.channel_path.lower():
            page = page_index(req)
            return html_response(self.listing_page("Dân vận", self.channel_path, self.channel_articles, page))
        if path in self.by_path:
            article = self.by_path[path]
            return cacheable(html_response(self.article_page(article)), self.published[article["key"]])
        for name, (title, text) in STATIC_PAGES.items():
            if path == f"{self.pages}/{name}".lower():
                return html_response(self.static_page(title, text, f"{self.pages}/{name}"))
        for name, title in STATIC_CHANNELS.items():
            if path == f"/portal/KenhTin/{name}".lower():
                return html_response(self.listing_page(title, f"/portal/KenhTin/{name}", [], 1))
        return None

    def robots_txt(self) -> str:
        return "User-agent: *\nDisallow: /_layouts/\nDisallow: /portal/Search/\n"

    def not_found(self, req: Request) -> Response:
        content = (
            '<div class="tandan-error"><h2>Không tìm thấy trang</h2>'
            "<p>Trang bạn yêu cầu không tồn tại hoặc đã bị xóa.</p>"
            f'<p><a href="{self.home_path}">Quay về trang chủ</a></p></div>'
        )
        return html_response(self.layout("Không tìm thấy trang", content, req.path), status=404)

    # -- pages ---------------------------------------------------------------------------------
    def home_page(self) -> str:
        news = "".join(self.news_item(a) for a in self.articles[:PER_PAGE])
        channel = "".join(
            f'<li><a href="{esc(self.article_path(a))}">{esc(a["title"])}</a></li>'
            for a in self.channel_articles[:5]
        )
        content = (
            '<div class="tandan-home-news"><h2 class="channel-title">'
            f'<a href="{self.listing_path}">Tin tức - Sự kiện</a></h2>'
            f'{NEWS_LIST}{news}</div>'
            f'<div class="channel-more"><a href="{self.listing_path}">Xem tiếp</a></div></div>'
            f'<div class="tandan-home-channel"><h2 class="channel-title"><a href="{self.channel_path}">'
            f"Dân vận</a></h2><ul>{channel}</ul></div>"
        )
        return self.layout("Trang chủ", content, self.home_path)

    def news_item(self, article: Mapping) -> str:
        thumb = self.photo_path(article, 0) if article.get("images") else "/portal/PublishingImages/no-image.jpg"
        return news_item(self.article_path(article), article["title"], dmy(self.published[article["key"]]),
                         thumb, summary(article))

    def listing_page(self, title: str, path: str, articles: list[dict], page: int) -> str:
        # Past the last page SharePoint still answers 200 with an empty list.
        items, pages = paginate(articles, max(page, 1), PER_PAGE)
        body = "".join(self.news_item(a) for a in items) or '<p class="channel-empty">Chưa có tin bài.</p>'
        if pages > 1:
            links = page_links(page, pages, lambda n: f"{path}?PageIndex={n}", '<span class="CurrentPage">{n}</span>',
                               '<a href="{href}">{n}</a>', '<a class="NextPage" href="{href}">Tiếp</a>')
            pager_html = pager(links)
        else:
            pager_html = ""
        return self.layout(title, news_list(title, body + pager_html), path)

    def static_page(self, title: str, text: str, path: str) -> str:
        content = f'<div class="tandan-static"><h2>{esc(title)}</h2><p>{esc(text)}</p></div>'
        return self.layout(title, content, path)

    def article_page(self, article: Mapping) -> str:
        key = article["key"]
        when = self.published[key]
        noise = CkEditorNoise(seed=key)
        placed = images_after(article)

        body = []

        def add_images(after: int) -> None:
            for index, image in placed.get(after, []):
                body.append(f'<p style="text-align:center"><img alt="" src="{self.photo_path(article, index)}"></p>')
                if image.get("caption"):
                    body.append(f'<p style="text-align: center;"><em>{esc(image["caption"])}</em></p>')

        add_images(-1)
        for i, paragraph in enumerate(article["paragraphs"]):
            body.append(f'<p style="text-align: justify;">{noise.encode(paragraph, f"p{i}")}</p>')
            add_images(i)
        if article.get("author"):
            body.append(f'<p style="text-align: right;"><strong>{esc(article["author"])}</strong></p>')
        if article.get("source"):
            body.append(f'<p style="text-align: right;">{esc(article["source"])}</p>')

        tags = "".join(
            f'<a href="/portal/Search/Pages/results.aspx?k={quote(tag)}">{esc(tag)}</a>'
            for tag in article.get("tags") or []
        )
        others = "".join(
            f'<li><a href="{esc(self.article_path(a))}">{esc(a["title"])}</a> ({dmy(self.published[a["key"]])})</li>'
            for a in self.related_to(article)
        )
        content = (
            '<div class="tandan-article">'
            f'<p class="tandan-p-article-news-title">{esc(article["title"])}</p>'
            f'<span class="tandan-span-date-publish">Đăng ngày {dmy_hm(when)}</span>'
            f'<p class="tandan-p-article-news-summary">{esc(article.get("lead") or "")}</p>'
            '<p class="tandan-p-article-main"></p>'
            '<div id="ctl00_PlaceHolderMain_ctl03__ControlWrapper_RichHtmlField" class="ms-rtestate-field" '
            'style="display:inline" aria-labelledby="ctl00_PlaceHolderMain_ctl03_label">'
            + "\n".join(body)
            + "</div>"
            f'<div class="td-tags">{tags}</div>'
            f'<div class="tandan-div-article-other"><h3>Tin khác</h3><ul>{others}</ul></div>'
            "</div>"
        )
        return self.layout(article["title"], content, self.article_path(article), seed=key)

    # -- chrome --------------------------------------------------------------------------------
    def layout(self, title: str, content: str, path: str, seed: str | None = None) -> str:
        """The SharePoint master page: form, hidden state, menus, footer around `content`."""
        seed = seed or path
        site_upper = self.portal.display_name.upper()
        # "/wEPDwUKLTk…": the base64 of ASP.NET's view-state header; the rest is opaque filler.
        # ("\xff\x01" version, "\x0f\x0f\x05\n" page hash length 10, "-9" + digits: a negative int).
        page_hash = b"-9" + "".join(str(b % 10) for b in noise_bytes(8, seed, "hash")).encode()
        viewstate = base64.b64encode(b"\xff\x01\x0f\x0f\x05\n" + page_hash + noise_bytes(2900, seed, "viewstate")).decode()
        validation = base64.b64encode(b"\xff\x01\x16" + noise_bytes(180, seed, "validation")).decode()
        digest = "0x" + noise_bytes(64, seed, "digest").hex().upper()
        action = "./" + path.rsplit("/", 1)[-1]
        top = [
            ("Trang chủ", self.home_path),
            ("Giới thiệu", f"{self.pages}/Gioi-thieu.aspx"),
            ("Tin tức - Sự kiện", self.listing_path),
            ("Văn bản", f"{self.pages}/Van-ban.aspx"),
            ("Thủ tục hành chính", f"{self.pages}/Thu-tuc-hanh-chinh.aspx"),
            ("Lịch công tác", f"{self.pages}/Lich-cong-tac.aspx"),
            ("Hỏi đáp", f"{self.pages}/Hoi-dap.aspx"),
            ("Liên hệ", f"{self.pages}/Lien-he.aspx"),
        ]
        left = [("Tin tức - Sự kiện", self.listing_path), ("Dân vận", self.channel_path)] + [
            (name, f"/portal/KenhTin/{file}") for file, name in STATIC_CHANNELS.items()
        ]
        top_menu = "".join(f'<li><a href="{href}">{esc(label)}</a></li>' for label, href in top)
        left_menu = "".join(f'<li><a href="{href}">{esc(label)}</a></li>' for label, href in left)
        p = self.portal
        return f"""<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Strict//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-strict.dtd">
<html dir="ltr" lang="vi-VN">
<head><meta http-equiv="X-UA-Compatible" content="IE=10" /><meta name="GENERATOR" content="Microsoft SharePoint" />
<meta http-equiv="Content-type" content="text/html; charset=utf-8" />
<title>{esc(title)} - {esc(site_upper)}</title>
<link rel="stylesheet" type="text/css" href="/_layouts/15/1033/styles/Themable/corev15.css?rev=2bpHeX9U8DH09TB5zpJcsQ%3D%3D" />
<script type="text/javascript" src="/_layouts/15/init.js?rev=Zuh2%2BWoKyAp5K0XBfSmvjw%3D%3D"></script>
<link rel="stylesheet" type="text/css" href="/Style%20Library/tandan/css/portal.css" />
</head>
<body>
<form method="post" action="{esc(action)}" onsubmit="javascript:return WebForm_OnSubmit();" id="aspnetForm">
<div class="aspNetHidden">
<input type="hidden" name="_wpcmWpid" id="_wpcmWpid" value="" />
<input type="hidden" name="wpcmVal" id="wpcmVal" value="" />
<input type="hidden" name="MSOWebPartPage_PostbackSource" id="MSOWebPartPage_PostbackSource" value="" />
<input type="hidden" name="MSOTlPn_SelectedWpId" id="MSOTlPn_SelectedWpId" value="" />
<input type="hidden" name="__EVENTTARGET" id="__EVENTTARGET" value="" />
<input type="hidden" name="__EVENTARGUMENT" id="__EVENTARGUMENT" value="" />
<input type="hidden" name="__REQUESTDIGEST" id="__REQUESTDIGEST" value="{digest}" />
<input type="hidden" name="__VIEWSTATE" id="__VIEWSTATE" value="{viewstate}" />
</div>
<script type="text/javascript">
//<![CDATA[
var theForm = document.forms['aspnetForm'];
var MSOWebPartPageFormName = 'aspnetForm';
var _spPageContextInfo = {{webServerRelativeUrl: "\\u002fportal", siteClientTag: "0$$15.0.4569.1000", currentLanguage: 1066}};
//]]>
</script>
<div id="s4-workspace"><div id="s4-bodyContainer">
<div class="tandan-header"><div class="tandan-banner"><a href="{self.home_path}"><img src="/portal/PublishingImages/banner.jpg" alt="{esc(p.display_name)}" /></a>
<h1 class="tandan-site-name">{esc(site_upper)}</h1></div>
<div class="tandan-top-menu"><ul class="root">{top_menu}</ul></div>
<div class="tandan-search"><input name="ctl00$SearchBox" type="text" title="Tìm kiếm" /><a href="/portal/Search/Pages/results.aspx">Tìm kiếm</a></div>
</div>
<div class="tandan-main">
<div class="tandan-left"><div class="tandan-left-menu"><h3>Chuyên mục</h3><ul>{left_menu}</ul></div></div>
<div class="tandan-content">
<div class="tandan-breadcrumb"><a href="{self.home_path}">Trang chủ</a> &gt; <span>{esc(title)}</span></div>
{content}
</div>
</div>
<div class="tandan-footer"><p><strong>{esc(site_upper)}</strong></p>
<p>Cơ quan chủ quản: Ủy ban nhân dân {esc(p.display_name.split("điện tử ", 1)[-1])}</p>
<p>Địa chỉ: {esc(p.address)}</p><p>Điện thoại: {esc(p.phone)} - Email: {esc(p.email)}</p>
<p>Ghi rõ nguồn "{esc(p.display_name)}" khi phát hành lại thông tin từ website này.</p></div>
</div></div>
<div class="aspNetHidden">
<input type="hidden" name="__VIEWSTATEGENERATOR" id="__VIEWSTATEGENERATOR" value="BAB98CB3" />
<input type="hidden" name="__EVENTVALIDATION" id="__EVENTVALIDATION" value="{validation}" />
</div>
</form>
</body>
</html>
"""

