"""Sites no crawler module was written for: home-grown templates whose URLs have no recognisable
shape, so a crawler must tell articles from everything else by their content.

Opt-in: ``Simulator(extra_portals=SHAPELESS)`` adds the four sites to the six default portals,
``Simulator(portals=SHAPELESS)`` serves them alone; with ``articles=None`` their content is
portalsim/data/articles_shapeless.yaml. The default ``Simulator()`` never serves them.

Every template uses opaque class names only (``div.c5``, ``div.k-2``, ``div.z6``: nothing like
"article", "content", "news", "post", "title", "date" or "author"), no <article>/<main>/<time>
element, no og:/JSON-LD metadata, no feed, and serves its non-article pages (introduction,
contact, listings) at URLs of the same shape as its articles. Each article page shows a headline,
a date, the paragraphs (images with a caption under them), a byline and the site's chrome: menu,
footer, a "Tin khác" box linking other articles. robots.txt allows everything but /admin/.

sim-shorturl      (Apache; huyện Thọ Xuân, Thanh Hóa)
    articles /a/h01.html, /a/h02.html … (h01 = the oldest; no date or slug in the URL);
    home "/" lists them newest first, SHORTURL_PER_PAGE a page, paginated only by /?page=N
    (page 1 is "/"; /?page=1 answers the same; pages past the end are 404);
    other pages /a/t01.html (Giới thiệu), /a/t02.html (Liên hệ); /admin/ is a login form
    (linked from the footer, disallowed by robots.txt).
sim-sitemaponly   (nginx; huyện Mai Sơn, Sơn La)
    articles /p/<6 random lowercase letters>, as are its two other pages (Giới thiệu, Liên hệ);
    the home page links NO article (a welcome text, notices without links, the menu);
    robots.txt announces /sitemap.xml, a sitemap index of /sitemap-1.xml (home, the other pages
    and the older half of the articles) and /sitemap-2.xml (the newer half), with <lastmod>.
    Articles link each other ("Tin khác"), but no page reachable from the home page links one.
sim-tinmoi        (IIS; huyện Lạc Sơn, Hòa Bình)
    articles /n/<5-digit number>, as are its two other pages; the home page links articles only
    from its "Tin mới" box (the TINMOI_BOX newest); the menu links the category tree: /c/1
    (lists its sub-categories /c/1/2 and /c/1/3, no article) and /c/4; the leaf categories
    /c/1/2, /c/1/3 and /c/4 list their articles newest first, TINMOI_PER_PAGE a page, with
    ?page=N (page 1 without the parameter). An article's leaf is its `section` (default: launch
    reports in /c/1/2, others by a hash of the key).
sim-mixed         (openresty; huyện Định Quán, Đồng Nai)
    articles, listing pages and the other pages all at /x/<4-digit number>.html: the two
    listings "Tin tức - Sự kiện" (every article) and "Xây dựng chính quyền" (section
    "chinh-quyen" and launch reports), MIXED_PER_PAGE a page, page N+1 linked from page N as
    another /x/<number>.html; the home page features the MIXED_HOME newest articles and links
    both listings from its menu.

Numbers and letters are stable functions of the article key (a collision moves one up), so an
article keeps its URL when other articles are added; only sim-shorturl numbers by position.
`site.non_article_urls()` lists every other page a site links (home, listings, categories, the
other pages): what a crawl that decides by content may fetch but must never archive.
"""
from __future__ import annotations

from abc import abstractmethod

import string
from datetime import datetime
from typing import Mapping

from .common import (
    Request, Response, Site, cacheable, dmy, dmy_hm, esc, frac, hex_id, html_response, images_after, int_param,
    page_links, paginate, random_chars, summary, xml_response,
)
from .portals import Portal

SHORTURL_PER_PAGE = 2
TINMOI_BOX = 5
TINMOI_PER_PAGE = 2
MIXED_PER_PAGE = 2
MIXED_HOME = 2
TEASER = 110  # listing teasers stay short: a listing is many short linked items, never a body

SHAPELESS_PORTALS: dict[str, Portal] = {
    p.name: p
    for p in (
        Portal(
            name="sim-shorturl",
            platform="generic",
            renderer="shorturl",
            display_name="Trang thông tin điện tử huyện Thọ Xuân",
            address="Khu 3, thị trấn Thọ Xuân, huyện Thọ Xuân, tỉnh Thanh Hóa",
            phone="0237.3000.707",
            email="vanphong@thoxuan.sim",
        ),
        Portal(
            name="sim-sitemaponly",
            platform="generic",
            renderer="sitemaponly",
            display_name="Cổng thông tin điện tử huyện Mai Sơn",
            address="Tiểu khu 1, thị trấn Hát Lót, huyện Mai Sơn, tỉnh Sơn La",
            phone="0212.3000.808",
            email="bbt@maison.sim",
        ),
        Portal(
            name="sim-tinmoi",
            platform="generic",
            renderer="tinmoi",
            display_name="Trang thông tin điện tử huyện Lạc Sơn",
            address="Khu 5, thị trấn Vụ Bản, huyện Lạc Sơn, tỉnh Hòa Bình",
            phone="0218.3000.909",
            email="ttdt@lacson.sim",
        ),
        Portal(
            name="sim-mixed",
            platform="generic",
            renderer="mixed",
            display_name="Cổng thông tin điện tử huyện Định Quán",
            address="Khu phố Hiệp Tâm 1, thị trấn Định Quán, huyện Định Quán, tỉnh Đồng Nai",
            phone="0251.3000.010",
            email="bbt@dinhquan.sim",
        ),
    )
}
SHAPELESS: tuple[str, ...] = tuple(SHAPELESS_PORTALS)

