"""`extract_record`: one saved page (bytes) → the article record of schema/record.schema.json.

The crawler's pipelines, `thanthien extract` and `thanthien reprocess` all call this one pure
function, so the three never disagree. Stages: decode → parse → page profile (platform) or the
generic fallback → clean text → classify → structure.
"""
from __future__ import annotations

import hashlib
import re
from functools import lru_cache
from typing import Protocol
from urllib.parse import urljoin, urlsplit

from lxml.cssselect import CSSSelector

from pipelines.gazetteer import district_of, district_spelling, province_of, province_spelling
from pipelines.gazetteer import resolve as resolve_place

from .body import BodyParts, byline_after, walk_body
from .bounds import bounded_body, bounded_html, parse_html, reading_text
from .boxes import is_hidden_box
from .classify import classify
from .generic import extract_generic, trafilatura_fields
from .headline import SITE_NAME_WORDS
from .vn.dates import parse_page_date, strip_dates
from .vn.credits import UNIT_WORDS, split_byline
from .vn.dates import date_from_url
from .pagekind import page_kind
from . import record_schema
from .labelled import labelled_meta
from .profiles import Profile, fingerprint, get_profile
from .siteplace import site_place
from .structure import structure_event
from .text import decode_body, one_line
from .urls import canonicalize_url

# The record's keys and their order are the schema's (schema/record.schema.json)
RECORD_KEYS = record_schema.RECORD_KEYS


class PortalContext(Protocol):
    """What `extract_record` reads of the portal a page came from; the caller gives it (a registry
    entry, `scrapers.registry.Portal`, is one: the crawler passes the spider's, `thanthien extract`,
    `import-warc` and `reprocess` look one up with `scrapers.registry.portal_of`)."""

    name: str
    platform: str | None    # the profile its registry entry names: a prior, tried after the page's fingerprint
    district: str | None
    province: str | None


class NotAnArticle(ValueError):
    """The page is not an article (a listing, a soft 404, an empty page): nothing to store."""


def extract_record(body: bytes, url: str, headers: dict | None = None, *, portal: PortalContext | None = None) -> dict:
    """The full record for one page. `portal` is the portal the page came from (None: a site no
    registry entry describes); the page profile is the page's own fingerprint, the portal's
    platform a prior. Raises NotAnArticle when the page holds no article."""
    text, _encoding = decode_body(body, headers)
    # bounded work per page (pipelines.bounds): the capture keeps every byte, the reader a bounded view
    fields, doc = extract_fields(bounded_html(text), url, portal)
    if not fields["title"] or len(fields["body_text"]) < 200:
        raise NotAnArticle(f"no article at {url}: title={bool(fields['title'])}, body {len(fields['body_text'])} chars")
    fields["body_text"] = bounded_body(fields["body_text"])
    reading = reading_text(fields["body_text"])
    verdict = classify(fields["title"], reading)
    event = None
    if verdict.is_launch_report:
        # the site's own name and footer, read only where the registry does not say
        site_district, site_province = (None, None) if portal and portal.district and portal.province else site_place(doc)
        event = structure_event(
            fields["title"], reading, fields["published_date"],
            # the registry's, else what the site's own name and footer say (never a guess)
            portal_district=(portal.district if portal else None) or _district_then(site_district, fields["published_date"]),
            portal_province=(portal.province if portal else None) or site_province,
            author=fields["author"], url=url,
        )
        if not event["province"]:
            # the text and the site are silent: the gazetteer knows where its unit of its district is
            event["province"] = next(filter(None, (province_of(u, event["district"]) for u in event["units"])), None)
        if not event["district"]:
            # …and which district holds the unit, when exactly one of the province does
            found = next(filter(None, (district_of(u, event["province"]) for u in event["units"])), None)
            event["district"] = _district_then(found, fields["published_date"])
        # one spelling per place, the gazetteer's ("Quan Hoá" → "Quan Hóa"), so facets do not split;
        # the text as written stays in body_text
        # no district after 1 July 2025, whatever the text recalls ("thành phố Cao Bằng (cũ)")
        event["district"] = district_spelling(_district_then(event["district"], fields["published_date"]),
                                              event["province"])
        event["province"] = province_spelling(event["province"])
        places = [resolve_place(unit, event["district"], event["province"]) for unit in event["units"]]
        event["unit_codes"] = [p.unit_code for p in places if p.status == "resolved"]
    is_launch, score = verdict.is_launch_report, verdict.launch_score
    if event is not None and not event["units"]:
        # A launch report names where the model was launched; launch wording with no unit is a
        # count or a review ("6.812 xã đã ra mắt", "100% xã đã ra mắt").
        is_launch, score, event = False, min(score, 0.45), None
    record = {
        "url": url,
        "canonical_url": canonicalize_url(fields.pop("canonical") or url),
        "portal": portal.name if portal else None,
        **fields,
        "content_hash": content_hash(fields["body_text"]),
        "is_launch_report": is_launch,
        "launch_score": round(score, 3),
        "event": event,
    }
    # every key of the schema, in its order: a field added to the schema and read by no extractor
    # yet is null (or []) until one fills it
    return record_schema.complete(record)


