"""Bounded work per page: what one page may cost the extractor, whatever it holds.

A crawl meets pages no reader planned for: an article with its photos inlined as base64 (tens of
megabytes of `src="data:…"`), a template that never closes its `<div>`s or `<font>`s (thousands of
levels deep), a page-long paragraph with no punctuation. The archive keeps such a page's bytes
whole in its WARC capture; the extractor reads a bounded view of it, so the work is linear in the
page's size and no page can stall a crawl or lose its article:

- inline `data:` URIs longer than `DATA_URI_KEEP` characters are emptied before parsing: they are
  images, never text, and are most of the size of the largest real pages;
- what is left is parsed up to `MAX_PAGE_CHARS` characters;
- libxml2 stops reading at 256 levels of nesting (2,048 with `huge_tree`; the rest of the page is
  lost, article included), so a page is parsed with `huge_tree`, and when the tree comes out more
  than `MAX_DEPTH` + 40 levels deep (an XPath test, in C), it is parsed again with every start tag
  past `PARSE_DEPTH` open elements dropped with its end tag (one linear scan of the tags; the scan
  does not count the elements the parser closes by itself, such as `<td>`, so a tree can still come
  out deeper). Flattening a parsed tree costs the size of what is moved (lxml walks every subtree it
  moves), so only what is left is flattened in the tree: a tree deeper than `MAX_DEPTH` loses,
  first, plain
  wrappers on the deep paths (no attributes, one child, no text of their own), then plain inline
  tags (`<font>`, `<span>`…), then whatever is still below the limit, their text kept in order;
- the stored body is at most `BODY_TEXT_MAX` characters and the readers (classify, structure) read
  its first `READ_TEXT_MAX`, both cut at a paragraph's end.
"""
from __future__ import annotations

import re
import threading

import lxml.html
from lxml import etree

DATA_URI_KEEP = 256
MAX_PAGE_CHARS = 8_000_000
MAX_DEPTH = 160
PARSE_DEPTH = 120
BODY_TEXT_MAX = 1_000_000
READ_TEXT_MAX = 100_000

_INLINE_TAGS = frozenset({"font", "span", "b", "i", "u", "em", "strong", "small", "big", "center", "a", "s",
                          "strike", "sup", "sub", "mark", "abbr", "cite", "q"})
# elements the scan does not count: void ones, and ones the parser closes by itself
_UNCOUNTED = frozenset({"br", "img", "hr", "input", "meta", "link", "area", "base", "col", "embed", "param",
                        "source", "track", "wbr", "p", "li", "dt", "dd", "tr", "td", "th", "option"})
_PARSERS = threading.local()  # one parser a thread: lxml parsers are not to be shared between threads
_TAG = re.compile(r"<!--.*?-->|<(/?)([a-zA-Z][\w:-]*)[^>]*>", re.S)
# an attribute value or a CSS url() that is a data: URI past the keep length (linear: no backtracking)
_DATA_URI = re.compile(r"""(["'(])\s*data:[^"')\s]{%d,}""" % DATA_URI_KEEP, re.I)


def bounded_html(html_text: str) -> str:
    """The part of a decoded page the extractor reads: inline data URIs emptied, then at most
    MAX_PAGE_CHARS characters."""
    if len(html_text) > DATA_URI_KEEP and "data:" in html_text:
        html_text = _DATA_URI.sub(r"\1data:,", html_text)
    return html_text[:MAX_PAGE_CHARS]


def _deeper_than(levels: int):
    """An XPath test: does the document hold an element more than `levels` below its root element?"""
    return etree.XPath("boolean(" + "/*" * (levels + 2) + ")")


_TOO_DEEP_TO_FLATTEN = _deeper_than(MAX_DEPTH + 40)   # flattening in the tree costs depth × size
_TOO_DEEP = _deeper_than(MAX_DEPTH)


