"""Walk an article body element: paragraphs, images with their captions, and the byline.

CMS conventions this encodes:
- SharePoint (tandan): a caption is a plain <p> right after <p><img alt=""></p>, usually centered
  or in <em>; byline and source unit are right-aligned paragraphs at the end.
- Liferay/WordPress: <figure><img><figcaption>; "Nguồn: …" as a last paragraph.
Captions and byline lines never enter body_text.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import urljoin

from .text import one_line

_LEAF_TAGS = {"p", "h2", "h3", "h4", "h5", "h6", "li", "blockquote", "pre", "figure", "table"}
_CONTAINERS = {"div", "section", "article", "span", "font", "center", "td", "tbody", "tr", "ul", "ol", "body", "main"}
_CENTER = re.compile(r"text-align\s*:\s*center", re.I)
_RIGHT = re.compile(r"text-align\s*:\s*right", re.I)
_JUSTIFY = re.compile(r"text-align\s*:\s*justify", re.I)
# "Nguồn: X" always credits a unit; "Theo X" only when it stands alone ("(Theo Báo Thanh Hóa)"),
# since body sentences also start with "Theo …".
_SOURCE_PREFIX = re.compile(r"^\(?\s*(nguồn\s*:|theo\b(?=[^,;.]{0,80}\)?\.?$))\s*", re.I)
_AUTHOR_PREFIX = re.compile(r"^(tác giả|tin, ảnh|tin và ảnh|bài, ảnh|bài và ảnh|tin|bài)\s*:\s*", re.I)
# Units credited in a byline, as opposed to a person's name.
_UNIT_WORDS = re.compile(
    r"\b(trung tâm|ban |phòng|ubnd|ủy ban|uỷ ban|huyện ủy|huyện uỷ|thành ủy|đảng ủy|báo|đài|cổng|văn phòng|"
    r"mặt trận|hội |đoàn |sở |cục |vhtt|ttvh|tt-vh)",
    re.I,
)
CAPTION_MAX = 250
# CMS account names shown where a post has no real byline (WordPress "admin").
_ACCOUNT_NAMES = {"admin", "administrator", "quản trị", "quantri", "webmaster", "biên tập viên"}


def is_account_name(name: str) -> bool:
    return name.strip().lower() in _ACCOUNT_NAMES


@dataclass
class BodyParts:
    paragraphs: list[str] = field(default_factory=list)
    images: list[dict] = field(default_factory=list)
    author: str | None = None
    source: str | None = None


@dataclass
class _Block:
    kind: str  # "text" | "image"
    text: str = ""
    src: str | None = None
    centered: bool = False
    right: bool = False
    justified: bool = False
    emphasis_only: bool = False
    caption: str | None = None
    #: a <figure> says its own caption (figcaption); the paragraph after it is never one
    in_figure: bool = False


def walk_body(body_el, base_url: str) -> BodyParts:
    blocks = list(_blocks(body_el, base_url))
    parts = BodyParts()
    byline = _take_byline(blocks)
    parts.author, parts.source = _split_byline(byline)
    pending_image = None
    for block in blocks:
        if block.kind == "image":
            image = {"src": block.src, "caption": block.caption}
            parts.images.append(image)
            pending_image = None if block.in_figure else image
            continue
        if pending_image is not None and pending_image["caption"] is None and _looks_like_caption(block):
            pending_image["caption"] = block.text
            pending_image = None
            continue
        pending_image = None
        parts.paragraphs.append(block.text)
    return parts


def _blocks(el, base_url):
    """Leaf blocks in document order. Containers are descended; loose text in a container is a block."""
    for child in el:
        tag = child.tag if isinstance(child.tag, str) else ""
        if tag == "figure":
            yield from _figure(child, base_url)
        elif tag in _LEAF_TAGS:
            yield from _leaf(child, base_url)
        elif tag in _CONTAINERS and any(isinstance(c.tag, str) and (c.tag in _LEAF_TAGS or c.tag in _CONTAINERS) for c in child):
            if child.text and child.text.strip():
                yield _Block("text", one_line(child.text))
            yield from _blocks(child, base_url)
        elif tag == "img":
            yield _Block("image", src=urljoin(base_url, child.get("src", "")))
        elif tag in _CONTAINERS or tag in ("em", "strong", "b", "i", "a"):
            yield from _leaf(child, base_url)
        if child.tail and child.tail.strip():
            yield _Block("text", one_line(child.tail))


def _style(el) -> str:
    return (el.get("style") or "") + (" text-align:" + el.get("align") if el.get("align") else "")


def _leaf(el, base_url):
    imgs = el.xpath(".//img")
    for br in el.xpath(".//br"):
        br.tail = "\n" + (br.tail or "")
    text = one_line(el.text_content())
    style = _style(el) + "".join(_style(d) for d in el.xpath(".//*[@style or @align]"))
    for img in imgs:
        yield _Block("image", src=urljoin(base_url, img.get("src", "")), caption=one_line(img.get("title") or "") or None)
    if not text:
        return
    emphasised = "".join(one_line(e.text_content()) for e in el.xpath(".//em|.//i"))
    yield _Block(
        "text", text,
        centered=bool(_CENTER.search(style)), right=bool(_RIGHT.search(style)), justified=bool(_JUSTIFY.search(style)),
        emphasis_only=emphasised.replace(" ", "") == text.replace(" ", ""),
    )


def _figure(el, base_url):
    caption_el = el.xpath(".//figcaption")
    caption = one_line(caption_el[0].text_content()) if caption_el else None
    for img in el.xpath(".//img"):
        yield _Block("image", src=urljoin(base_url, img.get("src", "")), caption=caption or None, in_figure=True)


def _looks_like_caption(block: _Block) -> bool:
    if len(block.text) > CAPTION_MAX or block.right:
        return False
    return block.centered or block.emphasis_only or not block.justified


def _take_byline(blocks: list[_Block]) -> list[str]:
    """Remove and return the trailing byline blocks: right-aligned lines, "Nguồn:"/"Tác giả:" lines."""
    lines: list[str] = []
    while blocks:
        last = blocks[-1]
        if last.kind == "image":
            break
        is_prefixed = bool(_SOURCE_PREFIX.match(last.text) or _AUTHOR_PREFIX.match(last.text))
        if (last.right or is_prefixed) and len(last.text) <= 160:
            lines.insert(0, blocks.pop().text)
        else:
            break
    return lines


def _split_byline(lines: list[str]) -> tuple[str | None, str | None]:
    author = source = None
    for line in lines:
        line = line.strip().strip("()").strip()
        if _SOURCE_PREFIX.match(line):
            source = source or _SOURCE_PREFIX.sub("", line).strip(" .)") or None
        elif _AUTHOR_PREFIX.match(line):
            author = author or _AUTHOR_PREFIX.sub("", line).strip(" .") or None
        elif is_account_name(line):
            continue
        elif author is None and not _UNIT_WORDS.search(line):
            author = line.strip(" .")
        elif source is None:
            source = line.strip(" .")
    return author, source
