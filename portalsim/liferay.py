"""Liferay 7 portal with an asset publisher — the CMS of the Đắk Lắk district portals (Krông Pắc …).

What a crawler meets on the real thing, and what this renderer reproduces:
- home "/" (also /web/guest, /web/guest/trang-chu) and the news page /web/guest/tin-tuc rendering
  the asset publisher portlet INSTANCE_{id}, 8 abstracts per page, paginated with the long
  p_p_id/p_p_lifecycle/…/_delta/_cur query string (written with &amp; in the HTML);
- one article under two URLs: /-/{slug} and
  /web/guest/tin-tuc/-/asset_publisher/{id}/content/{slug}; the listing alternates between them
  (newest-first position: even → short form, odd → long form), the home page and the related
  box always use the short form, so crawlers must deduplicate;
- Liferay friendly-URL slugs: lower case, marks removed, but đ/Đ dropped entirely
  ("Đắk Lắk" → "ak-lak"), everything else non-alphanumeric → "-";
- article: h3.header-title > span inside div.asset-full-content, the date either as
  span.date-created (dd/mm/yyyy) or as asset-metadata publish date (dd/mm/yyyy hh:mm), body in
  div.journal-content-article (lead as a first bold paragraph), images as <figure> or as an image
  paragraph + <em> caption paragraph, byline right-aligned at the end ("Nguồn: …" in <em>),
  then a "Tin liên quan" box (div.asset-links or div.related-assets);
- RSS 2.0 at /-/asset_publisher/{id}/rss with every article, newest first, absolute links.
"""
from __future__ import annotations

import re
from typing import Mapping

from .common import (
    Request, Response, Site, cacheable, dmy, dmy_hm, esc, frac, hex_id, html_response, images_after,
    int_param, paginate, rss_feed, strip_marks, summary, xml_response,
)

PER_PAGE = 8
LISTING = "/web/guest/tin-tuc"
STATIC_PAGES = {
    "/web/guest/gioi-thieu": ("Giới thiệu", "Giới thiệu khái quát về huyện: vị trí địa lý, dân số, đơn vị hành chính."),
    "/web/guest/van-ban": ("Văn bản chỉ đạo điều hành", "Văn bản chỉ đạo, điều hành của UBND huyện."),
    "/web/guest/thu-tuc-hanh-chinh": ("Thủ tục hành chính", "Tra cứu thủ tục hành chính cấp huyện, cấp xã."),
    "/web/guest/lien-he": ("Liên hệ", "Thông tin liên hệ Ban biên tập."),
}


def friendly_url(title: str) -> str:
    """Liferay's FriendlyURLNormalizer as seen on the portals: "Điều chỉnh quy hoạch" → "ieu-chinh-quy-hoach"."""
    text = strip_marks(title.lower(), d="")  # đ has no decomposition: Liferay loses it
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-")


# -- the asset publisher's markup, written once: the renderer and the fault dressing (faults.py:
# decoy items, trap pagers) use these.
def abstract(href: str, title: str, date: str, content: str = "") -> str:
    """One asset of a list: title and date, then `content` (summary and "more" link; a decoy has none)."""
    return (
        '<div class="asset-abstract">'
        f'<h3 class="asset-title"><a href="{esc(href)}">{esc(title)}</a></h3>'
        f'<div class="asset-metadata"><span class="metadata-entry metadata-publish-date">{date}</span></div>'
        f"{content}</div>"
    )


def page_item(href: str, label: str, state: str = "") -> str:
    """One pagination link; `state` " active" or " disabled"; `href` already escaped."""
    return f'<li class="page-item{state}"><a class="page-link" href="{href}">{label}</a></li>'


def pagination_bar(items: list[str], results: str = "") -> str:
    return '<div class="pagination-bar"><ul class="pagination">' + "".join(items) + "</ul>" + results + "</div>"


