"""The event fields of a launch report: when, where, who, which board, which slogans and documents.

Pure functions over the article text (title + body_text, paragraphs separated by blank lines). The
reports are formulaic, so each field has a small finder named for what it finds, and each rule carries
the reason it exists. Matching is done on folded text where spelling varies (tone placement, case),
but every value returned is the text as written (NFC), never the folded form.

`structure_event(...)` returns exactly the `event` keys of `record.md`; `unit_codes` is always []
here (the gazetteer fills it later).
"""
from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
import unicodedata

from pipelines.classify import GENERIC, MODEL, ROLLOUT, launch_mentions, norm, split_paragraphs, split_sentences
from pipelines.text import fold, nfc

# --- letters ------------------------------------------------------------------------------------
# Python's re has no \p{Lu}: build the Vietnamese (Latin) upper- and lower-case letter classes once.
_LATIN = [chr(c) for c in list(range(0x41, 0x250)) + list(range(0x1E00, 0x1F00))]
_UP = "".join(c for c in _LATIN if c.isalpha() and c.isupper())
_LO = "".join(c for c in _LATIN if c.isalpha() and c.islower())
UP, LO = f"[{re.escape(_UP)}]", f"[{re.escape(_LO)}]"
# A capitalised syllable: "Trung", "Thượng", "Kdăm", "H'Leo", "Y". Apostrophes as written.
SYL = rf"{UP}{LO}*(?:['’]{UP}?{LO}+)?"
_SYL_RE = re.compile(rf"^{SYL}$")


def _is_syllable(word: str) -> bool:
    return bool(_SYL_RE.match(word))


def vocabulary(name: str) -> frozenset[str]:
    """A word list beside this module (one entry a line, single spaces; "#" lines are comments)."""
    lines = Path(__file__).with_name(name).read_text(encoding="utf-8").splitlines()
    return frozenset(" ".join(line.split()) for line in lines if line.strip() and not line.startswith("#"))


# ================================================================================================
# event_date
# ================================================================================================

_DAYPART = r"(?:sáng|chiều|tối|trưa|đêm)"
# "17/3", "17/3/2023", "17 / 3". Not "Đ/c" (no digits), not "05-CT/TW" (letters), not
# "34/2007/PL-…" (a 4-digit part is not a month and the code continues), not "tháng 12/2023".
_DMY_SLASH = re.compile(
    rf"(?P<part>{_DAYPART}\s+)?(?:(?:hôm\s+)?(?:thứ\s+\S+,?\s+)?)?(?P<ngay>(?:vào\s+)?ngày\s+)?"
    r"(?<![\w/.\-])(?P<d>\d{1,2})\s*/\s*(?P<m>\d{1,2})(?:\s*/\s*(?P<y>\d{4}))?(?![\d/\-]|\.\d)",
    re.I,
)
# "ngày 4 tháng 10 năm 2022", "Sáng ngày 4 tháng 10"
_DMY_WORDS = re.compile(
    rf"(?P<part>{_DAYPART}\s+)?(?P<ngay>(?:vào\s+)?ngày\s+)(?P<d>\d{{1,2}})\s+tháng\s+(?P<m>\d{{1,2}})"
    r"(?:\s*(?:năm|,)?\s*(?P<y>\d{4}))?",
    re.I,
)
# "ngày 17-3-2023", "ngày 17.3": dashes and dots only after "ngày", where they cannot be a code.
_DMY_DASH = re.compile(
    rf"(?P<part>{_DAYPART}\s+)?(?P<ngay>(?:vào\s+)?ngày\s+)(?P<d>\d{{1,2}})[-.](?P<m>\d{{1,2}})"
    r"(?:[-.](?P<y>\d{4}))?(?![\d\w])",
    re.I,
)
# "Chiều 5-4", "Sáng 19-5-2024": a dash after a time of day, which no document code has.
_DAYPART_DASH = re.compile(
    rf"(?P<part>{_DAYPART}\s+)(?P<ngay>(?:ngày\s+)?)(?P<d>\d{{1,2}})-(?P<m>\d{{1,2}})(?:-(?P<y>\d{{4}}))?(?![\d\w/\-])",
    re.I,
)
# A document code just before a date ("Kế hoạch số 120-KH/HU ngày 5/1/2023"): the document's date.
_DOC_BEFORE = re.compile(r"(?:\d+[-/]\S*[A-ZĐ]{2,}\S*|ban hành|ký)\s*,?\s*(?:ngày\s*)?$")
_URL_DATE = re.compile(r"/((?:19|20)\d{2})[-/](\d{1,2})[-/](\d{1,2})(?:/|$)")
# A day-and-month more than this after publication is last year's ("Ngày 28/12" published 5/1).
_FUTURE_SLACK = dt.timedelta(days=62)


