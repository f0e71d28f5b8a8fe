"""The portal simulator over real HTTP (127.0.0.1 only).

Runs on its own sample articles (in the format of portalsim/articles.py) plus generated
filler news so every listing paginates; a last test runs against portalsim.articles when present.
"""
from __future__ import annotations

import html
import re
import subprocess
import sys
import unicodedata
import urllib.error
import urllib.request
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
from parsel import Selector

from portalsim import PORTALS, Simulator
from portalsim.common import JPEG
from portalsim.liferay import friendly_url
from portalsim.sharepoint import title_slug
from portalsim.wordpress import wp_slug

ROOT = Path(__file__).resolve().parents[2]

# ------------------------------------------------------------------------------------------------
# Sample content
# ------------------------------------------------------------------------------------------------

SAMPLE_ARTICLES = [
    dict(
        key="quanson-trung-thuong-2023",
        portal="sim-quanson",
        title="Ra mắt và tập huấn mô hình “Chính quyền thân thiện vì Nhân dân phục vụ” tại xã Trung Thượng",
        published="2023-03-17 10:25",
        lead="Sáng ngày 17/3, Ban Dân vận Huyện ủy Quan Sơn phối hợp với Đảng ủy xã Trung Thượng tổ chức "
             "ra mắt và tập huấn mô hình “Chính quyền thân thiện vì Nhân dân phục vụ”.",
        paragraphs=[
            "Dự buổi lễ có đồng chí Hà Xuân Khanh - Ủy viên BTV, Trưởng Ban Dân vận Huyện ủy Quan Sơn; "
            "đại diện lãnh đạo các phòng, ban của huyện và đông đảo cán bộ, nhân dân trong xã.",
            "Mô hình được triển khai theo Chỉ thị 05-CT/TW và Hướng dẫn 15-HD/BDVTW, với phương châm "
            "“5 biết”, “3 không” trong tiếp xúc, giải quyết công việc của người dân.",
            "Ban chỉ đạo mô hình gồm 11 thành viên, do đồng chí Bí thư Đảng ủy xã làm trưởng ban. "
            "Cán bộ, công chức phải tận tụy & gần dân, xem sự hài lòng của nhân dân là thước đo <hiệu quả>.",
            "Phát biểu chỉ đạo, đồng chí Trưởng Ban Dân vận Huyện ủy đề nghị xã tiếp tục duy trì, nhân rộng mẫu hình.",
        ],
        images=[{"after": 0, "caption": "Toàn cảnh hội nghị ra mắt mô hình"}, {"after": 2, "caption": None}],
        author="Kim Chung",
        source="Trung tâm VHTTTT&DL huyện Quan Sơn",
        tags=["Dân vận", "Chính quyền thân thiện"],
        is_launch_report=True,
        event=dict(event_date="2023-03-17", units=["xã Trung Thượng"], district="huyện Quan Sơn",
                   province="Thanh Hóa", board_size=11,
                   officials=[{"name": "Hà Xuân Khanh",
                               "title": "Ủy viên BTV, Trưởng Ban Dân vận Huyện ủy Quan Sơn"}],
                   slogans=["5 biết", "3 không"], documents=["05-CT/TW", "15-HD/BDVTW"]),
    ),
    dict(
        key="quanson-son-dien-2023",
        portal="sim-quanson",
        title="Xã Sơn Điện ra mắt mô hình “Chính quyền thân thiện, vì Nhân dân phục vụ”",
        published="2023-04-05 08:10",
        lead=None,
        paragraphs=[
            "Ngày 4/4, Đảng ủy xã Sơn Điện tổ chức lễ ra mắt mô hình “Chính quyền thân thiện, vì Nhân dân phục vụ”.",
            "Dự buổi lễ có Đ/c Lò Văn Tiến, Phó Trưởng Ban Dân vận Huyện ủy Quan Sơn.",
        ],
        images=[],
        author=None,
        source="Ban Dân vận Huyện ủy Quan Sơn",
        tags=["Dân vận"],
        is_launch_report=True,
        event=dict(event_date="2023-04-04", units=["xã Sơn Điện"], district="huyện Quan Sơn",
                   province="Thanh Hóa", board_size=None,
                   officials=[{"name": "Lò Văn Tiến", "title": "Phó Trưởng Ban Dân vận Huyện ủy Quan Sơn"}],
                   slogans=[], documents=[]),
    ),
    dict(
        key="samson-quang-tien-2022",
        portal="sim-samson",
        title="Phường Quảng Tiến ra mắt mô hình “Chính quyền thân thiện, vì Nhân dân phục vụ”",
        published="2022-11-09 15:40",
        lead="Chiều ngày 9/11, phường Quảng Tiến tổ chức hội nghị ra mắt mô hình dân vận khéo.",
        paragraphs=[
            "Tham dự có các đồng chí: Nguyễn Văn Hải, Phó Bí thư Thường trực Thành ủy; Lê Thị Mai, "
            "Trưởng Ban Dân vận Thành ủy Sầm Sơn.",
            "Mô hình hướng tới xây dựng đội ngũ cán bộ, công chức “4 xin”, “4 luôn” theo Quyết định 1612/QĐ-UBND.",
        ],
        images=[{"after": 1, "caption": "Các đại biểu bấm nút ra mắt mô hình"}],
        author="Minh Hiếu",
        source=None,
        tags=["Chính quyền thân thiện"],
        is_launch_report=True,
        event=dict(event_date="2022-11-09", units=["phường Quảng Tiến"], district="thành phố Sầm Sơn",
                   province="Thanh Hóa", board_size=None,
                   officials=[{"name": "Nguyễn Văn Hải", "title": "Phó Bí thư Thường trực Thành ủy"},
                              {"name": "Lê Thị Mai", "title": "Trưởng Ban Dân vận Thành ủy Sầm Sơn"}],
                   slogans=["4 xin", "4 luôn"], documents=["1612/QĐ-UBND"]),
    ),
    dict(
        key="krongpac-ea-kly-2023",
        portal="sim-krongpac",
        title="Ra mắt mô hình “Dân vận khéo” tại xã Ea Kly, tỉnh Đắk Lắk",
        published="2023-06-02 09:00",
        lead="Ngày 1/6, UBND xã Ea Kly ra mắt mô hình “Chính quyền thân thiện, vì nhân dân phục vụ”.",
        paragraphs=[
            "Đến dự có đồng chí Y Khem Niê - Phó Chủ tịch UBND huyện Krông Pắc.",
            "Xã thành lập Ban chỉ đạo gồm 9 thành viên, thực hiện theo Kết luận 23-KL/TW.",
        ],
        images=[{"after": 0, "caption": "Quang cảnh buổi lễ"}],
        author="H'Lan",
        source="Phòng Nội vụ huyện",
        tags=["Dân vận"],
        is_launch_report=True,
        event=dict(event_date="2023-06-01", units=["xã Ea Kly"], district="huyện Krông Pắc",
                   province="Đắk Lắk", board_size=9,
                   officials=[{"name": "Y Khem Niê", "title": "Phó Chủ tịch UBND huyện Krông Pắc"}],
                   slogans=[], documents=["23-KL/TW"]),
    ),
    dict(
        key="krongpac-quy-hoach-2023",
        portal="sim-krongpac",
        title="Điều chỉnh quy hoạch sử dụng đất huyện Krông Pắc",
        published="2023-05-20 14:30",
        lead=None,
        paragraphs=["UBND huyện công bố điều chỉnh quy hoạch sử dụng đất đến năm 2030.",
                    "Người dân có thể tra cứu tại bộ phận một cửa."],
        images=[],
        author=None,
        source=None,
        tags=[],
        is_launch_report=False,
        event=None,
    ),
    dict(
        key="dongvan-ra-mat-2023",
        portal="sim-dongvan",
        title="Đông Văn ra mắt mô hình “Chính quyền thân thiện, vì Nhân dân phục vụ”",
        published="2023-02-28 07:45",
        lead=None,
        paragraphs=["Sáng 27/2, UBND xã Đông Văn ra mắt mô hình “Chính quyền thân thiện, vì Nhân dân phục vụ”.",
                    "Đ/c Lê Văn Tuấn, Phó Bí thư Huyện ủy Đông Sơn dự và phát biểu chỉ đạo."],
        images=[{"after": 0, "caption": "Lãnh đạo xã ra mắt mô hình"}, {"after": 1, "caption": None}],
        author=None,
        source="Đài truyền thanh xã",
        tags=["Dân vận"],
        is_launch_report=True,
        event=dict(event_date="2023-02-27", units=["xã Đông Văn"], district="huyện Đông Sơn",
                   province="Thanh Hóa", board_size=None,
                   officials=[{"name": "Lê Văn Tuấn", "title": "Phó Bí thư Huyện ủy Đông Sơn"}],
                   slogans=[], documents=[]),
    ),
]

