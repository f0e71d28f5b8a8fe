"""The event fields of a launch report: when, where, who, which board, which slogans and documents.

Pure functions over the article text (title + body_text, paragraphs separated by blank lines). The
facts are read by `pipelines.vn` (one reader per fact, shared with dedupe and the classifier); this
module chooses which of the mentions belongs to the launch: the date of the launch sentence, the
units it names (not the guests'), the district of the title or lead. Every value returned is the
text as written (NFC), never the folded form; district and province are then put in the
gazetteer's spelling by `pipelines.gazetteer` (see `pipelines.extract`).

`structure_event(...)` returns exactly the `event` keys of the record (`schema/record.schema.json`); `unit_codes` is always []
here (the gazetteer fills it later).
"""
from __future__ import annotations

import re

from pipelines.classify import GENERIC, MODEL, ROLLOUT, launch_mentions, norm, split_paragraphs, split_sentences
from pipelines.text import fold, nfc
from pipelines.vn.boards import board_size
from pipelines.vn.dates import as_date, complete_year, date_from_url, day_month_mentions
from pipelines.vn.documents import documents
from pipelines.vn.people import officials as read_officials
from pipelines.vn.places import district_mentions, province_mentions, unit_mentions
from pipelines.vn.slogans import slogans as read_slogans

# ================================================================================================
# event_date
# ================================================================================================

def _event_sentence_rank(sentence: str) -> int:
    """2: the sentence reports the launch; 1: it reports an organised meeting; 0: anything else."""
    kinds = launch_mentions(sentence)
    if MODEL in kinds or GENERIC in kinds or ROLLOUT in kinds:
        return 2
    return 1 if re.search(r"\b(to chuc|hoi nghi|le)\b", norm(sentence)) else 0


def find_event_date(title: str, body_text: str, published_date: str | None, url: str | None = None) -> str | None:
    """The day of the event: the date of the event sentence, completed with the right year.

    Preference: a date with a time of day ("Sáng ngày 17/3", "Chiều 21/8") — that is how these
    reports open; then a date in a sentence about the launch; then the first date of the lead.
    Dates right after a document code are the document's, never the event's. A day and month
    without a year take the year that puts the event on or before publication.
    """
    best = None
    paragraphs = split_paragraphs(body_text)
    texts = [(0, title)] + [(i + 1, p) for i, p in enumerate(paragraphs)]
    for order, (pidx, paragraph) in enumerate(texts):
        for sentence in split_sentences(paragraph) or [paragraph]:
            rank = None
            for mention in day_month_mentions(sentence):
                if mention.after_document:
                    continue
                if rank is None:
                    rank = _event_sentence_rank(sentence)
                # higher is better; earlier paragraphs win ties
                score = (3 if mention.daypart else 0) + rank * 1.5 + (0.5 if mention.ngay else 0) + (1 if pidx <= 1 else 0)
                if pidx > 3 and not mention.daypart and rank < 2:
                    continue  # a bare date deep in the body is some other day
                key = (score, -order, -mention.pos)
                if best is None or key > best[0]:
                    best = (key, mention)
    if best is None:
        return None
    mention = best[1]
    # a day and month without a year: the year that puts the event on or before publication
    when = complete_year(mention.day, mention.month, mention.year, as_date(published_date) or date_from_url(url))
    return when.isoformat() if when else None


# ================================================================================================
# units and the district / province
# ================================================================================================

# A unit named after one of these (in its clause) attends; it is not where the model was launched.
_ATTEND = re.compile(
    r"\b(?:lãnh đạo|đại diện|tham dự|dự|tham gia|chứng kiến|mời|trọng cụm|cụm gồm|học tập|kinh nghiệm"
    r"|cùng với|cùng|đến từ)\b",
    re.I,
)
# …unless a launch anchor comes later and nearer: "lãnh đạo huyện dự lễ ra mắt tại xã A".
_ANCHOR = re.compile(r"\b(?:tại|ở|ra mắt|tổ chức|cho|triển khai)\b", re.I)


def _is_attending(sentence: str, pos: int) -> bool:
    clause_start = max(sentence.rfind(";", 0, pos), sentence.rfind(".", 0, pos - 1) if pos else -1)
    clause = sentence[clause_start + 1: pos]
    last_attend = max((m.end() for m in _ATTEND.finditer(clause)), default=-1)
    last_anchor = max((m.end() for m in _ANCHOR.finditer(clause)), default=-1)
    return last_attend > last_anchor


def _dedupe(values: list[str]) -> list[str]:
    """Once each; "xã Trung Thượng" and "Xã trung thượng" or a tone-placement variant are one."""
    seen, out = set(), []
    for v in values:
        key = fold(v)
        if key not in seen:
            seen.add(key)
            out.append(v)
    return out


def _launch_sentences(paragraphs: list[str]) -> list[tuple[int, str]]:
    """(paragraph index, sentence) of every sentence that reports the launch of the model."""
    out = []
    for i, p in enumerate(paragraphs):
        for s in split_sentences(p) or [p]:
            kinds = launch_mentions(s)
            if MODEL in kinds or GENERIC in kinds or ROLLOUT in kinds:
                out.append((i, s))
    return out


