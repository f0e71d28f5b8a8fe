"""The opt-in simulated sites no crawler module was written for (portalsim/shapeless.py).

Each site serves its articles at the URL shape its docstring states, links every article exactly
as described (paginated home, sitemap only, "Tin mới" box + category tree, listings that share
the articles' URL shape), answers 404 for anything else, and wears no telltale class name. The
default Simulator() is untouched: same six portals, same 64 articles.
"""
from __future__ import annotations

import re
import subprocess
import sys
import unicodedata
import urllib.error
import urllib.request
import xml.etree.ElementTree as ET
from collections import Counter, deque
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
from parsel import Selector

from portalsim import PORTALS, SHAPELESS, SHAPELESS_PORTALS, FaultPlan, Simulator, soak_articles
from portalsim.articles import SHAPELESS_ARTICLES
from portalsim.server import ALL_PORTALS, RENDERERS
from portalsim.shapeless import MIXED_HOME, MIXED_PER_PAGE, SHORTURL_PER_PAGE, TINMOI_BOX, TINMOI_LEAVES, TINMOI_PER_PAGE

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_PORTALS = ["sim-quanson", "sim-samson", "sim-krongpac", "sim-dongvan", "sim-quangchau", "sim-baothanhhoa"]
SHAPES = {
    "sim-shorturl": re.compile(r"/a/h\d{2,}\.html"),
    "sim-sitemaponly": re.compile(r"/p/[a-z]{6}"),
    "sim-tinmoi": re.compile(r"/n/\d+"),
    "sim-mixed": re.compile(r"/x/\d+\.html"),
}
TELLTALE = re.compile(r"article|content|news|post|entry|story|title|date|author|byline|detail", re.I)
SITEMAP_NS = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
SOAK = soak_articles(40, seed=5, base=SHAPELESS_ARTICLES)  # every listing paginates


# ------------------------------------------------------------------------------------------------
# HTTP helpers
# ------------------------------------------------------------------------------------------------

_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


class Fetched:
    def __init__(self, status, headers, body):
        self.status, self.headers, self.body = status, headers, body

    @property
    def text(self) -> str:
        return self.body.decode("utf-8")

    @property
    def sel(self) -> Selector:
        return Selector(text=self.text)


def fetch(url: str, headers: dict | None = None, method: str = "GET") -> Fetched:
    req = urllib.request.Request(url, headers=headers or {}, method=method)
    try:
        with _OPENER.open(req, timeout=10) as resp:
            return Fetched(resp.status, resp.headers, resp.read())
    except urllib.error.HTTPError as err:
        return Fetched(err.code, err.headers, err.read())