TOPICS = ["cải cách hành chính", "xây dựng nông thôn mới", "phòng chống thiên tai", "chuyển đổi số",
          "giảm nghèo bền vững", "bảo vệ môi trường", "an toàn giao thông", "phát triển du lịch",
          "khuyến học", "y tế cơ sở", "quốc phòng địa phương", "đền ơn đáp nghĩa", "văn hóa cơ sở"]


def filler(portal: str, count: int, year: int = 2022) -> list[dict]:
    """Ordinary news (not launch reports) so each listing has several pages."""
    out = []
    for i in range(count):
        topic = TOPICS[i % len(TOPICS)]
        out.append(dict(
            key=f"{portal}-filler-{i}", portal=portal,
            title=f"Hội nghị sơ kết công tác {topic} năm {year}",
            published=f"{year}-{1 + i % 12:02d}-{3 + i:02d} 0{8 + i % 2}:{10 + i:02d}",
            lead=f"Đơn vị tổ chức hội nghị đánh giá kết quả công tác {topic}." if i % 2 else None,
            paragraphs=[f"Hội nghị đã nghe báo cáo kết quả thực hiện công tác {topic}, chỉ rõ những tồn tại, hạn chế.",
                        "Các đại biểu thảo luận, đề xuất nhiều giải pháp hữu hiệu để triển khai trong thời gian tới."],
            images=[{"after": 0, "caption": f"Quang cảnh hội nghị {topic}"}] if i % 3 == 0 else [],
            author="Văn Đức" if i % 2 else None,
            source=None,
            tags=["Dân vận"] if i % 4 == 0 else ["Tin tức"],
            is_launch_report=False,
            event=None,
        ))
    return out


# Two identical titles in the same portal must still get distinct Liferay / WordPress slugs.
DUPLICATES = [
    dict(filler("sim-krongpac", 1, 2021)[0], key="krongpac-dup-a"),
    dict(filler("sim-krongpac", 1, 2021)[0], key="krongpac-dup-b", published="2021-01-05 09:00"),
    dict(filler("sim-dongvan", 1, 2021)[0], key="dongvan-dup-a"),
    dict(filler("sim-dongvan", 1, 2021)[0], key="dongvan-dup-b", published="2021-01-05 09:00"),
]

ARTICLES = (SAMPLE_ARTICLES + filler("sim-quanson", 12) + filler("sim-samson", 11) + filler("sim-krongpac", 9)
            + filler("sim-dongvan", 7) + DUPLICATES)

# ------------------------------------------------------------------------------------------------
# HTTP helpers (urllib, no proxies, redirects optional)
# ------------------------------------------------------------------------------------------------


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))
_OPENER_NO_REDIRECT = urllib.request.build_opener(urllib.request.ProxyHandler({}), _NoRedirect)


class Fetched:
    def __init__(self, status, headers, body, url):
        self.status, self.headers, self.body, self.url = status, headers, body, url

    @property
    def text(self) -> str:
        # the legacy portal serves windows-1258 (decomposed tones): decode it as a browser would
        charset = (self.headers.get_content_charset() if self.headers is not None else None) or "utf-8"
        if charset == "windows-1258":
            return unicodedata.normalize("NFC", self.body.decode("cp1258"))
        return self.body.decode("utf-8")

    @property
    def sel(self) -> Selector:
        return Selector(text=self.text)


def fetch(url: str, headers: dict | None = None, method: str = "GET", follow: bool = True) -> Fetched:
    req = urllib.request.Request(url, headers=headers or {}, method=method)
    opener = _OPENER if follow else _OPENER_NO_REDIRECT
    try:
        with opener.open(req, timeout=10) as resp:
            return Fetched(resp.status, resp.headers, resp.read(), resp.geturl())
    except urllib.error.HTTPError as err:
        return Fetched(err.code, err.headers, err.read(), url)