# The other pages: (menu label, heading, paragraphs). Not articles: no date, no byline.
ABOUT = {
    "sim-shorturl": [
        "Thọ Xuân là huyện đồng bằng, trung du nằm ở phía tây tỉnh Thanh Hóa, quê hương của hai vị vua Lê Hoàn và Lê Lợi, nơi có Khu di tích lịch sử quốc gia đặc biệt Lam Kinh.",
        "Trang thông tin điện tử huyện cung cấp thông tin về hoạt động chỉ đạo, điều hành của Huyện ủy, HĐND, UBND huyện; tiếp nhận phản ánh, kiến nghị của người dân và doanh nghiệp.",
    ],
    "sim-sitemaponly": [
        "Mai Sơn là huyện miền núi nằm dọc Quốc lộ 6 của tỉnh Sơn La, nơi có Sân bay Nà Sản và vùng cây ăn quả lớn của tỉnh.",
        "Cổng thông tin điện tử huyện là kênh thông tin chính thức của Huyện ủy, HĐND, UBND huyện Mai Sơn trên môi trường mạng.",
    ],
    "sim-tinmoi": [
        "Lạc Sơn là huyện miền núi phía nam tỉnh Hòa Bình, phần lớn dân số là đồng bào dân tộc Mường, vùng đất Mường Vang giàu bản sắc văn hóa.",
        "Trang thông tin điện tử huyện đăng tải thông tin chỉ đạo, điều hành, văn bản và thủ tục hành chính của các cơ quan nhà nước trên địa bàn.",
    ],
    "sim-mixed": [
        "Định Quán là huyện nằm ở phía bắc tỉnh Đồng Nai, có Quốc lộ 20 chạy qua và thắng cảnh Đá Ba Chồng nổi tiếng.",
        "Cổng thông tin điện tử huyện cung cấp thông tin chính thức về hoạt động của chính quyền, hướng dẫn thủ tục hành chính và tiếp nhận ý kiến của Nhân dân.",
    ],
}


def contact_text(portal: Portal) -> list[str]:
    return [
        f"Cơ quan chủ quản: {portal.display_name.replace('Cổng thông tin điện tử', 'UBND').replace('Trang thông tin điện tử', 'UBND')}.",
        f"Địa chỉ: {portal.address}. Điện thoại: {portal.phone}. Thư điện tử: {portal.email}.",
        "Ban Biên tập tiếp nhận tin, bài, ảnh và ý kiến phản ánh của bạn đọc qua thư điện tử trong giờ hành chính, từ thứ Hai đến thứ Sáu.",
    ]


WEEKDAYS = ("Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ Nhật")


def allocate(idents: list[tuple[str, ...]], lo: int, hi: int, salt: str) -> dict[tuple[str, ...], int]:
    """A number in [lo, hi) for each ident, from its hash; on a collision the later one moves up."""
    span = hi - lo
    if len(idents) > span:
        raise ValueError(f"{len(idents)} pages do not fit in {lo}..{hi - 1}")
    ranked = sorted(idents, key=lambda i: (frac(salt, *i), i))
    taken: set[int] = set()
    out: dict[tuple[str, ...], int] = {}
    for ident in ranked:
        n = int(frac(salt, *ident) * span)
        while n in taken:
            n = (n + 1) % span
        taken.add(n)
        out[ident] = lo + n
    return out


