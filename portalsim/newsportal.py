"""A provincial news site on a home-grown PHP template no platform module knows (Báo Thanh Hóa …).

What a crawler meets on the real thing, and what this renderer reproduces:
- articles at /thoi-su/{slug}-{id}.html (slug ASCII with đ→d, cut at a word near 70 characters;
  six-digit ids); the same path without the slug (/thoi-su/-{id}.html is never linked) is 404;
- the home "/" with the newest stories, the section /thoi-su/ paginated as /thoi-su/trang-N.html,
  a few static pages (/gioi-thieu.html, /lien-he.html); pages past the end are 404;
- div.article-detail > div.article-cate (breadcrumb), h1.article-title, span.article-time
  ("Thứ Sáu, 17/03/2023 - 10:25"), div.article-sapo (the lead), div.article-body with <p>
  paragraphs and figure.article-image > img + figcaption, then p.author (bold, right-aligned) and
  p.article-source "Nguồn: …", div.article-tags "Từ khóa:", a "Tin cùng chuyên mục" box;
- og:title / article:published_time in the head, UTF-8, no feeds and no sitemap.
"""
from __future__ import annotations

import re
from typing import Mapping

from .common import (
    Request, Response, Site, cacheable, esc, hex_id, html_response, images_after, page_links, paginate, strip_marks, summary,
)

PER_PAGE = 4
SECTION = ("thoi-su", "Thời sự")
WEEKDAYS = ("Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ Nhật")
STATIC_PAGES = {
    "gioi-thieu": ("Giới thiệu", "Báo điện tử của tỉnh Thanh Hóa, cơ quan ngôn luận của Đảng bộ, chính quyền và Nhân dân tỉnh."),
    "lien-he": ("Liên hệ", "Tòa soạn tiếp nhận tin bài, phản ánh của bạn đọc qua thư điện tử và đường dây nóng."),
}
PAGED_RE = re.compile(rf"/{SECTION[0]}/(?:trang-(\d+)\.html)?")


def slugify(text: str, limit: int = 70) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", strip_marks(text, "d").lower()).strip("-")
    if len(slug) > limit:
        slug = slug[:limit].rsplit("-", 1)[0]
    return slug


