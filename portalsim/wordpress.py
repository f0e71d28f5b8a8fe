"""A commune WordPress site with a "twentytwenty"-like theme (xã Đông Văn …).

What a crawler meets on the real thing, and what this renderer reproduces:
- posts at /YYYY/MM/DD/{slug}/ (zero-padded, slug ASCII with đ→d, duplicates get -2, -3 …);
  the same path without the trailing slash and the shortlink /?p=ID answer 301 to the permalink;
- home "/" with the 6 newest posts and /page/N/ pagination, the category /category/tin-tuc/
  (+ /page/N/), tag and author archives; pages past the end are 404, /page/1/ redirects home;
- article.post > h1.entry-title, time.entry-date.published[datetime], span.author.vcard >
  a.url.fn.n, div.entry-content with the lead as a bold first paragraph, <p> paragraphs and
  figure.wp-block-image + figcaption, then "Nguồn: …" in a bold last paragraph;
  posts without a byline show the WordPress account "admin" as author (as real commune sites do —
  extractors must not take it for a person);
- a "Bài viết mới" widget on every page (5 recent posts, always at least two launch reports);
- /feed/ (RSS 2.0, 10 newest), /wp-sitemap.xml → /wp-sitemap-posts-post-1.xml (every post),
  absolute URLs everywhere, as WordPress writes them.
"""
from __future__ import annotations

import re
from typing import Mapping

from .common import (
    Request, Response, Site, cacheable, dmy, esc, hex_id, html_response, images_after, page_links, paginate,
    redirect, rss_feed, strip_marks, summary, xml_response,
)

PER_PAGE = 6
FEED_SIZE = 10
CATEGORY = ("tin-tuc", "Tin tức")
DEFAULT_AUTHOR = "admin"
STATIC_PAGES = {
    "gioi-thieu": ("Giới thiệu", "Xã Đông Văn nằm ở phía tây huyện Đông Sơn, tỉnh Thanh Hóa."),
    "thu-tuc-hanh-chinh": ("Thủ tục hành chính", "Danh mục thủ tục hành chính cấp xã."),
    "lien-he": ("Liên hệ", "Ủy ban nhân dân xã Đông Văn."),
}
POST_RE = re.compile(r"/(\d{4})/(\d{2})/(\d{2})/([a-z0-9-]+)/")
PAGED_RE = re.compile(r"(?P<archive>/|/category/[a-z0-9-]+/|/tag/[a-z0-9-]+/|/author/[a-z0-9-]+/)(?:page/(?P<page>\d+)/)?")


def wp_slug(text: str) -> str:
    """sanitize_title(): "Ra mắt mô hình “Dân vận khéo”" → "ra-mat-mo-hinh-dan-van-kheo"."""
    return re.sub(r"[^a-z0-9]+", "-", strip_marks(text, "d").lower()).strip("-")


