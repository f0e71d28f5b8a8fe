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


# The middle names of Kinh names: never a name's last syllable, and the one before them opens it.
MIDDLE_NAMES = frozenset({"Văn", "Thị"})


def is_syllable(word: str) -> bool:
    return bool(_SYL_RE.match(word))


def capitalised_run(tokens: list[re.Match], stop: frozenset | set, stop_if_next: dict, limit: int) -> tuple[list[str], int, bool]:
    """The capitalised syllables that open `tokens` (matches of `(word)(punctuation)(space)`), as a
    name: stopping before a stop word, before a word whose next word makes it one (`stop_if_next`),
    after punctuation or after `limit` words. Returns (words, end of the last word in the matched
    text, whether punctuation closed the run). People and places read their names with it."""
    words, end, closed = [], 0, False
    for i, token in enumerate(tokens):
        word = token.group(1)
        if not is_syllable(word) or word in stop:
            break
        following = tokens[i + 1].group(1).lower() if i + 1 < len(tokens) and not token.group(2) else ""
        if following in stop_if_next.get(word, ()):
            break
        words.append(word)
        end = token.start(1) + len(word)
        closed = bool(token.group(2))
        if closed or len(words) == limit:
            break
    return words, end, closed
