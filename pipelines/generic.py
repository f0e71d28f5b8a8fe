"""The generic extractor: article pages of templates no platform module knows.

Government and news sites are built on dozens of CMSs (Joomla, DotNetNuke, ASP.NET Web Forms,
VNPT/Viettel portals, PHP CMSs, Nuxt, old ASP table layouts with <font> soup). None is worth a
profile of its own, but their article pages share a layout, and that is what this module reads:

    … headline · date / byline / lead (the "head" of the article) · BODY · byline / source · related …

1. **Body**: the element that holds the most paragraph text (`densest_container`). Paragraph text
   is counted wherever it is: <p>, text-only <div>/<td>, and <br>-separated runs inside a <font> or
   a table cell; text inside links does not count, so menus and related lists never win.
   Paragraphs credit their container fully and, when it holds two or more, its parent by half, so
   the body's own element wins over the page wrapper around it and a column of one-summary teaser
   boxes never adds up to an article. Boxes named as comments, related news, share bars or ads are
   discounted; a body split across sibling blocks (around an advertisement) is their parent.
2. **Headline**: the heading-like element nearest before the body's first sentence — <h1>–<h4>,
   an element classed "title"/"headline", or a bold run filling its line (legacy pages) — that is
   not itself a sentence (a lead in an <h2>), a date or a byline. One that repeats the page's
   og:title / JSON-LD headline / <title> wins over a nearer one. On pages whose markup marks
   nothing (an ASP.NET <span>), the plain line of its own nearest the body. Never the site's
   <title> when the page shows a headline; the <title> only when it shows none.
3. **Zones**: within the smallest element holding both headline and body, the blocks between them
   are the head (date lines, bylines "Viết bởi …", a lead sentence in an h2/div.sapo/summary);
   the blocks after the body are its foot (author, "Nguồn:", "Theo …"), up to a related-news
   heading or long text.
4. The body's blocks, with the lead first and the foot's byline lines last, go through
   `pipelines.body.walk_blocks`, which pairs images with captions and splits the byline, exactly
   as for the known platforms.
5. **Date**: machine-readable first (article:published_time, itemprop datePublished, JSON-LD,
   <time datetime> in the head), then a date line in the head, at the top of the body, in the
   foot, above the headline within the article's block, then <meta name=pubdate|date>. Never the
   first date of the page, which is often today's date in a top bar or a sidebar's.

A listing page (linked headlines, each with its summary) yields no body: it is not an article.
When no element holds enough paragraph text, trafilatura is tried as a last resort.
"""
from __future__ import annotations

import copy
import json
import re

from .body import (
    AUTHOR_PREFIX, BOUNDARY_RE, SOURCE_PREFIX, UNIT_WORDS, Block, body_blocks, document_order,
    is_account_name, is_byline_line, is_name, split_byline, split_name_unit, walk_blocks,
)
from .pagedate import is_date_line, parse_page_date, strip_dates
from .text import clean_text, fold, one_line

# Elements that start a new block of text (anything else is inline: a, b, font, span …).
_BLOCK_TAGS = {
    "p", "div", "td", "th", "tr", "tbody", "thead", "table", "li", "ul", "ol", "dl", "dd", "dt", "section",
    "article", "main", "blockquote", "pre", "figure", "figcaption", "header", "footer", "form", "center",
    "body", "html", "h1", "h2", "h3", "h4", "h5", "h6", "address", "nav", "aside", "hr",
}
# Never article text: navigation, forms, embedded media.
_DROP_XPATH = (
    "//nav|//aside|//*[@role='navigation' or @role='complementary' or @role='search']"
    "|//select|//button|//input|//textarea|//iframe|//object|//embed|//svg|//canvas|//video|//audio"
    "|//*[@hidden]|//*[contains(translate(@style,' ',''),'display:none')]"
)
_HEADLINE_NAMES = re.compile(r"title|headline|tieu-?de|heading", re.I)
_MIN_RUN = 25          # characters: shorter runs are labels, menu items, dates
_MIN_BODY_SCORE = 140  # paragraph characters an article body holds at least
_TITLE_MIN, _TITLE_MAX = 15, 300


