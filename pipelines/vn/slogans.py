"""Numbered slogans: “5 biết”, "3 không", «năm biết», ‘4 thể hiện’, and several in one pair of quotes.

An unknown slogan is a number and a few lower-case words in quotes. A known one (`vocabulary.toml`:
slogans) is read without quotes too ("thực hiện tốt 5 biết, 3 không"). Several numbered phrases in
one pair of quotes (“4 xin, 4 luôn”) are several slogans, unless the pair is itself one known slogan
("2 tăng, 2 giảm").
"""
from __future__ import annotations

import re

from pipelines.text import fold
from pipelines.vn.letters import LO
from pipelines.vn.vocabulary import entries

# the number in digits, or in words inside quotes («năm biết», “ba không”; as written)
_NUMBER_WORDS = "|".join(f"[{w[0].upper()}{w[0]}]{w[1:]}" for w in ("một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám",
                                                                     "chín", "mười"))  # “Năm biết” too
_PHRASE = (rf"(?:\d{{1,2}}|(?:{_NUMBER_WORDS})(?![\wÀ-ỹ])(?!\s+(?:mới|nay|qua|học|sau|trước|tới)(?![\wÀ-ỹ])))"
           rf"\s+{LO}+(?:\s+{LO}+){{0,3}}")  # "năm" of a year ("năm mới", "năm nay") is no number
# every pair of quotes reporters use: “ ” " " « » ‘ ’ ' '
_OPEN, _CLOSE = r"[“\"«‘']", r"[”\"»’']"
_QUOTED = re.compile(rf"{_OPEN}\s*({_PHRASE})\s*{_CLOSE}")
_QUOTED_GROUP = re.compile(rf"{_OPEN}\s*({_PHRASE}(?:\s*[,;]\s*{_PHRASE})+)\s*{_CLOSE}")
_KNOWN = [" ".join(w.split()) for entry in entries("slogans") for w in entry["words"]]
_COMPOUND = {s for s in _KNOWN if "," in s}
# A known slogan written without quotes, as a whole phrase that ends there — before punctuation,
# "và" or the end ("thực hiện tốt 5 biết, 3 không."): not "3 không" of "13 không …", not "4 xin lỗi".
def known_pattern(known: list[str]) -> re.Pattern | None:
    if not known:
        return None
    names = "|".join(re.escape(s).replace(r"\ ", r"\s+") for s in sorted(known, key=len, reverse=True))
    return re.compile(rf"(?<![\w\d])({names})(?=\s*(?:[,;.:!?)”\"]|và(?![\wÀ-ỹ])|$))")


_KNOWN_RE = known_pattern(_KNOWN)


def slogans(text: str) -> list[str]:
    """Slogans in order of first mention, each once (as written, single spaces)."""
    text = text or ""
    found = [(m.start(), " ".join(m.group(1).split())) for m in _QUOTED.finditer(text)]
    for m in _QUOTED_GROUP.finditer(text):
        group = " ".join(m.group(1).split())
        if group in _COMPOUND:
            found.append((m.start(), group))
        else:
            found += [(m.start() + i, part.strip()) for i, part in enumerate(re.split(r"\s*[,;]\s*", group))]
    if _KNOWN_RE:
        found += [(m.start(), " ".join(m.group(1).split())) for m in _KNOWN_RE.finditer(text)]
    seen, out = set(), []
    for _pos, slogan in sorted(found, key=lambda t: t[0]):
        if fold(slogan) not in seen:
            seen.add(fold(slogan))
            out.append(slogan)
    # a compound known slogan and its halves read separately are one slogan
    halves = {fold(part) for s in out if s in _COMPOUND for part in re.split(r"\s*,\s*", s)}
    return [s for s in out if s in _COMPOUND or fold(s) not in halves]
