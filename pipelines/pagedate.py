"""Lines that are nothing but a date, and text with its dates taken out.

`is_date_line` tells a date/meta line ("Thứ Tư, 07/06/2023 - 09:32 Lượt xem: 1.205") from a
sentence that happens to contain a date; `strip_dates` takes a line's dates, times and meta words
out ("Bài và ảnh: X · 04.03.2023" → "Bài và ảnh: X"). The dates themselves are read by
`pipelines.vn.dates`.
"""
from __future__ import annotations

import re

from pipelines.vn.dates import TIME, full_date_spans, parse_page_date

__all__ = ["is_date_line", "parse_page_date", "strip_dates"]


# Words that surround a date on a meta line: weekday, "Cập nhật lúc", a time, the time zone, counters.
_META_NOISE = re.compile(
    r"thứ\s*(?:hai|ba|tư|năm|sáu|bảy|[2-7])|chủ\s*nhật|cập\s*nhật(?:\s*lúc)?|ngày\s*đăng|đăng\s*ngày|đăng\s*lúc"
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
