"""What a page is — an article, a listing (index) or something else — judged from its content alone.

One judgement for every platform and every caller: the spider uses it to decide which pages to hand
to extraction and how far to follow their links; `import-warc` and `reprocess` use it in place of the
URL gates they had. URL shapes, sitemaps and listing selectors are *hints* about priority; they never
decide that a page cannot be an article.

The page is read as a sequence of text *blocks* in document order (the text a block element owns,
through its inline children, not through nested blocks). A block is a *paragraph* when it holds at
least `PARAGRAPH_CHARS` characters of text outside links, and a *link item* when its text is mostly
one or more title-like links. An article has a dominant run of paragraphs (`ARTICLE_CHARS` in one
container, footers not counted); a listing alternates link items and short paragraphs (title, summary, title, summary …)
or is little more than link items.
"""
from __future__ import annotations

import re
import statistics
from dataclasses import dataclass

PARAGRAPH_CHARS = 50
TITLE_LINK_CHARS = 20
ARTICLE_CHARS = 250
#: without any date on the page, a text this long is still an article (shorter: an "about us" page)
UNDATED_ARTICLE_CHARS = 800
#: a listing's summaries are short; an article's paragraphs are not all short
LISTING_MEDIAN_PARAGRAPH = 350
#: share of the running text in teasers that makes a listing (three or more teasers; fewer)
TEASERS_SHARE = 0.6
FEW_TEASERS_SHARE = 0.8

_SKIP = {"script", "style", "noscript", "template", "svg", "select", "option", "button", "iframe", "head"}
_BLOCK = {
    "address", "article", "aside", "blockquote", "body", "dd", "details", "div", "dl", "dt", "fieldset",
    "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "li",
    "main", "nav", "ol", "p", "pre", "section", "table", "tbody", "td", "th", "thead", "tr", "ul", "center",
    "html",
}
_HEADLINES = {"h1", "h2", "h3"}


@dataclass(frozen=True)
class PageKind:
    kind: str  # "article" | "listing" | "other"
    article_chars: int  # paragraph text in the densest container
    paragraphs: int
    link_items: int  # blocks that are title-like links
    alternations: int  # paragraphs that directly follow a link item (title → summary)
    has_headline: bool

    @property
    def is_article(self) -> bool:
        return self.kind == "article"


class _Block:
    """The text one block element owns; `<br>` starts a new block in the same element (a line)."""
    __slots__ = ("element", "parent", "unlinked", "linked", "title_links", "opening")

    def __init__(self, element, parent):
        self.element = element
        self.parent = parent  # the container this block's text is credited to
        self.unlinked = 0
        self.linked = 0
        self.title_links = 0
        self.opening = ""  # the first words of its text (footer lines are told by them)


def _tag(element) -> str:
    tag = element.tag
    return tag.lower() if isinstance(tag, str) else ""


def _blocks(root) -> list[_Block]:
    """Blocks in document order with their own text split into linked / unlinked characters."""
    blocks: list[_Block] = []

    def visit(element, block: _Block, in_link: bool) -> _Block:
        tag = _tag(element)
        if tag in _SKIP or not tag:
            return block
        outer = block
        if tag in _BLOCK:
            block = _Block(element, element.getparent())
            blocks.append(block)
        elif tag == "br":
            # a line of a <br>-separated text run: its container is the element holding the run
            block = _Block(block.element, block.element)
            blocks.append(block)
            return block
        link_here = tag == "a" and not in_link
        before = block.linked
        inside = in_link or tag == "a"
        _add(block, element.text, inside)
        for child in element:
            block = visit(child, block, inside)
            _add(block, child.tail, inside)
        if link_here and block.linked - before >= TITLE_LINK_CHARS:
            block.title_links += 1
        # after a block element, the parent's text continues in the parent's (last) block
        return outer if tag in _BLOCK else block

    visit(root, _Block(root, None), False)
    return blocks


def _add(block: _Block, text: str | None, linked: bool) -> None:
    if not text:
        return
    words = " ".join(text.split())
    n = len(words)
    if n and len(block.opening) < 80:
        block.opening = f"{block.opening} {words}".strip()[:80]
    if linked:
        block.linked += n
    else:
        block.unlinked += n