def extract_generic(doc, url: str, html_text: str = "") -> dict | None:
    """Title, date, byline, body and images of an unknown template, or None when no element holds
    an article's worth of paragraphs."""
    meta = head_metadata(doc, html_text)
    root = copy.deepcopy(doc)
    for bad in root.xpath(_DROP_XPATH):
        if bad.getparent() is not None:
            bad.drop_tree()
    body_el = densest_container(root)
    order, end = document_order(root)
    if body_el is None:
        if _is_listing(body_blocks(root, url, order, end)):
            return _no_article(None)
        return None
    core = body_blocks(body_el, url, order, end)
    start = _body_start(core)
    title_el = find_headline(root, order, start, meta)
    title = one_line(title_el.text_content()) if title_el is not None else _title_from_meta(meta)

    scope = _common_ancestor(title_el, body_el) if title_el is not None else body_el
    t_end = end[title_el] if title_el is not None else -1
    zone = body_blocks(scope, url, order, end, open_to=body_el) if scope is not body_el else []
    head = [b for b in zone if t_end < b.pos < order[body_el]]
    foot = [b for b in zone if b.pos > end[body_el]]
    core_all = core
    core = [b for b in core if b.pos > t_end and not _boilerplate_inside(b.el, body_el)]
    if _is_listing(core):
        return _no_article(title)

    dates: list[str | None] = [meta.get("published")]
    dates += [parse_page_date(t.get("datetime") or "") for t in root.xpath("//time[@datetime]")
              if t_end < order[t] < order[body_el]]
    lead, head_byline = _read_head(head, title, dates)
    core, core_byline = _read_body_top(core, title, dates)
    foot_byline = _read_foot(foot, dates)
    # a date line above the headline, inside the article's own block (category + date bars);
    # the page's top bar and sidebars are outside that block
    t_start = order[title_el] if title_el is not None else -1
    dates += [parse_page_date(b.text) for b in sorted(zone + core_all, key=lambda b: -b.pos)
              if b.pos < t_start and b.kind == "text" and is_date_line(b.text)]
    dates.append(meta.get("pubdate"))

    parts = walk_blocks(lead + core + foot_byline)
    author, source = parts.author, parts.source
    for line_author, line_source in (split_byline(core_byline), split_byline(head_byline)):
        author, source = author or line_author, source or line_source
    if author is None and meta.get("author"):
        candidate = meta["author"]
        if is_name(candidate) and not UNIT_WORDS.search(candidate) and not is_account_name(candidate):
            author = candidate  # <meta name=author> when the page prints no byline, unless it names the outlet
    return {
        "title": title or None,
        "published_date": next((d for d in dates if d), None),
        "author": author,
        "source": source,
        "body_text": "\n\n".join(parts.paragraphs),
        "images": parts.images,
    }


def _no_article(title: str | None) -> dict:
    """The fields of a page that holds no article (a listing): nothing to store."""
    return {"title": title or None, "published_date": None, "author": None, "source": None,
            "body_text": "", "images": []}


# --- the body ------------------------------------------------------------------------------------


def _tag(el) -> str:
    return el.tag.lower() if isinstance(el.tag, str) else ""


