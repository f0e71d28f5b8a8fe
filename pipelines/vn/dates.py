"""Dates as Vietnamese pages and reports write them.

Two readers, for the two kinds of dates a page holds:

- `parse_page_date` — a full date as a page prints its own ("Đăng ngày 17/03/2023 10:25",
  "14/04/2023 10:21:35 SA", "2023-03-17T10:25:00+07:00", "04.03.2023", "Ngày đăng: 23 Tháng 8 2023",
  WordPress's "Th8 22, 2024" and "11 Tháng Ba, 2024"). A timestamp in another zone is dated in Vietnam's.
- `day_month_mentions` — every date a report's sentences name, with or without a year: "Sáng ngày
  17/3", "Chiều 5-4", "Tối 19.5", "ngày 4 tháng 10 năm 2022", "ngày 17-3-2023". Each mention says
  whether a time of day or "ngày" introduces it and whether a document code stands just before it
  ("Kế hoạch số 120-KH/HU ngày 5/1/2023": the document's date). Relative dates ("vừa qua", "mới
  đây") name no day and are not mentions.

`is_date_line` tells a date/meta line ("Thứ Tư, 07/06/2023 - 09:32 Lượt xem: 1.205") from a sentence
that happens to contain a date; `strip_dates` takes a line's dates, times and meta words out ("Bài và
ảnh: X · 04.03.2023" → "Bài và ảnh: X").

`complete_year` gives a day and month without a year the year that puts it on or before the
publication date: a report of 2/1/2024 about "Chiều 29/12" is about 2023-12-29.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from urllib.parse import urlsplit

# Vietnam's time: a timestamp given in another zone ("2023-10-25T23:30:00+00:00") is dated here.
VIETNAM = dt.timezone(dt.timedelta(hours=7))

# --- full dates (a page's own) -------------------------------------------------------------------
_ISO_ZONED = re.compile(r"(?<!\d)(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}(?::\d{2})?)(?:\.\d+)?(Z|[+-]\d{2}:?\d{2})")
_YMD = re.compile(r"(?<!\d)(\d{4})-(\d{1,2})-(\d{1,2})(?!\d)")
_DMY = re.compile(r"(?<![\d.,])(\d{1,2})\s*[/.-]\s*(\d{1,2})\s*[/.-]\s*(\d{4})(?!\d)")
# "23 Tháng 8 2023", "ngày 17 tháng 3 năm 2023", "17 tháng 3, 2023"
_DMY_FULL_WORDS = re.compile(r"(?<!\d)(\d{1,2})\s+tháng\s+(\d{1,2})\s*(?:,|năm)?\s*(\d{4})(?!\d)", re.I)
# WordPress's Vietnamese month names: "11 Tháng Ba, 2024", "20 Tháng Sáu, 2024", "3 tháng Mười Hai 2023".
MONTH_NAMES = {"một": 1, "giêng": 1, "hai": 2, "ba": 3, "tư": 4, "năm": 5, "sáu": 6, "bảy": 7, "tám": 8, "chín": 9,
               "mười": 10, "mười một": 11, "mười hai": 12, "chạp": 12}
_MONTH_NAME = "|".join(sorted(MONTH_NAMES, key=len, reverse=True))
_DMY_MONTH_NAME = re.compile(rf"(?<!\d)(\d{{1,2}})\s+tháng\s+({_MONTH_NAME})\s*,?\s*(\d{{4}})(?!\d)", re.I)
# WordPress "j F, Y" in Vietnamese prints "Th8 22, 2024" (or "Tháng 8 22, 2024"): month first.
_MDY_WP = re.compile(r"\bTh(?:áng)?\s*(\d{1,2})\s+(\d{1,2}),?\s+(\d{4})(?!\d)", re.I)
_PATTERNS = ((_YMD, "ymd"), (_DMY, "dmy"), (_DMY_FULL_WORDS, "dmy"), (_MDY_WP, "mdy"))
# A time after a date: "10:21:35 SA", "07:50 CH", "9h30" (SA/CH are AM/PM); part of a date line.
# SA/CH may touch the next word when two spans are glued ("10:21:35 SATác giả: …"): a marker is one
# that no lower-case letter continues ("sáng", "Chiều" are words, not markers).
TIME = re.compile(r"\d{1,2}[:hH]\d{2}(?::\d{2})?(?:\s*(?i:am|pm|sa|ch)(?![a-zà-ỹđ0-9]))?")


def full_date_spans(text: str):
    """(start, end, date) of every full date in text."""
    for m in _ISO_ZONED.finditer(text):
        zone = "+00:00" if m.group(3) == "Z" else m.group(3)
        try:
            moment = dt.datetime.fromisoformat(f"{m.group(1)}T{m.group(2)}{zone}")
        except ValueError:
            continue
        yield m.start(), m.end(), moment.astimezone(VIETNAM).date()
    for m in _DMY_MONTH_NAME.finditer(text):
        try:
            yield m.start(), m.end(), dt.date(int(m.group(3)), MONTH_NAMES[m.group(2).lower()], int(m.group(1)))
        except ValueError:
            continue
    for pattern, order in _PATTERNS:
        for m in pattern.finditer(text):
            a, b, c = (int(g) for g in m.groups())
            y, mo, d = {"ymd": (a, b, c), "dmy": (c, b, a), "mdy": (c, a, b)}[order]
            if order == "dmy" and mo > 12 >= d and pattern is _DMY:
                mo, d = d, mo  # "8/23/2023 2:15:00 PM": DotNetNuke in an en-US culture prints month first
            try:
                yield m.start(), m.end(), dt.date(y, mo, d)
            except ValueError:
                continue


def parse_page_date(text: str) -> str | None:
    """The first full date written in text, as an ISO date, or None."""
    found = sorted(full_date_spans(text or ""), key=lambda t: t[0])  # stable: a zoned timestamp before its date part
    return found[0][2].isoformat() if found else None


def as_date(value: str | None) -> dt.date | None:
    """A publication date as stored (ISO) or as a page prints it, as a date."""
    parsed = parse_page_date(value or "")
    return dt.date.fromisoformat(parsed) if parsed else None


_URL_DATE = re.compile(r"/((?:19|20)\d{2})[-/](\d{1,2})[-/](\d{1,2})(?:/|$)")


def date_from_url(url: str | None) -> dt.date | None:
    """A date in a URL's path: /2023-3-17/ (SharePoint, not zero-padded) or /2023/03/17/ (WordPress)."""
    m = _URL_DATE.search(urlsplit(url or "").path)
    if not m:
        return None
    try:
        return dt.date(*(int(g) for g in m.groups()))
    except ValueError:
        return None


