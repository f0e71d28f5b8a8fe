"""Markup to blocks: a subtree of an article's page as leaf blocks in document order.

`body_blocks(el)` yields text and image blocks with what the markup says about each (alignment,
emphasis, links, class hints, captions of figures); `pipelines.body.walk_blocks` reads them as
paragraphs, captioned images and credits. The CMS conventions both follow are in pipelines/body.py.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urljoin

from .text import nfc, one_line

# a caption is short: longer text under a picture is a paragraph
CAPTION_MAX = 250

_LEAF_TAGS = {"p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "blockquote", "pre", "figure", "table", "dt", "dd"}
_CONTAINERS = {
    "div", "section", "article", "span", "font", "center", "td", "th", "tbody", "thead", "tr", "ul", "ol",
    "body", "main", "header", "footer", "dl", "form", "address", "small", "nav", "aside",
}
_INLINE = {"em", "strong", "b", "i", "a", "u", "time", "label", "cite", "abbr", "sup", "sub", "mark", "q", "s"}
_CENTER = re.compile(r"text-align\s*:\s*center", re.I)
_RIGHT = re.compile(r"text-align\s*:\s*(?:right|end)", re.I)
_JUSTIFY = re.compile(r"text-align\s*:\s*justify", re.I)
# Bootstrap/WordPress alignment classes say the same as a style attribute.
_CENTER_CLASS = re.compile(r"(?:^|\s)(?:text-center|aligncenter|has-text-align-center|center)(?:\s|$)", re.I)
_RIGHT_CLASS = re.compile(r"(?:^|\s)(?:text-right|text-end|alignright|has-text-align-right|align-right|right)(?:\s|$)", re.I)
# Class, id or itemprop names that mark a caption / a byline (author, source, signature).
_CAPTION_HINT = re.compile(r"caption|chu-?thich|img-?desc|image-?desc|photo-?desc|pic-?desc|desc-?img|credit"
                           r"|(?:^|[\s_-])cap(?:[\s_-]|$)", re.I)
BYLINE_HINT = re.compile(
    r"author|byline|tac-?gia|writer|createdby|signature|(?:^|[\s_-])sign(?:[\s_-]|$)|(?:^|[\s_-])source|nguon"
    r"|(?:^|[\s_-])(?:user|person)(?:[\s_-]|$)", re.I)
# Boxes named as a picture's (its caption may be long).
_PICTURE_BOX = re.compile(r"(?:^|[\s_-])(?:image|img|photo|picture|pic|figure|thumb|hinh-?anh|anh)(?:[\s_-]|$)", re.I)
# A run of <br> in a leaf ends a line: legacy pages separate paragraphs with <br><br>.
_BR = "\u2029"



@dataclass
class Block:
    kind: str  # "text" | "image"
    text: str = ""
    src: str | None = None
    centered: bool = False
    right: bool = False
    justified: bool = False
    emphasis_only: bool = False
    #: the whole text is bold (<b>, <strong>): legacy headlines, some leads
    bold_only: bool = False
    caption: str | None = None
    #: a <figure> that says its own caption (a figcaption): the paragraph after it is never one
    in_figure: bool = False
    #: share of the text inside links (related lists, share buttons, menus)
    link_ratio: float = 0.0
    #: class/id/itemprop of the element, its ancestors below the walk's root, or a child icon say so
    caption_hint: bool = False
    byline_hint: bool = False
    #: the element itself or a box around it (not a child) is named as a caption or photo credit:
    #: never body text, even where no image comes before it (a slideshow's caption strip)
    caption_box: bool = False
    #: loose text of a container (its own text, a child's tail), not an element of its own
    loose: bool = False
    #: the element the block came from, and its position in document order (for zoning)
    el: object = None
    pos: float = 0.0


_ICON_SRC = re.compile(r"(?:^|[/_-])(?:dot|bullet|icon|spacer|arrow|blank|pixel|li)\w*\.(?:gif|png|jpg)$", re.I)


def smaller_than(img, pixels: int) -> bool:
    """The image's width or height attribute says it is under `pixels` ("16", "16px")."""
    for attr in ("width", "height"):
        value = (img.get(attr) or "").strip().rstrip("px")
        if value.isdigit() and int(value) < pixels:
            return True
    return False


