"""The headline of a page no platform module knows: the heading-like element nearest before the
body's first sentence (see pipelines/generic.py, step 2, for the rules)."""
from __future__ import annotations

import re
from urllib.parse import urljoin

from .blocks import tag_name
from .density import BLOCK_TAGS, is_boilerplate, sentence_like
from .text import fold, one_line
from .urls import canonicalize_url
from .vn.credits import AUTHOR_PREFIX, SOURCE_PREFIX
from .vn.dates import is_date_line

_HEADLINE_NAMES = re.compile(r"title|headline|tieu-?de|heading", re.I)
_TITLE_MIN, _TITLE_MAX = 15, 300


def _links_to(el, page_url: str) -> bool:
    """The element links the page itself (a headline linked to its own permalink)."""
    if not page_url:
        return False
    own = canonicalize_url(page_url)
    return any(canonicalize_url(urljoin(page_url, href)) == own for href in el.xpath(".//a/@href"))


def _headline_candidates(root, order, start, page_url: str = ""):
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        if order.get(el, start) >= start:
            if el in order:
                break  # document order: every later element is past the body's start too
            continue
        tag = tag_name(el)
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
        if _in_site_identity(el) or is_boilerplate(el):
            continue  # the site's name, a breadcrumb, a menu
        text = one_line(el.text_content())
        if not (_TITLE_MIN <= len(text) <= _TITLE_MAX) or sentence_like(text) or is_date_line(text):
            continue
        if SITE_NAME_WORDS.match(text):
            continue  # "Trang thông tin điện tử huyện Thọ Xuân": the site's name, not an article's
        links = one_line(" ".join(a.text_content() for a in el.xpath(".//a")))
        # a linked heading before the article is another article's (a sidebar list), unless it
        # repeats the page's own headline (themes link the headline to its permalink)
        linked = len(links) >= 0.8 * len(text) and not strong and not _links_to(el, page_url)
        if AUTHOR_PREFIX.match(text) or SOURCE_PREFIX.match(text):
            continue
        yield el, kind, text, linked


# The site's own name in its header: a logo, brand or site-name box is never an article's headline.
_SITE_IDENTITY = re.compile(r"site-?name|site-?title|logo|brand|banner|masthead|slogan", re.I)
# A <title> that is only the site's name: "Trang thông tin điện tử huyện Mường Chà".
SITE_NAME_WORDS = re.compile(r"cổng thông tin|trang thông tin|cổng ttđt|trang ttđt|website|trang chủ|báo điện tử", re.I)


def _in_site_identity(el) -> bool:
    for _, node in zip(range(4), (el, *el.iterancestors())):
        if _SITE_IDENTITY.search(" ".join(filter(None, (node.get("class"), node.get("id"))))):
            return True
    return False


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
    return nxt is not None and tag_name(nxt) == "br" and not (el.tail or "").strip()


def find_headline(root, order, start, meta, page_url: str = ""):
    """The headline element (see the module docstring), or None.

    1. a candidate that repeats the og:title / JSON-LD headline / <title> (nearest the body), and
       of those, one that covers half the reference or more: the site's name also repeats a
       "Headline | Site" <title>;
    2. else the heading, "title"-classed element or bold line nearest the body;
    3. else, on pages whose markup says nothing (no heading, no class), the plain line of its own
       nearest the body (an ASP.NET <span>, a PHP CMS <div>) that is no date, byline or sentence.
    """
    candidates = list(_headline_candidates(root, order, start, page_url))
    if not candidates:
        return None
    head_title = meta.get("head_title")
    if head_title and SITE_NAME_WORDS.search(_SITE_SUFFIX.sub("", head_title)):
        head_title = None  # the <title> names only the site: no reference for the headline
    titles = [t for t in (meta.get("og_title"), meta.get("ld_headline"), head_title) if t]
    for reference in titles:
        ref = set(fold(reference).replace("“", " ").split())
        similar = [(el, text) for el, _kind, text, _linked in candidates
                   if len(text.split()) >= 4 and _overlap(text, ref) >= 0.8]
        covering = [el for el, text in similar if _overlap(reference, set(fold(text).split())) >= 0.5]
        if covering or similar:
            return max(covering or [el for el, _text in similar], key=lambda el: order[el])
    candidates = [c for c in candidates if not c[3]]
    if not candidates:
        return None
    marked = [el for el, kind, _text, _linked in candidates if kind != "line"]
    return max(marked or [el for el, _kind, _text, _linked in candidates], key=lambda el: order[el])


def has_block_child(el) -> bool:
    return any(tag_name(c) in BLOCK_TAGS for c in el)


def _stands_alone(el) -> bool:
    """The element's text is a line of its own: its parent has other blocks or a <br> next to it."""
    parent = el.getparent()
    if parent is None:
        return False
    nxt = el.getnext()
    return tag_name(parent) in BLOCK_TAGS and (nxt is None or tag_name(nxt) in BLOCK_TAGS or tag_name(nxt) == "br"
                                            or tag_name(el) in BLOCK_TAGS)


def _overlap(text: str, ref_words: set) -> float:
    words = [w.strip("“”\"':,.") for w in fold(text).split()]
    words = [w for w in words if any(ch.isalnum() for ch in w)]  # not the "|" of "Headline | Site"
    return sum(1 for w in words if w in {r.strip("“”\"':,.") for r in ref_words}) / max(1, len(words))


_SITE_SUFFIX = re.compile(r"\s+(?:[-|–—>»:]|&gt;)\s+[^-|–—>»]+$")


def title_from_meta(meta) -> str:
    for key in ("og_title", "ld_headline"):
        if meta.get(key):
            return meta[key]
    return _SITE_SUFFIX.sub("", meta.get("head_title") or "")


def common_ancestor(a, b):
    ancestors = {id(x) for x in a.iterancestors()} | {id(a)}
    node = b
    while node is not None and id(node) not in ancestors:
        node = node.getparent()
    return node if node is not None else b