class NewsPortalSite(Site):
    platform = "generic"
    server_software = "nginx/1.18.0"
    extra_headers = {"X-Powered-By": "PHP/5.6.40"}

    def __init__(self, portal, articles, base_url):
        super().__init__(portal, articles, base_url)
        self.ids = {a["key"]: 168_204 + 1_377 * i for i, a in enumerate(reversed(self.articles))}
        self.by_path = {self.article_path(a): a for a in self.articles}

    # -- URLs ----------------------------------------------------------------------------------
    def article_path(self, article: Mapping) -> str:
        return f"/{SECTION[0]}/{slugify(article['title']) or 'tin'}-{self.ids[article['key']]}.html"

    def listing_path(self, page: int) -> str:
        return f"/{SECTION[0]}/" + (f"trang-{page}.html" if page > 1 else "")

    def image_url(self, article: Mapping, index: int) -> str:
        when = self.published[article["key"]]
        return f"{self.base_url}/uploads/{when:%Y/%m/%d}/{hex_id(article['key'], 'photo', index, length=16)}.jpg"

    # -- dispatch ------------------------------------------------------------------------------
    def route(self, req: Request) -> Response | None:
        path = req.path
        if path in self.by_path:
            article = self.by_path[path]
            return cacheable(html_response(self.article_page(article)), self.published[article["key"]])
        if path == "/":
            return html_response(self.home_page())
        m = PAGED_RE.fullmatch(path)
        if m:
            page = int(m.group(1) or 1)
            if m.group(1) and page == 1:
                return None
            items, pages = paginate(self.articles, page, PER_PAGE)
            if page < 1 or page > pages:
                return None
            return html_response(self.listing_page(items, page, pages))
        if path.endswith(".html") and path.strip("/").removesuffix(".html") in STATIC_PAGES:
            title, text = STATIC_PAGES[path.strip("/").removesuffix(".html")]
            return html_response(self.layout(title, f'<div class="static-page"><h1 class="page-title">{esc(title)}</h1><p>{esc(text)}</p></div>'))
        return None

    def robots_txt(self) -> str:
        return "User-agent: *\nDisallow: /tim-kiem/\nDisallow: /admin/\n"

    def not_found(self, req: Request) -> Response:
        return html_response(self.layout("Không tìm thấy trang", '<div class="page-404"><h1 class="page-title">404</h1>'
                                         '<p>Trang bạn tìm không tồn tại hoặc đã bị xóa.</p></div>'), status=404)

    # -- pages ---------------------------------------------------------------------------------
    def when(self, article: Mapping) -> str:
        dt = self.published[article["key"]]
        return f"{WEEKDAYS[dt.weekday()]}, {dt:%d/%m/%Y - %H:%M}"

    def story_box(self, a: Mapping, cls: str = "story") -> str:
        url = esc(self.article_url(a))
        return (f'<div class="{cls}"><a class="story-thumb" href="{url}"><img src="{self.image_url(a, 0)}" alt=""></a>'
                f'<h3 class="story-title"><a href="{url}">{esc(a["title"])}</a></h3>'
                f'<div class="story-summary">{esc(summary(a, 200))}</div></div>')

    def home_page(self) -> str:
        top = self.articles[:5]
        boxes = "".join(self.story_box(a, "story story-featured" if i == 0 else "story") for i, a in enumerate(top))
        content = (f'<section class="home-section"><h2 class="section-title"><a href="{self.base_url}{self.listing_path(1)}">{SECTION[1]}</a></h2>'
                   f'{boxes}<a class="view-more" href="{self.base_url}{self.listing_path(1)}">Xem thêm</a></section>')
        return self.layout(None, content)

    def listing_page(self, items: list[dict], page: int, pages: int) -> str:
        boxes = "".join(self.story_box(a) for a in items)
        links = page_links(page, pages, lambda n: self.base_url + self.listing_path(n), '<span class="active">{n}</span>',
                           '<a href="{href}">{n}</a>', '<a class="next" href="{href}">›</a>')
        content = (f'<div class="category-page"><h1 class="category-title">{SECTION[1]}</h1>{boxes}'
                   f'<div class="pagination">{"".join(links)}</div></div>')
        return self.layout(SECTION[1] + (f" - Trang {page}" if page > 1 else ""), content)

    def article_body(self, article: Mapping) -> str:
        placed = images_after(article)
        out = []

        def add_images(after: int) -> None:
            for index, image in placed.get(after, []):
                caption = f'<figcaption>{esc(image["caption"])}</figcaption>' if image.get("caption") else ""
                out.append(f'<figure class="article-image"><img src="{self.image_url(article, index)}" alt="">{caption}</figure>')

        add_images(-1)
        for i, paragraph in enumerate(article["paragraphs"]):
            out.append(f"<p>{esc(paragraph)}</p>")
            add_images(i)
        return "\n".join(out)

    def article_page(self, article: Mapping) -> str:
        dt = self.published[article["key"]]
        lead = f'<div class="article-sapo">{esc(article["lead"])}</div>' if article.get("lead") else ""
        author = f'<p class="author"><strong>{esc(article["author"])}</strong></p>' if article.get("author") else ""
        source = f'<p class="article-source">Nguồn: {esc(article["source"])}</p>' if article.get("source") else ""
        tags = ""
        if article.get("tags"):
            tags = '<div class="article-tags"><span>Từ khóa:</span> ' + ", ".join(
                f'<a href="{self.base_url}/tim-kiem/?q={esc(slugify(t))}">{esc(t)}</a>' for t in article["tags"]) + "</div>"
        related = "".join(f'<li><a href="{esc(self.article_url(a))}">{esc(a["title"])}</a></li>' for a in self.related_to(article))
        content = (
            '<div class="article-detail">'
            f'<div class="article-cate"><a href="{self.base_url}/">Trang chủ</a> › <a href="{self.base_url}{self.listing_path(1)}">{SECTION[1]}</a></div>'
            f'<h1 class="article-title">{esc(article["title"])}</h1>'
            f'<div class="article-meta"><span class="article-time">{self.when(article)}</span></div>'
            f"{lead}"
            f'<div class="article-body">\n{self.article_body(article)}\n</div>'
            f"{author}{source}{tags}"
            '<div class="article-share"><a href="javascript:window.print()">In bài</a></div>'
            "</div>"
            f'<div class="box-related"><h3 class="box-title">Tin cùng chuyên mục</h3><ul>{related}</ul></div>'
        )
        head = (f'<meta property="og:type" content="article">\n<meta property="og:title" content="{esc(article["title"])}">\n'
                f'<meta property="og:url" content="{esc(self.article_url(article))}">\n'
                f'<meta property="article:published_time" content="{dt.isoformat()}">\n'
                f'<link rel="canonical" href="{esc(self.article_url(article))}">')
        return self.layout(article["title"], content, head)

    # -- chrome --------------------------------------------------------------------------------
    def layout(self, title: str | None, content: str, head: str = "") -> str:
        p, base = self.portal, self.base_url
        menu = [("Trang chủ", f"{base}/"), (SECTION[1], f"{base}{self.listing_path(1)}"),
                ("Giới thiệu", f"{base}/gioi-thieu.html"), ("Liên hệ", f"{base}/lien-he.html")]
        nav = "".join(f'<li><a href="{href}">{esc(label)}</a></li>' for label, href in menu)
        hot = "".join(f'<li><a href="{esc(self.article_url(a))}">{esc(a["title"])}</a></li>' for a in self.related_to(None, n=4))
        page_title = esc(p.display_name) if title is None else f"{esc(title)} | {esc(p.display_name)}"
        return f"""<!DOCTYPE html>
<html lang="vi">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{page_title}</title>
{head}
<link rel="stylesheet" href="{base}/static/css/main.css?v=2.3">
</head>
<body>
<div class="topbar"><div class="container"><span class="today">Cơ quan của Đảng bộ, Chính quyền và Nhân dân tỉnh Thanh Hóa</span></div></div>
<header class="header"><div class="container"><a class="logo" href="{base}/"><img src="{base}/static/images/logo.jpg" alt="{esc(p.display_name)}"></a></div></header>
<nav class="main-menu"><div class="container"><ul>{nav}</ul></div></nav>
<div class="container main"><div class="col-main">
{content}
</div>
<div class="col-side"><div class="box-hot"><h3 class="box-title">Tin nổi bật</h3><ul>{hot}</ul></div></div></div>
<footer class="footer"><div class="container"><p><strong>{esc(p.display_name)}</strong></p>
<p>Địa chỉ: {esc(p.address)} - Điện thoại: {esc(p.phone)} - Email: {esc(p.email)}</p>
<p>Giấy phép số 123/GP-BTTTT. Ghi rõ nguồn khi phát hành lại thông tin từ website này.</p></div></footer>
</body>
</html>
"""