def densest_container(root):
    """The element holding the most paragraph text (see the module docstring), or None."""
    elements = [e for e in root.iter() if isinstance(e.tag, str)]
    has_block: dict = {}
    for e in reversed(elements):
        has_block[e] = any(_tag(c) in _BLOCK_TAGS or has_block.get(c, False) for c in e if isinstance(c.tag, str))
    scores: dict = {}
    paragraphs: dict = {}  # container → number of paragraphs it holds

    def credit(el, weight):
        if el is not None:
            scores[el] = scores.get(el, 0.0) + weight

    credits = []
    for e in elements:
        if _tag(e) in ("html", "head", "title", "script", "style", "a"):
            continue
        runs = [n - links for n, links in _own_runs(e, has_block) if n >= _MIN_RUN and links <= n / 2]
        if not runs:
            continue
        # a paragraph credits its container; an element holding runs itself (<br> runs, loose text
        # between blocks) is the container
        holder = e if (has_block[e] or len(runs) > 1) else e.getparent()
        # a wrapper around one paragraph only (<div class="p"><p>…</p></div>) is the paragraph
        while holder is not None and holder is not e and _mere_wrapper(holder) and holder.getparent() is not None:
            holder = holder.getparent()
        if holder is None:
            continue
        paragraphs[holder] = paragraphs.get(holder, 0) + len(runs)
        credits.append((holder, sum(runs)))
    for holder, weight in credits:
        credit(holder, weight)
        # half to the container's parent, for bodies split into wrappers; only from containers
        # holding two paragraphs or more, so that a column of one-paragraph teaser boxes does not
        # add up to an article
        if paragraphs[holder] >= 2:
            credit(holder.getparent(), weight / 2)
    for el in list(scores):
        if _is_boilerplate(el):
            scores[el] *= 0.3
    if not scores:
        return None
    best = max(scores, key=lambda el: scores[el])
    if scores[best] < _MIN_BODY_SCORE:
        return None
    # A body split across sibling blocks (two <div>s around an advertisement, "part" wrappers):
    # when another sibling holds a good share of paragraphs too, the parent is the body.
    parent = best.getparent()
    if parent is not None and _tag(parent) not in ("body", "html"):
        strong = [c for c in parent if scores.get(c, 0) >= 0.3 * scores[best] and not _is_boilerplate(c)]
        if len(strong) >= 2:
            best = parent
    return best


# Class and id names of boxes that hold paragraphs but are not the article: comments, related
# news with their summaries, sidebars, footers, share bars, advertisements.
_BOILERPLATE_SUBSTR = re.compile(
    r"comment|binh-?luan|related|lien-?quan|tin-?khac|cung-?chuyen-?muc|widget|footer|share|social"
    r"|quang-?cao|xem-?nhieu|doc-?nhieu|noi-?bat|most-?(?:read|view)|breadcrumb|pagination|copyright",
    re.I,
)
_BOILERPLATE_TOKEN = re.compile(r"^(?:ads?|adv|advert|banner|menu|nav|navbar|tags?|hot|more|other|others|aside|footer)$", re.I)


def _mere_wrapper(el) -> bool:
    """An element whose only content is one child element (no text of its own)."""
    children = [c for c in el if isinstance(c.tag, str)]
    return (len(children) == 1 and not (el.text or "").strip() and not (children[0].tail or "").strip()
            and _tag(el) not in ("body", "html"))


def _named_boilerplate(node) -> bool:
    if node is None or not isinstance(node.tag, str):
        return False
    names = " ".join(filter(None, (node.get("class"), node.get("id"))))
    return bool(names) and (bool(_BOILERPLATE_SUBSTR.search(names))
                            or any(_BOILERPLATE_TOKEN.match(t) for t in re.split(r"[\s_-]+", names)))


def _is_boilerplate(el) -> bool:
    """The element or its parent is named as a box that is not the article (the parent: a comment
    list's items, a related box's entries). Not further up: real sites wrap their article column
    in names like "sidebar-1"."""
    return _named_boilerplate(el) or _named_boilerplate(el.getparent())


def _boilerplate_inside(el, body_el) -> bool:
    """A block of an advertisement, share bar or related box nested in the body element."""
    node = el
    while node is not None and node is not body_el:
        if _named_boilerplate(node):
            return True
        node = node.getparent()
    return False