class _Shapeless(Site):
    """What the four sites share: article/other-page lookup, robots.txt, the 404 page, bylines."""

    platform = "generic"  # what a crawler without a module for the site labels it
    server_software = "Apache"
    admin_page = False  # serve /admin/ (a login form) — always disallowed by robots.txt

    def __init__(self, portal, articles, base_url):
        super().__init__(portal, articles, base_url)
        self.paths: dict[str, str] = {}  # article key → path
        self.others: dict[str, tuple[str, list[str]]] = {}  # path → (heading, paragraphs)
        self.assign_paths()
        self.by_path = {self.paths[a["key"]]: a for a in self.articles}
        if len(self.by_path) != len(self.articles) or set(self.by_path) & set(self.others):
            raise RuntimeError(f"{portal.name}: two pages share a URL")

    @abstractmethod
    def assign_paths(self) -> None:
        """Fill self.paths for every article and self.others for the non-article pages."""

    def article_path(self, article: Mapping) -> str:
        return self.paths[article["key"]]

    def non_article_urls(self) -> list[str]:
        """Every HTML page the site links that is not an article and robots.txt allows: the home
        page, listing and category pages (each page of them), the other pages. What a crawl that
        decides by content must fetch, or may, but never archive."""
        return [self.url(path) for path in ["/", *self.listing_paths_all(), *self.others]]

    def listing_paths_all(self) -> list[str]:
        return []

    def url(self, path: str) -> str:
        return self.base_url + path

    def other_pages(self, about_path: str, contact_path: str) -> None:
        self.others[about_path] = ("Giới thiệu", ABOUT[self.portal.name])
        self.others[contact_path] = ("Liên hệ", contact_text(self.portal))
        self.about_path, self.contact_path = about_path, contact_path

    # -- dispatch ------------------------------------------------------------------------------
    def route(self, req: Request) -> Response | None:
        path = req.path
        if path in self.by_path:
            article = self.by_path[path]
            return cacheable(html_response(self.article_page(article)), self.published[article["key"]])
        if path in self.others:
            heading, paragraphs = self.others[path]
            return html_response(self.other_page(heading, paragraphs))
        if self.admin_page and path == "/admin/":
            return html_response(self.layout("Đăng nhập quản trị", self.login_form()))
        return self.route_more(req)

    def route_more(self, req: Request) -> Response | None:
        return None

    def robots_txt(self) -> str:
        return "User-agent: *\nDisallow: /admin/\n"

    def not_found(self, req: Request) -> Response:
        return html_response(self.layout("Không tìm thấy trang", self.notice(
            "Không tìm thấy trang", "Trang bạn yêu cầu không tồn tại hoặc đã được chuyển đi.")), status=404)

    # -- pieces --------------------------------------------------------------------------------
    def image_src(self, article: Mapping, index: int) -> str:
        return f"{self.base_url}/img/{hex_id(self.portal.name, article['key'], index, length=12)}.jpg"

    def paragraphs_html(self, article: Mapping, figure) -> str:
        """<p> paragraphs with each image (rendered by `figure(src, caption)`) after its paragraph."""
        placed = images_after(article)
        out = [figure(self.image_src(article, i), image.get("caption")) for i, image in placed.get(-1, [])]
        for n, paragraph in enumerate(article["paragraphs"]):
            out.append(f"<p>{esc(paragraph)}</p>")
            out += [figure(self.image_src(article, i), image.get("caption")) for i, image in placed.get(n, [])]
        return "\n".join(out)

    def others_box(self, article: Mapping, n: int = 4) -> list[dict]:
        return self.related_to(article, n=n)

    def when(self, article: Mapping) -> datetime:
        return self.published[article["key"]]

    def login_form(self) -> str:
        return ('<form method="post" action="/admin/"><div>Tên đăng nhập <input name="u"></div>'
                '<div>Mật khẩu <input name="p" type="password"></div><div><button>Đăng nhập</button></div></form>')

    # -- pages each template draws its own way -------------------------------------------------
    @abstractmethod
    def article_page(self, article: Mapping) -> str:
        """An article in this template."""

    @abstractmethod
    def other_page(self, heading: str, paragraphs: list[str]) -> str:
        """A page that is no article (introduction, contact)."""

    @abstractmethod
    def notice(self, heading: str, text: str) -> str:
        """A short notice box."""

    @abstractmethod
    def layout(self, title: str | None, inner: str) -> str:
        """The whole document around a page's content."""


def _page_title(title: str | None, portal: Portal, sep: str = " - ") -> str:
    return esc(portal.display_name) if title is None else f"{esc(title)}{sep}{esc(portal.display_name)}"


# ---------------------------------------------------------------------------------------------
# sim-shorturl: /a/h01.html, home paginated by ?page=N
# ---------------------------------------------------------------------------------------------