def parse_published(value: str | None) -> dt.date | None:
    """The publication date: ISO ("2023-03-17", "2023-03-17 10:25") or as pages print it ("17/03/2023")."""
    if not value:
        return None
    m = re.match(r"\s*(\d{4})-(\d{1,2})-(\d{1,2})", value)
    if m:
        y, mo, d = m.groups()
    else:
        m = re.search(r"(\d{1,2})/(\d{1,2})/(\d{4})", value)
        if not m:
            return None
        d, mo, y = m.groups()
    try:
        return dt.date(int(y), int(mo), int(d))
    except ValueError:
        return None


def date_from_url(url: str | None) -> dt.date | None:
    """Publication date in a path: /2023-3-17/ (SharePoint, not zero-padded) or /2023/03/17/."""
    m = _URL_DATE.search(url or "")
    if not m:
        return None
    try:
        return dt.date(*(int(g) for g in m.groups()))
    except ValueError:
        return None


def _date_candidates(text: str):
    """(position, day, month, year|None, has daypart, has "ngày", after a document code)."""
    seen = set()
    for rx in (_DMY_WORDS, _DMY_DASH, _DAYPART_DASH, _DMY_SLASH):
        for m in rx.finditer(text):
            d, mo = int(m.group("d")), int(m.group("m"))
            if not (1 <= d <= 31 and 1 <= mo <= 12) or m.start("d") in seen:
                continue
            if re.search(r"tháng\s*$", text[max(0, m.start("d") - 7): m.start("d")], re.I):
                continue  # "tháng 3/2023" is a month, not a day
            seen.add(m.start("d"))
            y = int(m.group("y")) if m.group("y") else None
            doc = bool(_DOC_BEFORE.search(text[max(0, m.start() - 40): m.start()]))
            yield m.start(), d, mo, y, bool(m.group("part")), bool(m.group("ngay")), doc


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
    Dates right after a document code are the document's, never the event's.
    """
    best = None
    paragraphs = split_paragraphs(body_text)
    texts = [(0, title)] + [(i + 1, p) for i, p in enumerate(paragraphs)]
    for order, (pidx, paragraph) in enumerate(texts):
        for sentence in split_sentences(paragraph) or [paragraph]:
            rank = None
            for pos, d, mo, y, part, ngay, doc in _date_candidates(sentence):
                if doc:
                    continue
                if rank is None:
                    rank = _event_sentence_rank(sentence)
                # higher is better; earlier paragraphs win ties
                score = (3 if part else 0) + rank * 1.5 + (0.5 if ngay else 0) + (1 if pidx <= 1 else 0)
                if pidx > 3 and not part and rank < 2:
                    continue  # a bare date deep in the body is some other day
                key = (score, -order, -pos)
                if best is None or key > best[0]:
                    best = (key, d, mo, y)
    if best is None:
        return None
    _, d, mo, y = best
    base = parse_published(published_date) or date_from_url(url)
    if y is None:
        if base is None:
            return None  # a day without a year and nothing to take the year from
        y = base.year
        try:
            if dt.date(y, mo, d) > base + _FUTURE_SLACK:
                y -= 1
        except ValueError:
            return None
    try:
        return dt.date(y, mo, d).isoformat()
    except ValueError:
        return None


# ================================================================================================
# units (xã | phường | thị trấn + Name) and the district / province
# ================================================================================================

# Capitalised words that end a place name: the next organisation, title or sentence, never a
# syllable of a commune's name.
_NAME_STOP = {
    "Huyện", "Tỉnh", "UBND", "HĐND", "MTTQ", "Đảng", "Ủy", "Uỷ", "Mặt", "Mô", "Ra", "Sáng", "Chiều",
    "Ngày", "Tại", "Trong", "Với", "Các", "Phó", "Chủ", "Bí", "Trưởng",
}
# Words that are syllables of place names too (xã Hợp Thành, xã Đoàn Kết, xã Ban Công): they end a
# name only when the next word makes them an organisation ("Thành ủy", "Ban Dân vận", "Hội nghị").
_NAME_STOP_IF_NEXT = {
    "Ban": {"dân", "chỉ", "điều", "thường", "tuyên", "tổ", "kinh", "văn", "nội", "quản", "bí", "công tác"},
    "Thành": {"ủy", "uỷ", "phố", "đoàn"}, "Thị": {"ủy", "uỷ", "xã", "trấn"},
    "Hội": {"nghị", "nông", "phụ", "cựu", "liên", "đồng", "chữ", "người", "khuyến"},
    "Chi": {"bộ", "hội", "đoàn"}, "Đoàn": {"thanh", "công", "đại", "kiểm", "thể"},
    "Chính": {"quyền", "phủ"}, "Năm": {"dân", "2020", "2021", "2022", "2023", "2024", "2025"},
    "Nhân": {"dân"},
    # "Lễ" is a syllable of place names ("xã Hòa Lễ ra mắt …", "xã Lễ Môn"); only a ceremony's
    # own name ("… Lễ khai mạc", "Lễ hội") begins after a name without punctuation
    "Lễ": {"khai", "công", "kỷ", "phát", "đón", "trao", "tổng", "sơ", "bế", "mít", "chào", "dâng", "hội"},
}
_UNIT_TYPES = r"thị trấn|phường|xã"
_TYPE_RE = re.compile(rf"(?<![\wÀ-ỹ])(?<!thị )(?<!Thị )(?<!THỊ )({_UNIT_TYPES})(?![\wÀ-ỹ])", re.I)
_PLURAL_BEFORE = re.compile(
    r"(?:các|những|\d+|hai|ba|bốn|năm|sáu|bảy|tám|chín|mười)\s*$", re.I
)
_NUMBER_NAME = re.compile(r"\d{1,2}\b")


def _read_name(text: str, pos: int) -> tuple[str, int] | None:
    """A place name starting at pos: 1–4 capitalised syllables, or a number ("Phường 3")."""
    m = re.match(r"\s*:?\s*", text[pos:])
    start = pos + m.end()
    num = _NUMBER_NAME.match(text, start)
    if num:
        return num.group(0), num.end()
    words, end, closed = [], start, False
    tokens = list(re.finditer(r"(\S+?)([,.;:!?)”\"]*)(\s+|$)", text[start:]))
    for i, wm in enumerate(tokens):
        word = wm.group(1)
        if not _is_syllable(word) or word in _NAME_STOP:
            break
        nxt = tokens[i + 1].group(1).lower() if i + 1 < len(tokens) and not wm.group(2) else ""
        if nxt in _NAME_STOP_IF_NEXT.get(word, ()):
            break
        words.append(word)
        end = start + wm.start(1) + len(word)
        closed = bool(wm.group(2))
        if closed or len(words) == 4:
            break  # punctuation closes the name
    if not words:
        return None
    # "xã Hố Nai 3", "phường Tân Phong 2": a number closes the name when nothing counted follows it
    num = None if closed else _TRAILING_NUMBER.match(text, end)
    if num:
        return " ".join(words) + " " + num.group(1), num.end(1)
    return " ".join(words), end


# A number right after a name, followed by punctuation, the end, or a word that is not a counted noun.
_TRAILING_NUMBER = re.compile(
    r"\s+(\d{1,2})(?=[,.;:!?)”\"]|\s*$|\s+(?!(?:thành|người|hộ|năm|tháng|ngày|thôn|bản|xóm|xã|phường|đơn|ha|km|m2|tỷ"
    r"|triệu|nghìn|ngàn|lần|đồng|cán|tổ|khu|tiểu|điểm|%|giờ|phút|chi|đảng|học|cụm|tuyến|con|việc)\b))"
)


def _unit_mentions(text: str):
    """Every unit named in text: (position, "xã Name"), expanding lists after a plural type word.

    "các xã A, B và C" / "2 xã A và B" / "03 xã: A, B, C" list several names after one type word;
    a singular "xã A, Ban Dân vận …" does not continue (the comma ends the clause there).
    """
    for m in _TYPE_RE.finditer(text):
        kind = m.group(1).lower()
        first = _read_name(text, m.end())
        if not first:
            continue
        name, end = first
        yield m.start(), f"{kind} {name}"
        plural = bool(_PLURAL_BEFORE.search(text[max(0, m.start() - 12): m.start()]))
        while plural:
            sep = re.match(r"\s*(?:,|;|và|,\s*và)\s*(?!(?:" + _UNIT_TYPES + r")\b)", text[end:], re.I)
            if not sep:
                break
            nxt = _read_name(text, end + sep.end())
            if not nxt:
                break
            name, end = nxt
            yield end - len(name), f"{kind} {name}"


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
    found = [u for pos, u in _unit_mentions(title) if not _is_attending(title, pos)]
    launch = _launch_sentences(paragraphs)
    early = [s for i, s in launch if i <= 1] or [s for i, s in launch[:1]]
    for sentence in early:
        found += [u for pos, u in _unit_mentions(sentence) if not _is_attending(sentence, pos)]
    if not found:
        for _, sentence in launch:
            found += [u for pos, u in _unit_mentions(sentence) if not _is_attending(sentence, pos)]
    return _dedupe([nfc(u) for u in found])


_DISTRICT_RE = re.compile(
    # the party committee first: "Huyện ủy Quan Sơn" must not be read as "huyện" + "ủy"
    r"(?<![\wÀ-ỹ])(?:(?P<party>Huyện ủy|Huyện uỷ|Thị ủy|Thị uỷ|Thành ủy|Thành uỷ)\s+|(?P<kind>huyện|thị xã|thành phố|TP\.?|TX\.?)\s+)",
    re.I,
)
_PARTY_KIND = {"huyen uy": "huyện", "thi uy": "thị xã", "thanh uy": "thành phố"}
_KIND_ABBR = {"tp": "thành phố", "tp.": "thành phố", "tx": "thị xã", "tx.": "thị xã"}
# Names that follow "thành phố"/"huyện" in these texts without being a district.
_NOT_DISTRICT = {"Hồ", "Việt", "Nam"}


def _district_mentions(text: str, people: tuple[str, ...] = ()):
    for m in _DISTRICT_RE.finditer(text):
        got = _read_name(text, m.end())
        if got:
            # "Phó Chủ tịch UBND huyện Lê Văn Tiến": the person named after a title is no district
            name = got[0]
            for person in people:
                # the whole name, or its first syllables where the name reader stopped early
                parts = person.split()
                for k in range(len(parts), 1, -1):
                    head = " ".join(parts[:k])
                    if name == head or name.endswith(" " + head):
                        name = name[: len(name) - len(head)].strip()
                        break
            got = (name, got[1]) if name else None
        if not got or _NUMBER_NAME.fullmatch(got[0]) or got[0].split()[0] in _NOT_DISTRICT:
            continue
        if m.group("party"):
            kind = _PARTY_KIND[fold(m.group("party"))]
        else:
            raw = m.group("kind")
            kind = _KIND_ABBR.get(raw.lower(), raw.lower())
        yield m.start(), f"{kind} {got[0]}"


def find_district(title: str, body_text: str, portal_district: str | None = None,
                  people: tuple[str, ...] = ()) -> str | None:
    """The district of the launch: named in the title or a launch sentence ("Ban Dân vận Huyện ủy
    Quan Sơn" → huyện Quan Sơn), else the portal's own district, else the district the text names
    most. "Thành ủy"/"Huyện ủy" without a name says nothing: the name must be in the text."""
    paragraphs = split_paragraphs(body_text)
    # only the first launch sentences: later ones drift ("… học tập kinh nghiệm của huyện Đông Sơn")
    for text in [title] + [s for i, s in _launch_sentences(paragraphs) if i <= 1]:
        for _, d in _district_mentions(text, people):
            return _prefer_portal_spelling(d, portal_district)
    counts: dict[str, tuple[int, int, str]] = {}
    for pos, d in _district_mentions(title + "\n" + body_text, people):
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


# the party committee first: "Tỉnh ủy Đắk Lắk" must not be read as "tỉnh" + "ủy"
_PROVINCE_RE = re.compile(r"(?<![\wÀ-ỹ])(?:Tỉnh ủy|Tỉnh uỷ|UBND tỉnh|HĐND tỉnh|tỉnh)\s+", re.I)


def find_province(title: str, body_text: str, portal_province: str | None = None) -> str | None:
    """"tỉnh X" (or "Tỉnh ủy X") as named in the text, else the portal's province. A bare "Tỉnh ủy"
    in an official's title names no province. The portal's province wins when the text names it too;
    otherwise the province the text names most (first on ties)."""
    counts: dict[str, tuple[int, int, str]] = {}
    text = title + "\n" + body_text
    for m in _PROVINCE_RE.finditer(text):
        got = _read_name(text, m.end())
        if not got or _NUMBER_NAME.fullmatch(got[0]):
            continue
        n, first, v = counts.get(fold(got[0]), (0, m.start(), got[0]))
        counts[fold(got[0])] = (n + 1, first, v)
    if portal_province and fold(portal_province) in counts:
        return portal_province
    if counts:
        return max(counts.values(), key=lambda c: (c[0], -c[1]))[2]
    return portal_province


# ================================================================================================
# board_size
# ================================================================================================

_DIGIT_WORDS = {"mot": 1, "hai": 2, "ba": 3, "bon": 4, "nam": 5, "sau": 6, "bay": 7, "tam": 8, "chin": 9}
# After "mười"/"mươi" a unit may take another form: "mốt" (folds to "mot"), "tư" 4, "lăm" 5.
_UNIT_WORDS = {**_DIGIT_WORDS, "tu": 4, "lam": 5}


def word_number(words: str) -> int | None:
    """Vietnamese number words up to 99, folded: "chin" 9, "muoi mot" 11, "muoi lam" 15,
    "hai muoi" 20, "hai muoi mot" (hai mươi mốt) 21, "hai muoi lam" 25. None if not a number."""
    toks = words.split()
    if toks[:1] == ["muoi"]:                                   # mười, mười một … mười chín
        tens, rest = 1, toks[1:]
    elif len(toks) >= 2 and toks[0] in _DIGIT_WORDS and toks[0] != "mot" and toks[1] == "muoi":
        tens, rest = _DIGIT_WORDS[toks[0]], toks[2:]           # hai mươi …, chín mươi …
    elif len(toks) == 1 and toks[0] in _DIGIT_WORDS:
        return _DIGIT_WORDS[toks[0]]
    else:
        return None
    if not rest:
        return tens * 10
    if len(rest) == 1 and rest[0] in _UNIT_WORDS:
        return tens * 10 + _UNIT_WORDS[rest[0]]
    return None


_NUM_WORD = r"(?:mot|hai|ba|bon|tu|nam|lam|sau|bay|tam|chin|muoi)"
_NUMBER = rf"(?P<n>\d{{1,3}}|{_NUM_WORD}(?: {_NUM_WORD}){{0,2}})"
# The board, then within the same sentence "gồm/với/có N thành viên" or "(N thành viên)";
# "gồm N đồng chí" is the same count written another way.
_BOARD_SIZE = re.compile(
    r"\b(?:ban dieu hanh|ban chi dao|bcd|bdh)\b[^.;]{0,160}?"
    rf"(?:\b(?:gom|voi|co)\b\s*:?\s*{_NUMBER}\s+thanh vien\b|\(\s*{_NUMBER.replace('?P<n>', '?P<n2>')}\s+thanh vien\b"
    rf"|\bgom\s*:?\s*{_NUMBER.replace('?P<n>', '?P<n3>')}\s+dong chi\b)"
)
_RANGE = re.compile(rf"\b(?:tu\s+)?(?:\d+|{_NUM_WORD}(?: {_NUM_WORD})*)\s*(?:den|-|–|toi)\s*(?:\d+|{_NUM_WORD})\s+thanh vien\b")


_OTHER_UNIT_BOARD = re.compile(r"(?:xa|phuong|thi tran)\s+[\w' ]{2,30}?\s+gom\s+(\d{1,2})\s+thanh vien")


def find_board_size(body_text: str) -> int | None:
    """Members of the steering board: "Ban Điều hành … gồm/với/có N thành viên" (N in digits or words).

    A range ("từ 9 đến 11 thành viên") is a rule for boards, not the size of this one: None. Boards
    of different sizes (several units launching, each with its own) give None too.
    """
    folded = fold(body_text).replace("\n", " ")
    sizes = []
    for m in _BOARD_SIZE.finditer(folded):
        window = folded[m.start(): m.end()]
        if _RANGE.search(window):
            continue
        raw = m.group("n") or m.group("n2") or m.group("n3")
        n = int(raw) if raw.isdigit() else word_number(raw)
        if n and n > 0:
            sizes.append(n)
            # "Ban Chỉ đạo xã Môn Sơn gồm 15 thành viên, xã Lục Dạ gồm 13 thành viên": the other
            # units' boards in the same sentence
            sentence_end = folded.find(". ", m.end())
            rest = folded[m.end(): sentence_end if sentence_end >= 0 else len(folded)]
            sizes += [int(k) for k in _OTHER_UNIT_BOARD.findall(rest)]
    # several units, several boards: no single size is "the" board's
    return sizes[0] if sizes and len(set(sizes)) == 1 else None


# ================================================================================================
# officials
# ================================================================================================

# How a person is introduced. "các đồng chí:" opens a list "A, chức vụ; B, chức vụ".
_TRIGGER = re.compile(r"(?<![\wÀ-ỹ])(?P<list>[Cc]ác\s+)?(?:đồng chí|Đồng chí|ĐỒNG CHÍ|Đ/c|đ/c|Đ/C|đ/C|ông|Ông|bà|Bà)(?![\wÀ-ỹ])\s*:?\s*")
# A title written before the name: "Phó Chủ tịch UBND huyện Phan Văn Thắng", "Trưởng Ban Dân vận Thị
# ủy Trương Công Thành dự". The title runs to the next ";", ",", "." or verb; the name is its last
# 3–4 capitalised syllables, from a family name on (pipelines/surnames.txt).
_TITLE_FIRST = re.compile(
    r"(?<![\wÀ-ỹ])(?:Phó |Trưởng |Chủ tịch |Chủ nhiệm |Bí thư |Giám đốc |Ủy viên |Uỷ viên |Chánh |Thứ trưởng |"
    r"Bộ trưởng |Đại tá |Thượng tá |Trung tá |Thiếu tá )")
_SURNAMES = vocabulary("surnames.txt")
# Capitalised words that begin a title, never a personal name.
_TITLE_WORDS = {
    "Phó", "Bí", "Chủ", "Trưởng", "Ủy", "Uỷ", "Giám", "Chánh", "Tỉnh", "Huyện", "UBND", "HĐND",
    "MTTQ", "Bộ", "Sở", "Phòng", "Cục", "Viện", "Đảng", "Xã", "Phường",
}
# Words that are personal names too ("Hà Xuân Thành", "Nguyễn Văn Công"): a title only when the
# next word completes an office ("Thành ủy", "Thường trực", "Đại biểu").
_TITLE_IF_NEXT = {
    "Thành": {"ủy", "uỷ", "phố", "viên"}, "Thường": {"trực", "vụ"}, "Đại": {"biểu", "tá", "úy", "uý", "diện"},
    "Công": {"an", "đoàn"}, "Hội": {"trưởng", "đồng", "viên", "nông", "cựu", "liên", "phụ"},
    "Tổng": {"bí", "giám", "thư", "biên"}, "Chỉ": {"huy"}, "Thứ": {"trưởng"}, "Cán": {"bộ"},
    "Lãnh": {"đạo"}, "Đồng": {"chí"}, "Thượng": {"tá", "úy", "uý"}, "Trung": {"tá", "úy", "uý", "tướng"},
    "Thiếu": {"tá", "úy", "uý", "tướng"}, "Thị": {"ủy", "uỷ", "xã", "trấn"},
    "Ban": {"dân", "chỉ", "điều", "thường", "tuyên", "tổ", "kinh", "văn", "nội", "quản", "bí", "pháp",
            "kiểm", "công", "thi", "đại", "chấp"},                      # "Hà Văn Ban" is a name
    "Nguyên": {"bí", "chủ", "phó", "trưởng", "giám", "ủy", "uỷ"},    # so is "Trần Văn Nguyên"
}
# The verb or clause after a title: the title stops before it. Matched as written (lower case,
# with tones) so "Du lịch" in a department's name is not "dự", and not after "ban "/"Ban " so
# "Trưởng ban chỉ đạo" keeps its "chỉ đạo".
_VERBS = [
    "khai mạc", "bế mạc", "phát biểu", "tới dự", "về dự", "đến dự", "tham dự", "dự", "chỉ đạo", "tặng hoa",
    "tặng", "trao", "tập huấn", "nhấn mạnh", "đề nghị", "yêu cầu", "cho biết", "ghi nhận", "chủ trì",
    "báo cáo", "trình bày", "thông qua", "công bố", "quán triệt", "khẳng định", "đánh giá", "biểu dương",
    "chúc mừng", "gửi lời", "làm trưởng đoàn", "thay mặt", "được", "đã", "cùng", "triển khai", "nêu rõ",
    "lưu ý", "giao nhiệm vụ", "khai", "mong muốn", "đồng thời", "cũng", "nói", "chia sẻ", "phát động",
    "ký", "kêu gọi", "động viên", "giới thiệu", "quán", "lên", "đọc", "thông tin", "tại", "trong",
    "khi", "nhận", "điều hành hội nghị", "dẫn", "và các", "và đại", "cùng các", "hướng dẫn", "đến",
    "giải đáp", "trả lời", "đặt", "là", "cũng như", "ghi", "mời", "và lãnh đạo", "và cán bộ",
    "và đại diện", "và nhân dân", "làm", "và Nhân dân", "và đông đảo", "và toàn thể", "và đại biểu",
    "tiếp thu", "tiếp nhận", "trao đổi", "phổ biến", "thông báo", "cảm ơn", "điều hành",
]
_VERB_RE = re.compile(
    r"(?<![Bb]an )(?<![\wÀ-ỹ])(?:" + "|".join(sorted(map(re.escape, _VERBS), key=len, reverse=True)) + r")(?![\wÀ-ỹ])"
)
# After a comma, a title continues only with another office ("…, Trưởng Ban Dân vận Huyện ủy,
# Chủ tịch UB MTTQ …"); anything else (", lãnh đạo, cán bộ …") is the sentence moving on.
_TITLE_HEADS = re.compile(
    r"^(?:ủy viên|uỷ viên|phó|trưởng|chủ tịch|chủ nhiệm|bí thư|giám đốc|chánh|tổng|thành viên|đại biểu"
    r"|thường trực|tỉnh ủy viên|tỉnh uỷ viên|huyện ủy viên|huyện uỷ viên|thành ủy viên|thành uỷ viên"
    r"|chỉ huy|trưởng ban|ủy ban|uỷ ban|đảng ủy viên|đảng uỷ viên|nguyên|thứ trưởng|bộ trưởng|cục trưởng"
    r"|vụ trưởng|viện trưởng|hiệu trưởng|kế toán|công chức|cán bộ|ubnd|hđnd|mttq|ub mttq|ub\.mttq"
    r"|bch|btv|ủy viên bch|uỷ viên bch|đại tá|thượng tá|trung tá|thiếu tá)\b",
    re.I,
)


def _read_person(text: str, pos: int) -> tuple[str, int] | None:
    """A personal name at pos: 2–5 capitalised syllables, stopping at punctuation or a title word."""
    words, end = [], pos
    tokens = list(re.finditer(r"(\S+?)([,.;:!?)(\-–”\"]*)(\s+|$)", text[pos:]))
    for i, wm in enumerate(tokens):
        word = wm.group(1)
        if not _is_syllable(word) or word in _TITLE_WORDS:
            break
        nxt = tokens[i + 1].group(1).lower() if i + 1 < len(tokens) and not wm.group(2) else ""
        if nxt in _TITLE_IF_NEXT.get(word, ()):
            break
        words.append(word)
        end = pos + wm.start(1) + len(word)
        if wm.group(2) or len(words) == 5:
            break
    if len(words) < 2:
        return None
    return " ".join(words), end

# "Sở Văn hóa, Thể thao và Du lịch": a comma inside a department's name, not the end of the title.
_NAME_LIST_TAIL = re.compile(rf"^\s*{UP}{LO}*(?:\s+{LO}+)*\s+và\s+{UP}")


def _read_title(text: str, pos: int) -> tuple[str | None, int]:
    """The role phrase after a name ("- chức vụ", ", chức vụ", "(chức vụ)"), as written."""
    sep = re.match(r"\s*(?:[-–—:]|,|\()\s*", text[pos:])
    if not sep:
        return None, pos
    start = pos + sep.end()
    stop = len(text)
    for rx in (r";", r"\.(?=\s|$)", r"\)", r":", r"\n", r"(?<![\wÀ-ỹ])(?:và\s+)?(?:các\s+)?(?:đồng chí|Đồng chí|Đ/c|đ/c)(?![\wÀ-ỹ])"):
        m = re.search(rx, text[start:])
        if m:
            stop = min(stop, start + m.start())
    segment = text[start:stop]
    v = _VERB_RE.search(segment)
    if v:
        segment = segment[: v.start()]
    # comma-separated offices; the first is the title's head, later ones must be offices too
    parts = segment.split(",")
    kept = [parts[0]]
    for part in parts[1:]:
        if _TITLE_HEADS.match(part.strip()) or _NAME_LIST_TAIL.match(part):
            kept.append(part)
        else:
            break
    title = re.sub(r"^[\s,\-–]+|[\s,\-–]+$", "", ",".join(kept))
    title = " ".join(title.split())  # &nbsp; and double spaces inside a title become one space
    return (title or None), start + len(",".join(kept))


def _is_author(name: str, author: str | None) -> bool:
    if not author:
        return False
    people = [fold(p) for p in re.split(r"\s*(?:,|;|-|–|\bvà\b|&)\s*", author) if p.strip()]
    return fold(name) in people or fold(name) == fold(author)


def _offices_before(text: str, pos: int) -> str:
    """Offices written before a title-first title, comma-separated: "Ủy viên Ban Thường vụ, " of
    "… có Ủy viên Ban Thường vụ, Trưởng Ban Dân vận Huyện ủy Sầm Thị Lan"."""
    prefix = ""
    while True:
        m = re.search(r"([^;:.(\n,]+),\s*$", text[:pos])
        if not m:
            return prefix
        # the segment after the sentence's verb ("… hội nghị có Ủy viên Ban Thường vụ")
        segment = re.split(r"(?<![\wÀ-ỹ])(?:có|dự|là)(?![\wÀ-ỹ])", m.group(1))[-1].strip()
        if not _TITLE_HEADS.match(segment) or _ends_with_name(segment):
            return prefix  # not an office, or another person's title and name ("… huyện Tẩn Láo Lở, …")
        prefix = segment + ", " + prefix
        pos = m.start(1) + m.group(1).rfind(segment)


def _ends_with_name(segment: str) -> bool:
    words = segment.split()
    return any(words[i] in _SURNAMES and all(_is_syllable(w) for w in words[i:])
               for i in range(max(1, len(words) - 4), len(words) - 2))


def _titled_names(text: str):
    """(name, title) for each title written before its name."""
    for m in _TITLE_FIRST.finditer(text):
        stop = re.search(r"[;,.:()\n“”]|(?<![\wÀ-ỹ])và(?![\wÀ-ỹ])", text[m.start():])
        span = text[m.start(): m.start() + stop.start()] if stop else text[m.start():]
        verb = _VERB_RE.search(span)
        if verb:
            span = span[: verb.start()]
        words = span.split()
        tail = len(words)
        while tail > 0 and _is_syllable(words[tail - 1]):
            tail -= 1  # the run of capitalised syllables that ends the span
        for start in range(max(tail, len(words) - 4), len(words) - 2):
            if words[start] in _SURNAMES or words[start].startswith("H'"):
                # a bare "Chủ tịch Hồ Chí Minh" is history, not an official present: an office
                # names its body ("Chủ tịch UBND xã", "Trưởng Ban Dân vận Huyện ủy")
                if start >= 3:
                    title = _offices_before(text, m.start()) + " ".join(words[:start])
                    yield m.start(), " ".join(words[start:]), title
                break


def find_officials(body_text: str, author: str | None = None) -> list[dict]:
    """People introduced as đồng chí / Đ/c / ông / bà (name, then title), or after their title
    ("Phó Chủ tịch UBND huyện Phan Văn Thắng"), once each, with the title as first written."""
    found: dict[str, dict] = {}
    first_seen: dict[str, int] = {}

    def add(name: str, title: str | None, pos: int):
        if _is_author(name, author):
            return
        key = fold(name)
        if key not in found:
            found[key] = {"name": name, "title": title}
            first_seen[key] = pos
        elif title and (found[key]["title"] is None or pos < first_seen[key]):
            found[key]["title"] = title  # the title as first written
            first_seen[key] = min(pos, first_seen[key])

    text = body_text or ""
    for pos, name, title in _titled_names(text):
        add(name, title, pos)
    for m in _TRIGGER.finditer(text):
        person = _read_person(text, m.end())
        if not person:
            continue  # "các đồng chí lãnh đạo thành phố …": no name, nobody to record
        name, end = person
        title, end = _read_title(text, end)
        add(name, title, m.start())
        if m.group("list"):
            # "các đồng chí: A, chức vụ; B, chức vụ; C, chức vụ" — the next items follow ";" or ","
            while True:
                nxt = re.match(r"\s*[;,]\s*(?:và\s+)?", text[end:])
                if not nxt:
                    break
                person = _read_person(text, end + nxt.end())
                if not person:
                    break
                name, end = person
                title, end = _read_title(text, end)
                add(name, title, end)
    return [found[key] for key in sorted(found, key=first_seen.get)]


# ================================================================================================
# slogans and documents
# ================================================================================================

# “5 biết”, "3 không", “4 thể hiện”: a number and a few lower-case words, in quotes.
_SLOGAN = re.compile(rf"[“\"]\s*(\d{{1,2}}\s+{LO}+(?:\s+{LO}+){{0,3}})\s*[”\"]")


# Several numbered phrases in one pair of quotes: “4 xin, 4 luôn” is two slogans, but a slogan may
# itself be a pair ("2 tăng, 2 giảm"): those are listed in pipelines/slogans.txt and kept whole.
_SLOGAN_GROUP = re.compile(rf"[“\"]\s*(\d{{1,2}}\s+{LO}+(?:\s+{LO}+){{0,3}}(?:\s*[,;]\s*\d{{1,2}}\s+{LO}+(?:\s+{LO}+){{0,3}})+)\s*[”\"]")
_COMPOUND_SLOGANS = vocabulary("slogans.txt")


def find_slogans(text: str) -> list[str]:
    """Numbered slogans in quotes, in order of first mention, each once."""
    found = []
    for m in _SLOGAN.finditer(text or ""):
        found.append((m.start(), " ".join(m.group(1).split())))
    for m in _SLOGAN_GROUP.finditer(text or ""):
        group = " ".join(m.group(1).split())
        if group in _COMPOUND_SLOGANS:
            found.append((m.start(), group))
        else:
            found += [(m.start() + i, part.strip()) for i, part in enumerate(re.split(r"\s*[,;]\s*", group))]
    return _dedupe([slogan for _pos, slogan in sorted(found, key=lambda t: t[0])])


# 05-CT/TW, 34/2007/PL-UBTVQH11, 1612/QĐ-UBND, 15-HD/BDVTW, 202/2025/QH15, 01/2023/NĐ-CP:
# a number, an optional year, then letter groups joined by - or /. A date (17/3/2023) has no
# letter group; "Nghị quyết 13" has no code at all.
# A letter group may carry lower-case letters after two capitals, as some codes are written:
# 11-QĐi/TW (Quy định), 12-CTr/HU (Chương trình), 1234/QĐ-TTg (Thủ tướng). A group with one
# capital and lower case ("Ngày") is a word, not a code.
_UPPER = "A-ZĐƯƠÂÊÔĂ"
_LETTERS = rf"(?:[{_UPPER}][{_UPPER}0-9]*|[{_UPPER}]{{2,}}[a-zđ]{{1,2}}[{_UPPER}0-9]*|[{_UPPER}][{_UPPER}][a-zđ]|[{_UPPER}][a-zđ][{_UPPER}][{_UPPER}0-9]*)"
_DOCUMENT = re.compile(
    rf"(?<![\w/.\-])\d{{1,5}}(?:/(?:19|20)\d{{2}})?[-/]{_LETTERS}(?:[-/.]{_LETTERS})*(?![\w/])"
)


def find_documents(text: str) -> list[str]:
    return list(dict.fromkeys(m.group(0) for m in _DOCUMENT.finditer(text or "")))


# ================================================================================================


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
        "province": find_province(title, body_text, portal_province),
        "unit_codes": [],
        "board_size": find_board_size(body_text),
        "officials": officials,
        "slogans": find_slogans(title + "\n" + body_text),
        "documents": find_documents(title + "\n" + body_text),
    }