def norm(text: str) -> str:
    """What an extractor does: unescape, NFC, NBSP → space."""
    return unicodedata.normalize("NFC", html.unescape(text)).replace("\xa0", " ")


# ------------------------------------------------------------------------------------------------
# Fixtures
# ------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sim():
    with Simulator(ARTICLES) as simulator:
        yield simulator


@pytest.fixture(scope="module")
def truth(sim):
    return sim.ground_truth()


def by_portal(truth, portal):
    return [t for t in truth if t["portal"] == portal]


def newest_first(items):
    src = {a["key"]: a for a in ARTICLES}
    return sorted(items, key=lambda t: (src[key_of(t)]["published"], key_of(t)), reverse=True)


_URL_KEYS: dict[str, str] = {}


def key_of(t) -> str:
    return _URL_KEYS[t["url"]]


@pytest.fixture(scope="module", autouse=True)
def _index_keys(sim, truth):
    for article, t in zip(ARTICLES, truth):
        _URL_KEYS[t["url"]] = article["key"]


# ------------------------------------------------------------------------------------------------
# Lifecycle, ground truth, URL shapes
# ------------------------------------------------------------------------------------------------


def test_portals_and_base_urls(sim):
    assert set(sim.base_urls) == {"sim-quanson", "sim-samson", "sim-krongpac", "sim-dongvan", "sim-quangchau",
                                  "sim-baothanhhoa"}
    assert len(set(sim.base_urls.values())) == 6
    for name, url in sim.base_urls.items():
        assert re.fullmatch(r"http://127\.0\.0\.1:\d+", url)
    assert PORTALS["sim-quanson"].display_name == "Cổng thông tin điện tử huyện Quan Sơn"
    assert PORTALS["sim-dongvan"].display_name == "Xã Đông Văn - huyện Đông Sơn"
    assert {p.platform for p in PORTALS.values()} == {"sharepoint", "liferay", "wordpress", "legacy", "generic"}


def test_ground_truth_shape(sim, truth):
    assert len(truth) == len(ARTICLES)
    first = truth[0]
    assert set(first) == {"url", "portal", "platform", "title", "published_date", "author", "source",
                          "body_text", "images", "is_launch_report", "event", "story"}
    a = SAMPLE_ARTICLES[0]
    assert first["url"].startswith(sim.base_urls["sim-quanson"] + "/portal/Pages/2023-3-17/")
    assert first["platform"] == "sharepoint"
    assert first["published_date"] == "2023-03-17"
    assert first["body_text"] == "\n\n".join([a["lead"]] + a["paragraphs"])
    assert first["images"] == [{"caption": "Toàn cảnh hội nghị ra mắt mô hình"}, {"caption": None}]
    assert first["event"] == a["event"] and first["event"] is not a["event"]
    assert truth[1]["body_text"] == "\n\n".join(SAMPLE_ARTICLES[1]["paragraphs"])  # no lead
    assert sim.url_for("krongpac-quy-hoach-2023") == truth[4]["url"]


def test_url_patterns(sim, truth):
    sp = re.compile(r"/portal/(Pages|pages)/(\d{4})-([1-9]\d?)-([1-9]\d?)/([A-Za-z0-9]+(?:-[A-Za-z0-9]+)*)\.aspx")
    for t in truth:
        path = urlsplit(t["url"]).path
        if t["platform"] == "sharepoint":
            m = sp.fullmatch(path)
            assert m, path
            assert m.group(1) == ("pages" if t["portal"] == "sim-samson" else "Pages")
            slug = title_slug(t["title"])
            assert m.group(5).startswith(slug) and 6 <= len(m.group(5)) - len(slug) <= 10
        elif t["platform"] == "liferay":
            assert re.fullmatch(r"/-/[a-z0-9-]+|/web/guest/tin-tuc/-/asset_publisher/Kp7cXw2NqL9e/content/[a-z0-9-]+", path), path
        else:
            assert re.fullmatch(r"/\d{4}/\d{2}/\d{2}/[a-z0-9-]+/", path), path
    assert title_slug(SAMPLE_ARTICLES[0]["title"]) == "Ra-Mat-Va-Tap-Huan-Mo-Hinh-Chinh"  # 8 words
    assert friendly_url("Tỉnh Đắk Lắk") == "tinh-ak-lak"
    assert friendly_url("điều chỉnh") == "ieu-chinh"
    assert wp_slug("Đông Văn ra mắt “mô hình”") == "dong-van-ra-mat-mo-hinh"
    # stable across runs: a second simulator gives the same paths
    with Simulator(ARTICLES) as again:
        assert [urlsplit(t["url"]).path for t in again.ground_truth()] == [urlsplit(t["url"]).path for t in truth]
    # unique slugs for identical titles
    paths = [urlsplit(t["url"]).path for t in truth]
    assert len(set(paths)) == len(paths)
    assert any(p.endswith("-2/") for p in paths) and any(re.search(r"-1$", p) for p in paths)


# ------------------------------------------------------------------------------------------------
# robots, home, 404, images, request log
# ------------------------------------------------------------------------------------------------


def test_robots(sim):
    expected = {
        "sim-quanson": "User-agent: *\nDisallow: /_layouts/\nDisallow: /portal/Search/\n",
        "sim-samson": "User-agent: *\nDisallow: /_layouts/\nDisallow: /portal/Search/\n",
        "sim-krongpac": "User-agent: *\nDisallow: /c/\nDisallow: /api/\n",
        "sim-dongvan": "User-agent: *\nDisallow: /wp-admin/\nAllow: /wp-admin/admin-ajax.php\n\n"
                       f"Sitemap: {sim.base_urls['sim-dongvan']}/wp-sitemap.xml\n",
    }
    for portal, text in expected.items():
        r = fetch(sim.base_urls[portal] + "/robots.txt")
        assert r.status == 200 and r.headers["Content-Type"].startswith("text/plain")
        assert r.text == text
    assert (portal, "GET", "/robots.txt", 200) in sim.requests
    assert sim.request_count(portal="sim-dongvan", path="/robots.txt") >= 1