class ShortUrlSite(_Shapeless):
    server_software = "Apache/2.4.29 (Ubuntu)"
    admin_page = True

    def assign_paths(self):
        for n, a in enumerate(reversed(self.articles), start=1):  # h01 = the oldest
            self.paths[a["key"]] = f"/a/h{n:02d}.html"
        self.other_pages("/a/t01.html", "/a/t02.html")

    def home_path(self, page: int) -> str:
        return "/" if page == 1 else f"/?page={page}"

    def listing_paths_all(self):
        pages = paginate(self.articles, 1, SHORTURL_PER_PAGE)[1]
        return [self.home_path(n) for n in range(2, pages + 1)]

    def route_more(self, req):
        if req.path != "/":
            return None
        page = int_param(req.query.get("page"), 1)
        items, pages = paginate(self.articles, page, SHORTURL_PER_PAGE)
        if page < 1 or page > pages:
            return None
        return html_response(self.home_page(items, page, pages))

    def home_page(self, items, page, pages):
        rows = "".join(
            f'<div class="c5"><a class="c6" href="{esc(self.article_url(a))}">{esc(a["title"])}</a>'
            f' <span class="c7">({dmy(self.when(a))})</span><div class="c8">{esc(summary(a, TEASER))}</div></div>'
            for a in items)
        pager = page_links(page, pages, lambda n: self.url(self.home_path(n)), "<b>{n}</b>",
                           '<a href="{href}">{n}</a>', '<a href="{href}">Sau »</a>')
        inner = (f'<div class="c3">Tin tức - Sự kiện</div>{rows}'
                 f'<div class="c9">Trang: {" ".join(pager)}</div>')
        return self.layout(None if page == 1 else f"Trang {page}", inner)

    def article_page(self, a):
        def figure(src, caption):
            cap = f'<p style="text-align:center"><em>{esc(caption)}</em></p>' if caption else ""
            return f'<p style="text-align:center"><img src="{src}" alt="" width="600"></p>{cap}'

        dt = self.when(a)
        lead = f"<p><b>{esc(a['lead'])}</b></p>" if a.get("lead") else ""
        byline = f'<p style="text-align:right"><b>{esc(a["author"])}</b></p>' if a.get("author") else ""
        source = f'<p style="text-align:right"><em>Nguồn: {esc(a["source"])}</em></p>' if a.get("source") else ""
        others = "".join(f'<li><a href="{esc(self.article_url(o))}">{esc(o["title"])}</a> <i>({dmy(self.when(o))})</i></li>'
                         for o in self.others_box(a))
        inner = (f'<h1 class="c4">{esc(a["title"])}</h1>'
                 f'<div class="c10">Cập nhật: {dmy_hm(dt)}</div>'
                 f'<div class="c11">{lead}\n{self.paragraphs_html(a, figure)}\n{byline}{source}</div>'
                 f'<div class="c12"><div class="c3">Tin khác</div><ul>{others}</ul></div>')
        return self.layout(a["title"], inner)

    def other_page(self, heading, paragraphs):
        return self.layout(heading, f'<div class="c3">{esc(heading)}</div>' + "".join(f"<p>{esc(t)}</p>" for t in paragraphs))

    def notice(self, heading, text):
        return f'<div class="c3">{esc(heading)}</div><p>{esc(text)}</p>'

    def layout(self, title, inner):
        p, base = self.portal, self.base_url
        menu = " | ".join(f'<a href="{href}">{label}</a>' for label, href in (
            ("Trang chủ", f"{base}/"), ("Giới thiệu", self.url(self.about_path)), ("Liên hệ", self.url(self.contact_path))))
        return f"""<!DOCTYPE html>
<html lang="vi">
<head>
<meta charset="utf-8">
<title>{_page_title(title, p)}</title>
<link rel="stylesheet" href="{base}/css/s.css">
</head>
<body>
<div class="c0">
<div class="c1"><img src="{base}/img/banner.jpg" alt=""> {esc(p.display_name)}</div>
<div class="c2">{menu}</div>
<div class="c13">
{inner}
</div>
<div class="c14">{esc(p.display_name)}<br>Địa chỉ: {esc(p.address)}<br>Điện thoại: {esc(p.phone)} - Email: {esc(p.email)}<br>
<a href="{base}/admin/">Quản trị</a></div>
</div>
</body>
</html>
"""


# ---------------------------------------------------------------------------------------------
# sim-sitemaponly: /p/<6 letters>, only the sitemap lists articles
# ---------------------------------------------------------------------------------------------