def _district_then(district: str | None, published: str | None) -> str | None:
    """Districts were abolished on 1 July 2025: a later page's site names none that still exists."""
    return district if district and (published or "") < "2025-07-01" else None


def content_hash(body_text: str) -> str:
    normalized = " ".join(body_text.split()).casefold()
    return hashlib.sha256(normalized.encode("utf-8")).hexdigest()


def extract_fields(html_text: str, url: str, portal: PortalContext | None) -> tuple[dict, object]:
    """Title, date, byline, body and images, and the parsed page they came from. The page's own fingerprint picks the page profile
    (`pipelines.profiles.fingerprint`); the registry's platform is a prior, tried after what the
    page shows, never a gate. A profile's result that is implausible for its family is checked
    against the generic reader and the better one kept; pages that are listings are no articles."""
    doc = _parse(html_text, url)
    judged = page_kind(doc)
    if judged.kind == "listing":
        raise NotAnArticle(f"a listing page at {url}: {judged.link_items} title links, {judged.alternations} summaries")
    head = html_text[:200_000]
    fields, platform = None, get_profile("generic")
    for candidate in _profile_order(head, url, portal):
        if candidate.layout_profile:
            # a family without selectors (legacy table layouts): the layout reader, under its name
            found = extract_generic(doc, url, html_text)
            if found is not None and len(found["body_text"]) >= 200:
                fields, platform = found, candidate
                break
            continue
        found = _profile_fields(doc, url, candidate)
        if found is None:
            continue  # the page is not one of this family's articles
        if SITE_NAME_WORDS.match(found.get("title") or ""):
            found["title"] = None  # the site's own name ("Cổng thông tin điện tử huyện …") is no headline
        fields, platform = found, candidate
        if _implausible(found, candidate, judged):
            generic = _generic_fields(html_text, _parse(html_text, url), url)
            if generic is not None and generic["body_text"] == found["body_text"]:
                # the same article: the profile read it, the generic reader found what it missed
                fields = {**found, **{k: v for k, v in generic.items() if not found.get(k) and v}}
            elif generic is not None and _quality(generic) > _quality(found):
                fields, platform = generic, get_profile("generic")
        break
    if fields is None:
        fields = _generic_fields(html_text, doc, url)
    fields["platform"] = platform.name
    if not fields.get("published_date") or not (fields.get("author") or fields.get("source")):
        labelled = labelled_meta(doc)  # an "article information" box, where the article said nothing
        fields["published_date"] = fields.get("published_date") or labelled.get("published_date")
        if not fields.get("author") and not fields.get("source"):
            fields["author"] = labelled.get("author")
    if not fields.get("published_date"):
        fields["published_date"] = _date_from_url(url)
    if platform.name == "generic" and judged.kind == "other" and not fields["published_date"]:
        # no dominant block of paragraphs and no date: an "about us" or contact page
        raise NotAnArticle(f"no article at {url}: {judged.article_chars} chars of paragraphs and no date")
    fields["canonical"] = _canonical_link(doc, url)
    return fields, doc


def _profile_order(head: str, url: str, portal: PortalContext | None) -> list[Profile]:
    """Profiles to try: the families the page itself shows, then the registry's (a prior)."""
    order = fingerprint(head, url)
    registered = get_profile(portal.platform) if portal else None
    if registered is not None and registered.name != "generic" and registered not in order:
        order.append(registered)
    return order