def _own_runs(el, has_block) -> list[tuple[int, int]]:
    """(characters, characters inside links) of each run of text the element holds itself: its
    text and inline children, split at <br> and at block children."""
    runs: list[list[int]] = [[0, 0]]

    def add(text, in_link):
        n = len(" ".join((text or "").split()))
        runs[-1][0] += n
        if in_link:
            runs[-1][1] += n

    def inline(e, in_link):
        in_link = in_link or _tag(e) == "a"
        add(e.text, in_link)
        for c in e:
            if _tag(c) == "br":
                runs.append([0, 0])
            elif isinstance(c.tag, str):
                inline(c, in_link)
            add(c.tail, in_link)

    add(el.text, False)
    for child in el:
        tag = _tag(child)
        if tag == "br":
            runs.append([0, 0])
        elif tag and (tag in _BLOCK_TAGS or has_block.get(child)):
            runs.append([0, 0])
        elif tag:
            inline(child, False)
        add(child.tail, False)
    return [(n, links) for n, links in runs if n]


def _is_listing(core: list[Block]) -> bool:
    """A listing page (headline links, each followed by its summary), not an article: three or
    more linked headlines with running text after them. An article's related links come after
    its last paragraph, and its own links sit inside sentences."""
    headlines = 0
    for i, b in enumerate(core):
        if b.kind == "text" and b.link_ratio >= 0.8 and len(b.text) >= 20:
            if any(n.kind == "text" and n.link_ratio < 0.5 and _sentence_like(n.text) for n in core[i + 1:]):
                headlines += 1
    return headlines >= 3


def _sentence_like(text: str) -> bool:
    """A sentence of running text (a lead, a paragraph), as opposed to a headline or a label."""
    return len(text) >= 40 and (bool(re.search(r"[.!?…][”\"’)]?$", text)) or len(text) >= 200)


def _body_start(core: list[Block]) -> float:
    """Where the article's running text begins: its first sentence-like block."""
    for b in core:
        if b.kind == "text" and _sentence_like(b.text) and not is_date_line(b.text):
            return b.pos
    return core[0].pos if core else float("inf")


# --- the headline --------------------------------------------------------------------------------


def _headline_candidates(root, order, start):
    for el in root.iter():
        if not isinstance(el.tag, str) or order.get(el, start) >= start:
            continue
        tag = _tag(el)
        names = " ".join(filter(None, (el.get("class"), el.get("id"), el.get("itemprop"))))
        strong = tag == "h1" or el.get("itemprop") == "headline"
        if tag in ("h1", "h2", "h3", "h4") or el.get("itemprop") == "headline":
            kind = "heading"
        elif tag in ("div", "span", "p", "td", "font", "strong", "b") and _HEADLINE_NAMES.search(names) \
                and not re.search(r"sub-?title|site-?title|box|widget|cate|related|other", names, re.I):
            kind = "classed"
        elif tag in ("b", "strong") and _fills_its_line(el):
            kind = "bold"
        elif tag in ("div", "span", "p", "td", "font") and not has_block_child(el) and _stands_alone(el):
            kind = "line"  # a line of its own with nothing else to say it is the headline
        else:
            continue
        text = one_line(el.text_content())
        if not (_TITLE_MIN <= len(text) <= _TITLE_MAX) or _sentence_like(text) or is_date_line(text):
            continue
        links = one_line(" ".join(a.text_content() for a in el.xpath(".//a")))
        if len(links) >= 0.8 * len(text) and not strong:
            continue  # a linked heading before the article is another article's (a sidebar list)
        if AUTHOR_PREFIX.match(text) or SOURCE_PREFIX.match(text):
            continue
        yield el, kind, text


def _fills_its_line(el) -> bool:
    """A bold run that is the whole of its line: <font><b>Headline</b></font><br> or <p><b>…</b></p>."""
    text = one_line(el.text_content())
    parent = el.getparent()
    for _ in range(2):
        if parent is None:
            return False
        if one_line(parent.text_content()) == text:
            return True
        parent = parent.getparent()
    # followed by <br> with nothing but whitespace before the break
    nxt = el.getnext()
    return nxt is not None and _tag(nxt) == "br" and not (el.tail or "").strip()


