"""Counts as reporters write them: digits ("15", "09") or Vietnamese number words up to 99."""
from __future__ import annotations

from pipelines.text import fold

_DIGIT_WORDS = {"mot": 1, "hai": 2, "ba": 3, "bon": 4, "nam": 5, "sau": 6, "bay": 7, "tam": 8, "chin": 9}
# After "mười"/"mươi" a unit may take another form: "mốt" (folds to "mot"), "tư" 4, "lăm" 5.
# Alone, "lăm" and "tư" are no number ("tư" is "fourth", "lăm" only follows a ten).
_UNIT_WORDS = {**_DIGIT_WORDS, "tu": 4, "lam": 5}
# A run of number words, folded: for patterns over folded text.
NUMBER_WORD = r"(?:mot|hai|ba|bon|tu|nam|lam|sau|bay|tam|chin|muoi)"
NUMBER = rf"(?:\d{{1,3}}|{NUMBER_WORD}(?: {NUMBER_WORD}){{0,2}})"


def read_number(words: str) -> int | None:
    """"15" 15, "09" 9, "chín" 9, "mười một" 11, "mười lăm" 15, "hai mươi" 20, "hai mươi mốt" 21,
    "hai mươi lăm" 25; None for anything else ("lăm", "năm mươi năm" …)."""
    toks = fold(words).split()
    if len(toks) == 1 and toks[0].isdigit():
        return int(toks[0])
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