def _implausible(fields: dict, platform: Profile, judged) -> bool:
    """A profile result its family would not produce: no date where the family always shows one,
    no headline, or a body much shorter than the page's densest block of paragraphs."""
    if platform.always_dated and not fields.get("published_date"):
        return True
    if not fields.get("title"):
        return True
    body = len(fields.get("body_text") or "")
    return body < 200 or body < 0.5 * judged.article_chars


def _quality(fields: dict) -> float:
    body = len(fields.get("body_text") or "")
    return bool(fields.get("title")) + bool(fields.get("published_date")) + min(body / 1000, 2.0)


def _parse(html_text: str, url: str):
    # lxml refuses str input that carries an XML encoding declaration; strip it.
    html_text = re.sub(r"^\s*<\?xml[^>]*>", "", html_text)
    doc = parse_html(html_text, url)
    for bad in doc.xpath("//script|//style|//noscript|//template"):
        bad.drop_tree()
    for amp in doc.iter("amp-img"):
        amp.tag = "img"  # AMP pages: <amp-img> is the page's <img>
    return doc


@lru_cache(maxsize=None)
def _selector(css: str) -> CSSSelector:
    """A profile's CSS selector translated to XPath once (lxml's `cssselect()` translates per call)."""
    return CSSSelector(css, translator="html")


def _select(el, css: str) -> list:
    return _selector(css)(el)


def _first(doc, selectors):
    for css in selectors:
        found = _select(doc, css)
        if found:
            return found[0]
    return None


def _profile_fields(doc, url: str, platform: Profile) -> dict | None:
    body_el = _first(doc, platform.body_css)
    if body_el is None:
        return None
    for css in platform.body_noise_css:
        for noise in _select(body_el, css):
            noise.drop_tree()
    title_el = _headline(doc, platform)
    published = _page_date(doc, platform)  # before the date line inside the body is dropped
    meta_lines = _drop_headline_inside(body_el, title_el)
    parts: BodyParts = walk_body(body_el, url)
    title = one_line(title_el.text_content()) if title_el is not None else _title_from_head(doc, platform)
    lead_el = _first(doc, platform.lead_css)
    if lead_el is None:
        lead_el = _previous_named(body_el, _LEAD_NAMES)
    lead = one_line(lead_el.text_content()) if lead_el is not None else ""
    paragraphs = parts.paragraphs
    if lead and not (paragraphs and paragraphs[0].startswith(lead[:60])):
        paragraphs = [lead, *paragraphs]
    author, source = parts.author, parts.source
    if not author and meta_lines:
        # the meta line under the headline, inside the body element ("15/04/2023 · Tác giả: Hoàng
        # Yến"): its author even where the body's foot credits a unit ("Nguồn: Ban Dân vận Huyện ủy")
        line_author, line_source = split_byline([strip_dates(line) for line in meta_lines])
        author, source = line_author, source or line_source
    if not author and not source:
        # the byline printed right after the body element ("Tác giả: Minh Thư", "Nguồn: Báo Lai Châu")
        author, source = byline_after(body_el)
    author_el = _first(doc, platform.author_css)
    vcard = one_line(author_el.text_content()) if author_el is not None else ""
    # the CMS's author box ("Tác giả: Lò Thủy", a poster) only when the article prints no byline of
    # its own, and never an office account ("Văn phòng UBND xã")
    if vcard and not author:
        boxed, _unit = split_byline([vcard])  # a poster's unit is the account's office, no credit
        if boxed and not UNIT_WORDS.search(boxed):
            author = boxed
    return {
        "title": title or None,
        "published_date": published,
        "author": author,
        "source": source,
        "body_text": "\n\n".join(paragraphs),
        "images": parts.images,
    }


def _drop_headline_inside(body_el, title_el) -> list[str]:
    """A body element that holds the headline (a template that wraps the whole article: Liferay's
    journal-content-article with the <h1> and its date line inside) loses the headline and the
    short date lines right after it; their text is returned (a byline may stand there)."""
    if title_el is None or body_el is title_el or body_el not in title_el.iterancestors():
        return []
    lines, el = [], title_el.getnext()
    while el is not None and len(lines) < 3:
        text = one_line(el.text_content())
        if not text or len(text) > 160 or not parse_page_date(text):
            break
        lines.append(text)
        following = el.getnext()
        el.drop_tree()
        el = following
    title_el.drop_tree()
    return lines