def find_units(title: str, body_text: str) -> list[str]:
    """Where the model was launched: units in the title, then in the launch sentences of the lead.

    Only the title and the launch sentences are read, because the rest of a report names many
    other places (the communes of the cluster invited to the training, the district's communes).
    Units in an attendance clause ("lãnh đạo các xã Sơn Hà, Sơn Điện …") are left out.
    """
    paragraphs = split_paragraphs(body_text)
    found = [u for pos, u in unit_mentions(title) if not _is_attending(title, pos)]
    launch = _launch_sentences(paragraphs)
    early = [s for i, s in launch if i <= 1] or [s for i, s in launch[:1]]
    for sentence in early:
        found += [u for pos, u in unit_mentions(sentence) if not _is_attending(sentence, pos)]
    if not found:
        for _, sentence in launch:
            found += [u for pos, u in unit_mentions(sentence) if not _is_attending(sentence, pos)]
    return _dedupe([nfc(u) for u in found])


def find_district(title: str, body_text: str, portal_district: str | None = None,
                  people: tuple[str, ...] | None = None) -> str | None:
    """The district of the launch: named in the title or a launch sentence ("Ban Dân vận Huyện ủy
    Quan Sơn" → huyện Quan Sơn), else the portal's own district, else the district the text names
    most. "Thành ủy"/"Huyện ủy" without a name says nothing: the name must be in the text."""
    paragraphs = split_paragraphs(body_text)
    # only the first launch sentences: later ones drift ("… học tập kinh nghiệm của huyện Đông Sơn")
    for text in [title] + [s for i, s in _launch_sentences(paragraphs) if i <= 1]:
        for _, d in district_mentions(text, people):
            return _prefer_portal_spelling(d, portal_district)
    counts: dict[str, tuple[int, int, str]] = {}
    for pos, d in district_mentions(title + "\n" + body_text, people):
        n, first, v = counts.get(fold(d), (0, pos, d))
        counts[fold(d)] = (n + 1, first, v)
    # The portal's own district, unless the text names districts and never the portal's: a report
    # republished from another district's portal ("Tin trong tỉnh") keeps its own district.
    if portal_district and (not counts or fold(portal_district) in counts):
        return portal_district
    if not counts:
        return None
    return max(counts.values(), key=lambda c: (c[0], -c[1]))[2]


def _prefer_portal_spelling(found: str, portal: str | None) -> str:
    """"huyện Quan Sơn" written "Huyện Quan Sơn" or "Thanh Hoá" is the portal's own unit: use its form."""
    return portal if portal and fold(portal) == fold(found) else found


def find_province(title: str, body_text: str, portal_province: str | None = None,
                  people: tuple[str, ...] | None = None) -> str | None:
    """"tỉnh X" (or "Tỉnh ủy X") as named in the text, else the portal's province. A bare "Tỉnh ủy"
    in an official's title names no province. The portal's province wins when the text names it too;
    otherwise the province the text names most (first on ties)."""
    counts: dict[str, tuple[int, int, str]] = {}
    text = title + "\n" + body_text
    for pos, name in province_mentions(text, people):
        n, first, v = counts.get(fold(name), (0, pos, name))
        counts[fold(name)] = (n + 1, first, v)
    if portal_province and fold(portal_province) in counts:
        return portal_province
    if counts:
        return max(counts.values(), key=lambda c: (c[0], -c[1]))[2]
    return portal_province


# ================================================================================================
# board size, officials, slogans, documents: one reader each
# ================================================================================================

def find_board_size(body_text: str) -> int | None:
    """Members of the steering board (`pipelines.vn.boards`): None when not given, a range, or
    several units' boards of different sizes."""
    return board_size(body_text)


def find_officials(body_text: str, author: str | None = None) -> list[dict]:
    """People present, with their titles as first written (`pipelines.vn.people`); not the author."""
    return read_officials(body_text, author)


def find_slogans(text: str) -> list[str]:
    return read_slogans(text)


def find_documents(text: str) -> list[str]:
    return documents(text)


def structure_event(
    title: str,
    body_text: str,
    published_date: str | None,
    *,
    portal_district: str | None = None,
    portal_province: str | None = None,
    author: str | None = None,
    url: str | None = None,
) -> dict:
    title, body_text = nfc(title or ""), nfc(body_text or "")
    officials = find_officials(body_text, author)
    return {
        "event_date": find_event_date(title, body_text, published_date, url),
        "units": find_units(title, body_text),
        "district": find_district(title, body_text, portal_district, tuple(o["name"] for o in officials)),
        "province": find_province(title, body_text, portal_province, tuple(o["name"] for o in officials)),
        "unit_codes": [],
        "board_size": find_board_size(body_text),
        "officials": officials,
        "slogans": find_slogans(title + "\n" + body_text),
        "documents": find_documents(title + "\n" + body_text),
    }