class LiferaySite(Site):
    platform = "liferay"
    server_software = "Apache-Coyote/1.1"
    extra_headers = {"Liferay-Portal": "Liferay Community Edition Portal 7.0.6 GA7 (Wilberforce / Build 7005 / April 17, 2018)"}

    def __init__(self, portal, articles, base_url):
        super().__init__(portal, articles, base_url)
        self.instance = portal.instance_id
        self.portlet = f"com_liferay_asset_publisher_web_portlet_AssetPublisherPortlet_INSTANCE_{self.instance}"
        self.content_prefix = f"{LISTING}/-/asset_publisher/{self.instance}/content/"
        self.rss_path = f"/-/asset_publisher/{self.instance}/rss"
        # Unique slugs, oldest article first keeps the plain one (Liferay appends -1, -2 …).
        self.slugs: dict[str, str] = {}
        taken: set[str] = set()
        for article in reversed(self.articles):
            base = friendly_url(article["title"]) or article["key"]
            slug, n = base, 0
            while slug in taken:
                n += 1
                slug = f"{base}-{n}"
            taken.add(slug)
            self.slugs[article["key"]] = slug
        self.by_slug = {self.slugs[a["key"]]: a for a in self.articles}
        self.position = {a["key"]: i for i, a in enumerate(self.articles)}

    # -- URLs ----------------------------------------------------------------------------------
    def short_path(self, article: Mapping) -> str:
        return "/-/" + self.slugs[article["key"]]

    def long_path(self, article: Mapping) -> str:
        return self.content_prefix + self.slugs[article["key"]]

    def article_path(self, article: Mapping) -> str:
        """The form the listing and the RSS use (alternating); ground truth reports this one."""
        return self.short_path(article) if self.position[article["key"]] % 2 == 0 else self.long_path(article)

    def page_url(self, n: int) -> str:
        ns = f"_{self.portlet}_"
        return (f"{LISTING}?p_p_id={self.portlet}&p_p_lifecycle=0&p_p_state=normal&p_p_mode=view"
                f"&{ns}delta={PER_PAGE}&{ns}cur={n}")

    def image_path(self, article: Mapping, index: int) -> str:
        folder = 20182 + int(frac(article["key"], "folder") * 90000)
        return f"/documents/20182/{folder}/{hex_id(article['key'], 'image', index)}.jpg"

    # -- dispatch ------------------------------------------------------------------------------
    def route(self, req: Request) -> Response | None:
        path = req.path.rstrip("/") or "/"
        if path in ("/", "/web/guest", "/web/guest/trang-chu"):
            return html_response(self.home_page())
        if path == LISTING:
            page = int_param(req.query.get(f"_{self.portlet}_cur"))
            return html_response(self.listing_page(page))
        if path == self.rss_path:
            return xml_response(self.rss(), "application/rss+xml; charset=utf-8")
        slug = None
        if path.startswith("/-/"):
            slug = path[3:]
        elif path.startswith(self.content_prefix):
            slug = path[len(self.content_prefix):]
        if slug in self.by_slug:  # any query string (?inheritRedirect=…&redirect=…) is ignored, as in Liferay
            article = self.by_slug[slug]
            return cacheable(html_response(self.article_page(article)), self.published[article["key"]])
        if path in STATIC_PAGES:
            title, text = STATIC_PAGES[path]
            return html_response(self.layout(title, f'<div class="journal-content-article"><p>{esc(text)}</p></div>'))
        return None

    def robots_txt(self) -> str:
        return "User-agent: *\nDisallow: /c/\nDisallow: /api/\n"

    def not_found(self, req: Request) -> Response:
        content = ('<div class="alert alert-danger">Không tìm thấy trang yêu cầu.</div>'
                   f'<p>Không tìm thấy địa chỉ: {esc(req.path)}</p>')
        return html_response(self.layout("Lỗi", content), status=404)

    # -- pages ---------------------------------------------------------------------------------
    def abstract(self, article: Mapping, href: str) -> str:
        content = (f'<div class="asset-content"><div class="asset-summary">{esc(summary(article))}</div>'
                   f'<div class="asset-more"><a href="{esc(href)}">Xem thêm <span class="hide-accessible">'
                   f'về {esc(article["title"])}</span> »</a></div></div>')
        return abstract(href, article["title"], dmy(self.published[article["key"]]), content)

    def portlet_box(self, title: str, inner: str) -> str:
        return (
            f'<section class="portlet" id="portlet_{self.portlet}"><div class="portlet-content">'
            f'<h2 class="portlet-title-text">{esc(title)}</h2>'
            f'<div class="portlet-content-container"><div class="portlet-body">{inner}</div></div>'
            "</div></section>"
        )

    def home_page(self) -> str:
        items = "".join(self.abstract(a, self.short_path(a)) for a in self.articles[:6])
        inner = items + f'<div class="asset-more-link"><a href="{LISTING}">Xem tất cả tin tức</a></div>'
        return self.layout("Trang chủ", self.portlet_box("Tin tức - Sự kiện", inner))

    def listing_page(self, page: int) -> str:
        total = len(self.articles)
        pages = max(1, -(-total // PER_PAGE))
        page = min(max(page, 1), pages)  # Liferay clamps an out-of-range cursor
        items, _ = paginate(self.articles, page, PER_PAGE)
        inner = "".join(self.abstract(a, self.article_path(a)) for a in items)
        if pages > 1:
            links = []
            prev_class = " disabled" if page == 1 else ""
            prev_href = "javascript:;" if page == 1 else esc(self.page_url(page - 1))
            links.append(page_item(prev_href, "«", prev_class))
            for n in range(1, pages + 1):
                links.append(page_item(esc(self.page_url(n)), str(n), " active" if n == page else ""))
            next_class = " disabled" if page == pages else ""
            next_href = "javascript:;" if page == pages else esc(self.page_url(page + 1))
            links.append(page_item(next_href, "»", next_class))
            first, last = (page - 1) * PER_PAGE + 1, min(page * PER_PAGE, total)
            inner += pagination_bar(links, f'<p class="pagination-results">Hiển thị {first} - {last} của {total} kết quả.</p>')
        return self.layout("Tin tức", self.portlet_box("Tin tức - Sự kiện", inner))

    def article_page(self, article: Mapping) -> str:
        key = article["key"]
        when = self.published[key]
        as_figure = frac(key, "figure-style") < 0.5
        placed = images_after(article)
        body = []
        if article.get("lead"):
            body.append(f'<p style="text-align:justify"><strong>{esc(article["lead"])}</strong></p>')

        def add_images(after: int) -> None:
            for index, image in placed.get(after, []):
                src = self.image_path(article, index)
                caption = image.get("caption")
                if as_figure:
                    figcaption = f"<figcaption>{esc(caption)}</figcaption>" if caption else ""
                    body.append(f'<figure><img alt="" src="{src}" />{figcaption}</figure>')
                else:
                    body.append(f'<p style="text-align:center"><img alt="" src="{src}" /></p>')
                    if caption:
                        body.append(f'<p style="text-align:center"><em>{esc(caption)}</em></p>')

        add_images(-1)
        for i, paragraph in enumerate(article["paragraphs"]):
            body.append(f'<p style="text-align:justify">{esc(paragraph)}</p>')
            add_images(i)
        if article.get("author"):
            body.append(f'<p style="text-align:right"><strong>{esc(article["author"])}</strong></p>')
        if article.get("source"):
            body.append(f'<p style="text-align:right"><em>Nguồn: {esc(article["source"])}</em></p>')

        if frac(key, "date-style") < 0.5:
            date = f'<span class="date-created">{dmy(when)}</span>'
        else:
            date = f'<div class="asset-metadata"><span class="metadata-entry metadata-publish-date">{dmy_hm(when)}</span></div>'
        box_class = "asset-links" if frac(key, "links-style") < 0.5 else "related-assets"
        links = "".join(
            f'<li class="asset-links-list-item"><a href="{esc(self.short_path(a))}">{esc(a["title"])}</a></li>'
            for a in self.related_to(article)
        )
        inner = (
            '<div class="asset-full-content clearfix default-asset-publisher show-asset-title">'
            f'<h3 class="header-title"><span>{esc(article["title"])}</span></h3>'
            f"{date}"
            '<div class="asset-content">'
            f'<div class="journal-content-article" data-analytics-asset-id="{int(frac(key, "id") * 10**6)}" '
            f'data-analytics-asset-type="web-content">'
            + "\n".join(body)
            + "</div></div>"
            f'<div class="{box_class}"><h4 class="asset-links-title">Tin liên quan</h4><ul class="asset-links-list">{links}</ul></div>'
            "</div>"
        )
        return self.layout(article["title"], self.portlet_box("Tin tức - Sự kiện", inner))

    def rss(self) -> str:
        items = [
            {
                "title": a["title"],
                "link": self.article_url(a),
                "published": self.published[a["key"]],
                "guid": self.article_url(a),
                "guid_permalink": True,
                "description": summary(a),
                "creator": a.get("author") or "",
            }
            for a in self.articles
        ]
        return rss_feed(title=f"{self.portal.display_name} - Tin tức", link=self.base_url + LISTING,
                        self_url=self.base_url + self.rss_path, description="Tin tức - Sự kiện",
                        items=items, generator="Liferay Portal 7.0")

    # -- chrome --------------------------------------------------------------------------------
    def layout(self, title: str, content: str) -> str:
        p = self.portal
        menu = [("Trang chủ", "/web/guest/trang-chu"), ("Giới thiệu", "/web/guest/gioi-thieu"),
                ("Tin tức", LISTING), ("Văn bản", "/web/guest/van-ban"),
                ("Thủ tục hành chính", "/web/guest/thu-tuc-hanh-chinh"), ("Liên hệ", "/web/guest/lien-he")]
        nav = "".join(
            f'<li class="lfr-nav-item" role="presentation"><a href="{href}" role="menuitem"><span>{esc(label)}</span></a></li>'
            for label, href in menu
        )
        return f"""<!DOCTYPE html>
<html class="ltr" dir="ltr" lang="vi-VN">
<head>
<title>{esc(title)} - {esc(p.display_name)}</title>
<meta content="initial-scale=1.0, width=device-width" name="viewport" />
<meta content="text/html; charset=UTF-8" http-equiv="content-type" />
<link href="/o/daklak-theme/images/favicon.ico" rel="Shortcut Icon" />
<link class="lfr-css-file" href="/o/daklak-theme/css/main.css?browserId=other&amp;themeId=daklaktheme_WAR_daklaktheme" rel="stylesheet" type="text/css" />
<script type="text/javascript">var themeDisplay = Liferay.ThemeDisplay = {{getLanguageId: function() {{return "vi_VN";}}, getPathContext: function() {{return "";}}}};</script>
<script src="/o/frontend-js-web/everything.jsp?browserId=other&amp;languageId=vi_VN" type="text/javascript"></script>
</head>
<body class="controls-visible yui3-skin-sam guest-site signed-out public-page site">
<div class="container-fluid" id="wrapper">
<header id="banner" role="banner"><div id="heading"><h1 class="site-title"><a class="logo" href="/web/guest" title="{esc(p.display_name)}"><img alt="{esc(p.display_name)}" src="/image/layout_set_logo.jpg" /></a>
<span class="site-name">{esc(p.display_name)}</span></h1></div>
<nav class="sort-pages modify-pages" id="navigation" role="navigation"><ul aria-label="Trang web" role="menubar">{nav}</ul></nav>
</header>
<section id="content"><div class="columns-2" id="main-content" role="main"><div class="portlet-layout row">
<div class="col-md-8 portlet-column" id="column-1">{content}</div>
<div class="col-md-4 portlet-column" id="column-2"><section class="portlet"><div class="portlet-body"><ul class="links">
<li><a href="{self.rss_path}">RSS</a></li><li><a href="/web/guest/van-ban">Văn bản mới</a></li></ul></div></section></div>
</div></div></section>
<footer id="footer" role="contentinfo"><p><strong>{esc(p.display_name.upper())}</strong></p>
<p>Địa chỉ: {esc(p.address)}</p><p>Điện thoại: {esc(p.phone)} - Email: {esc(p.email)}</p></footer>
</div>
<script type="text/javascript">Liferay.Portlet.register('{self.portlet}');</script>
</body>
</html>
"""