# --- date lines ----------------------------------------------------------------------------------
# Words that surround a date on a meta line: weekday, "Cập nhật lúc", a time, the time zone, counters.
_META_NOISE = re.compile(
    r"thứ\s*(?:hai|ba|tư|năm|sáu|bảy|[2-7])|chủ\s*nhật|cập\s*nhật(?:\s*lúc)?|ngày\s*đăng|đăng\s*ngày|đăng\s*lúc|(?:đã\s*)?đăng\s*vào"
    r"|xuất\s*bản|ngày|lúc|đăng|published|posted|updated|gmt\s*[+-]?\s*\d*|utc\s*[+-]?\s*\d*"
    r"|(?:lượt\s*(?:xem|đọc)|views?)\s*:?\s*[\d.,]*"
    r"|[\d.,]+\s*(?:lượt\s*(?:xem|đọc)|views?)",
    re.I,
)


def strip_dates(text: str) -> str:
    """The text without its dates, times and meta words ("Bài và ảnh: X · 04.03.2023" → "Bài và ảnh: X")."""
    spans = sorted(((s, e) for s, e, _ in full_date_spans(text)), reverse=True)
    for s, e in spans:
        text = text[:s] + " " + text[e:]
    text = _META_NOISE.sub(" ", TIME.sub(" ", text))
    return " ".join(re.sub(r"\s*[|·•]\s*", " ", text).split()).strip(" -–,:;()[]|·•")


def is_date_line(text: str) -> bool:
    """A line that only dates the page (plus a category, a time or a view counter)."""
    if not text or len(text) > 90 or parse_page_date(text) is None:
        return False
    return len(strip_dates(text)) <= 25


# --- dates in sentences --------------------------------------------------------------------------
_DAYPART = r"(?:sáng|chiều|tối|trưa|đêm)"
# Each form is found by its core (a required "ngày", time of day or the digits), then what stands
# right before it is read backwards: patterns opening on optional words would be tried at every
# position of every text (the near-duplicate check reads each archived article).
# "17/3", "17/3/2023", "17 / 3". Not "Đ/c" (no digits), not "05-CT/TW" (letters), not
# "34/2007/PL-…" (a 4-digit part is not a month and the code continues), not "tháng 12/2023".
_DM_SLASH = re.compile(
    r"(?<![\w/.\-])(?P<d>\d{1,2})\s*/\s*(?P<m>\d{1,2})(?:\s*/\s*(?P<y>\d{4}))?(?![\d/\-]|\.\d)")