def is_icon(img) -> bool:
    """A bullet, spacer or icon (≤ 20 px, or named so): layout, not a picture of the article."""
    return smaller_than(img, 21) or bool(_ICON_SRC.search(img.get("src") or ""))


# --- blocks ---------------------------------------------------------------------------------------


def document_order(root) -> tuple[dict, dict]:
    """(order, end): each element's index in document order and the last index inside it."""
    order, end = {}, {}
    elements = [e for e in root.iter() if isinstance(e.tag, str)]
    for i, e in enumerate(elements):
        order[e] = i
    for e in reversed(elements):
        end[e] = max([order[e]] + [end[c] for c in e if isinstance(c.tag, str)])
    return order, end


def body_blocks(el, base_url: str, order: dict | None = None, end: dict | None = None,
                open_to=None, skip=None) -> list[Block]:
    """Leaf blocks of a subtree in document order. Containers are descended; loose text in a
    container is a block; a leaf with <br> gives one block per line. `open_to`: an element inside
    whose ancestors are always descended, never read as one leaf (the generic extractor walks the
    zones around the body element this way); `skip`: an element left out (the body itself, when
    only the zones around it are wanted)."""
    if order is None:
        order, end = document_order(el)
    keep_open = set()
    if open_to is not None:
        keep_open = {id(a) for a in open_to.iterancestors()} | {id(open_to)}
    walk = _Walk(base_url, el, order, end, keep_open, skip)
    blocks = list(walk.blocks(el))
    if el.text and el.text.strip() and tag_name(el) not in _INLINE:
        # the element's own text before its first child (<div class=body>First paragraph.<div …>)
        blocks.insert(0, walk.text_block(one_line(el.text), el, order.get(el, 0) + 0.25))
    return blocks


def tag_name(el) -> str:
    return el.tag.lower() if isinstance(el.tag, str) else ""


# Tags that are neither text nor a box of it.
_NOT_TEXT = {"br", "hr", "wbr", "meta", "link", "input", "select", "option", "button", "textarea", "iframe",
             "svg", "canvas", "video", "audio", "object", "embed", "map", "area", "source", "track", "param",
             "script", "style", "noscript", "template", "head", "title"}


def _box_tag(el) -> str:
    """The tag, with elements the walker has no rule for (custom elements such as <ps-promo>,
    <picture>, <ins>, <details>) read as <div>: their text is the page's like any box's."""
    tag = tag_name(el)
    if not tag or tag in _NOT_TEXT or tag in _LEAF_TAGS or tag in _CONTAINERS or tag in _INLINE or tag == "img":
        return tag
    return "div"


# Containers that are inline in the text flow: a box of blocks only when they hold blocks or <br>
# lines themselves (legacy <font> soup); otherwise styling inside a paragraph
# (<div>Japan's <span>Nikkei 225</span> declined …</div> is one paragraph).
_INLINE_BOXES = {"span", "font", "small"}


def _has_block_child(el) -> bool:
    for c in el:
        tag = _box_tag(c)
        if tag in _LEAF_TAGS:
            return True
        if tag in _CONTAINERS and (tag not in _INLINE_BOXES or c.find(".//br") is not None or _has_block_child(c)):
            return True
    return False


def _is_layout_table(el) -> bool:
    """A table used for layout (cells holding paragraphs), not a data table or an image with its
    caption (a picture table: one image, a short caption)."""
    if el.xpath(".//p|.//div|.//table[.//p]"):
        text = one_line(el.text_content())
        return not (el.xpath(".//img") and len(text) <= CAPTION_MAX)
    return False


_HEADINGS_AND_TABLES = ("h1", "h2", "h3", "h4", "h5", "h6", "table")


def _is_picture_box(el) -> bool:
    """A wrapper holding one image and a short text: the picture and its caption
    (<div class="img-box"><img><div>caption</div></div>); a longer text when the box is named as
    a picture's (<div class="image top"><img><p>In this 2006 file photo, …</p></div>)."""
    images = 0
    for _img in el.iter("img"):
        images += 1
        if images > 1:
            return False
    if images != 1 or next(el.iter(*_HEADINGS_AND_TABLES), None) is not None:
        return False
    text = one_line(el.text_content())
    limit = 2 * CAPTION_MAX if _PICTURE_BOX.search(class_names(el)) else CAPTION_MAX
    return 0 < len(text) <= limit


