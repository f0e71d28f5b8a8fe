"""Vietnamese letters: upper- and lower-case classes for patterns, and the capitalised syllable."""
from __future__ import annotations

import re

# Python's re has no \p{Lu}: build the Vietnamese (Latin) upper- and lower-case letter classes once.
_LATIN = [chr(c) for c in list(range(0x41, 0x250)) + list(range(0x1E00, 0x1F00))]
_UP = "".join(c for c in _LATIN if c.isalpha() and c.isupper())
_LO = "".join(c for c in _LATIN if c.isalpha() and c.islower())
UP, LO = f"[{re.escape(_UP)}]", f"[{re.escape(_LO)}]"
# A capitalised syllable: "Trung", "Thượng", "Kdăm", "H'Leo", "Y". Apostrophes as written.
SYL = rf"{UP}{LO}*(?:['’]{UP}?{LO}+)?"
_SYL_RE = re.compile(rf"^{SYL}$")
# Not inside a word: the lookarounds every reader puts around its keywords.
NOT_LETTER_BEFORE = r"(?<![\wÀ-ỹ])"
NOT_LETTER_AFTER = r"(?![\wÀ-ỹ])"


def is_syllable(word: str) -> bool:
    return bool(_SYL_RE.match(word))
