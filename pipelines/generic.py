"""The generic extractor: article pages of templates no platform module knows.

Government and news sites are built on dozens of CMSs (Joomla, DotNetNuke, ASP.NET Web Forms,
VNPT/Viettel portals, PHP CMSs, Nuxt, old ASP table layouts with <font> soup). None is worth a
profile of its own, but their article pages share a layout, and that is what this module reads:

    … headline · date / byline / lead (the "head" of the article) · BODY · byline / source · related …

1. **Body**: the element that holds the most paragraph text (`pipelines.density`: paragraphs
   wherever they are, links not counted, a container over its page wrapper, boxes named as
   comments/related/ads discounted by `pipelines.boxes`, a body split across sibling blocks
   joined). Elements hidden by class ("hidden", "sr-only") go with those hidden by style.
2. **Headline**: the heading-like element nearest before the body's first sentence — <h1>–<h4>,
   an element classed "title"/"headline", or a bold run filling its line (legacy pages) — that is
   not itself a sentence (a lead in an <h2>), a date or a byline. One that repeats the page's
   og:title / JSON-LD headline / <title> wins over a nearer one, linked or not (themes link the
   headline to its permalink), and the site's name in "Headline | Site" does not. On pages whose
   markup marks nothing (an ASP.NET <span>), the plain line of its own nearest the body. Never
   the site's <title> when the page shows a headline; the <title> only when it shows none.
3. **Zones**: within the smallest element holding both headline and body, the blocks between them
   are the head (date lines, bylines "Viết bởi …", a lead sentence in an h2/div.sapo/summary —
   not the top picture's caption, not the points of a "Key points" list); the blocks after the
   body are its foot (author, "Nguồn:", "Theo …"), up to a related-news heading or long text.
4. The body's blocks, with the lead first and the foot's byline lines last, go through
   `pipelines.body.walk_blocks`, which pairs images with captions and splits the byline, exactly
   as for the known platforms.
5. **Date**: machine-readable first (article:published_time, itemprop datePublished, JSON-LD,
   <time datetime> in the head), then a date line in the head, at the top of the body, in the
   foot, above the headline within the article's block, then <meta name=pubdate|date>. Never the
   first date of the page, which is often today's date in a top bar or a sidebar's.

A listing page (linked headlines, each with its summary: `density.is_listing`) yields no body: it
is not an article. When no element holds enough paragraph text, or what the layout reader finds
is shorter than an article (a wrong block won), trafilatura is tried as a last resort.
"""
from __future__ import annotations

import copy
import json
import re

from .blocks import CAPTION_MAX, Block, body_blocks, document_order, smaller_than, tag_name
from .body import BOUNDARY_RE, byline_after, is_byline_line, walk_blocks
from .headline import common_ancestor, find_headline, title_from_meta
from .boxes import hidden_boxes, is_boilerplate_box
from .density import Density, is_listing, measure, sentence_like
from .vn.credits import (
    AUTHOR_PREFIX, SOURCE_PREFIX, UNIT_WORDS, is_account_name, is_name, several_names, split_byline, split_name_unit,
)
from .vn.dates import is_date_line, parse_page_date, strip_dates
from .text import clean_text, one_line

# Never article text: navigation, forms, embedded media.
_DROP_XPATH = (
    "//nav|//aside|//*[@role='navigation' or @role='complementary' or @role='search']"
    "|//select|//button|//input|//textarea|//iframe|//object|//embed|//svg|//canvas|//video|//audio"
    "|//*[@hidden]|//*[contains(translate(@style,' ',''),'display:none')]"
)
MIN_ARTICLE_CHARS = 200  # body text an article holds at least (extract_record rejects less)


