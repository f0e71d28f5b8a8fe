"""Read an article body's blocks: paragraphs, images with their captions, and the byline.

Two steps, usable separately: `pipelines.blocks.body_blocks(el)` turns a subtree into leaf blocks in
document order (text or image, with what the markup says about each: alignment, emphasis, links,
class hints); `walk_blocks(blocks)` here turns blocks into paragraphs, captioned images, author and
source. `walk_body(el)` does both. The page profiles (SharePoint, Liferay, WordPress) walk their body
element; the generic extractor (`pipelines.generic`) assembles its own block list (lead, body,
byline found around the body) and hands it to `walk_blocks`.

CMS conventions this encodes:
- SharePoint (tandan): a caption is a plain <p> right after <p><img alt=""></p>, centered and/or in
  <em>; byline and source unit are right-aligned paragraphs at the end.
- Liferay/WordPress: <figure><img><figcaption>; "Nguồn: …" as a last paragraph.
- News sites: captions in a table cell, a div or a <p> with a "caption" class after the image;
  bylines in a right-aligned or "author"/"byline"/"sign" element after the body.
- Legacy table layouts: paragraphs as <br>-separated runs inside one <font>; related lists
  ("Các tin khác:") inside the same table cell as the article.
Captions, byline lines, share buttons and related-news lists never enter body_text.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from .blocks import BYLINE_HINT, CAPTION_MAX, Block, body_blocks, class_names, tag_name, text_runs
from .text import one_line
from .vn.credits import (
    AUTHOR_PREFIX, SOURCE_PREFIX, UNIT_WORDS, is_account_name, is_name, is_speech, split_byline, split_name_unit,
    without_tools,
)

CAPTION_SENTENCE_MAX = 80
# what a picture's one-sentence caption never holds: a second sentence, speech (a colon, quotes)
_NOT_A_SCENE = re.compile(r"[.!?…]\s+\S|[:“”\"]")
BYLINE_MAX = 160
# The headings of related-news boxes, tag lists and share bars: where an article ends.
BOUNDARY_RE = re.compile(
    r"^(?:(?:các |những )?(?:tin|bài|bài viết|tin bài)(?: \w+){0,2}? (?:khác|liên quan|cùng chuyên mục|cùng loại|"
    r"mới|mới nhất|đã đưa|xem nhiều|đọc nhiều|nổi bật|tiêu điểm)|đọc thêm|xem thêm|cùng chuyên mục|từ khóa|từ khoá|"
    r"tags?|chia sẻ|bình luận|ý kiến bạn đọc|gửi ý kiến|in bài|bài trước|bài sau)\b\s*:?",
    re.I,
)





@dataclass
class BodyParts:
    paragraphs: list[str] = field(default_factory=list)
    images: list[dict] = field(default_factory=list)
    author: str | None = None
    source: str | None = None


def walk_body(body_el, base_url: str) -> BodyParts:
    return walk_blocks(body_blocks(body_el, base_url))


def walk_blocks(blocks: list[Block]) -> BodyParts:
    """Paragraphs, captioned images and the byline from leaf blocks in document order.

    1. The article ends at a related-news / tags / share heading ("Các tin khác", "Từ khóa:").
    2. Link-only blocks (share buttons, related links) and blocks without letters are dropped.
    3. Byline lines are taken from the end (right-aligned, "author"-classed, prefixed "Tác giả:",
       "Nguồn:", "Theo …", or a bare personal name).
    4. A text block right after an image is its caption when it looks like one (centered, in
       <em>, classed "caption", sharing a small box with the image, or a short phrase without a
       full stop); never after a <figure> with a figcaption, which says its own caption. A block in a box named as a
       caption is never body text, image or not.
    """
    blocks = _cut_at_boundary(blocks)
    blocks = [b for b in blocks if b.kind == "image" or (b.link_ratio < 0.8 and _has_letters(b.text))]
    parts = BodyParts()
    byline = _take_byline(blocks)
    opening = next((i for i, b in enumerate(blocks) if b.kind == "text"), None)
    if not byline and opening is not None and (AUTHOR_PREFIX.match(blocks[opening].text)
                                               or SOURCE_PREFIX.match(blocks[opening].text)) \
            and is_byline_line(blocks[opening]):
        byline = [blocks.pop(opening).text]  # "Tin, ảnh: H'Yăm Niê" opening the body
    parts.author, parts.source = split_byline(byline)
    marked = _marked_captions(blocks)
    pending_image = None
    for block in blocks:
        if block.kind == "image":
            image = {"src": block.src, "caption": block.caption}
            parts.images.append(image)
            pending_image = None if block.in_figure else image
            continue
        # the caption printed under the image, or one classed as such in place of the image's title
        # attribute (which often repeats it)
        if pending_image is not None and (pending_image["caption"] is None or block.caption_hint) \
                and _looks_like_caption(block, sentences=not marked):
            pending_image["caption"] = block.text
            pending_image = None
            continue
        pending_image = None
        if block.caption_box and len(block.text) <= 2 * CAPTION_MAX:
            continue  # a caption whose image is not in the body (a slideshow strip, a lazy placeholder)
        parts.paragraphs.append(block.text)
    return parts


def _has_letters(text: str) -> bool:
    return any(ch.isalpha() for ch in text)


_READ_MORE = re.compile(r"^(?:đọc thêm|xem thêm)\b\s*:?\s*$", re.I)


def _cut_at_boundary(blocks: list[Block]) -> list[Block]:
    kept: list[Block] = []
    skipping = False
    for block in blocks:
        if skipping:
            if block.kind == "text" and block.link_ratio >= 0.5:
                continue  # the links of an inline "Đọc thêm" box
            skipping = False
        # a heading of its own, or a list of links that opens with one ("Các tin khác Xã … Xã …")
        if block.kind == "text" and (len(block.text) <= 60 or block.link_ratio >= 0.5) and BOUNDARY_RE.match(block.text):
            if _READ_MORE.match(block.text):
                skipping = True  # newspapers put "Đọc thêm" boxes between paragraphs: the article goes on
                continue
            return kept
        kept.append(block)
    return kept


# --- captions and bylines -------------------------------------------------------------------------


# How a sentence (not a caption, not a heading) ends, in Latin and CJK punctuation.
_SENTENCE_END = (".", "!", "?", "…", ";", ":", "。", "！", "？", "：", "；")
_CLOSERS = "\"”’»)]」』 "


def _marked_captions(blocks: list[Block]) -> bool:
    """The page marks its captions (a <figcaption>, a caption class, a centered or italic line
    under an image): then an unmarked line under an image is body text."""
    return any(b.kind == "image" and b.caption for b in blocks) or any(
        a.kind == "image" and b.kind == "text" and (b.caption_hint or b.centered or b.emphasis_only)
        for a, b in zip(blocks, blocks[1:]))


def _looks_like_caption(block: Block, sentences: bool = True) -> bool:
    """A caption shows itself: centered, all in <em>, or a caption class. An unstyled line after an
    image is a caption only when it reads like one — a short phrase without a closing full stop
    ("Quang cảnh hội nghị tại điểm cầu xã Giao Thiện"); a whole sentence ending in "." there is the
    next paragraph of an article whose image has no caption."""
    if len(block.text) > CAPTION_MAX or block.right or block.byline_hint:
        return False
    if block.caption_hint:
        return True
    if tag_name(block.el) == "blockquote":
        return False  # a quotation, however it is styled
    if block.centered or block.emphasis_only:
        return True
    if block.loose:
        return False  # loose text between <br>s (Blogger): the next paragraph
    if block.justified or len(block.text) > 200:
        return False
    text = block.text.rstrip(_CLOSERS)  # "… a plus!”": the sentence ends inside its closing quote
    # a phrase, or — on a page whose captions are unmarked — one short sentence that describes a
    # scene (SharePoint prints "Đồng chí X trao quyết định cho …." under the image); two sentences,
    # speech or a long sentence are the next paragraph
    return not text.endswith(_SENTENCE_END) or (
        sentences and text.endswith(".") and len(text) <= CAPTION_SENTENCE_MAX and not _NOT_A_SCENE.search(text))


def is_byline_line(block: Block) -> bool:
    """A line that credits the article: prefixed ("Tác giả:", "Nguồn:", "Theo …"), right-aligned or
    classed as author/byline/source, or a bare personal name (with its unit)."""
    text = without_tools(block.text.strip())
    if block.kind != "text" or not text or len(text) > BYLINE_MAX:
        return False
    bare = text.strip("()").strip()
    if SOURCE_PREFIX.match(bare) or is_account_name(bare):
        return True
    prefixed = AUTHOR_PREFIX.match(bare)
    if prefixed:
        # "Tác giả: Lò Thị Hương", "Bài và ảnh: Khánh Phương"; not "Bởi vì …, …" (a sentence)
        rest = bare[prefixed.end():].strip(" .")
        return bool(rest) and len(rest.split()) <= 12 and not re.search(r"[,;]\s+\w+\s+\w+\s+\w+.*[,;]", rest)
    if block.right or block.byline_hint:
        # a right-aligned or "author"-classed line; a long sentence there is still body text
        return not (len(text) > 60 and text.endswith("."))
    bare = bare.strip(" .")
    if len(bare) > 80 or is_speech(bare):
        return False  # "Bà Bùi Thị Mến, một trong những hộ …, cho biết …": a sentence about a person
    # a bare name ("Phạm Thúy"), a name with its unit, or a unit alone ("Văn phòng UBND xã") —
    # a unit only as a short phrase without a clause (a caption "Ban Chỉ đạo ra mắt, nhận nhiệm vụ"
    # also begins with a unit)
    return is_name(bare) or split_name_unit(bare) is not None or (
        len(bare) <= 60 and UNIT_WORDS.match(bare + " ") is not None and not re.search(r"[,;:.]", bare))


def _take_byline(blocks: list[Block]) -> list[str]:
    """Remove and return the trailing byline blocks (at most four lines)."""
    lines: list[str] = []
    while blocks and len(lines) < 4:
        last = blocks[-1]
        if last.kind == "image" or not is_byline_line(last):
            break
        if len(blocks) > 1 and blocks[-2].kind == "image" and _looks_like_caption(last) \
                and not (last.right or last.byline_hint or SOURCE_PREFIX.match(last.text) or AUTHOR_PREFIX.match(last.text)):
            break  # the line under a closing image is its caption, not a byline
        lines.insert(0, blocks.pop().text)
    return lines


# --- what follows a block ----------------------------------------------------------------------------

def text_lines(el) -> list[str]:
    """The element's text, a line per block child or <br> ("<p>Tác giả: X</p><p>Nguồn: Y</p>")."""
    return [line for line in text_runs(el, at_blocks=True) if line.strip()]


def following(el, n: int) -> list:
    """Up to n elements after el: its next siblings, else its parent's."""
    found = []
    while el is not None and len(found) < n:
        sibling = el.getnext()
        while sibling is not None and len(found) < n:
            if isinstance(sibling.tag, str):
                found.append(sibling)
            sibling = sibling.getnext()
        el = el.getparent() if not found else None
    return found


def byline_after(el, n: int = 3) -> tuple[str | None, str | None]:
    """(author, source) from credit lines printed right after an element ("Tác giả: Minh Thư",
    "PV" / "Nguồn: Báo Nghệ An"): prefixed lines and CMS accounts only, short ones."""
    lines = []
    for sibling in following(el, n):
        named = any(BYLINE_HINT.search(class_names(e)) for e in sibling.iter() if isinstance(e.tag, str))
        lines += [(one_line(line), named) for line in text_lines(sibling)]
    # prefixed lines, CMS accounts, and any short line of a box named for the credit ("chitiet-nguon")
    return split_byline([line for line, named in lines if 0 < len(line) <= 120 and (
        named or AUTHOR_PREFIX.match(line) or SOURCE_PREFIX.match(line) or is_account_name(line))])
