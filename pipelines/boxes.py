"""What class and id names say about a box: not the article (comments, related news, ads, share
bars…), the article itself, or hidden.

Names are read as words, not as substrings: each class name (and the id) is split at "-", "_"
and camelCase ("ArticleBody-articleBody" → article body article body; "binh-luan" → binh luan), so
"pagination-first" names pagination but "morebikes" names nothing ("more" is no word of it); a few
long names also count glued to another word ("jp-relatedposts", "tinlienquan"). A class name that
names both ("comment-body") is a comment; an element that carries an article name of its own
beside a boilerplate one ("article-body pagination-first", WordPress's "post … tag-review" with
its taxonomy classes) is the article: templates add such names for styling and scripts, the
article name is the one that says what the box holds.
"""
from __future__ import annotations

import re

_WORD = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])|\d+")

# Boxes that may hold paragraphs but are not the article, as whole words.
_BOILERPLATE = re.compile(
    r"\b(?:comments?|binh ?luan|ykien|y kien ban doc|related|lien ?quan|tin ?khac|cung ?chuyen ?muc|widgets?|footer|foot"
    r"|share|sharing|social|quang ?cao|xem ?nhieu|doc ?nhieu|noi ?bat|most ?(?:read|views?|viewed|popular)"
    r"|breadcrumbs?|pagination|pager|copyright|ads?|adv|advert|adverts|advertisement|banner|menu|nav|navbar"
    r"|navigation|tags?|hot|other|others|aside|promo|sponsor|sponsored|newsletter|subscribe|signup"
    r"|recommend|recommended|popular|trending|outbrain|taboola|cookies?|consent|gdpr|modal|popup"
    r"|more (?:news|stories|articles|from)|read ?more|see ?also)\b"
)
# The same, glued to another word at either end ("jp-relatedposts", "tinlienquan", "commentlist",
# "sharebox"): only names long enough not to begin or end ordinary words ("ad" does "address",
# "tag" does "tagline", "hot" does "hotel").
_GLUED_TERMS = (r"related|lienquan|binhluan|comments?(?!ary)|share(?!point)|social|footer|banner|widgets?"
                r"|quangcao|tinkhac|xemnhieu|docnhieu|noibat|breadcrumbs?|pagination|copyright|newsletter"
                r"|outbrain|taboola|advert|cungchuyenmuc")
_GLUED = re.compile(rf"\b(?:{_GLUED_TERMS})|(?:{_GLUED_TERMS})\b")
# Boxes that say they hold the article.
_ARTICLE = re.compile(
    r"\b(?:article|articles|content|entry|post|story|body|text|detail|details|main|noi ?dung|chi ?tiet"
    r"|bai ?viet|news ?detail)\b"
)
# Class names that hide an element (Bootstrap, WordPress, utility CSS): display:none by another name.
_HIDDEN = {"hidden", "hide", "is-hidden", "d-none", "visually-hidden", "sr-only", "screen-reader-text", "invisible",
           "hide-accessible"}


def _names(el) -> list[str]:
    return ((el.get("class") or "").split() + (el.get("id") or "").split()) if isinstance(el.tag, str) else []


def _words(name: str) -> str:
    return " ".join(w.lower() for w in _WORD.findall(name))


def _judge(el) -> tuple[bool, bool]:
    """(named as boilerplate, named as the article) by its class names and id. Only a class name
    names the article: ids are generated from anything ("like-post-wrapper-4817886")."""
    bad = article = False
    classes = (el.get("class") or "").split() if isinstance(el.tag, str) else []
    for name in _names(el):
        words = _words(name)
        if _BOILERPLATE.search(words) or _GLUED.search(words):
            bad = True
        elif name in classes and _ARTICLE.search(words):
            article = True
    return bad, article


def is_boilerplate_box(el) -> bool:
    """The element's names say it is not the article (see the module docstring)."""
    bad, article = _judge(el)
    return bad and not article


def is_article_box(el) -> bool:
    """The element carries an article name of its own ("entry-content", "fck_detail")."""
    return _judge(el)[1]


# A quick look at a class attribute before the exact test (hidden_boxes runs on every page).
_MAYBE_HIDDEN = re.compile(r"hid|hide|d-none|sr-only|screen-reader|invisible")


def hidden_boxes(root) -> list:
    """The elements of a tree classed hidden (is_hidden_box)."""
    return [e for e in root.xpath("//*[@class]") if _MAYBE_HIDDEN.search(e.get("class")) and is_hidden_box(e)]


def is_hidden_box(el) -> bool:
    """Classed hidden ("hidden", "d-none" without a responsive "d-md-block", "sr-only")."""
    names = set((el.get("class") or "").split())
    if not names & _HIDDEN:
        return False
    if "d-none" in names and any(re.match(r"d-\w+-(?:block|flex|inline|grid|table)", n) for n in names):
        return False
    return True