def extract_generic(doc, url: str, html_text: str = "") -> dict | None:
    """Title, date, byline, body and images of an unknown template, or None when no element holds
    an article's worth of paragraphs."""
    meta = head_metadata(doc, html_text)
    root = copy.deepcopy(doc)
    for bad in root.xpath(_DROP_XPATH) + hidden_boxes(root):
        if bad.getparent() is not None:
            bad.drop_tree()
    density = measure(root)
    body_el = density.body
    order, end = document_order(root)
    if body_el is None:
        if is_listing(body_blocks(root, url, order, end)):
            return _no_article(None)
        return None
    core = body_blocks(body_el, url, order, end)
    start = _body_start(core)
    title_el = find_headline(root, order, start, meta, url)
    title = one_line(title_el.text_content()) if title_el is not None else title_from_meta(meta)
    if title_el is None and is_listing(body_blocks(root, url, order, end)):
        return _no_article(title)  # no headline to anchor the zones: judge the whole page

    scope = common_ancestor(title_el, body_el) if title_el is not None else body_el
    t_end = end[title_el] if title_el is not None else -1
    zone = body_blocks(scope, url, order, end, open_to=body_el, skip=body_el) if scope is not body_el else []
    head = [b for b in zone if t_end < b.pos < order[body_el]]
    foot = [b for b in zone if b.pos > end[body_el]]
    core_all = core
    core = [b for b in core if b.pos > t_end and not _boilerplate_inside(b.el, body_el, density)]
    if is_listing(head + core):  # teasers above a small block (a footer) that won the count
        return _no_article(title)

    dates: list[str | None] = [meta.get("published")]
    dates += [parse_page_date(t.get("datetime") or "") for t in root.xpath("//time[@datetime]")
              if t_end < order[t] < order[body_el]]
    lead, head_byline = _read_head(head, title, dates)
    core, core_byline = _read_body_top(core, title, dates)
    foot_byline = _read_foot(foot, dates)
    dates += _dates_above_headline(title_el, body_el, zone + core_all, order)
    dates.append(meta.get("pubdate"))

    parts = walk_blocks(lead + core + foot_byline)
    if len("\n\n".join(parts.paragraphs)) < MIN_ARTICLE_CHARS:
        return None  # less than an article: a wrong block won (the last resort may do better)
    author, source = _credits(parts, [core_byline, head_byline], scope if title_el is not None else None, meta)
    return {
        "title": title or None,
        "published_date": next((d for d in dates if d), None),
        "author": author,
        "source": source,
        "body_text": "\n\n".join(parts.paragraphs),
        "images": parts.images,
    }


def _dates_above_headline(title_el, body_el, blocks: list[Block], order: dict) -> list[str | None]:
    """A date line above the headline, inside the article's own block (category + date bars; the
    page's top bar and sidebars are outside that block), and a <time datetime> above the headline in
    the article's own box (EasyDNNnews' meta bar)."""
    t_start = order[title_el] if title_el is not None else -1
    dates = [parse_page_date(b.text) for b in sorted(blocks, key=lambda b: -b.pos)
             if b.pos < t_start and b.kind == "text" and is_date_line(b.text)]
    if title_el is not None:
        box = common_ancestor(title_el, body_el)
        if box.tag not in ("body", "html"):
            dates += [parse_page_date(t.get("datetime") or "") for t in box.iter("time")
                      if t.get("datetime") and order.get(t, 0) < t_start]
    return dates


def _credits(parts, byline_lines: list[list[str]], scope, meta: dict) -> tuple[str | None, str | None]:
    """Author and source: the body's credit lines, else the byline lines of the body's top and the
    head, else the credit printed after the article's box (a card's footer, outside the zones; only
    with a headline to bound the box), else <meta name=author> unless it names the outlet."""
    author, source = parts.author, parts.source
    for line_author, line_source in map(split_byline, byline_lines):
        author, source = author or line_author, source or line_source
    if author is None and source is None and scope is not None:
        author, source = byline_after(scope, 2)
    if author is None and meta.get("author"):
        candidate = meta["author"]
        if is_name(candidate) and not UNIT_WORDS.search(candidate) and not is_account_name(candidate):
            author = candidate
    return author, source


def _no_article(title: str | None) -> dict:
    """The fields of a page that holds no article (a listing): nothing to store."""
    return {"title": title or None, "published_date": None, "author": None, "source": None,
            "body_text": "", "images": []}


# --- the body ------------------------------------------------------------------------------------


def _boilerplate_inside(el, body_el, density: Density) -> bool:
    """A block of an advertisement, share bar or related box nested in the body element — unless
    that box holds most of the body's text: then it is the article, whatever its name."""
    node = el
    limit = 0.4 * density.held.get(body_el, 0)
    while node is not None and node is not body_el:
        if is_boilerplate_box(node) and density.held.get(node, 0) < max(limit, 1):
            return True
        node = node.getparent()
    return False


def _body_start(core: list[Block]) -> float:
    """Where the article's running text begins: its first sentence-like block."""
    for b in core:
        if b.kind == "text" and sentence_like(b.text) and not is_date_line(b.text):
            return b.pos
    return core[0].pos if core else float("inf")