# The four CMS portals these sample articles are written for; the legacy and the news-site portals
# have tests of their own (bottom of this file).
CMS_PORTALS = ("sim-quanson", "sim-samson", "sim-krongpac", "sim-dongvan")


def test_home_pages(sim, truth):
    for portal in CMS_PORTALS:
        base = sim.base_urls[portal]
        r = fetch(base + "/")
        assert r.status == 200
        assert r.headers["Content-Type"] == "text/html; charset=utf-8"
        newest = newest_first(by_portal(truth, portal))[0]
        assert newest["title"] in norm(r.text)
        assert len(r.sel.css("a::attr(href)").getall()) >= 10  # menus
    # tandan redirects "/" to the publishing home page
    r = fetch(sim.base_urls["sim-quanson"] + "/", follow=False)
    assert r.status == 302 and r.headers["Location"].endswith("/portal/Pages/default.aspx")
    assert fetch(sim.base_urls["sim-samson"] + "/").url.endswith("/portal/pages/default.aspx")


def test_not_found(sim):
    for base in (sim.base_urls[p] for p in CMS_PORTALS):
        for path in ("/no/such/page", "/portal/Pages/2023-3-17/Nothing.aspx", "/-/no-such-slug", "/2023/03/17/nope/"):
            r = fetch(base + path)
            assert r.status == 404, (base, path)
            assert r.headers["Content-Type"] == "text/html; charset=utf-8"
            assert "<html" in r.text
    assert fetch(sim.base_urls["sim-dongvan"] + "/page/99/").status == 404
    assert fetch(sim.base_urls["sim-dongvan"] + "/category/khong-co/").status == 404


def test_images_are_jpeg(sim):
    for base in sim.base_urls.values():
        r = fetch(base + "/anything/at/all/abc123.jpg")
        assert r.status == 200 and r.headers["Content-Type"] == "image/jpeg"
        assert r.body == JPEG and r.body[:2] == b"\xff\xd8" and r.body[-2:] == b"\xff\xd9"


def test_head_and_post(sim, truth):
    url = truth[0]["url"]
    r = fetch(url, method="HEAD")
    assert r.status == 200 and r.body == b"" and int(r.headers["Content-Length"]) > 5000
    assert fetch(url, method="POST").status == 405


def test_platform_fingerprints(sim):
    assert fetch(sim.base_urls["sim-quanson"] + "/robots.txt").headers["MicrosoftSharePointTeamServices"]
    assert fetch(sim.base_urls["sim-krongpac"] + "/robots.txt").headers["Liferay-Portal"].startswith("Liferay")
    home = fetch(sim.base_urls["sim-dongvan"] + "/")
    assert "WordPress" in home.sel.css('meta[name="generator"]::attr(content)').get()


# ------------------------------------------------------------------------------------------------
# Listings and pagination
# ------------------------------------------------------------------------------------------------


def crawl_pages(first_url: str, next_css: str, item_css: str) -> tuple[list[str], list[Fetched]]:
    """Follow "next" links from `first_url`, collecting item links (made absolute) in page order."""
    links, pages, url, seen = [], [], first_url, set()
    while url and url not in seen:
        seen.add(url)
        r = fetch(url)
        assert r.status == 200, url
        pages.append(r)
        links += [urljoin(url, h) for h in r.sel.css(item_css).getall()]
        nxt = r.sel.css(next_css).get()
        url = urljoin(url, nxt) if nxt else None
    return links, pages


@pytest.mark.parametrize("portal,pages_dir", [("sim-quanson", "Pages"), ("sim-samson", "pages")])
def test_sharepoint_listing(sim, truth, portal, pages_dir):
    base = sim.base_urls[portal]
    listing = f"{base}/portal/{pages_dir}/Tin-tuc-su-kien.aspx"
    links, pages = crawl_pages(listing, "div.channel-pager a:contains('Tiếp')::attr(href)",
                               "div.channel-news-title a::attr(href)")
    expected = [t["url"] for t in newest_first(by_portal(truth, portal))]
    assert links == expected
    assert len(pages) == 2 and len(pages[0].sel.css("div.channel-news-title")) == 10
    first = pages[0].sel
    assert first.css("div.channel-pager span.CurrentPage::text").get() == "1"
    assert first.css("div.channel-pager a::text").getall() == ["2", "Tiếp"]
    assert first.css("div.channel-pager a::attr(href)").get().endswith("Tin-tuc-su-kien.aspx?PageIndex=2")
    assert pages[1].sel.css("span.CurrentPage::text").get() == "2"
    assert all(f"/portal/{pages_dir}/" in h for h in first.css("div.channel-news-title a::attr(href)").getall())
    assert first.css("div.channel-news-date::text").get().startswith("(")
    # IIS does not care about case
    assert fetch(f"{base}/PORTAL/PAGES/TIN-TUC-SU-KIEN.ASPX").status == 200
    assert fetch(truth[0]["url"].lower()).status == 200


def test_sharepoint_dan_van_channel(sim, truth):
    src = {a["key"]: a for a in ARTICLES}
    for portal in ("sim-quanson", "sim-samson"):
        links, _ = crawl_pages(sim.base_urls[portal] + "/portal/KenhTin/Dan-van.aspx",
                               "div.channel-pager a:contains('Tiếp')::attr(href)",
                               "div.channel-news-title a::attr(href)")
        expected = [t["url"] for t in newest_first(by_portal(truth, portal))
                    if t["is_launch_report"] or "Dân vận" in src[key_of(t)]["tags"]]
        assert links == expected and links
        assert len(links) < len(by_portal(truth, portal))


def test_liferay_listing(sim, truth):
    base = sim.base_urls["sim-krongpac"]
    links, pages = crawl_pages(base + "/web/guest/tin-tuc", "ul.pagination li:last-child a:not([href^='javascript'])::attr(href)",
                               "div.asset-abstract h3.asset-title a::attr(href)")
    expected = [t["url"] for t in newest_first(by_portal(truth, "sim-krongpac"))]
    assert links == expected
    assert len(pages) == 2 and len(pages[0].sel.css("div.asset-abstract")) == 8
    # alternating URL forms
    paths = [urlsplit(u).path for u in links]
    assert all(p.startswith("/-/") for p in paths[0::2])
    assert all(p.startswith("/web/guest/tin-tuc/-/asset_publisher/Kp7cXw2NqL9e/content/") for p in paths[1::2])
    # the pagination URL, as Liferay writes it (&amp; in the HTML)
    ns = "_com_liferay_asset_publisher_web_portlet_AssetPublisherPortlet_INSTANCE_Kp7cXw2NqL9e_"
    raw = ("/web/guest/tin-tuc?p_p_id=com_liferay_asset_publisher_web_portlet_AssetPublisherPortlet_INSTANCE_Kp7cXw2NqL9e"
           f"&amp;p_p_lifecycle=0&amp;p_p_state=normal&amp;p_p_mode=view&amp;{ns}delta=8&amp;{ns}cur=2")
    assert raw in pages[0].text
    assert "Hiển thị 1 - 8 của" in pages[0].text