_LEAD_NAMES = re.compile(r"sapo|summary|lead|chapeau|description|tom-?tat", re.I)


def _previous_named(el, names):
    """The element's previous sibling, when its class or id matches `names` (a sapo before the body)."""
    sibling = el.getprevious()
    if sibling is not None and names.search(f"{sibling.get('class', '')} {sibling.get('id', '')}"):
        return sibling
    return None


def _headline(doc, platform: Profile):
    """The first element of the profile's title selectors that is shown and outside the page's
    navigation (Liferay prints a hidden <h1>Điều hướng</h1> for screen readers before the article)."""
    for css in platform.title_css:
        for el in _select(doc, css):
            if is_hidden_box(el) or _in_other_items(el):
                continue  # hidden, or another article's title in a related-news box
            if not any(a.tag == "nav" or is_hidden_box(a) for a in el.iterancestors()):
                return el
    return None


def _title_from_head(doc, platform: Profile) -> str:
    """No headline element: og:title (the article's), else <title> without the site's suffix."""
    og = doc.xpath("//meta[@property='og:title']/@content")
    if og and one_line(og[0]) and not SITE_NAME_WORDS.match(one_line(og[0])):
        return one_line(og[0])
    titles = doc.xpath("//title")
    if not titles:
        return ""
    return platform.title_suffix_re.sub("", one_line(titles[0].text_content()))


def _page_date(doc, platform: Profile) -> str | None:
    for css in platform.date_css:
        for el in _select(doc, css):
            if _in_other_items(el):
                continue  # the date of a related-news item, not the article's
            candidates = [el.get(platform.date_attr)] if platform.date_attr else []
            candidates.append(el.text_content())
            for value in candidates:
                parsed = parse_page_date(value or "")
                if parsed:
                    return parsed
    return None


_OTHER_ITEMS = re.compile(
    r"related|other|lien-?quan|tin-?khac|cung-?chuyen-?muc|asset-links|asset-abstract|news-?list|sidebar|widget|ticker"
    r"|comment-?list|comments-area|(?:^|\s)comment(?:\s|$)|binh-?luan",
    re.I)


# "has-sidebar", "right-sidebar": a wrapper that has a sidebar beside it is not the sidebar
_LAYOUT_MODIFIER = re.compile(r"\b(?:has|with|no|left|right)-sidebar\b", re.I)


def _in_other_items(el) -> bool:
    """Inside a box of other articles (its class or id says so), or a list item that links
    another article's title (a ticker, a "Tin mới" list)."""
    for ancestor in el.iterancestors():
        if ancestor.tag in ("body", "html"):
            break  # their classes describe the page's layout ("right-sidebar"), not a box
        names = _LAYOUT_MODIFIER.sub(" ", f"{ancestor.get('class', '')} {ancestor.get('id', '')}")
        if _OTHER_ITEMS.search(names):
            return True
        if ancestor.tag == "li" and any(
            len(a.text_content().strip()) >= 20 and el not in a.iterdescendants() for a in ancestor.iter("a")
        ):
            return True
    return False


def _date_from_url(url: str) -> str | None:
    found = date_from_url(url)
    return found.isoformat() if found else None


def _canonical_link(doc, url: str) -> str | None:
    """<link rel=canonical>, trusted only on the page's own host (a hostile page must not claim another's URL)."""
    for href in doc.xpath("//link[translate(@rel,'CANONICAL','canonical')='canonical']/@href"):
        absolute = urljoin(url, href.strip())
        if urlsplit(absolute).netloc.lower() == urlsplit(url).netloc.lower():
            return absolute
    return None


def _generic_fields(html_text: str, doc, url: str) -> dict:
    """Unknown templates: the layout reader of `pipelines.generic` (densest block of paragraphs,
    headline, head and foot zones around it); trafilatura only when no element holds enough
    paragraph text for the layout reader."""
    fields = extract_generic(doc, url, html_text)
    return fields if fields is not None else trafilatura_fields(html_text, doc, url)
