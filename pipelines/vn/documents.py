"""Document codes: 05-CT/TW, 34/2007/PL-UBTVQH11, 1612/QĐ-UBND, 15-HD/BDVTW, 01/2023/NĐ-CP.

A number, an optional year, then letter groups joined by - or /. A date (17/3/2023) has no letter
group; "Nghị quyết 13" has no code at all. A letter group may carry lower-case letters after two
capitals, as some codes are written: 11-QĐi/TW (Quy định), 12-CTr/HU (Chương trình), 1234/QĐ-TTg
(Thủ tướng). A group with one capital and lower case ("Ngày") is a word, not a code. The shapes,
each with examples, are in `vocabulary.toml` (document_shapes).
"""
from __future__ import annotations

import re

_UPPER = "A-ZĐƯƠÂÊÔĂ"
_LETTERS = (rf"(?:[{_UPPER}][{_UPPER}0-9]*|[{_UPPER}]{{2,}}[a-zđ]{{1,2}}[{_UPPER}0-9]*|[{_UPPER}][{_UPPER}][a-zđ]"
            rf"|[{_UPPER}][a-zđ][{_UPPER}][{_UPPER}0-9]*)")
_DOCUMENT = re.compile(rf"(?<![\w/.\-])\d{{1,5}}(?:/(?:19|20)\d{{2}})?[-/]{_LETTERS}(?:[-/.]{_LETTERS})*(?![\w/])")


def documents(text: str) -> list[str]:
    """Every document code in text, once each, in order."""
    return list(dict.fromkeys(m.group(0) for m in _DOCUMENT.finditer(text or "")))