def test_wordpress_listings(sim, truth):
    base = sim.base_urls["sim-dongvan"]
    expected = [t["url"] for t in newest_first(by_portal(truth, "sim-dongvan"))]
    for first in (base + "/", base + "/category/tin-tuc/"):
        links, pages = crawl_pages(first, "a.next.page-numbers::attr(href)", "article.post h2.entry-title a::attr(href)")
        assert links == expected
        assert len(pages[0].sel.css("article.post")) == 6
    assert fetch(base + "/page/2/").status == 200
    r = fetch(base + "/page/1/", follow=False)
    assert r.status == 301 and r.headers["Location"] == base + "/"
    tag = fetch(base + "/tag/dan-van/")
    assert tag.status == 200 and "Thẻ: Dân vận" in tag.text
    # "Bài viết mới": 5 recent posts, launch reports always among them
    recent = fetch(base + "/").sel.css("div.widget_recent_entries li a::text").getall()
    assert len(recent) == 5
    assert SAMPLE_ARTICLES[5]["title"] in recent


# ------------------------------------------------------------------------------------------------
# Article pages
# ------------------------------------------------------------------------------------------------

TITLE_CSS = {
    "sharepoint": "p.tandan-p-article-news-title::text",
    "liferay": "div.asset-full-content h3.header-title span::text",
    "wordpress": "article.post h1.entry-title::text",
    "legacy": "td font[size='3'] > b::text",
    "generic": "div.article-detail h1.article-title::text",
}
BODY_CSS = {
    # tandan shows the lead apart, above the rich-HTML field
    "sharepoint": "p.tandan-p-article-news-summary, div#ctl00_PlaceHolderMain_ctl03__ControlWrapper_RichHtmlField > p",
    "liferay": "div.journal-content-article > p",
    "wordpress": "div.entry-content > p",
}


def test_every_article_page(sim, truth):
    for t in truth:
        r = fetch(t["url"])
        assert r.status == 200, t["url"]
        assert r.headers["Content-Type"] == "text/html; charset=utf-8"
        assert r.headers["ETag"] and r.headers["Last-Modified"]
        sel = r.sel
        assert norm(sel.css(TITLE_CSS[t["platform"]]).get()) == t["title"]
        paragraphs = [norm(p.xpath("string()").get()) for p in sel.css(BODY_CSS[t["platform"]])]
        for part in t["body_text"].split("\n\n"):
            assert part in paragraphs, (t["url"], part)
        y, m, d = t["published_date"].split("-")
        assert f"{d}/{m}/{y}" in r.text
        if t["platform"] == "sharepoint":
            assert sel.css("title::text").get().endswith(" - " + PORTALS[t["portal"]].display_name.upper())
            assert sel.css("input#__VIEWSTATE::attr(value)").get().startswith("/wEPDwUKLTk")
            assert len(sel.css("input#__VIEWSTATE::attr(value)").get()) > 3000
            assert sel.css("input#__EVENTVALIDATION::attr(value)").get()
            assert sel.css("span.tandan-span-date-publish::text").get().startswith("Đăng ngày ")
            assert sel.css("p.tandan-p-article-main").get() == '<p class="tandan-p-article-main"></p>'
        if t["platform"] == "wordpress":
            assert sel.css("time.entry-date.published::attr(datetime)").get().startswith(t["published_date"] + "T")
            expected_author = t["author"] or "admin"
            assert sel.css("span.author.vcard a.url.fn.n::text").get() == expected_author


def test_images_and_bylines(sim, truth):
    qs = fetch(truth[0]["url"]).sel
    body = qs.css("div.ms-rtestate-field")
    imgs = body.css("p[style='text-align:center'] img::attr(src)").getall()
    assert len(imgs) == 2 and all(re.fullmatch(r"/portal/Photos/2023-03-17/[0-9a-f]+\.jpg", s) for s in imgs)
    img_p = body.xpath("./p[img]")[0]
    assert img_p.xpath("following-sibling::p[1]/em/text()").get() == "Toàn cảnh hội nghị ra mắt mô hình"
    second = body.xpath("./p[img]")[1]
    assert not second.xpath("following-sibling::p[1]/em")  # caption None: no caption paragraph
    right = body.css("p[style='text-align: right;']")
    assert right[0].css("strong::text").get() == "Kim Chung"
    assert norm(right[1].xpath("string()").get()) == "Trung tâm VHTTTT&DL huyện Quan Sơn"
    assert qs.css("div.td-tags a::text").getall() == ["Dân vận", "Chính quyền thân thiện"]
    # Liferay byline and source
    kp = fetch(truth[3]["url"]).sel
    assert kp.css("div.journal-content-article p[style='text-align:right'] strong::text").get() == "H'Lan"
    assert kp.css("div.journal-content-article p[style='text-align:right'] em::text").get() == "Nguồn: Phòng Nội vụ huyện"
    assert kp.css("img::attr(src)").re(r"/documents/20182/\d+/[0-9a-f]+\.jpg")
    # WordPress figure, captions and source
    wp = fetch(truth[5]["url"]).sel
    assert wp.css("figure.wp-block-image figcaption::text").getall() == ["Lãnh đạo xã ra mắt mô hình"]
    assert len(wp.css("figure.wp-block-image")) == 2
    assert wp.css("div.entry-content > p:last-child strong::text").get() == "Nguồn: Đài truyền thanh xã"


