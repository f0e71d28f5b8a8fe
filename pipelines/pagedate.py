"""Publication dates as pages print them, and lines that are nothing but a date.

`parse_page_date` reads the forms portals use: "Đăng ngày 17/03/2023 10:25", "(Cập nhật:
5/4/2023)", "2023-03-17T10:25:00+07:00" (a timestamp in another zone is dated in Vietnam's), "04.03.2023", "29-03-2024 07:50", "Ngày đăng: 23 Tháng
8 2023" (Joomla), "Th8 22, 2024" (WordPress's Vietnamese date format). The earliest date in the
text wins. `is_date_line` tells a date/meta line ("Thứ Tư, 07/06/2023 - 09:32 Lượt xem: 1.205")
from a sentence that happens to contain a date.
"""
from __future__ import annotations

import re
from datetime import date, datetime, timedelta, timezone

# Vietnam's time: a timestamp given in another zone ("2023-10-25T23:30:00+00:00") is dated here.
VIETNAM = timezone(timedelta(hours=7))
_ISO_ZONED = re.compile(r"(?<!\d)(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}(?::\d{2})?)(?:\.\d+)?(Z|[+-]\d{2}:?\d{2})")

_YMD = re.compile(r"(?<!\d)(\d{4})-(\d{1,2})-(\d{1,2})(?!\d)")
_DMY = re.compile(r"(?<![\d.,])(\d{1,2})\s*[/.-]\s*(\d{1,2})\s*[/.-]\s*(\d{4})(?!\d)")
# "23 Tháng 8 2023", "ngày 17 tháng 3 năm 2023", "17 tháng 3, 2023"
_DMY_WORDS = re.compile(r"(?<!\d)(\d{1,2})\s+tháng\s+(\d{1,2})\s*(?:,|năm)?\s*(\d{4})(?!\d)", re.I)
# WordPress "j F, Y" in Vietnamese prints "Th8 22, 2024" (or "Tháng 8 22, 2024"): month first.
_MDY_WP = re.compile(r"\bTh(?:áng)?\s*(\d{1,2})\s+(\d{1,2}),?\s+(\d{4})(?!\d)", re.I)
_PATTERNS = ((_YMD, "ymd"), (_DMY, "dmy"), (_DMY_WORDS, "dmy"), (_MDY_WP, "mdy"))


def _matches(text: str):
    for m in _ISO_ZONED.finditer(text):
        zone = "+00:00" if m.group(3) == "Z" else m.group(3)
        try:
            moment = datetime.fromisoformat(f"{m.group(1)}T{m.group(2)}{zone}")
        except ValueError:
            continue
        yield m.start(), m.end(), moment.astimezone(VIETNAM).date()
    for pattern, order in _PATTERNS:
        for m in pattern.finditer(text):
            a, b, c = (int(g) for g in m.groups())
            y, mo, d = {"ymd": (a, b, c), "dmy": (c, b, a), "mdy": (c, a, b)}[order]
            try:
                yield m.start(), m.end(), date(y, mo, d)
            except ValueError:
                continue


def parse_page_date(text: str) -> str | None:
    """The first date written in text, as an ISO date, or None."""
    found = sorted(_matches(text or ""), key=lambda t: t[0])  # stable: a zoned timestamp before its date part
    return found[0][2].isoformat() if found else None


# Words that surround a date on a meta line: weekday, "Cập nhật lúc", a time, the time zone, counters.
_META_NOISE = re.compile(
    r"thứ\s*(?:hai|ba|tư|năm|sáu|bảy|[2-7])|chủ\s*nhật|cập\s*nhật(?:\s*lúc)?|ngày\s*đăng|đăng\s*ngày|đăng\s*lúc"
    r"|xuất\s*bản|ngày|lúc|đăng|published|posted|updated|gmt\s*[+-]?\s*\d*|utc\s*[+-]?\s*\d*"
    r"|\d{1,2}[:h]\d{2}(?::\d{2})?\s*(?:am|pm|sa|ch)?|(?:lượt\s*(?:xem|đọc)|views?)\s*:?\s*[\d.,]*"
    r"|[\d.,]+\s*(?:lượt\s*(?:xem|đọc)|views?)",
    re.I,
)


def strip_dates(text: str) -> str:
    """The text without its dates, times and meta words ("Bài và ảnh: X · 04.03.2023" → "Bài và ảnh: X")."""
    spans = sorted(((s, e) for s, e, _ in _matches(text)), reverse=True)
    for s, e in spans:
        text = text[:s] + " " + text[e:]
    text = _META_NOISE.sub(" ", text)
    return " ".join(re.sub(r"\s*[|·•]\s*", " ", text).split()).strip(" -–,:;()[]|·•")


def is_date_line(text: str) -> bool:
    """A line that only dates the page (plus a category, a time or a view counter)."""
    if not text or len(text) > 90 or parse_page_date(text) is None:
        return False
    return len(strip_dates(text)) <= 25