def path_of(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def page_links(sel: Selector, page_url: str, base: str, within: str | None = None) -> list[str]:
    """Same-host links of a page (or of the element matched by `within`), absolute, in order."""
    scope = sel.css(within) if within else [sel]
    hrefs = [h for s in scope for h in s.css("a::attr(href)").getall()]
    out = []
    for href in hrefs:
        url = urljoin(page_url, href)
        if url.startswith(base + "/") or url == base:
            out.append(url)
    return out


def sitemap_locs(base: str) -> tuple[list[str], list[str]]:
    """(child sitemaps, page URLs) reached from the Sitemap: lines of robots.txt."""
    robots = fetch(base + "/robots.txt").text
    queue = deque(line.split(":", 1)[1].strip() for line in robots.splitlines() if line.lower().startswith("sitemap:"))
    maps, pages = [], []
    while queue:
        url = queue.popleft()
        maps.append(url)
        r = fetch(url)
        assert r.status == 200 and r.headers.get_content_type() in ("application/xml", "text/xml"), url
        root = ET.fromstring(r.body)
        locs = [el.text.strip() for el in root.iter(SITEMAP_NS + "loc")]
        if root.tag == SITEMAP_NS + "sitemapindex":
            queue.extend(locs)
        else:
            assert root.tag == SITEMAP_NS + "urlset"
            pages += locs
    return maps, pages


def crawl(base: str, seeds: list[str]) -> dict[str, Fetched]:
    """Every same-host HTML page reachable from the seeds by links, robots.txt's /admin/ left out."""
    seen: dict[str, Fetched] = {}
    queue = deque(seeds)
    while queue:
        url = queue.popleft().split("#")[0]
        if url in seen or path_of(url).startswith("/admin/") or re.search(r"\.(jpg|css)$", urlsplit(url).path):
            continue
        r = fetch(url)
        seen[url] = r
        if r.status == 200 and r.headers.get_content_type() == "text/html":
            queue.extend(page_links(r.sel, url, base))
    return seen


# ------------------------------------------------------------------------------------------------
# Fixtures
# ------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sim():
    with Simulator(portals=SHAPELESS) as simulator:
        yield simulator


@pytest.fixture(scope="module", params=["bundled", "soak"])
def any_sim(request):
    """The bundled content, and 40 articles (soak copies) so that every listing paginates."""
    articles = None if request.param == "bundled" else SOAK
    with Simulator(articles, portals=SHAPELESS) as simulator:
        yield simulator


def truth_of(simulator, portal: str) -> list[dict]:
    return [t for t in simulator.ground_truth() if t["portal"] == portal]


def newest_first(simulator, portal: str) -> list[str]:
    """Article URLs of a portal, newest first (the order every listing uses)."""
    return [simulator.url_for(a["key"]) for a in simulator.sites[portal].articles]


# ------------------------------------------------------------------------------------------------
# The default simulator is unchanged; the new sites are opt-in
# ------------------------------------------------------------------------------------------------


def test_default_simulator_unchanged():
    assert list(PORTALS) == DEFAULT_PORTALS
    sim = Simulator()
    assert list(sim.portals) == DEFAULT_PORTALS
    assert len(sim.articles) == 64
    assert not {a["portal"] for a in sim.articles} & set(SHAPELESS)
    with sim:
        assert list(sim.sites) == DEFAULT_PORTALS
        assert [type(s).__name__ for s in sim.sites.values()] == [
            "SharePointSite", "SharePointSite", "LiferaySite", "WordPressSite", "LegacySite", "NewsPortalSite"]
        assert len(sim.ground_truth()) == 64


def test_opt_in():
    assert list(SHAPELESS) == ["sim-shorturl", "sim-sitemaponly", "sim-tinmoi", "sim-mixed"]
    assert not set(SHAPELESS) & set(PORTALS)
    assert list(ALL_PORTALS) == DEFAULT_PORTALS + list(SHAPELESS)
    both = Simulator(extra_portals=SHAPELESS)
    assert list(both.portals) == DEFAULT_PORTALS + list(SHAPELESS)
    assert len(both.articles) == 64 + len(SHAPELESS_ARTICLES)
    only = Simulator(portals=SHAPELESS)
    assert list(only.portals) == list(SHAPELESS)
    assert [a["key"] for a in only.articles] == [a["key"] for a in SHAPELESS_ARTICLES]
    one = Simulator(portals=["sim-mixed"])
    assert {a["portal"] for a in one.articles} == {"sim-mixed"}
    for name, portal in SHAPELESS_PORTALS.items():
        assert portal.platform == "generic" and portal.renderer in RENDERERS
    with pytest.raises(ValueError, match="not served"):
        Simulator(SHAPELESS_ARTICLES)  # their portals must be asked for
    with pytest.raises(ValueError, match="unknown portal"):
        Simulator(portals=["sim-nowhere"])
    with pytest.raises(ValueError, match="unknown portal"):
        Simulator([dict(SHAPELESS_ARTICLES[0], portal="sim-nowhere")], portals=SHAPELESS)


def test_both_sets_served_together():
    with Simulator(extra_portals=SHAPELESS) as sim:
        assert len(set(sim.base_urls.values())) == 10
        truth = sim.ground_truth()
        assert len(truth) == 64 + len(SHAPELESS_ARTICLES)
        for t in truth:
            if t["portal"] in SHAPELESS:
                assert SHAPES[t["portal"]].fullmatch(path_of(t["url"])), t["url"]
                assert fetch(t["url"]).status == 200


# ------------------------------------------------------------------------------------------------
# Content
# ------------------------------------------------------------------------------------------------


def test_articles_module():
    keys = [a["key"] for a in SHAPELESS_ARTICLES]
    assert len(keys) == len(set(keys)) and 8 <= len(keys) <= 16
    per_portal = Counter(a["portal"] for a in SHAPELESS_ARTICLES)
    assert set(per_portal) == set(SHAPELESS) and min(per_portal.values()) >= 2
    assert per_portal["sim-tinmoi"] > TINMOI_BOX  # some of its articles are only in the category tree
    launches = [a for a in SHAPELESS_ARTICLES if a["is_launch_report"]]
    assert 4 <= len(launches) < len(SHAPELESS_ARTICLES)
    event_keys = {"event_date", "units", "district", "province", "board_size", "officials", "slogans", "documents"}
    for a in SHAPELESS_ARTICLES:
        for text in [a["title"], *(a["paragraphs"]), a.get("lead") or "", a.get("author") or ""]:
            assert text == unicodedata.normalize("NFC", text) and text == text.strip() and "  " not in text
        if a["is_launch_report"]:
            ev = a["event"]
            assert set(ev) == event_keys, a["key"]
            assert ev["event_date"] <= a["published"][:10]
            assert all(u.split()[0] in ("xã", "phường", "thị trấn") for u in ev["units"])
            body = " ".join([a.get("lead") or "", *a["paragraphs"]])
            for unit in ev["units"]:
                assert unit.split(" ", 1)[1] in body
            for official in ev["officials"]:
                assert official["name"] in body and official["name"] != a["author"]
            for code in ev["documents"]:
                assert code in body
            assert ev["district"].split(" ", 1)[1] in body and ev["province"] in body  # no registry to fall back on
        else:
            assert a["event"] is None


def test_ground_truth(sim):
    truth = sim.ground_truth()
    assert [t["story"] for t in truth] == [a["key"] for a in SHAPELESS_ARTICLES]
    for t, a in zip(truth, SHAPELESS_ARTICLES):
        assert t["portal"] == a["portal"] and t["platform"] == "generic"
        assert t["url"].startswith(sim.base_urls[a["portal"]] + "/")
        assert t["published_date"] == a["published"][:10]
        assert t["body_text"].endswith(a["paragraphs"][-1])
        assert t["event"] == a["event"]


# ------------------------------------------------------------------------------------------------
# Every page: shapes, headline/date/paragraphs/byline, no telltale markup
# ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("portal", SHAPELESS)
def test_article_pages(sim, portal):
    truth = truth_of(sim, portal)
    others = set(newest_first(sim, portal))
    for t in truth:
        assert SHAPES[portal].fullmatch(path_of(t["url"])), t["url"]
        r = fetch(t["url"])
        assert r.status == 200 and r.headers.get_content_type() == "text/html"
        assert r.headers["ETag"] and r.headers["Last-Modified"]
        sel = r.sel
        headings = [" ".join(h.css("::text").getall()).strip() for h in sel.css("h1, h2, h3")]
        assert t["title"] in headings
        text = " ".join(sel.css("body ::text").getall())
        day = t["published_date"]
        assert f"{day[8:10]}/{day[5:7]}/{day[:4]}" in text or f"ngày {day[8:10]} tháng {day[5:7]} năm {day[:4]}" in text
        paragraphs = [p.strip() for p in sel.css("p::text").getall()]
        for paragraph in t["body_text"].split("\n\n"):
            assert paragraph in paragraphs or paragraph in text
        assert t["author"] in text
        if t["source"]:
            assert t["source"] in text
        for image in t["images"]:
            assert image["caption"] is None or image["caption"] in text
        assert "Tin khác" in text and "Trang chủ" in text  # the box and the menu
        box = set(page_links(sel, t["url"], sim.base_urls[portal])) & others
        assert box and t["url"] not in box


def test_no_telltale_markup(sim):
    for portal in SHAPELESS:
        base = sim.base_urls[portal]
        seeds = [base + "/"] + (sitemap_locs(base)[1] if portal == "sim-sitemaponly" else [])
        pages = crawl(base, seeds)
        assert len(pages) >= len(truth_of(sim, portal)) + 3
        for url, r in pages.items():
            assert r.status == 200, url
            sel = r.sel
            names = sel.xpath("//@class | //@id").getall()
            bad = [n for n in names if TELLTALE.search(n)]
            assert not bad, (url, bad)
            assert not sel.xpath("//article | //main | //time | //meta[starts-with(@property, 'og:')] | //script[@type='application/ld+json']"), url
            assert not sel.css("link[rel=alternate], link[rel=canonical]"), url


@pytest.mark.parametrize("portal", SHAPELESS)
def test_other_pages_are_not_articles(sim, portal):
    site = sim.sites[portal]
    articles = set(newest_first(sim, portal))
    others = site.non_article_urls()
    assert not set(others) & articles
    for url in others:
        r = fetch(url)
        assert r.status == 200, url
        assert not r.headers.get("ETag")  # validators are for article pages
    # the two other pages (Giới thiệu, Liên hệ) have text, and the articles' URL shape where the site has one for all
    statics = [sim.base_urls[portal] + p for p in site.others]
    assert len(statics) == 2
    for url in statics:
        text = " ".join(fetch(url).sel.css("p::text").getall())
        assert len(text) > 150
        if portal != "sim-shorturl":
            assert SHAPES[portal].fullmatch(path_of(url)), url
        else:
            assert re.fullmatch(r"/a/t\d{2}\.html", path_of(url))


# ------------------------------------------------------------------------------------------------
# Reachability: every article from "/" (or the sitemap), by following links, exactly as described
# ------------------------------------------------------------------------------------------------


def test_every_article_reachable(any_sim):
    for portal in SHAPELESS:
        base = any_sim.base_urls[portal]
        site = any_sim.sites[portal]
        articles = set(newest_first(any_sim, portal))
        seeds = [base + "/"]
        if portal == "sim-sitemaponly":
            seeds += sitemap_locs(base)[1]
        pages = crawl(base, seeds)
        assert {u for u, r in pages.items() if r.status != 200} == set(), portal  # no broken link anywhere
        assert set(pages) == articles | set(site.non_article_urls()), portal


def test_shorturl(any_sim):
    portal, base = "sim-shorturl", any_sim.base_urls["sim-shorturl"]
    order = newest_first(any_sim, portal)
    assert [path_of(u) for u in reversed(order)] == [f"/a/h{n:02d}.html" for n in range(1, len(order) + 1)]
    pages = -(-len(order) // SHORTURL_PER_PAGE)
    assert pages >= 2
    listed = []
    for n in range(1, pages + 1):
        url = base + ("/" if n == 1 else f"/?page={n}")
        r = fetch(url)
        assert r.status == 200
        links = page_links(r.sel, url, base)
        listed += [u for u in dict.fromkeys(links) if u in set(order)]
        pagination = {path_of(u) for u in links if path_of(u).startswith("/?") or path_of(u) == "/"}
        assert pagination <= {"/"} | {f"/?page={k}" for k in range(2, pages + 1)}
        assert n == pages or f"/?page={n + 1}" in pagination
    assert listed == order  # each article once, newest first
    assert fetch(base + "/?page=1").body == fetch(base + "/").body
    for bad in (f"/?page={pages + 1}", "/?page=0", "/?page=-1"):
        assert fetch(base + bad).status == 404, bad


def test_sitemaponly(any_sim):
    portal, base = "sim-sitemaponly", any_sim.base_urls["sim-sitemaponly"]
    order = newest_first(any_sim, portal)
    robots = fetch(base + "/robots.txt").text
    assert f"Sitemap: {base}/sitemap.xml" in robots.splitlines()
    home = crawl(base, [base + "/"])  # the home page and what it links: no article at all
    assert not set(home) & set(order)
    assert set(home) == set(any_sim.sites[portal].non_article_urls())
    maps, locs = sitemap_locs(base)
    assert maps == [f"{base}/sitemap.xml", f"{base}/sitemap-1.xml", f"{base}/sitemap-2.xml"]
    assert sorted(u for u in locs if u in set(order)) == sorted(order)
    assert Counter(locs).most_common(1)[0][1] == 1  # each URL once
    index = ET.fromstring(fetch(base + "/sitemap.xml").body)
    assert index.tag == SITEMAP_NS + "sitemapindex"
    children = [set(sitemap_urls(base + f"/sitemap-{n}.xml")) & set(order) for n in (1, 2)]
    assert children[0] and children[1] and not children[0] & children[1]
    newest = ET.fromstring(fetch(base + "/sitemap-2.xml").body)
    assert all(u.find(SITEMAP_NS + "lastmod") is not None for u in newest.iter(SITEMAP_NS + "url"))


def sitemap_urls(url: str) -> list[str]:
    return [el.text for el in ET.fromstring(fetch(url).body).iter(SITEMAP_NS + "loc")]


def test_tinmoi(any_sim):
    portal, base = "sim-tinmoi", any_sim.base_urls["sim-tinmoi"]
    site = any_sim.sites[portal]
    order = newest_first(any_sim, portal)
    home = fetch(base + "/").sel
    home_articles = [u for u in page_links(home, base + "/", base) if u in set(order)]
    assert home_articles == order[:TINMOI_BOX]  # only the "Tin mới" box links articles
    box = page_links(home, base + "/", base, within="div.k-2")
    assert box == order[:TINMOI_BOX] and "Tin mới" in home.css("div.k-2 ::text").getall()
    assert len(order) > TINMOI_BOX
    menu = {path_of(u) for u in page_links(home, base + "/", base)} - {path_of(u) for u in order}
    assert {"/c/1", "/c/4"} <= menu and not {p for p in menu if p.startswith("/c/1/")}
    branch = fetch(base + "/c/1")
    assert branch.status == 200
    links = page_links(branch.sel, base + "/c/1", base)
    assert not set(links) & set(order) and {base + "/c/1/2", base + "/c/1/3"} <= set(links)
    listed = []
    for leaf in TINMOI_LEAVES:
        members = [u for u in order if site.leaf_of[site.by_path[path_of(u)]["key"]] == leaf]
        pages = max(1, -(-len(members) // TINMOI_PER_PAGE))
        on_leaf = []
        for n in range(1, pages + 1):
            url = base + f"/c/{leaf}" + (f"?page={n}" if n > 1 else "")
            r = fetch(url)
            assert r.status == 200, url
            links = page_links(r.sel, url, base)
            on_leaf += [u for u in dict.fromkeys(links) if u in set(order)]  # a leaf links its own articles only
            if n < pages:
                assert base + f"/c/{leaf}?page={n + 1}" in links
        assert on_leaf == members, leaf
        listed += on_leaf
        assert fetch(base + f"/c/{leaf}?page={pages + 1}").status == 404
    assert sorted(listed) == sorted(order)
    only_tree = set(order) - set(order[:TINMOI_BOX])
    assert only_tree and only_tree <= set(listed)
    if len(order) > 2 * TINMOI_PER_PAGE:  # a leaf paginates
        assert any(fetch(base + f"/c/{leaf}?page=2").status == 200 for leaf in TINMOI_LEAVES)


def test_mixed(any_sim):
    portal, base = "sim-mixed", any_sim.base_urls["sim-mixed"]
    site = any_sim.sites[portal]
    order = newest_first(any_sim, portal)
    listings = [u for u in site.non_article_urls() if u != base + "/"]
    # articles, listing pages and the other pages: one URL shape, one number range
    for url in order + listings:
        assert SHAPES[portal].fullmatch(path_of(url)), url
    home = fetch(base + "/").sel
    home_links = page_links(home, base + "/", base)
    assert [u for u in dict.fromkeys(home_links) if u in set(order)] == order[:MIXED_HOME]
    first = site.listing_paths[("tin-tuc", 1)]
    assert base + first in home_links
    listed, url, seen_pages = [], base + first, 0
    while url:
        r = fetch(url)
        assert r.status == 200 and "Tin tức - Sự kiện" in r.text
        seen_pages += 1
        links = page_links(r.sel, url, base)
        listed += [u for u in dict.fromkeys(links) if u in set(order)]
        nxt = r.sel.xpath("//a[contains(., 'Trang sau')]/@href").get()
        url = urljoin(url, nxt) if nxt else None
        if url:
            assert SHAPES[portal].fullmatch(path_of(url)) and url not in order
    assert listed == order and seen_pages == -(-len(order) // MIXED_PER_PAGE)
    assert seen_pages >= 2


# ------------------------------------------------------------------------------------------------
# 404s, robots.txt, validators, stability, faults, the command line
# ------------------------------------------------------------------------------------------------

UNKNOWN = {
    "sim-shorturl": ["/a/h99.html", "/a/h1.html", "/a/x01.html", "/a/", "/a/h01", "/sitemap.xml", "/?page=99"],
    "sim-sitemaponly": ["/p/zzzzzq", "/p/", "/p/abc", "/sitemap-3.xml", "/sitemap_index.xml"],
    "sim-tinmoi": ["/n/1", "/n/", "/n/abc", "/c/2", "/c/1/9", "/c/1/2/3", "/c/", "/c/1/2?page=99", "/sitemap.xml"],
    "sim-mixed": ["/x/1.html", "/x/99999.html", "/x/", "/x/abc.html", "/sitemap.xml"],
}


@pytest.mark.parametrize("portal", SHAPELESS)
def test_unknown_paths_404(sim, portal):
    base = sim.base_urls[portal]
    for path in UNKNOWN[portal] + ["/nope", "/nope.html", "/feed/", "/rss", "/admin.php", "/index.php"]:
        assert path_of(base + path) not in {path_of(u) for u in newest_first(sim, portal) + sim.sites[portal].non_article_urls()}
        r = fetch(base + path)
        assert r.status == 404, path
        assert "Không tìm thấy trang" in r.text and sim.portals[portal].display_name in r.text


@pytest.mark.parametrize("portal", SHAPELESS)
def test_robots(sim, portal):
    lines = fetch(sim.base_urls[portal] + "/robots.txt").text.splitlines()
    assert "User-agent: *" in lines and "Disallow: /admin/" in lines
    assert [line for line in lines if line.startswith("Disallow")] == ["Disallow: /admin/"]
    assert any(line.startswith("Sitemap:") for line in lines) == (portal == "sim-sitemaponly")


@pytest.mark.parametrize("portal", SHAPELESS)
def test_conditional_get(sim, portal):
    url = newest_first(sim, portal)[0]
    first = fetch(url)
    again = fetch(url, {"If-None-Match": first.headers["ETag"]})
    assert again.status == 304 and again.body == b""
    assert fetch(url, method="HEAD").status == 200


def test_urls_stable():
    with Simulator(portals=SHAPELESS) as one, Simulator(portals=SHAPELESS) as two:
        paths = {a["key"]: path_of(one.url_for(a["key"])) for a in one.articles}
        assert paths == {a["key"]: path_of(two.url_for(a["key"])) for a in two.articles}
        assert fetch(one.url_for("lacson-an-nghia-2021")).body.replace(one.base_urls["sim-tinmoi"].encode(), b"") == \
            fetch(two.url_for("lacson-an-nghia-2021")).body.replace(two.base_urls["sim-tinmoi"].encode(), b"")
    portal_of = {a["key"]: a["portal"] for a in SHAPELESS_ARTICLES}
    with Simulator(SOAK, portals=SHAPELESS) as more:
        for key, path in paths.items():
            if portal_of[key] != "sim-shorturl":  # hashed URLs do not move when articles are added
                assert path_of(more.url_for(key)) == path, key


def test_faults_apply():
    plan = FaultPlan(rate=1.0, kinds=["http503"], seed=1, max_per_url=1)
    with Simulator(portals=SHAPELESS, faults=plan) as sim:
        for portal in SHAPELESS:
            url = newest_first(sim, portal)[0]
            assert fetch(url).status == 503
            assert fetch(url).status == 200


def test_main_module_shapeless_flag():
    proc = subprocess.Popen([sys.executable, "-m", "portalsim", "--shapeless"], cwd=ROOT, stdout=subprocess.PIPE, text=True)
    try:
        lines = [proc.stdout.readline() for _ in range(10)]
        names = [line.split()[0] for line in lines]
        assert names == DEFAULT_PORTALS + list(SHAPELESS)
        url = re.search(r"http://127\.0\.0\.1:\d+", lines[-1]).group(0)
        assert fetch(url + "/").status == 200
    finally:
        proc.terminate()
        proc.wait(timeout=10)