def test_related_boxes_mention_launch_reports(sim, truth):
    launch_titles = {t["title"] for t in by_portal(truth, "sim-quanson") if t["is_launch_report"]}
    assert len(launch_titles) == 2
    for t in by_portal(truth, "sim-quanson"):
        items = fetch(t["url"]).sel.css("div.tandan-div-article-other li")
        assert fetch(t["url"]).sel.css("div.tandan-div-article-other h3::text").get() == "Tin khác"
        assert len(items) == 5
        titles = {i.css("a::text").get() for i in items}
        assert t["title"] not in titles
        assert launch_titles - {t["title"]} <= titles
        assert re.fullmatch(r" \(\d\d/\d\d/\d{4}\)", items[0].xpath("text()").get())
    negative = next(t for t in by_portal(truth, "sim-krongpac") if not t["is_launch_report"])
    box = fetch(negative["url"]).sel.css("div.asset-links, div.related-assets")
    assert "Tin liên quan" in box.get() and SAMPLE_ARTICLES[3]["title"] in norm(box.get())


def test_liferay_both_url_forms(sim, truth):
    base = sim.base_urls["sim-krongpac"]
    for t in by_portal(truth, "sim-krongpac"):
        slug = urlsplit(t["url"]).path.rsplit("/", 1)[-1]
        for path in (f"/-/{slug}", f"/web/guest/tin-tuc/-/asset_publisher/Kp7cXw2NqL9e/content/{slug}",
                     f"/-/{slug}?inheritRedirect=false"):
            r = fetch(base + path)
            assert r.status == 200
            assert r.sel.css(TITLE_CSS["liferay"]).get() == t["title"]
    assert "/-/ra-mat-mo-hinh-dan-van-kheo-tai-xa-ea-kly-tinh-ak-lak" in {urlsplit(t["url"]).path for t in truth}


def test_wordpress_redirects(sim, truth):
    base = sim.base_urls["sim-dongvan"]
    t = by_portal(truth, "sim-dongvan")[0]
    r = fetch(t["url"].rstrip("/"), follow=False)
    assert r.status == 301 and r.headers["Location"] == t["url"]
    page = fetch(t["url"])
    shortlink = page.sel.css("link[rel=shortlink]::attr(href)").get()
    r = fetch(shortlink, follow=False)
    assert r.status == 301 and r.headers["Location"] == t["url"]
    assert page.sel.css("link[rel=canonical]::attr(href)").get() == t["url"]


# ------------------------------------------------------------------------------------------------
# Feeds and sitemaps
# ------------------------------------------------------------------------------------------------


def rss_links(xml_bytes: bytes) -> list[str]:
    root = ET.fromstring(xml_bytes)
    assert root.tag == "rss" and root.get("version") == "2.0"
    return [item.findtext("link") for item in root.iter("item")]


def test_liferay_rss(sim, truth):
    r = fetch(sim.base_urls["sim-krongpac"] + "/-/asset_publisher/Kp7cXw2NqL9e/rss")
    assert r.status == 200 and r.headers["Content-Type"].startswith("application/rss+xml")
    assert rss_links(r.body) == [t["url"] for t in newest_first(by_portal(truth, "sim-krongpac"))]
    titles = [i.findtext("title") for i in ET.fromstring(r.body).iter("item")]
    assert SAMPLE_ARTICLES[3]["title"] in titles