def _style(el) -> str:
    style = el.get("style") or ""
    if el.get("align"):
        style += " text-align:" + el.get("align")
    cls = el.get("class") or ""
    if _CENTER_CLASS.search(cls):
        style += " text-align:center"
    if _RIGHT_CLASS.search(cls):
        style += " text-align:right"
    return style


def class_names(el) -> str:
    return " ".join(filter(None, (el.get("class"), el.get("id"), el.get("itemprop"), el.get("rel"))))


def _squash(text: str) -> str:
    """Text without any whitespace, NFC: for comparing how much of a block is linked, in <em>…"""
    return "".join(nfc(text).split())


def text_runs(el, at_blocks: bool = False) -> list[str]:
    """The element's text split at <br> (and, with `at_blocks`, around block children), in document
    order, without touching the tree."""
    parts: list[str] = []

    def walk(e):
        tag = tag_name(e)
        # a table row is a line and its cells words apart ("Tác giả: | Minh Thư" → "Tác giả: Minh Thư")
        block = (at_blocks and e is not el and tag in _LINE_BLOCKS and tag not in _CELLS) or tag == "tr"
        if tag == "br":
            parts.append(_BR)
        elif isinstance(e.tag, str):
            parts.append((_BR if block else "") + (e.text or ""))
            for c in e:
                walk(c)
            parts.append(_BR if block else " " if tag in _CELLS else "")
        if e is not el:
            parts.append(e.tail or "")

    walk(el)
    return [r for r in "".join(parts).split(_BR)]


_LINE_BLOCKS = {"p", "div", "li", "tr", "td", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "table"}
_CELLS = {"td", "th"}