def parse_html(html_text: str, base_url: str | None = None):
    """An lxml.html document of the bounded page, at most MAX_DEPTH levels deep. Most pages are
    parsed once and tested twice (two XPath tests, in C); only a deep one is scanned and flattened."""
    text = bounded_html(html_text)
    doc = _parse(text, base_url)
    if _TOO_DEEP_TO_FLATTEN(doc):
        doc = _parse(shallow_tags(text), base_url)  # the parse may also have stopped at libxml2's limit
    if _TOO_DEEP(doc):
        cap_nesting(doc)
    return doc


def _parse(text: str, base_url: str | None):
    try:
        parser = getattr(_PARSERS, "parser", None)
        if parser is None:
            parser = _PARSERS.parser = lxml.html.HTMLParser(huge_tree=True)
        return lxml.html.document_fromstring(text or "<html></html>", parser=parser, base_url=base_url)
    except (etree.ParserError, ValueError):
        return lxml.html.document_fromstring("<html></html>")


def shallow_tags(html_text: str, limit: int = PARSE_DEPTH) -> str:
    """The page with every start tag past `limit` open elements dropped, and its end tag with it:
    the text stays, in order, where libxml2 would have stopped reading."""
    if html_text.count("<") < 2 * limit:
        return html_text
    depth, dropped, pieces, last = 0, {}, [], 0
    for m in _TAG.finditer(html_text):
        closing, name = m.group(1), (m.group(2) or "").lower()
        if not name or name in _UNCOUNTED or m.group(0).endswith("/>"):
            continue
        if not closing:
            if depth < limit:
                depth += 1
                continue
            dropped[name] = dropped.get(name, 0) + 1
        elif dropped.get(name):
            dropped[name] -= 1
        else:
            depth = max(depth - 1, 0)
            continue
        pieces.append(html_text[last:m.start()])
        last = m.end()
    if not pieces:
        return html_text
    pieces.append(html_text[last:])
    return "".join(pieces)


def cap_nesting(root, limit: int = MAX_DEPTH) -> int:
    """Flatten a tree deeper than `limit` (see the module's docstring); the number of tags dropped."""
    dropped = 0
    for may_drop in (_plain_wrapper, _plain_inline, None):
        depth, height = _depths(root)
        if max(depth.values(), default=0) <= limit:
            break
        # elements on a path that goes too deep, deepest first
        on_deep_path = [e for e in depth if e is not root and depth[e] + height[e] > limit]
        for el in reversed(on_deep_path):
            if (may_drop is None and depth[el] > limit) or (may_drop is not None and may_drop(el)):
                el.drop_tag()
                dropped += 1
    return dropped


def _depths(root) -> tuple[dict, dict]:
    """Each element's depth below the root and the height of the tree under it, without recursion."""
    depth = {root: 0}
    order = []
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        parent = el.getparent()
        if el is not root:
            depth[el] = depth.get(parent, 0) + 1
        order.append(el)
    height = dict.fromkeys(order, 0)
    for el in reversed(order):
        parent = el.getparent()
        if parent is not None and parent in height:
            height[parent] = max(height[parent], height[el] + 1)
    return depth, height


def _plain_wrapper(el) -> bool:
    children = [c for c in el[:2] if isinstance(c.tag, str)]
    return (not el.attrib and len(el) == 1 and len(children) == 1 and not (el.text or "").strip()
            and not (children[0].tail or "").strip() and el.tag not in ("body", "html", "head"))


def _plain_inline(el) -> bool:
    return not el.attrib and el.tag in _INLINE_TAGS


def bounded_body(body_text: str, limit: int = BODY_TEXT_MAX) -> str:
    """At most `limit` characters of a body, cut at the end of a paragraph where there is one."""
    if len(body_text) <= limit:
        return body_text
    cut = body_text.rfind("\n\n", 0, limit)
    return body_text[: cut if cut > limit // 2 else limit]


def reading_text(body_text: str) -> str:
    """The part of the body the readers (classify, structure) read: its first READ_TEXT_MAX."""
    return bounded_body(body_text, READ_TEXT_MAX)