class WordPressSite(Site):
    platform = "wordpress"
    server_software = "nginx"
    extra_headers = {"X-Powered-By": "PHP/7.4.33"}

    def __init__(self, portal, articles, base_url):
        super().__init__(portal, articles, base_url)
        self.extra_headers = {**self.extra_headers, "Link": f'<{self.base_url}/wp-json/>; rel="https://api.w.org/"'}
        self.slugs: dict[str, str] = {}
        self.post_ids: dict[str, int] = {}
        taken: set[str] = set()
        for i, article in enumerate(reversed(self.articles)):  # oldest first, as they were posted
            base = wp_slug(article["title"]) or article["key"]
            slug, n = base, 1
            while slug in taken:
                n += 1
                slug = f"{base}-{n}"
            taken.add(slug)
            self.slugs[article["key"]] = slug
            self.post_ids[article["key"]] = 12 + 9 * i  # revisions and attachments eat ids in between
        self.by_path = {self.article_path(a): a for a in self.articles}
        self.by_id = {self.post_ids[a["key"]]: a for a in self.articles}

    # -- URLs ----------------------------------------------------------------------------------
    def article_path(self, article: Mapping) -> str:
        return f"{self.published[article['key']]:/%Y/%m/%d/}{self.slugs[article['key']]}/"

    def author_name(self, article: Mapping) -> str:
        return article.get("author") or DEFAULT_AUTHOR

    def image_url(self, article: Mapping, index: int) -> str:
        when = self.published[article["key"]]
        return f"{self.base_url}/wp-content/uploads/{when:%Y/%m}/{hex_id(article['key'], 'upload', index, length=12)}-1024x683.jpg"

    # -- dispatch ------------------------------------------------------------------------------
    def route(self, req: Request) -> Response | None:
        path = req.path
        if path == "/" and "p" in req.query:
            article = self.by_id.get(int(req.query["p"])) if req.query["p"].isdigit() else None
            return redirect(self.article_url(article), 301) if article else None
        resp = self.route_canonical(path)
        if resp is None and not path.endswith("/") and "." not in path.rsplit("/", 1)[-1]:
            # WordPress' redirect_canonical: add the trailing slash.
            if self.route_canonical(path + "/") is not None:
                return redirect(self.base_url + path + "/", 301)
        return resp

    def route_canonical(self, path: str) -> Response | None:
        if path in self.by_path:
            article = self.by_path[path]
            resp = cacheable(html_response(self.article_page(article)), self.published[article["key"]])
            resp.headers["Link"] = f"<{self.base_url}/?p={self.post_ids[article['key']]}>; rel=shortlink"
            return resp
        if path == "/feed/":
            return xml_response(self.feed(), "application/rss+xml; charset=UTF-8")
        if path == "/wp-sitemap.xml":
            return xml_response(self.sitemap_index())
        if path == "/wp-sitemap-posts-post-1.xml":
            return xml_response(self.urlset(self.article_url(a) for a in self.articles))
        if path == "/wp-sitemap-posts-page-1.xml":
            return xml_response(self.urlset(f"{self.base_url}/{slug}/" for slug in STATIC_PAGES))
        if path.endswith("/") and path.strip("/") in STATIC_PAGES:
            title, text = STATIC_PAGES[path.strip("/")]
            return html_response(self.layout(title, f'<article class="page"><header class="entry-header"><h1 class="entry-title">{esc(title)}</h1></header><div class="entry-content"><p>{esc(text)}</p></div></article>'))
        m = PAGED_RE.fullmatch(path)
        if m:
            return self.archive(m.group("archive"), int(m.group("page") or 1), explicit_page=m.group("page") is not None)
        return None

    def archive(self, archive: str, page: int, explicit_page: bool) -> Response | None:
        if explicit_page and page == 1:
            return redirect(self.base_url + archive, 301)
        kind, _, value = archive.strip("/").partition("/")
        if archive == "/":
            title, posts = None, self.articles
        elif kind == "category" and value == CATEGORY[0]:
            title, posts = f"Chuyên mục: {CATEGORY[1]}", self.articles
        elif kind == "tag":
            names = {wp_slug(t): t for a in self.articles for t in a.get("tags") or []}
            if value not in names:
                return None
            title = f"Thẻ: {names[value]}"
            posts = [a for a in self.articles if names[value] in (a.get("tags") or [])]
        elif kind == "author":
            posts = [a for a in self.articles if wp_slug(self.author_name(a)) == value]
            if not posts:
                return None
            title = f"Tác giả: {self.author_name(posts[0])}"
        else:
            return None
        items, pages = paginate(posts, page, PER_PAGE)
        if page < 1 or (page > pages and page != 1):
            return None  # WordPress answers 404 past the last page
        return html_response(self.listing_page(title, archive, items, page, pages))

    def robots_txt(self) -> str:
        return (f"User-agent: *\nDisallow: /wp-admin/\nAllow: /wp-admin/admin-ajax.php\n\n"
                f"Sitemap: {self.base_url}/wp-sitemap.xml\n")

    def not_found(self, req: Request) -> Response:
        content = ('<div class="section-inner thin error404-content"><h1 class="entry-title">Không tìm thấy trang</h1>'
                   '<div class="intro-text"><p>Trang bạn tìm kiếm không tồn tại. Có thể nó đã bị di chuyển hoặc xóa.</p></div></div>')
        return html_response(self.layout("Không tìm thấy trang", content, body_class="error404"), status=404)

    # -- pages ---------------------------------------------------------------------------------
    def post_meta(self, article: Mapping) -> str:
        when = self.published[article["key"]]
        author = self.author_name(article)
        return (
            '<div class="post-meta-wrapper post-meta-single post-meta-single-top"><ul class="post-meta">'
            '<li class="post-author meta-wrapper"><span class="meta-text">Bởi '
            f'<span class="author vcard"><a class="url fn n" href="{self.base_url}/author/{wp_slug(author)}/">{esc(author)}</a></span></span></li>'
            f'<li class="post-date meta-wrapper"><span class="meta-text"><a href="{esc(self.article_url(article))}">'
            f'<time class="entry-date published" datetime="{when.isoformat()}">{dmy(when)}</time></a></span></li>'
            "</ul></div>"
        )

    def listing_page(self, title: str | None, archive: str, items: list[dict], page: int, pages: int) -> str:
        posts = []
        for a in items:
            pid = self.post_ids[a["key"]]
            posts.append(
                f'<article class="post-{pid} post type-post status-publish format-standard hentry category-{CATEGORY[0]}" id="post-{pid}">'
                '<header class="entry-header has-text-align-center"><div class="entry-header-inner section-inner medium">'
                f'<h2 class="entry-title heading-size-1"><a href="{esc(self.article_url(a))}">{esc(a["title"])}</a></h2>'
                f"{self.post_meta(a)}</div></header>"
                f'<div class="post-inner thin"><div class="entry-content"><p>{esc(summary(a))} [&hellip;]</p></div></div>'
                "</article>"
            )
        nav = ""
        if pages > 1:
            def href(n: int) -> str:
                return self.base_url + archive + (f"page/{n}/" if n > 1 else "")

            links = []
            if page > 1:
                links.append(f'<a class="prev page-numbers" href="{href(page - 1)}">Trang trước</a>')
            links += page_links(page, pages, href, '<span aria-current="page" class="page-numbers current">{n}</span>',
                                '<a class="page-numbers" href="{href}">{n}</a>',
                                '<a class="next page-numbers" href="{href}">Trang sau</a>')
            nav = ('<div class="pagination-wrapper section-inner"><nav class="navigation pagination" aria-label="Bài viết">'
                   '<h2 class="screen-reader-text">Điều hướng bài viết</h2><div class="nav-links">' + "".join(links) + "</div></nav></div>")
        header = (f'<header class="archive-header has-text-align-center"><h1 class="archive-title">{esc(title)}</h1></header>'
                  if title else "")
        sep = '<hr class="post-separator styled-separator is-style-wide section-inner" aria-hidden="true" />'
        return self.layout(title or self.portal.display_name, header + sep.join(posts) + nav,
                           body_class="home blog" if archive == "/" else "archive")

    def entry_content(self, article: Mapping) -> str:
        placed = images_after(article)
        body = []
        if article.get("lead"):
            body.append(f"<p><strong>{esc(article['lead'])}</strong></p>")

        def add_images(after: int) -> None:
            for index, image in placed.get(after, []):
                caption = image.get("caption")
                figcaption = f'<figcaption class="wp-element-caption">{esc(caption)}</figcaption>' if caption else ""
                body.append(
                    f'<figure class="wp-block-image size-large"><img decoding="async" width="1024" height="683" '
                    f'src="{self.image_url(article, index)}" alt="" class="wp-image-{self.post_ids[article["key"]] + index + 1}" />'
                    f"{figcaption}</figure>"
                )

        add_images(-1)
        for i, paragraph in enumerate(article["paragraphs"]):
            body.append(f"<p>{esc(paragraph)}</p>")
            add_images(i)
        if article.get("source"):
            body.append(f"<p><strong>Nguồn: {esc(article['source'])}</strong></p>")
        return "\n".join(body)

    def article_page(self, article: Mapping) -> str:
        key = article["key"]
        pid = self.post_ids[key]
        tags = "".join(
            f'<a href="{self.base_url}/tag/{wp_slug(t)}/" rel="tag">{esc(t)}</a>' for t in article.get("tags") or []
        )
        i = self.articles.index(article)
        older = self.articles[i + 1] if i + 1 < len(self.articles) else None
        newer = self.articles[i - 1] if i > 0 else None
        pager = "".join(
            f'<a class="{cls}" href="{esc(self.article_url(a))}"><span class="title"><span class="title-inner">{esc(a["title"])}</span></span></a>'
            for cls, a in (("previous-post", older), ("next-post", newer)) if a
        )
        content = (
            f'<article class="post-{pid} post type-post status-publish format-standard hentry category-{CATEGORY[0]}" id="post-{pid}">'
            '<header class="entry-header has-text-align-center header-footer-group"><div class="entry-header-inner section-inner medium">'
            f'<div class="entry-categories"><span class="screen-reader-text">Chuyên mục</span><div class="entry-categories-inner">'
            f'<a href="{self.base_url}/category/{CATEGORY[0]}/" rel="category tag">{CATEGORY[1]}</a></div></div>'
            f'<h1 class="entry-title">{esc(article["title"])}</h1>{self.post_meta(article)}</div></header>'
            f'<div class="post-inner thin"><div class="entry-content">\n{self.entry_content(article)}\n</div></div>'
            f'<div class="section-inner"><div class="post-meta-wrapper post-meta-single post-meta-single-bottom"><ul class="post-meta">'
            f'<li class="post-tags meta-wrapper"><span class="meta-text">{tags}</span></li></ul></div></div>'
            f'<nav class="pagination-single section-inner" aria-label="Bài viết"><div class="pagination-single-inner">{pager}</div></nav>'
            "</article>"
        )
        head = (f'<link rel="canonical" href="{esc(self.article_url(article))}" />\n'
                f"<link rel='shortlink' href='{self.base_url}/?p={pid}' />")
        return self.layout(article["title"], content, body_class=f"post-template-default single single-post postid-{pid}", head=head)

    # -- feeds and sitemaps --------------------------------------------------------------------
    def feed(self) -> str:
        items = [
            {
                "title": a["title"],
                "link": self.article_url(a),
                "published": self.published[a["key"]],
                "guid": f"{self.base_url}/?p={self.post_ids[a['key']]}",
                "guid_permalink": False,
                "creator": self.author_name(a),
                "categories": list(dict.fromkeys([CATEGORY[1]] + list(a.get("tags") or []))),
                "description": summary(a) + " [&#8230;]",
                "content_html": self.entry_content(a),
            }
            for a in self.articles[:FEED_SIZE]
        ]
        return rss_feed(title=self.portal.display_name, link=self.base_url, self_url=f"{self.base_url}/feed/",
                        description="Trang thông tin điện tử xã", items=items, generator="https://wordpress.org/?v=6.1.1")

    def sitemap_index(self) -> str:
        maps = "".join(f"<sitemap><loc>{self.base_url}/wp-sitemap-posts-{kind}-1.xml</loc></sitemap>" for kind in ("post", "page"))
        return ('<?xml version="1.0" encoding="UTF-8"?>\n'
                f'<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{maps}</sitemapindex>\n')

    @staticmethod
    def urlset(urls) -> str:
        body = "".join(f"<url><loc>{esc(u)}</loc></url>" for u in urls)
        return ('<?xml version="1.0" encoding="UTF-8"?>\n'
                f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{body}</urlset>\n')

    # -- chrome --------------------------------------------------------------------------------
    def layout(self, title: str, content: str, body_class: str = "", head: str = "") -> str:
        p, base = self.portal, self.base_url
        menu = [("Trang chủ", f"{base}/"), ("Giới thiệu", f"{base}/gioi-thieu/"),
                ("Tin tức", f"{base}/category/{CATEGORY[0]}/"), ("Thủ tục hành chính", f"{base}/thu-tuc-hanh-chinh/"),
                ("Liên hệ", f"{base}/lien-he/")]
        nav = "".join(f'<li class="menu-item"><a href="{href}">{esc(label)}</a></li>' for label, href in menu)
        recent = "".join(f'<li><a href="{esc(self.article_url(a))}">{esc(a["title"])}</a></li>' for a in self.related_to(None))
        page_title = esc(p.display_name) if title == p.display_name else f"{esc(title)} &#8211; {esc(p.display_name)}"
        return f"""<!DOCTYPE html>
<html class="no-js" lang="vi">
<head>
<meta charset="UTF-8">
<meta name="viewport" content="width=device-width, initial-scale=1.0" >
<title>{page_title}</title>
<meta name='robots' content='max-image-preview:large' />
<link rel="alternate" type="application/rss+xml" title="{esc(p.display_name)} &raquo; Dòng thông tin" href="{base}/feed/" />
<link rel='stylesheet' id='twentytwenty-style-css' href='{base}/wp-content/themes/twentytwenty/style.css?ver=2.1' media='all' />
<link rel="https://api.w.org/" href="{base}/wp-json/" />
<meta name="generator" content="WordPress 6.1.1" />
{head}
</head>
<body class="{esc(body_class)} wp-embed-responsive has-no-pagination showing-comments show-avatars footer-top-visible">
<a class="skip-link screen-reader-text" href="#site-content">Chuyển đến nội dung</a>
<header id="site-header" class="header-footer-group"><div class="header-inner section-inner">
<div class="header-titles-wrapper"><div class="header-titles"><div class="site-title faux-heading"><a href="{base}/">{esc(p.display_name)}</a></div>
<div class="site-description">Trang thông tin điện tử</div></div></div>
<div class="header-navigation-wrapper"><nav class="primary-menu-wrapper" aria-label="Horizontal"><ul class="primary-menu reset-list-style">{nav}</ul></nav></div>
</div></header>
<main id="site-content">
{content}
</main>
<div class="footer-nav-widgets-wrapper header-footer-group"><aside class="footer-widgets-outer-wrapper"><div class="footer-widgets-wrapper"><div class="footer-widgets column-one grid-item">
<div class="widget widget_recent_entries"><div class="widget-content"><h2 class="widget-title subheading heading-size-3">Bài viết mới</h2>
<nav aria-label="Bài viết mới"><ul>{recent}</ul></nav></div></div>
</div></div></aside></div>
<footer id="site-footer" class="header-footer-group"><div class="section-inner"><div class="footer-credits">
<p class="footer-copyright">&copy; {esc(p.display_name)} &middot; {esc(p.address)} &middot; ĐT: {esc(p.phone)}</p>
<p class="powered-by-wordpress">Được tạo bởi WordPress</p>
</div></div></footer>
</body>
</html>
"""