class _Walk:
    """One walk of a subtree: the page's document order, and the names of each box's ancestors
    below the walk's root (cached, as every leaf asks for them)."""

    def __init__(self, base_url, root, order, end, keep_open, skip):
        self.base_url, self.root, self.order, self.end = base_url, root, order, end
        self.keep_open, self.skip = keep_open, skip
        self._chains: dict = {}

    def chain_names(self, el) -> str:
        """Class/id names of the element's ancestors strictly below the root."""
        parent = el.getparent()
        if el is self.root or parent is None or parent is self.root:
            return ""
        chain = self._chains.get(parent)
        if chain is None:
            chain = self._chains[parent] = class_names(parent) + " " + self.chain_names(parent)
        return chain

    def blocks(self, el):
        order, end = self.order, self.end
        for child in el:
            tag = _box_tag(child)
            if child is self.skip:
                pass
            elif id(child) in self.keep_open and tag:
                if child.text and child.text.strip():
                    yield self.text_block(one_line(child.text), child, order[child] + 0.25)
                yield from self.blocks(child)
            elif tag == "figure":
                yield from self.figure(child)
            elif tag == "table" and _is_layout_table(child):
                yield from self.blocks(child)
            elif tag in _LEAF_TAGS or (tag in _CONTAINERS and _is_picture_box(child)):
                yield from self.leaf(child)
            elif tag in _CONTAINERS and _has_block_child(child):
                if child.text and child.text.strip():
                    yield self.text_block(one_line(child.text), child, order[child] + 0.25)
                yield from self.blocks(child)
            elif tag == "img" and not is_icon(child):
                yield Block("image", src=urljoin(self.base_url, child.get("src", "")), el=child, pos=order[child])
            elif tag in _CONTAINERS or tag in _INLINE:
                yield from self.leaf(child)
            if child.tail and child.tail.strip() and tag:
                yield self.text_block(one_line(child.tail), el, end[child] + 0.5)
            elif child.tail and child.tail.strip():  # a comment's tail
                yield self.text_block(one_line(child.tail), el, order.get(el, 0) + 0.5)

    def text_block(self, text: str, el, pos: float) -> Block:
        """Loose text of a container (its own text, a child's tail): hinted by the container and
        the boxes around it, never by the container's other children."""
        names = class_names(el) + " " + self.chain_names(el)
        caption_hint = bool(_CAPTION_HINT.search(names))
        style = _style(el)
        return Block("text", text, centered=bool(_CENTER.search(style)), right=bool(_RIGHT.search(style)),
                     justified=bool(_JUSTIFY.search(style)), caption_hint=caption_hint,
                     byline_hint=bool(BYLINE_HINT.search(names)), caption_box=caption_hint, loose=True,
                     el=el, pos=pos)

    def leaf(self, el):
        """A leaf's images, then one text block per <br> line, with what its markup says: style,
        emphasis, the share of linked text, caption and byline names (its own, its children's —
        a child icon, a <span class=author> — and its ancestors')."""
        pos = self.order.get(el, 0)
        tag = tag_name(el)
        imgs, links, emphasis, bold, names = [], [], [], [], []
        style = _style(el)
        for d in el.iterdescendants():
            if not isinstance(d.tag, str):
                continue
            t = d.tag.lower()
            if t == "img":
                imgs.append(d)
            elif t == "a":
                links.append(d)
            elif t in ("em", "i"):
                emphasis.append(d)
            elif t in ("b", "strong"):
                bold.append(d)
            if d.get("style") is not None or d.get("align") is not None or d.get("class") is not None:
                style += _style(d)
            name = class_names(d)
            if name:
                names.append((d, name))
        for img in (i for i in imgs if not is_icon(i)):
            yield Block("image", src=urljoin(self.base_url, img.get("src", "")),
                        caption=one_line(img.get("title") or "") or None, el=img, pos=self.order.get(img, pos))
        runs = [one_line(r) for r in text_runs(el)]
        runs = [r for r in runs if r]
        if not runs:
            return
        whole = _squash(el.text_content())
        linked = whole if tag == "a" else "".join(_squash(e.text_content()) for e in links)
        emphasised = "".join(_squash(e.text_content()) for e in emphasis)
        bolded = whole if tag in ("b", "strong") else "".join(_squash(e.text_content()) for e in bold)
        own = class_names(el) + " " + self.chain_names(el)
        inner = " ".join(name for _d, name in names)
        caption_named = bool(_CAPTION_HINT.search(own))
        caption_hint = caption_named or bool(_CAPTION_HINT.search(inner))
        byline_hint = bool(BYLINE_HINT.search(own) or BYLINE_HINT.search(inner))
        caption_box = caption_named or (caption_hint and _caption_share(names, whole) >= 0.8)
        if imgs and tag in ("table", "div", "td", "center", "span") and len(whole) <= CAPTION_MAX:
            caption_hint = True  # a box holding an image and a short text: the picture and its caption
        for i, text in enumerate(runs):
            yield Block(
                "text", text,
                centered=bool(_CENTER.search(style)), right=bool(_RIGHT.search(style)),
                justified=bool(_JUSTIFY.search(style)),
                emphasis_only=bool(whole) and emphasised == whole,
                bold_only=bool(whole) and bolded == whole or tag in ("h1", "h2", "h3", "h4", "h5", "h6"),
                link_ratio=min(1.0, len(linked) / len(whole)) if whole else 0.0,
                caption_hint=caption_hint, byline_hint=byline_hint, caption_box=caption_box, el=el,
                pos=pos + i / 1000,
            )

    def figure(self, el):
        # a figure with a figcaption says its own caption; one without may have it printed under it
        has_caption = bool(el.xpath(".//figcaption"))
        for img in (i for i in el.xpath(".//img") if not is_icon(i)):
            # the caption of the image's own figure: a gallery is a <figure> of figures, each with
            # its caption, and the gallery's caption (if any) is the last resort
            caption = None
            for box in (a for a in img.iterancestors("figure")):
                own = [c for c in box if isinstance(c.tag, str) and c.tag == "figcaption"]
                if own:
                    caption = one_line(own[0].text_content())
                    break
                if box is el:
                    break
            if caption is None:
                found = el.xpath(".//figcaption")
                caption = one_line(found[0].text_content()) if found and len(el.xpath(".//img")) == 1 else None
            yield Block("image", src=urljoin(self.base_url, img.get("src", "")), caption=caption or None,
                        in_figure=has_caption, el=img, pos=self.order.get(img, 0))


def _caption_share(names: list, whole: str) -> float:
    """The share of a leaf's text inside children named as captions (a slideshow item: image,
    "caption-full", "caption-truncated"); `names`: (descendant, its names) in document order."""
    inside = [d for d, name in names if _CAPTION_HINT.search(name)]
    marked = set(inside)
    outermost = [d for d in inside if not any(a in marked for a in d.iterancestors())]
    return len("".join(_squash(d.text_content()) for d in outermost)) / len(whole) if whole else 0.0