# --- head, top of the body, foot -----------------------------------------------------------------


def _byline_text(text: str) -> str:
    """The line without its dates and the separators left around them ("13/04/2024 / Bởi X")."""
    return strip_dates(text).strip(" /") if parse_page_date(text) else text


def _date_line_writer(text: str) -> list[str]:
    """The writer a date line names ("09/08/2023 9:15:02 SA · Bùi Hằng", "Tác giả: Thu Hằng 08/11/2023
    | 16:40"), as a byline line, or nothing."""
    rest = _byline_text(text).strip(" -–—|·/")
    return [rest] if _is_credit(rest) else []


def _is_credit(text: str) -> bool:
    """A prefixed byline, a name, several names, or a name with its unit ("Quàng Thị Hiên (CTV)")."""
    if AUTHOR_PREFIX.match(text) or several_names(text):
        return True
    pair = split_name_unit(text)
    return bool(pair) or (is_name(text) and not UNIT_WORDS.search(text))


def _read_head(head: list[Block], title: str, dates: list) -> tuple[list[Block], list[str]]:
    """Lead blocks and byline lines between the headline and the body; dates go to `dates`. A
    picture between the headline and the body (a newspaper's top picture under the sapo, a legacy
    page's picture table above the text) goes with the lead, and so does the line under it when it
    is marked as a caption is (centered, italic, a caption class): `walk_blocks` pairs them."""
    lead, byline = [], []
    for i, b in enumerate(head):
        if b.kind == "image":
            if not (b.byline_hint or smaller_than(b.el, 100)):  # an avatar or a thumbnail
                lead.append(b)
            continue
        if b.text == title:
            continue
        text = b.text
        if (i and lead and lead[-1] is head[i - 1] and head[i - 1].kind == "image" and len(text) <= CAPTION_MAX
                and (b.centered or b.emphasis_only or b.caption_hint or b.caption_box)):
            lead.append(b)
            continue
        # a meta line that is date and byline at once ("11/05/2023 bởi Lê Văn Nam"): the byline
        # is what the date leaves
        bare = _byline_text(text) if len(text) <= 120 else text
        if any(prefix.match(line) for prefix in (AUTHOR_PREFIX, SOURCE_PREFIX) for line in (text, bare)):
            dates.append(parse_page_date(text))
            byline.append(bare)
        elif is_date_line(text) or (len(text) <= 120 and parse_page_date(text) and _date_line_writer(text)):
            # a date line, or a meta line of a credit and a date ("Minh Tuấn (Trung tâm …) · 25/08/2023")
            dates.append(parse_page_date(text))
            byline += _date_line_writer(text)
        elif b.byline_hint and len(text) <= 80:
            rest = _byline_text(text).strip(" -–—|·/")
            dates.append(parse_page_date(text))
            if _is_credit(rest) or is_account_name(rest):
                byline.append(rest)
        elif sentence_like(text) and b.link_ratio < 0.3 and len(text) >= 50 and not _not_a_lead(b):
            lead.append(b)
    return lead, byline


def _not_a_lead(b: Block) -> bool:
    """A sentence above the body that is no lead: a picture's caption (the top image's box, a
    caption class), or a point of a bulleted summary ("Key points" lists: a lead is one paragraph)."""
    return b.caption_hint or b.caption_box or tag_name(b.el) == "li"


def _read_body_top(core: list[Block], title: str, dates: list) -> tuple[list[Block], list[str]]:
    """Legacy pages keep headline, date line and byline inside the body's own cell: drop the
    repeated headline and date lines, and take prefixed byline lines, before the first sentence."""
    out, byline = [], []
    started = False
    for b in core:
        if not started and b.kind == "text":
            if b.text == title:
                continue
            if is_date_line(b.text):
                dates.append(parse_page_date(b.text))
                byline += _date_line_writer(b.text)
                continue
            if (AUTHOR_PREFIX.match(b.text) or SOURCE_PREFIX.match(b.text)) and is_byline_line(b):
                byline.append(_byline_text(b.text))
                continue
            if b.bold_only and len(b.text) <= 60 and _is_credit(b.text):
                byline.append(b.text)  # a bold name opening the body: the writer, not a paragraph
                continue
            started = sentence_like(b.text)
        out.append(b)
    return out, byline


