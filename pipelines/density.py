"""Where an unknown template keeps its article: the element holding the most paragraph text, and
whether a page of linked headlines with summaries is a listing rather than an article.

Paragraph text is counted wherever it is: <p>, text-only <div>/<td>, <br>-separated runs inside a
<font> or a table cell, an element's own text before its first child; text inside links does not
count, so menus and related lists never win. Paragraphs credit their container fully and, when it
holds two or more, its parent by half, so the body's own element wins over the page wrapper around
it and a column of one-summary teaser boxes never adds up to an article. Boxes named as comments,
related news, share bars or ads (`pipelines.boxes`) are discounted; a body split across sibling
blocks (around an advertisement, or a CMS that wraps each section of a long article in its own
stack of <div>s) is their parent.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from .boxes import is_article_box, is_boilerplate_box
from .vn.dates import is_date_line

# Elements that start a new block of text (anything else is inline: a, b, font, span …).
BLOCK_TAGS = {
    "p", "div", "td", "th", "tr", "tbody", "thead", "table", "li", "ul", "ol", "dl", "dd", "dt", "section",
    "article", "main", "blockquote", "pre", "figure", "figcaption", "header", "footer", "form", "center",
    "body", "html", "h1", "h2", "h3", "h4", "h5", "h6", "address", "nav", "aside", "hr",
}
_MIN_RUN = 25          # characters: shorter runs are labels, menu items, dates
MIN_BODY_SCORE = 140   # paragraph characters an article body holds at least
_BOILERPLATE_DISCOUNT = 0.3
_SPLIT_SHARE = 0.3     # a sibling block holding this share of the best block's text is the same body


def tag_of(el) -> str:
    return el.tag.lower() if isinstance(el.tag, str) else ""


@dataclass
class Density:
    """Paragraph text per element: `scores` (what the element holds as a container, see the module
    docstring) and `held` (all paragraph text anywhere inside it); `body`, the element chosen."""
    scores: dict = field(default_factory=dict)
    held: dict = field(default_factory=dict)
    body: object = None


def measure(root) -> Density:
    """Score the tree and pick the body element (None when nothing holds an article's worth)."""
    elements = [e for e in root.iter() if isinstance(e.tag, str)]
    has_block: dict = {}
    for e in reversed(elements):
        has_block[e] = any(tag_of(c) in BLOCK_TAGS or has_block.get(c, False) for c in e if isinstance(c.tag, str))
    density = Density()
    scores, held = density.scores, density.held
    paragraphs: dict = {}  # container → number of paragraphs it holds
    credits = []
    for e in elements:
        if tag_of(e) in ("html", "head", "title", "script", "style", "a"):
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
        for anc in [e, *e.iterancestors()]:
            held[anc] = held.get(anc, 0) + sum(runs)
    for holder, weight in credits:
        scores[holder] = scores.get(holder, 0.0) + weight
        # half to the container's parent, for bodies split into wrappers; only from containers
        # holding two paragraphs or more, so that a column of one-paragraph teaser boxes does not
        # add up to an article
        parent = holder.getparent()
        if paragraphs[holder] >= 2 and parent is not None:
            scores[parent] = scores.get(parent, 0.0) + weight / 2
    for el in list(scores):
        if is_boilerplate(el):
            scores[el] *= _BOILERPLATE_DISCOUNT
    if not scores:
        return density
    best = max(scores, key=lambda el: scores[el])
    if scores[best] >= MIN_BODY_SCORE:
        density.body = _join_split_body(best, scores)
    return density


def _join_split_body(best, scores):
    """A body split across sibling blocks (two <div>s around an advertisement, "part" wrappers,
    each section in a stack of single-child wrappers): when another sibling of the block — or of
    the outermost wrapper around it — holds a good share of paragraphs too, their parent is the body."""
    top = best
    while top.getparent() is not None and _mere_wrapper(top.getparent()):
        top = top.getparent()
    parent = top.getparent()
    if parent is None or tag_of(parent) in ("body", "html"):
        return best
    strong = [c for c in parent if isinstance(c.tag, str) and not is_boilerplate(c)
              and _chain_score(c, scores) >= _SPLIT_SHARE * scores[best]]
    return parent if len(strong) >= 2 else best


def _chain_score(el, scores) -> float:
    """The best score along an element and its chain of single-child wrappers."""
    best = scores.get(el, 0.0)
    while True:
        el = _only_child(el)
        if el is None:
            return best
        best = max(best, scores.get(el, 0.0))


def _only_child(el):
    """The element's one child element, or None when it has none or several. Stops at the second:
    asked of every paragraph's container, a full list of children would make a long body quadratic."""
    only = None
    for c in el:
        if isinstance(c.tag, str):
            if only is not None:
                return None
            only = c
    return only


def _mere_wrapper(el) -> bool:
    """An element whose only content is one child element (no text of its own)."""
    child = _only_child(el)
    return (child is not None and not (el.text or "").strip() and not (child.tail or "").strip()
            and tag_of(el) not in ("body", "html"))


def is_boilerplate(el) -> bool:
    """The element or its parent is named as a box that is not the article (the parent: a comment
    list's items, a related box's entries), unless the element names itself the article. Not
    further up: real sites wrap their article column in names like "sidebar-1"."""
    if is_boilerplate_box(el):
        return True
    parent = el.getparent()
    return parent is not None and is_boilerplate_box(parent) and not is_article_box(el)


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
        in_link = in_link or tag_of(e) == "a"
        add(e.text, in_link)
        for c in e:
            if tag_of(c) == "br":
                runs.append([0, 0])
            elif isinstance(c.tag, str):
                inline(c, in_link)
            add(c.tail, in_link)

    add(el.text, False)
    for child in el:
        tag = tag_of(child)
        if tag == "br":
            runs.append([0, 0])
        elif tag and (tag in BLOCK_TAGS or has_block.get(child)):
            runs.append([0, 0])
        elif tag:
            inline(child, False)
        add(child.tail, False)
    return [(n, links) for n, links in runs if n]


# --- listings ------------------------------------------------------------------------------------

_SUMMARY_MAX = 500     # characters: a teaser's summary; longer is an article's paragraph
_LABEL_MAX = 15        # characters: "Xem tiếp", a view counter


def sentence_like(text: str) -> bool:
    """A sentence of running text (a lead, a paragraph), as opposed to a headline or a label."""
    return len(text) >= 40 and (bool(re.search(r"[.!?…。！？][”\"’)」』]?$", text)) or len(text) >= 200)


def is_listing(blocks) -> bool:
    """A listing page (linked headlines, each followed by its summary), not an article.

    A teaser is a linked headline whose next text is one short running sentence standing alone:
    the next text after it is another headline, a label, or nothing. A listing is three teasers or
    more whose summaries are most of the page's running text. An article may hold as many linked
    lines ("Related: …" between paragraphs, a gift guide's product names, share buttons), but its
    running text is paragraphs that follow each other, not one summary per link."""
    texts = [b for b in blocks if b.kind == "text"]
    prose = sum(len(b.text) for b in texts if b.link_ratio < 0.5 and sentence_like(b.text))
    teasers = summaries = 0
    for i, b in enumerate(texts):
        if not (b.link_ratio >= 0.8 and len(b.text) >= 20):
            continue
        # what follows, past a date line or a label ("13/05/2022", "Lượt xem: 120")
        following = [n for n in texts[i + 1:i + 4] if len(n.text) >= _LABEL_MAX and not is_date_line(n.text)]
        if not following:
            continue
        summary = following[0]
        if not (summary.link_ratio < 0.5 and sentence_like(summary.text) and len(summary.text) <= _SUMMARY_MAX):
            continue  # an unlinked heading, a paragraph too long for a summary, another link
        after = following[1] if len(following) > 1 else None
        if after is not None and after.link_ratio < 0.5 and sentence_like(after.text):
            continue  # a paragraph of a run of paragraphs, not a summary
        teasers += 1
        summaries += len(summary.text)
    # two teasers that are nearly all the running text (a listing's last page) are a listing too
    return (teasers >= 3 and summaries >= 0.6 * prose) or (teasers >= 2 and summaries >= 0.8 * prose)