# "ngày 4 tháng 10 năm 2022", "Sáng ngày 4 tháng 10"
_DM_WORDS = re.compile(
    r"(?P<ngay>ngày\s+)(?P<d>\d{1,2})\s+tháng\s+(?P<m>\d{1,2})(?:\s*(?:năm|,)?\s*(?P<y>\d{4}))?", re.I)
# "ngày 17-3-2023", "ngày 17.3": dashes and dots only after "ngày", where they cannot be a code.
_DM_DASH = re.compile(r"(?P<ngay>ngày\s+)(?P<d>\d{1,2})[-.](?P<m>\d{1,2})(?:[-.](?P<y>\d{4}))?(?![\d\w])", re.I)
# "Chiều 5-4", "Tối 19.5", "Sáng 19-5-2024": a dash or dot after a time of day, which no document
# code and no decimal number has.
_DAYPART_DASH = re.compile(
    rf"(?P<part>{_DAYPART}\s+)(?P<ngay>(?:ngày\s+)?)(?P<d>\d{{1,2}})(?P<sep>[-.])(?P<m>\d{{1,2}})"
    r"(?:(?P=sep)(?P<y>\d{4}))?(?![\d\w/\-])(?!\.\d)",
    re.I,
)
# What may stand before a date's core: "Sáng", "hôm thứ Ba,", "nay (", "vào ngày".
_PREFIX = re.compile(
    rf"(?P<part>{_DAYPART}\s+)?(?:hôm\s+)?(?:thứ\s+\S+,?\s+)?(?:nay\s*\(\s*)?(?:vào\s+)?(?P<ngay>ngày\s+)?$", re.I)
# A document code just before a date ("Kế hoạch số 120-KH/HU ngày 5/1/2023"): the document's date.
_DOC_BEFORE = re.compile(r"(?:\d+[-/]\S*[A-ZĐ]{2,}\S*|ban hành|ký)\s*,?\s*(?:vào\s*)?(?:ngày\s*)?$")
_MONTH_BEFORE = re.compile(r"tháng\s*$", re.I)


@dataclass(frozen=True)
class DateMention:
    pos: int                 # where the mention starts (its time of day, "ngày" or the day)
    day: int
    month: int
    year: int | None
    daypart: bool            # "Sáng", "Chiều", "Tối" … before it: how launch reports open
    ngay: bool               # "ngày" before it
    after_document: bool     # a document code (or "ban hành", "ký") right before: the document's date


def day_month_mentions(text: str) -> list[DateMention]:
    """Every day-and-month named in text (with its year when written), in text order."""
    seen, found = set(), []
    for rx in (_DM_WORDS, _DM_DASH, _DAYPART_DASH, _DM_SLASH):
        for m in rx.finditer(text):
            d, mo = int(m.group("d")), int(m.group("m"))
            if not (1 <= d <= 31 and 1 <= mo <= 12) or m.start("d") in seen:
                continue
            if _MONTH_BEFORE.search(text[max(0, m.start("d") - 7): m.start("d")]):
                continue  # "tháng 3/2023" is a month, not a day
            seen.add(m.start("d"))
            groups = m.groupdict()
            start, part, ngay = m.start(), bool(groups.get("part")), bool(groups.get("ngay"))
            if not part:
                window = text[max(0, start - 40): start]
                before = _PREFIX.search(window)
                if before.group(0):
                    start -= len(window) - before.start()
                    part, ngay = bool(before.group("part")), ngay or bool(before.group("ngay"))
            y = int(m.group("y")) if m.group("y") else None
            doc = bool(_DOC_BEFORE.search(text[max(0, start - 40): start]))
            found.append(DateMention(start, d, mo, y, part, ngay, doc))
    return sorted(found, key=lambda mention: mention.pos)


def complete_year(day: int, month: int, year: int | None, published: dt.date | None) -> dt.date | None:
    """The date, a missing year taken so that the day falls on or before publication; None when
    there is no year to take or the day does not exist."""
    if year is None:
        if published is None:
            return None
        year = published.year
        try:
            if dt.date(year, month, day) > published:
                year -= 1
        except ValueError:
            return None
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None