def find_headline(root, order, start, meta):
    """The headline element (see the module docstring), or None.

    1. a candidate that repeats the og:title / JSON-LD headline / <title> (nearest the body);
    2. else the heading, "title"-classed element or bold line nearest the body;
    3. else, on pages whose markup says nothing (no heading, no class), the plain line of its own
       nearest the body (an ASP.NET <span>, a PHP CMS <div>) that is no date, byline or sentence.
    """
    candidates = list(_headline_candidates(root, order, start))
    if not candidates:
        return None
    titles = [t for t in (meta.get("og_title"), meta.get("ld_headline"), meta.get("head_title")) if t]
    for reference in titles:
        ref = set(fold(reference).replace("“", " ").split())
        similar = [el for el, _kind, text in candidates
                   if len(text.split()) >= 4 and _overlap(text, ref) >= 0.8]
        if similar:
            return max(similar, key=lambda el: order[el])
    marked = [el for el, kind, _text in candidates if kind != "line"]
    return max(marked or [el for el, _kind, _text in candidates], key=lambda el: order[el])


def has_block_child(el) -> bool:
    return any(_tag(c) in _BLOCK_TAGS for c in el)


def _stands_alone(el) -> bool:
    """The element's text is a line of its own: its parent has other blocks or a <br> next to it."""
    parent = el.getparent()
    if parent is None:
        return False
    nxt = el.getnext()
    return _tag(parent) in _BLOCK_TAGS and (nxt is None or _tag(nxt) in _BLOCK_TAGS or _tag(nxt) == "br"
                                            or _tag(el) in _BLOCK_TAGS)


def _overlap(text: str, ref_words: set) -> float:
    words = [w.strip("“”\"':,.") for w in fold(text).split()]
    words = [w for w in words if w]
    return sum(1 for w in words if w in {r.strip("“”\"':,.") for r in ref_words}) / max(1, len(words))


_SITE_SUFFIX = re.compile(r"\s+(?:[-|–—>»:]|&gt;)\s+[^-|–—>»]+$")


def _title_from_meta(meta) -> str:
    for key in ("og_title", "ld_headline"):
        if meta.get(key):
            return meta[key]
    return _SITE_SUFFIX.sub("", meta.get("head_title") or "")


def _common_ancestor(a, b):
    ancestors = {id(x) for x in a.iterancestors()} | {id(a)}
    node = b
    while node is not None and id(node) not in ancestors:
        node = node.getparent()
    return node if node is not None else b


# --- head, top of the body, foot -----------------------------------------------------------------


def _byline_text(text: str) -> str:
    return strip_dates(text) if parse_page_date(text) else text


def _read_head(head: list[Block], title: str, dates: list) -> tuple[list[Block], list[str]]:
    """Lead blocks and byline lines between the headline and the body; dates go to `dates`."""
    lead, byline = [], []
    for b in head:
        if b.kind != "text" or b.text == title:
            continue
        text = b.text
        if AUTHOR_PREFIX.match(text) or SOURCE_PREFIX.match(text):
            dates.append(parse_page_date(text))
            byline.append(_byline_text(text))
        elif is_date_line(text):
            dates.append(parse_page_date(text))
        elif b.byline_hint and len(text) <= 80:
            rest = _byline_text(text)
            dates.append(parse_page_date(text))
            if is_name(rest) or split_name_unit(rest) or is_account_name(rest):
                byline.append(rest)
        elif _sentence_like(text) and b.link_ratio < 0.3 and len(text) >= 50:
            lead.append(b)
    return lead, byline


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
                continue
            if (AUTHOR_PREFIX.match(b.text) or SOURCE_PREFIX.match(b.text)) and is_byline_line(b):
                byline.append(_byline_text(b.text))
                continue
            started = _sentence_like(b.text)
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
        elif len(b.text) > 200 or _sentence_like(b.text):
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