def _read_foot(foot: list[Block], dates: list) -> list[Block]:
    """Byline lines after the body (author, source), up to a related-news heading or long text."""
    lines = []
    for b in foot:
        if b.kind != "text":
            continue
        if len(b.text) <= 60 and BOUNDARY_RE.match(b.text):
            break
        if b.link_ratio >= 0.5:
            continue  # "In bài", share buttons
        if (AUTHOR_PREFIX.match(b.text) or SOURCE_PREFIX.match(b.text)) and parse_page_date(b.text):
            # "Người viết: Hà Linh | Ngày đăng: 13/05/2022": the date, then the byline without it
            dates.append(parse_page_date(b.text))
            b.text = _byline_text(b.text)
        if is_date_line(b.text):
            dates.append(parse_page_date(b.text))
            continue
        if is_byline_line(b):
            b.byline_hint = True
            lines.append(b)
        elif len(b.text) > 200 or sentence_like(b.text):
            break
    return lines


# --- metadata ------------------------------------------------------------------------------------


def _first(doc, xpath: str) -> str | None:
    for value in doc.xpath(xpath):
        value = clean_text(value if isinstance(value, str) else value.text_content())
        if value:
            return " ".join(value.split())
    return None


_LD_JSON = re.compile(r"<script[^>]+application/ld\+json[^>]*>(.*?)</script>", re.I | re.S)


def _json_ld(html_text: str) -> dict:
    """headline, datePublished and author of the first Article-like JSON-LD object."""
    for raw in _LD_JSON.findall(html_text or ""):
        try:
            data = json.loads(raw.strip())
        except ValueError:
            continue
        items = data if isinstance(data, list) else data.get("@graph", [data]) if isinstance(data, dict) else []
        for item in items:
            if isinstance(item, dict) and ("headline" in item or "datePublished" in item):
                author = item.get("author")
                if isinstance(author, list):
                    author = author[0] if author else None
                if isinstance(author, dict):
                    author = author.get("name")
                return {"headline": item.get("headline"), "date": item.get("datePublished"),
                        "author": author if isinstance(author, str) else None}
    return {}


def head_metadata(doc, html_text: str = "") -> dict:
    ld = _json_ld(html_text)
    lower = "translate(@{0},'ABCDEFGHIJKLMNOPQRSTUVWXYZ','abcdefghijklmnopqrstuvwxyz')"
    published = _first(doc, (
        "//meta[@property='article:published_time' or @name='article:published_time']/@content"
        "|//*[@itemprop='datePublished']/@content|//*[@itemprop='datePublished']/@datetime"
    )) or ld.get("date")
    pubdate = _first(doc, "//meta[{0}='pubdate' or {0}='publishdate' or {0}='date' or {0}='dc.date'"
                          " or {0}='dc.date.issued' or {0}='citation_publication_date']/@content".format(lower.format("name")))
    return {
        "og_title": _first(doc, "//meta[@property='og:title']/@content"),
        "ld_headline": clean_text(ld.get("headline") or "") or None,
        "head_title": _first(doc, "//title"),
        "published": parse_page_date(published or ""),
        "pubdate": parse_page_date(pubdate or ""),
        "author": clean_text(ld.get("author") or "") or _first(doc, "//meta[@name='author']/@content"),
    }


# --- last resort ---------------------------------------------------------------------------------


def trafilatura_fields(html_text: str, doc, url: str) -> dict:
    """trafilatura's main text, for pages where no element holds an article's worth of paragraphs."""
    import trafilatura

    result = trafilatura.bare_extraction(
        html_text, url=url, with_metadata=True, include_comments=False, include_tables=False,
        include_images=False, favor_precision=True, deduplicate=False,
    )
    data = result.as_dict() if hasattr(result, "as_dict") else (result or {})
    paragraphs = [one_line(p) for p in (data.get("text") or "").split("\n") if one_line(p)]
    h1 = doc.xpath("//h1")
    title = one_line(h1[0].text_content()) if h1 else one_line(data.get("title") or "")
    if paragraphs and paragraphs[0] == title:
        paragraphs = paragraphs[1:]
    author = clean_text(data.get("author") or "") or None
    return {
        "title": title or None,
        "published_date": parse_page_date(data.get("date") or ""),
        "author": None if author and is_account_name(author) else author,
        "source": None,
        "body_text": "\n\n".join(paragraphs),
        "images": [],
    }