def test_wordpress_feed_and_sitemap(sim, truth):
    base = sim.base_urls["sim-dongvan"]
    expected = [t["url"] for t in newest_first(by_portal(truth, "sim-dongvan"))]
    r = fetch(base + "/feed/")
    assert r.status == 200 and r.headers["Content-Type"].startswith("application/rss+xml")
    assert rss_links(r.body) == expected[:10]
    index = ET.fromstring(fetch(base + "/wp-sitemap.xml").body)
    ns = {"sm": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    maps = [loc.text for loc in index.findall("sm:sitemap/sm:loc", ns)]
    assert base + "/wp-sitemap-posts-post-1.xml" in maps
    urlset = ET.fromstring(fetch(base + "/wp-sitemap-posts-post-1.xml").body)
    assert sorted(loc.text for loc in urlset.findall("sm:url/sm:loc", ns)) == sorted(expected)
    for loc in maps:
        assert fetch(loc).status == 200


def test_sharepoint_has_no_feeds(sim):
    for path in ("/feed/", "/sitemap.xml", "/wp-sitemap.xml", "/_layouts/15/listfeed.aspx"):
        assert fetch(sim.base_urls["sim-quanson"] + path).status == 404


# ------------------------------------------------------------------------------------------------
# Conditional requests
# ------------------------------------------------------------------------------------------------


def test_conditional_requests(sim, truth):
    for t in truth[:6]:
        r = fetch(t["url"])
        etag, last_modified = r.headers["ETag"], r.headers["Last-Modified"]
        assert fetch(t["url"]).headers["ETag"] == etag  # stable
        assert fetch(t["url"], {"If-None-Match": etag}).status == 304
        assert fetch(t["url"], {"If-None-Match": f'"other", W/{etag}'}).status == 304
        assert fetch(t["url"], {"If-Modified-Since": last_modified}).status == 304
        assert fetch(t["url"], {"If-Modified-Since": "Mon, 01 Jan 2035 00:00:00 GMT"}).status == 304
        assert fetch(t["url"], {"If-Modified-Since": "Mon, 01 Jan 2001 00:00:00 GMT"}).status == 200
        assert fetch(t["url"], {"If-None-Match": '"nope"'}).status == 200
        # If-None-Match wins over If-Modified-Since
        assert fetch(t["url"], {"If-None-Match": '"nope"', "If-Modified-Since": last_modified}).status == 200
        not_modified = fetch(t["url"], {"If-None-Match": etag})
        assert not_modified.body == b"" and not_modified.headers["ETag"] == etag
    lm = fetch(truth[0]["url"]).headers["Last-Modified"]
    assert lm == "Fri, 17 Mar 2023 03:25:00 GMT"  # 10:25 in UTC+7
    assert (truth[0]["portal"], "GET", urlsplit(truth[0]["url"]).path, 304) in sim.requests


# ------------------------------------------------------------------------------------------------
# CKEditor noise on SharePoint bodies
# ------------------------------------------------------------------------------------------------

COMBINING_AFTER_ENTITY = re.compile(r"&(?:acirc|ecirc|ocirc|Acirc|Ecirc|Ocirc|atilde|otilde);[\u0300\u0301\u0303\u0309\u0323]")


def test_sharepoint_body_noise(sim, truth):
    nbsp_seen = 0
    for t in truth:
        if t["platform"] != "sharepoint":
            continue
        raw = fetch(t["url"]).text
        start = raw.index('id="ctl00_PlaceHolderMain_ctl03__ControlWrapper_RichHtmlField"')
        body_html = raw[start: raw.index('<div class="td-tags">', start)]
        assert re.search(r"&(?:acirc|ecirc|ocirc|agrave|aacute|eacute|oacute|uacute|iacute|atilde|ograve|igrave);", body_html)
        assert COMBINING_AFTER_ENTITY.search(body_html), t["url"]
        nbsp_seen += body_html.count("&nbsp;")
        # the raw body is not NFC text: an extractor must unescape then normalize
        sel = Selector(text=raw)
        paras = sel.css("div.ms-rtestate-field > p[style='text-align: justify;']")
        src = next(a for a in ARTICLES if a["key"] == key_of(t))
        raw_texts = [p.xpath("string()").get() for p in paras]
        assert [norm(x) for x in raw_texts] == src["paragraphs"]
        assert any(x != unicodedata.normalize("NFC", x) for x in raw_texts)
        # html.unescape + NFC on the serialized paragraph HTML gives the original too
        for p_html, original in zip(re.findall(r'<p style="text-align: justify;">(.*?)</p>', body_html), src["paragraphs"]):
            assert unicodedata.normalize("NFC", html.unescape(p_html)).replace("\xa0", " ") == original
    assert nbsp_seen > 0
    # & < > in the text are escaped, never raw
    first = fetch(truth[0]["url"]).text
    assert " &amp; " in first and " & " not in first
    assert "&lt;hi" in first and "&gt;." in first


def test_other_platforms_are_clean_utf8(sim, truth):
    for t in truth:
        if t["platform"] == "sharepoint":
            continue
        raw = fetch(t["url"]).text
        assert "&acirc;" not in raw and unicodedata.normalize("NFC", raw) == raw


# ------------------------------------------------------------------------------------------------
# Default content (portalsim/articles.py) when it exists
# ------------------------------------------------------------------------------------------------



def test_default_articles_serve():
    with Simulator() as sim:
        truth = sim.ground_truth()
        assert truth
        for t in truth:
            r = fetch(t["url"])
            assert r.status == 200, t["url"]
            assert norm(r.sel.css(TITLE_CSS[t["platform"]]).get()) == t["title"]


def test_main_module_prints_urls():
    proc = subprocess.Popen([sys.executable, "-m", "portalsim"], cwd=ROOT, stdout=subprocess.PIPE, text=True)
    try:
        lines = [proc.stdout.readline() for _ in range(4)]
        urls = [re.search(r"http://127\.0\.0\.1:\d+", line).group(0) for line in lines]
        assert fetch(urls[0] + "/robots.txt").status == 200
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_bad_articles_rejected():
    with pytest.raises(ValueError, match="unknown portal"):
        Simulator([dict(SAMPLE_ARTICLES[0], portal="sim-nowhere")])
    with pytest.raises(ValueError, match="duplicate"):
        Simulator([SAMPLE_ARTICLES[0], SAMPLE_ARTICLES[0]])


# ------------------------------------------------------------------------------------------------
# The legacy commune page (windows-1258) and the provincial news site (a template no module knows)
# ------------------------------------------------------------------------------------------------

from pipelines.extract import extract_record  # noqa: E402
from pipelines.softfail import soft_failure  # noqa: E402
from pipelines.text import decode_body, encode_cp1258  # noqa: E402
from scrapers.platforms import get_platform  # noqa: E402
from portalsim.portals import registry_portals  # noqa: E402
from portalsim.articles import ARTICLES_MORE  # noqa: E402

# their own content plus filler, so both listings paginate
MORE = ARTICLES_MORE + filler("sim-quangchau", 3, year=2018) + filler("sim-baothanhhoa", 4, year=2021)
CP1258_TONES = {0xCC, 0xEC, 0xDE, 0xD2, 0xF2}  # combining grave, acute, tilde, hook, dot below


@pytest.fixture(scope="module")
def sim_more():
    with Simulator(MORE) as simulator:
        yield simulator


def registry_portal(sim, name):
    import dataclasses

    return dataclasses.replace(registry_portals()[name], base_url=sim.base_urls[name])


def test_new_portals_are_registered():
    registry = registry_portals()
    for name, platform in (("sim-quangchau", "legacy"), ("sim-baothanhhoa", "generic")):
        assert PORTALS[name].platform == registry[name].platform == platform
        assert registry[name].simulated and registry[name].province == "Thanh Hóa"
    assert registry["sim-quangchau"].district == "thành phố Sầm Sơn"
    assert registry["sim-baothanhhoa"].district is None
    per_portal = {name: [a for a in ARTICLES_MORE if a["portal"] == name] for name in ("sim-quangchau", "sim-baothanhhoa")}
    for articles in per_portal.values():
        assert len(articles) == 6 and sum(a["is_launch_report"] for a in articles) == 3


def test_legacy_pages_are_cp1258_on_the_wire(sim_more):
    truth = [t for t in sim_more.ground_truth() if t["portal"] == "sim-quangchau"]
    assert len(truth) == 9
    for t in truth:
        r = fetch(t["url"])
        assert r.status == 200
        assert r.headers["Content-Type"] == "text/html; charset=windows-1258"
        assert b'<meta http-equiv="Content-Type" content="text/html; charset=windows-1258">' in r.body
        with pytest.raises(UnicodeDecodeError):
            r.body.decode("utf-8")
        assert CP1258_TONES & set(r.body)  # tones as separate combining bytes, as Windows keyboards wrote them
        text = unicodedata.normalize("NFC", r.body.decode("cp1258"))
        assert encode_cp1258(text) == r.body
        assert decode_body(r.body, {"Content-Type": r.headers["Content-Type"]})[0] == text
        # what a reader sees: the headline in <font size=3><b>, the update line, the body in order
        assert norm(r.sel.css(TITLE_CSS["legacy"]).get()) == t["title"]
        day = t["published_date"]
        assert f"(Cập nhật: {day[8:10]}/{day[5:7]}/{day[:4]})" in text
        paragraphs = [norm(p) for p in r.sel.css("p[align='justify'] font").xpath("string()").getall()]
        assert paragraphs == t["body_text"].split("\n\n")
        assert "<font" in text and "class=" not in text


def test_legacy_urls_listing_and_pagination(sim_more):
    base = sim_more.base_urls["sim-quangchau"]
    legacy = get_platform("legacy")
    truth = [t for t in sim_more.ground_truth() if t["portal"] == "sim-quangchau"]
    assert all(re.fullmatch(re.escape(base) + r"/news\.asp\?id=\d+", t["url"]) for t in truth)
    assert all(legacy.is_article_url(t["url"]) for t in truth)
    robots = fetch(base + "/robots.txt")
    assert robots.status == 200 and "Disallow: /admin/" in robots.text
    # the listing the registry starts from, followed with the module's own selectors
    registry = registry_portals()["sim-quangchau"]
    url, seen, links = base + registry.listing_paths[0], [], []
    while url:
        r = fetch(url)
        assert r.status == 200 and r.headers["Content-Type"].endswith("windows-1258")
        seen.append(url)
        links += [urljoin(url, h) for h in r.sel.css(legacy.listing_link_css).xpath("@href").getall()]
        following = [urljoin(url, h) for h in r.sel.css(legacy.pagination_css).xpath("@href").getall()]
        url = next((u for u in following if u not in seen), None)
    assert seen == [base + "/news.asp?cat=1", base + "/news.asp?cat=1&page=2", base + "/news.asp?cat=1&page=3"]
    assert not any(legacy.is_article_url(u) for u in seen)
    assert {t["url"] for t in truth} <= set(links)
    home = fetch(base + "/")
    assert home.status == 200 and fetch(base + "/default.asp").body == home.body
    assert newest_first_truth(truth)[0]["title"] in norm(home.text)
    for path in ("/news.asp?id=1", "/news.asp?cat=1&page=9", "/news.asp?cat=7", "/vanban.asp"):
        r = fetch(base + path)
        assert r.status == 404 and "Không tìm thấy" in r.text
        assert soft_failure(r.body) == "soft404"  # recognised in windows-1258 too (served as a 200 by soft404 faults)


def test_news_site_urls_listing_and_pagination(sim_more):
    base = sim_more.base_urls["sim-baothanhhoa"]
    generic = get_platform("generic")
    truth = [t for t in sim_more.ground_truth() if t["portal"] == "sim-baothanhhoa"]
    assert len(truth) == 10
    for t in truth:
        assert re.fullmatch(re.escape(base) + r"/thoi-su/[a-z0-9]+(-[a-z0-9]+)+-\d{6}\.html", t["url"])
        assert generic.is_article_url(t["url"])
    assert fetch(base + "/robots.txt").text == "User-agent: *\nDisallow: /tim-kiem/\nDisallow: /admin/\n"
    listed = set()
    for path in ("/thoi-su/", "/thoi-su/trang-2.html", "/thoi-su/trang-3.html"):
        r = fetch(base + path)
        assert r.status == 200 and r.headers["Content-Type"] == "text/html; charset=utf-8"
        assert not generic.is_article_url(base + path)
        listed |= {urljoin(base, h) for h in r.sel.css("h3.story-title a::attr(href)").getall()}
    assert listed == {t["url"] for t in truth}
    home = fetch(base + "/")
    assert newest_first_truth(truth)[0]["title"] in norm(home.text)
    assert base + "/thoi-su/trang-2.html" in fetch(base + "/thoi-su/").sel.css("div.pagination a::attr(href)").getall()
    for path in ("/thoi-su/trang-4.html", "/thoi-su/trang-1.html", "/thoi-su/khong-co-bai-nay-123456.html", "/xa-hoi/"):
        assert fetch(base + path).status == 404, path
    # every same-host link of the home and listing pages answers (the generic spider follows them all)
    for page in ("/", "/thoi-su/"):
        for href in fetch(base + page).sel.css("a::attr(href)").getall():
            url = urljoin(base + page, href)
            if urlsplit(url).netloc == urlsplit(base).netloc:
                assert fetch(url).status == 200, url


def test_news_site_article_markup(sim_more):
    for t in (t for t in sim_more.ground_truth() if t["portal"] == "sim-baothanhhoa" and t["event"]):
        r = fetch(t["url"])
        sel = r.sel
        detail = sel.css("div.article-detail")
        assert norm(detail.css("h1.article-title::text").get()) == t["title"]
        assert re.fullmatch(r"Thứ \w+( \w+)?, \d\d/\d\d/\d{4} - \d\d:\d\d", norm(detail.css("span.article-time::text").get()))
        assert sel.css('meta[property="article:published_time"]::attr(content)').get().startswith(t["published_date"])
        sapo = detail.css("div.article-sapo::text").get()
        paragraphs = [norm(p) for p in detail.css("div.article-body > p").xpath("string()").getall()]
        assert "\n\n".join(([norm(sapo)] if sapo else []) + paragraphs) == t["body_text"]
        assert norm(detail.css("p.author strong::text").get()) == t["author"]
        assert [norm(c) for c in detail.css("figure.article-image figcaption::text").getall()] == [
            i["caption"] for i in t["images"] if i["caption"]]


@pytest.mark.parametrize("portal", ["sim-quangchau", "sim-baothanhhoa"])
def test_new_portal_pages_decode_to_the_article(sim_more, portal):
    """The bytes on the wire, through the real extractor with the registry entry: every field right."""
    keys = {a["key"] for a in ARTICLES_MORE}  # the filler is too short to count as an article
    truth = [t for t in sim_more.ground_truth() if t["portal"] == portal and t["story"] in keys]
    assert len(truth) == 6
    for t in truth:
        r = fetch(t["url"])
        record = extract_record(r.body, t["url"], portal=registry_portal(sim_more, portal))
        assert record["platform"] == PORTALS[portal].platform
        for field in ("title", "published_date", "author", "source", "body_text", "is_launch_report"):
            assert record[field] == t[field], (t["url"], field)
        assert [{"caption": i["caption"]} for i in record["images"]] == t["images"]
        if t["event"]:
            event = {k: v for k, v in record["event"].items() if k in t["event"]}
            assert event == t["event"], t["url"]


def newest_first_truth(truth):
    return sorted(truth, key=lambda t: (t["published_date"], t["url"]), reverse=True)