def page_kind(root) -> PageKind:
    """Judge an lxml document (a parsel/Scrapy `response.selector.root` works as is; it is not modified)."""
    blocks = _blocks(root)
    paragraphs: list[tuple[_Block, bool]] = []  # (paragraph, follows a link item)
    link_items = alternations = 0
    previous = None
    scores: dict = {}
    for block in blocks:
        if block.unlinked >= PARAGRAPH_CHARS and block.linked < block.unlinked:
            if previous == "para" and paragraphs and paragraphs[-1][1] and not _in_chrome_block(block):
                # the "summary" is followed by another paragraph: a run of an article's paragraphs
                # after an inline link ("Related: …"), not a teaser's summary
                paragraphs[-1] = (paragraphs[-1][0], False)
                alternations -= 1
            after_link = previous == "link"
            alternations += after_link
            paragraphs.append((block, after_link))
            previous = "para"
            link_items += block.title_links
        elif block.title_links and block.unlinked < block.linked:
            link_items += block.title_links
            previous = "link"
    has_headline = any(_tag(b.element) in _HEADLINES and (b.unlinked + b.linked) >= 10 for b in blocks)
    for block, after_link in paragraphs:
        if after_link or _in_chrome_block(block):
            continue  # a summary under a title link is listing evidence; a footer is no article
        parent = block.parent
        # credit the paragraph to its container and, half, to the container's container
        for weight, ancestor in ((1.0, parent), (0.5, parent.getparent() if parent is not None else None)):
            if ancestor is not None:
                scores[ancestor] = scores.get(ancestor, 0.0) + weight * block.unlinked
    article_chars = int(max(scores.values(), default=0))
    # running text outside footers; summaries: paragraphs that stand alone under a title link
    body = [(b.unlinked, after_link) for b, after_link in paragraphs if not _in_chrome_block(b)]
    running = sum(n for n, _ in body)
    summaries = [n for n, after_link in body if after_link]
    share = sum(summaries) / running if running else 0.0
    # a list of teasers (title link, then a short summary) carrying most of the page's text — three
    # or more at 60 %, fewer at 80 % — or a page of little but links
    listing = (
        (summaries and statistics.median(summaries) < LISTING_MEDIAN_PARAGRAPH
         and share >= (TEASERS_SHARE if len(summaries) >= 3 else FEW_TEASERS_SHARE))
        or (article_chars < ARTICLE_CHARS and link_items >= 8)
    )
    if listing:
        kind = "listing"
    elif article_chars >= ARTICLE_CHARS and (article_chars >= UNDATED_ARTICLE_CHARS or has_date(root)):
        kind = "article"
    else:
        kind = "other"
    return PageKind(kind, article_chars, len(paragraphs), link_items, alternations, has_headline)


# a class or id token that names a footer: "footer", "site-footer", "tandan-footer", "copyright"
_CHROME = re.compile(r"^(?:[a-z]+[-_])?(?:footer|copyright|ban-?quyen)(?:$|[-_])", re.I)


# a date as pages print it: 17/03/2023, 17-3-2023, 17.03.2023, 2023-03-17, "ngày 17 tháng 3 năm 2023",
# "23 Tháng 8 2023", "Th8 22, 2024"
_DATE_TEXT = re.compile(
    r"\b\d{1,2}[/.-]\d{1,2}[/.-](?:19|20)\d\d\b|\b(?:19|20)\d\d-\d{1,2}-\d{1,2}\b"
    r"|th(?:áng|g)?\s*\d{1,2}\s*(?:năm\s*|,\s*)?(?:19|20)\d\d|\bth\d{1,2}\s+\d{1,2},?\s+(?:19|20)\d\d",
    re.I,
)
_DATE_MARKUP = ("//time | //meta[contains(@property, 'published') or contains(@name, 'date') or contains(@name, 'pub')"
                " or contains(@itemprop, 'date')] | //*[@itemprop='datePublished']"
                " | //script[@type='application/ld+json'][contains(., 'datePublished')]")


def has_date(root) -> bool:
    """Any date on the page: in its text, a <time>, a date meta tag or JSON-LD."""
    if root.xpath(_DATE_MARKUP):
        return True
    return bool(_DATE_TEXT.search(" ".join(t for t in root.xpath("//body//text()[not(ancestor::script)]"))))


# footer lines by their words, where the markup does not say "footer"
FOOTER_LINE = re.compile(r"^\W*(?:bản quyền|copyright|©|cơ quan chủ quản|ghi rõ nguồn|trụ sở|địa chỉ\s*:|điện thoại\s*:)", re.I)


def _in_chrome_block(block: _Block) -> bool:
    """A footer line: by its words, or inside the page's footer."""
    return bool(FOOTER_LINE.match(block.opening)) or _in_chrome(block.element)


def _in_chrome(element) -> bool:
    """Inside the page's footer (by tag, class or id)."""
    while element is not None and _tag(element) not in ("body", "html"):
        tokens = f"{element.get('class', '')} {element.get('id', '')}".split()
        if _tag(element) == "footer" or any(_CHROME.match(token) for token in tokens):
            return True
        element = element.getparent()
    return False


def judge_html(html_text: str) -> PageKind:
    """`page_kind` of an HTML string (for callers that have no parsed document)."""
    from .bounds import parse_html

    return page_kind(parse_html(html_text))