class SitemapOnlySite(_Shapeless):
    server_software = "nginx"

    def assign_paths(self):
        used: set[str] = set()

        def fresh(*parts) -> str:
            salt = 0
            while True:
                code = random_chars(6, self.portal.name, *parts, salt, alphabet=string.ascii_lowercase)
                if code not in used:
                    used.add(code)
                    return f"/p/{code}"
                salt += 1

        about, contact = fresh("page", "gioi-thieu"), fresh("page", "lien-he")
        for a in sorted(self.articles, key=lambda a: a["key"]):  # key order: a stable answer on collisions
            self.paths[a["key"]] = fresh("article", a["key"])
        self.other_pages(about, contact)

    def sitemap_split(self) -> tuple[list[dict], list[dict]]:
        """(older articles for sitemap-1, newer ones for sitemap-2)."""
        half = -(-len(self.articles) // 2)
        return self.articles[half:], self.articles[:half]

    def robots_txt(self):
        return f"User-agent: *\nDisallow: /admin/\n\nSitemap: {self.base_url}/sitemap.xml\n"

    def route_more(self, req):
        if req.path == "/":
            return html_response(self.home_page())
        if req.path == "/sitemap.xml":
            return xml_response(self.sitemap_index())
        if req.path in ("/sitemap-1.xml", "/sitemap-2.xml"):
            older, newer = self.sitemap_split()
            if req.path == "/sitemap-2.xml":
                return xml_response(self.urlset([(self.article_url(a), self.when(a)) for a in newer]))
            rows = [(self.url("/"), None), (self.url(self.about_path), None), (self.url(self.contact_path), None)]
            return xml_response(self.urlset(rows + [(self.article_url(a), self.when(a)) for a in older]))
        return None

    def sitemap_index(self) -> str:
        older, newer = self.sitemap_split()
        maps = []
        for n, group in ((1, older), (2, newer)):
            lastmod = f"<lastmod>{max(self.when(a) for a in group).isoformat()}</lastmod>" if group else ""
            maps.append(f"<sitemap><loc>{self.base_url}/sitemap-{n}.xml</loc>{lastmod}</sitemap>")
        return ('<?xml version="1.0" encoding="UTF-8"?>\n<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
                + "\n".join(maps) + "\n</sitemapindex>\n")

    @staticmethod
    def urlset(rows: list[tuple[str, datetime | None]]) -> str:
        out = []
        for loc, when in rows:
            lastmod = f"<lastmod>{when.isoformat()}</lastmod>" if when else ""
            out.append(f"<url><loc>{esc(loc)}</loc>{lastmod}</url>")
        return ('<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
                + "\n".join(out) + "\n</urlset>\n")

    def home_page(self):
        notices = "".join(f"<li>{esc(t)}</li>" for t in (
            "Lịch tiếp công dân định kỳ của Chủ tịch UBND huyện: ngày 15 hằng tháng tại Trụ sở tiếp công dân huyện.",
            "Bộ phận Một cửa huyện làm việc từ thứ Hai đến sáng thứ Bảy; chiều thứ Bảy và Chủ nhật nghỉ.",
            "Người dân tra cứu tình trạng hồ sơ bằng mã số ghi trên giấy tiếp nhận.",
        ))
        inner = (f'<div class="q3"><h2>Chào mừng quý vị đến với {esc(self.portal.display_name)}</h2>'
                 f"<p>{esc(ABOUT[self.portal.name][1])}</p></div>"
                 f'<div class="q3"><h4>Thông báo</h4><ul>{notices}</ul></div>')
        return self.layout(None, inner)

    def article_page(self, a):
        def figure(src, caption):
            cap = f'<tr><td style="text-align:center">{esc(caption)}</td></tr>' if caption else ""
            return f'<table class="q8" align="center"><tr><td><img src="{src}" alt=""></td></tr>{cap}</table>'

        dt = self.when(a)
        author = f'<div class="q5">Tác giả: {esc(a["author"])}</div>' if a.get("author") else ""
        lead = f'<div class="q6"><strong>{esc(a["lead"])}</strong></div>' if a.get("lead") else ""
        source = f'<p class="q9">Nguồn: {esc(a["source"])}</p>' if a.get("source") else ""
        others = "".join(f'<div class="q11"><a href="{esc(self.article_url(o))}">{esc(o["title"])}</a></div>'
                         for o in self.others_box(a))
        inner = (f'<div class="q1"><h2>{esc(a["title"])}</h2>'
                 f'<div class="q4">{WEEKDAYS[dt.weekday()]}, {dmy_hm(dt)}</div>{author}{lead}'
                 f'<div class="q7">\n{self.paragraphs_html(a, figure)}\n</div>{source}</div>'
                 f'<div class="q10"><h4>Tin khác</h4>{others}</div>')
        return self.layout(a["title"], inner)

    def other_page(self, heading, paragraphs):
        return self.layout(heading, f'<div class="q3"><h2>{esc(heading)}</h2>' + "".join(f"<p>{esc(t)}</p>" for t in paragraphs) + "</div>")

    def notice(self, heading, text):
        return f'<div class="q3"><h2>{esc(heading)}</h2><p>{esc(text)}</p></div>'

    def layout(self, title, inner):
        p, base = self.portal, self.base_url
        menu = "".join(f'<li><a href="{href}">{label}</a></li>' for label, href in (
            ("Trang chủ", f"{base}/"), ("Giới thiệu", self.url(self.about_path)), ("Liên hệ", self.url(self.contact_path))))
        return f"""<!DOCTYPE html>
<html lang="vi">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{_page_title(title, p, " | ")}</title>
<link rel="stylesheet" href="{base}/static/q.css">
</head>
<body>
<div class="q0"><img src="{base}/static/logo.jpg" alt=""><span>{esc(p.display_name)}</span></div>
<ul class="q2">{menu}</ul>
<div class="q12">
{inner}
</div>
<div class="q13"><p>© {esc(p.display_name)}</p><p>{esc(p.address)} · ĐT: {esc(p.phone)} · {esc(p.email)}</p></div>
</body>
</html>
"""


# ---------------------------------------------------------------------------------------------
# sim-tinmoi: /n/<number>, a "Tin mới" box and a category tree
# ---------------------------------------------------------------------------------------------

# Top categories: id → (name, {sub id: name}); a top category without subs is a leaf.
TINMOI_TREE: dict[str, tuple[str, dict[str, str]]] = {
    "1": ("Tin tức - Sự kiện", {"2": "Hoạt động chính quyền", "3": "Kinh tế - Xã hội"}),
    "4": ("Văn hóa - Xã hội", {}),
}
TINMOI_LEAVES: dict[str, str] = {
    f"{top}/{sub}" if subs else top: name
    for top, (top_name, subs) in TINMOI_TREE.items()
    for sub, name in (subs.items() if subs else [(None, top_name)])
}


class TinMoiSite(_Shapeless):
    server_software = "Microsoft-IIS/10.0"
    extra_headers = {"X-Powered-By": "ASP.NET"}

    def __init__(self, portal, articles, base_url):
        super().__init__(portal, articles, base_url)
        self.leaf_of = {a["key"]: self.leaf(a) for a in self.articles}

    @staticmethod
    def leaf(a: Mapping) -> str:
        section = a.get("section")
        if section in TINMOI_LEAVES:
            return section
        if a.get("is_launch_report"):
            return "1/2"
        leaves = sorted(TINMOI_LEAVES)
        return leaves[int(frac("tinmoi-leaf", a["key"]) * len(leaves))]

    def assign_paths(self):
        idents = [("article", a["key"]) for a in self.articles] + [("page", "gioi-thieu"), ("page", "lien-he")]
        numbers = allocate(idents, 10_000, 100_000, self.portal.name)
        for a in self.articles:
            self.paths[a["key"]] = f"/n/{numbers[('article', a['key'])]}"
        self.other_pages(f"/n/{numbers[('page', 'gioi-thieu')]}", f"/n/{numbers[('page', 'lien-he')]}")

    def cat_path(self, cat: str, page: int = 1) -> str:
        return f"/c/{cat}" + (f"?page={page}" if page > 1 else "")

    def leaf_articles(self, cat: str) -> list[dict]:
        return [a for a in self.articles if self.leaf_of[a["key"]] == cat]

    def listing_paths_all(self):
        out = [self.cat_path(top) for top, (_, subs) in TINMOI_TREE.items() if subs]
        for cat in TINMOI_LEAVES:
            pages = paginate(self.leaf_articles(cat), 1, TINMOI_PER_PAGE)[1]
            out += [self.cat_path(cat, n) for n in range(1, pages + 1)]
        return out

    def route_more(self, req):
        path = req.path
        if path == "/":
            return html_response(self.home_page())
        if not path.startswith("/c/"):
            return None
        cat = path[3:]
        top = TINMOI_TREE.get(cat)
        if top and top[1]:  # a category with sub-categories: links them, lists no article
            return html_response(self.branch_page(cat))
        if cat in TINMOI_LEAVES:
            page = int_param(req.query.get("page"), 1)
            items, pages = paginate(self.leaf_articles(cat), page, TINMOI_PER_PAGE)
            if page < 1 or page > pages:
                return None
            return html_response(self.leaf_page(cat, items, page, pages))
        return None

    def crumbs(self, cat: str | None) -> str:
        links = [f'<a href="{self.base_url}/">Trang chủ</a>']
        if cat:
            top = cat.split("/")[0]
            links.append(f'<a href="{self.url(self.cat_path(top))}">{esc(TINMOI_TREE[top][0])}</a>')
            if "/" in cat:
                links.append(f'<a href="{self.url(self.cat_path(cat))}">{esc(TINMOI_LEAVES[cat])}</a>')
        return f'<div class="k-5">{" » ".join(links)}</div>'

    def home_page(self):
        box = "".join(f'<li><a href="{esc(self.article_url(a))}">{esc(a["title"])}</a></li>' for a in self.articles[:TINMOI_BOX])
        inner = (f'<div class="k-2"><div class="k-3">Tin mới</div><ul class="k-4">{box}</ul></div>'
                 f'<div class="k-8"><div class="k-3">Lịch công tác</div>'
                 '<p>Lịch làm việc của Thường trực Huyện ủy, HĐND, UBND huyện được cập nhật vào chiều thứ Sáu hằng tuần.</p></div>'
                 f'<div class="k-8"><div class="k-3">Liên kết</div><ul><li><a href="https://hoabinh.gov.vn/">Cổng thông tin điện tử tỉnh Hòa Bình</a></li>'
                 '<li><a href="https://dichvucong.gov.vn/">Cổng Dịch vụ công quốc gia</a></li></ul></div>')
        return self.layout(None, inner)

    def branch_page(self, cat):
        name, subs = TINMOI_TREE[cat]
        rows = "".join(f'<li><a href="{self.url(self.cat_path(f"{cat}/{sub}"))}">{esc(sub_name)}</a></li>' for sub, sub_name in subs.items())
        return self.layout(name, f'{self.crumbs(cat)}<div class="k-3">{esc(name)}</div><ul class="k-4">{rows}</ul>')

    def leaf_page(self, cat, items, page, pages):
        rows = "".join(
            f'<div class="k-10"><a href="{esc(self.article_url(a))}">{esc(a["title"])}</a>'
            f'<span class="k-11"> {dmy(self.when(a))}</span><div class="k-12">{esc(summary(a, TEASER))}</div></div>'
            for a in items) or "<p>Chưa có tin trong mục này.</p>"
        pager = " ".join(f"<span>{n}</span>" if n == page else f'<a href="{self.url(self.cat_path(cat, n))}">{n}</a>'
                         for n in range(1, pages + 1)) if pages > 1 else ""
        name = TINMOI_LEAVES[cat]
        return self.layout(name + (f" - trang {page}" if page > 1 else ""),
                           f'{self.crumbs(cat)}<div class="k-3">{esc(name)}</div>{rows}<div class="k-13">{pager}</div>')

    def article_page(self, a):
        def figure(src, caption):
            cap = f'<div class="k-15"><i>{esc(caption)}</i></div>' if caption else ""
            return f'<div class="k-14" style="text-align:center"><img src="{src}" alt="">{cap}</div>'

        dt = self.when(a)
        date = f"{WEEKDAYS[dt.weekday()]}, ngày {dt:%d} tháng {dt:%m} năm {dt:%Y}"
        lead = f'<p><i>{esc(a["lead"])}</i></p>' if a.get("lead") else ""
        who = esc(a["author"]) if a.get("author") else ""
        if a.get("source"):
            who = f"{who} ({esc(a['source'])})" if who else f"Nguồn: {esc(a['source'])}"
        byline = f'<div class="k-9" style="text-align:right"><b>{who}</b></div>' if who else ""
        others = "".join(f'<li><a href="{esc(self.article_url(o))}">{esc(o["title"])}</a></li>' for o in self.others_box(a))
        inner = (f'{self.crumbs(self.leaf_of[a["key"]])}'
                 f'<div class="k-6"><h3>{esc(a["title"])}</h3><div class="k-7">{date}</div></div>'
                 f'<div class="k-16">{lead}\n{self.paragraphs_html(a, figure)}\n</div>{byline}'
                 f'<div class="k-2"><div class="k-3">Tin khác</div><ul class="k-4">{others}</ul></div>')
        return self.layout(a["title"], inner)

    def other_page(self, heading, paragraphs):
        return self.layout(heading, f'{self.crumbs(None)}<div class="k-6"><h3>{esc(heading)}</h3></div>'
                           + "".join(f"<p>{esc(t)}</p>" for t in paragraphs))

    def notice(self, heading, text):
        return f'<div class="k-6"><h3>{esc(heading)}</h3></div><p>{esc(text)}</p>'

    def layout(self, title, inner):
        p, base = self.portal, self.base_url
        menu = [("Trang chủ", f"{base}/")] + [(name, self.url(self.cat_path(cat))) for cat, (name, _) in TINMOI_TREE.items()]
        menu += [("Giới thiệu", self.url(self.about_path)), ("Liên hệ", self.url(self.contact_path))]
        nav = "".join(f'<td><a href="{href}">{esc(label)}</a></td>' for label, href in menu)
        return f"""<!DOCTYPE html>
<html lang="vi">
<head>
<meta http-equiv="Content-Type" content="text/html; charset=utf-8">
<title>{_page_title(title, p)}</title>
<link href="{base}/Styles/k.css" rel="stylesheet" type="text/css">
</head>
<body>
<div class="k-0"><div class="k-1"><img src="{base}/Images/banner.jpg" alt="{esc(p.display_name)}"></div>
<table class="k-17" width="100%"><tr>{nav}</tr></table>
<div class="k-18">
{inner}
</div>
<div class="k-19">Cơ quan chủ quản: UBND huyện Lạc Sơn<br>{esc(p.address)}<br>Điện thoại: {esc(p.phone)} | Email: {esc(p.email)}</div>
</div>
</body>
</html>
"""


# ---------------------------------------------------------------------------------------------
# sim-mixed: /x/<number>.html for articles, listings and other pages alike
# ---------------------------------------------------------------------------------------------

MIXED_LISTINGS = {"tin-tuc": "Tin tức - Sự kiện", "chinh-quyen": "Xây dựng chính quyền"}


class MixedSite(_Shapeless):
    server_software = "openresty"

    def members(self, listing: str) -> list[dict]:
        if listing == "tin-tuc":
            return list(self.articles)
        return [a for a in self.articles if a.get("section") == "chinh-quyen" or a.get("is_launch_report")]

    def assign_paths(self):
        self.pages_of = {name: paginate(self.members(name), 1, MIXED_PER_PAGE)[1] for name in MIXED_LISTINGS}
        idents = [("article", a["key"]) for a in self.articles] + [("page", "gioi-thieu"), ("page", "lien-he")]
        idents += [("listing", name, str(n)) for name, pages in self.pages_of.items() for n in range(1, pages + 1)]
        numbers = allocate(idents, 1_000, 10_000, self.portal.name)
        for a in self.articles:
            self.paths[a["key"]] = f"/x/{numbers[('article', a['key'])]}.html"
        self.listing_paths = {(name, n): f"/x/{numbers[('listing', name, str(n))]}.html"
                              for name, pages in self.pages_of.items() for n in range(1, pages + 1)}
        self.listing_at = {path: key for key, path in self.listing_paths.items()}
        self.other_pages(f"/x/{numbers[('page', 'gioi-thieu')]}.html", f"/x/{numbers[('page', 'lien-he')]}.html")

    def listing_paths_all(self):
        return list(self.listing_paths.values())

    def route_more(self, req):
        if req.path == "/":
            return html_response(self.home_page())
        if req.path in self.listing_at:
            name, page = self.listing_at[req.path]
            items, pages = paginate(self.members(name), page, MIXED_PER_PAGE)
            return html_response(self.listing_page(name, items, page, pages))
        return None

    def teaser(self, a: Mapping) -> str:
        return (f'<div class="z5"><a href="{esc(self.article_url(a))}"><b>{esc(a["title"])}</b></a>'
                f'<div class="z6">{dmy(self.when(a))}</div><div class="z8">{esc(summary(a, TEASER))}</div></div>')

    def home_page(self):
        featured = "".join(self.teaser(a) for a in self.articles[:MIXED_HOME])
        more = "".join(f'<li><a href="{self.url(self.listing_paths[(name, 1)])}">{esc(label)}</a></li>' for name, label in MIXED_LISTINGS.items())
        inner = (f'<div class="z3">Tiêu điểm</div>{featured}'
                 f'<div class="z3">Chuyên mục</div><ul class="z9">{more}</ul>')
        return self.layout(None, inner)

    def listing_page(self, name, items, page, pages):
        rows = "".join(self.teaser(a) for a in items) or "<p>Chưa có tin.</p>"
        nav = []
        if page > 1:
            nav.append(f'<a href="{self.url(self.listing_paths[(name, page - 1)])}">‹ Trang trước</a>')
        nav.append(f"<span>Trang {page}/{pages}</span>")
        if page < pages:
            nav.append(f'<a href="{self.url(self.listing_paths[(name, page + 1)])}">Trang sau ›</a>')
        label = MIXED_LISTINGS[name]
        return self.layout(label, f'<div class="z3">{esc(label)}</div>{rows}<div class="z10">{" ".join(nav)}</div>')

    def article_page(self, a):
        def figure(src, caption):
            cap = f'<figcaption>{esc(caption)}</figcaption>' if caption else ""
            return f'<figure class="z12"><img src="{src}" alt="">{cap}</figure>'

        dt = self.when(a)
        credit = "Bài, ảnh" if a.get("images") else "Bài"
        byline = f'<p class="z13"><b>{credit}: {esc(a["author"])}</b></p>' if a.get("author") else ""
        source = f'<p class="z13">(Nguồn: {esc(a["source"])})</p>' if a.get("source") else ""
        lead = f'<p><b>{esc(a["lead"])}</b></p>' if a.get("lead") else ""
        section = a.get("section") if a.get("section") in MIXED_LISTINGS else "tin-tuc"
        crumb = f'<div class="z11"><a href="{self.url(self.listing_paths[(section, 1)])}">{esc(MIXED_LISTINGS[section])}</a></div>' \
            if (section, 1) in self.listing_paths else ""
        inner = (f'{crumb}<h1 class="z7">{esc(a["title"])}</h1>'
                 f'<div class="z6">Đăng lúc: {dt:%H:%M} - {dmy(dt)}</div>'
                 f'<div class="z14">{lead}\n{self.paragraphs_html(a, figure)}\n{byline}{source}</div>')
        return self.layout(a["title"], inner, self.others_box(a))

    def other_page(self, heading, paragraphs):
        return self.layout(heading, f'<h1 class="z7">{esc(heading)}</h1>' + "".join(f"<p>{esc(t)}</p>" for t in paragraphs))

    def notice(self, heading, text):
        return f'<h1 class="z7">{esc(heading)}</h1><p>{esc(text)}</p>'

    def layout(self, title, inner, others: list[dict] | None = None):
        p, base = self.portal, self.base_url
        menu = [("Trang chủ", f"{base}/")]
        menu += [(label, self.url(self.listing_paths[(name, 1)])) for name, label in MIXED_LISTINGS.items() if (name, 1) in self.listing_paths]
        menu += [("Giới thiệu", self.url(self.about_path)), ("Liên hệ", self.url(self.contact_path))]
        nav = "".join(f'<a class="z2" href="{href}">{esc(label)}</a>' for label, href in menu)
        side = ""
        if others:
            side = ('<div class="z15"><div class="z3">Tin khác</div><ul>'
                    + "".join(f'<li><a href="{esc(self.article_url(o))}">{esc(o["title"])}</a></li>' for o in others)
                    + "</ul></div>")
        return f"""<!DOCTYPE html>
<html lang="vi">
<head>
<meta charset="utf-8">
<title>{_page_title(title, p)}</title>
<link rel="stylesheet" href="{base}/assets/z.css">
</head>
<body>
<div class="z0"><div class="z1">{esc(p.display_name)}</div>
<div class="z16">{nav}</div>
<div class="z17"><div class="z18">
{inner}
</div>{side}</div>
<div class="z19">{esc(p.display_name)} - {esc(p.address)}<br>Điện thoại: {esc(p.phone)}. Email: {esc(p.email)}</div>
</div>
</body>
</html>
"""


RENDERERS: dict[str, type[Site]] = {
    "shorturl": ShortUrlSite,
    "sitemaponly": SitemapOnlySite,
    "tinmoi": TinMoiSite,
    "mixed": MixedSite,
}
