"""The compared text: boilerplate stripped ("(Theo …)", "Ảnh: …", credit lines), then tokens.

Boilerplate lines are read by the extractor's own byline reader (`pipelines.vn.credits`). The
tokenizer keeps punctuation (the slots of the template-twin rule need sentence ends), folds every
token once per process through a vocabulary, and gives each a kind (punctuation, lower case,
capitalised, number) and a 64-bit id: what shingles, slots and the exact key are made of.
"""
from __future__ import annotations

import hashlib
import re
import zlib
from dataclasses import dataclass

import numpy as np

from ..text import _LOOKALIKES, _SPACES, clean_text, fold, nfc
from ..vn.credits import is_credit_label, is_credit_line
from .params import SHINGLE_K

_WORD = r"\w+(?:['’/.,\-]\w+)*"
_WORD_RE = re.compile(_WORD)
_TOKEN_RE = re.compile(_WORD + r"|[^\w\s]")

# Boilerplate lines: "(Theo …)" lines and tails, "Ảnh: …" tails, and credit lines as
# `pipelines.vn.credits` reads them (the extractor's own byline reader).
_THEO_LINE = re.compile(r"^\(?\s*theo\s+[^,;:]{1,80}?\)?\s*\.?$")
_THEO_TAIL = re.compile(r"\s*\(\s*theo\s+[^()]{1,80}\)\s*\.?\s*$", re.I)
_PHOTO_TAIL = re.compile(r"(?:(?<=[.!?”\"])|^)\s*\(?\s*ảnh\s*:\s*[^.()]{1,60}\)?\s*\.?\s*$", re.I)
_PHOTO_HINT = re.compile(r"ảnh\s*:", re.I)
_PHOTO_PAREN = re.compile(r"\s*\(\s*ảnh\s*:[^()]{1,60}\)", re.I)


_LOOKALIKE_CHARS = tuple(chr(c) for c in _LOOKALIKES)
#: What ``_SPACES`` would change: a space character other than " ", or two in a row.
_ODD_SPACES = re.compile(r"[\t\u00a0\u2000-\u200b\u202f\u205f\u3000\ufeff]|  ")


def _clean(text: str) -> str:
    """``clean_text(text)``, skipping its entity and look-alike passes when the text has no "&" and
    no look-alike: ``str.translate`` with a mapping costs ~50 ns a character, a quarter of the
    whole analysis. Equal to ``clean_text`` (tests/test_dedupe.py checks it)."""
    if "&" in text or any(c in text for c in _LOOKALIKE_CHARS):
        return clean_text(text)
    if not text:
        return ""
    return "\n".join((_SPACES.sub(" ", line) if _ODD_SPACES.search(line) else line).strip()
                     for line in nfc(text).split("\n")).strip()


def _content_lines(body_text: str) -> list[str]:
    """clean_text lines (NFC, no entities, spaces collapsed, case kept) minus boilerplate lines."""
    lines: list[str] = []
    for line in _clean(body_text or "").split("\n"):
        if "(" in line and "heo" in line:
            line = _THEO_TAIL.sub("", line)
        if ":" in line and _PHOTO_HINT.search(line):
            line = _PHOTO_PAREN.sub("", line)
            line = _PHOTO_TAIL.sub("", line).strip()
        if not line:
            continue
        if len(line) <= 200:  # boilerplate lines are short; long ones are never folded twice
            folded = fold(line)
            if _THEO_LINE.match(folded) and len(folded.split()) <= 12:
                continue
            if is_credit_label(line):
                continue
        lines.append(line)
    while lines and len(lines[-1]) <= 200 and is_credit_line(lines[-1]):
        lines.pop()
    return lines


# token kinds
_PUNCT, _LOWER, _CAP, _NUM = 0, 1, 2, 3
_SPLIT_RE = re.compile("(" + _WORD + r")|([^\w\s])")
_HAS_DIGIT = re.compile(r"\d")
#: Capitalised words that introduce a name without being part of it ("Đ/c Lê Văn A", "Ông Lê Văn A").
#: Compared with tone marks: "Ông" is a title, "Ống" (Thiết Ống) and "Bá" (Phạm Bá Tuân) are names.
_HONORIFICS = {"đ/c", "ông", "bà"}
#: Tokens after which a capitalised word starts a sentence (and is not, alone, a name).
_HARD_STOPS = {".", "!", "?", "…", "¶"}
_CLAUSE_START = {".", "!", "?", "…", ":", ";", "¶", "“", "\"", "(", "-", "–"}

_UNIT_WORDS = {"xa", "phuong", "tran"}     # flagged tokens (the slots treat them as context)
_DATE_RE = re.compile(r"(?<![\w/])(\d{1,2})/(\d{1,2})(?:/(\d{4}))?(?![\w/])")


def _id64(text: str) -> int:
    data = text.encode("utf-8")
    return zlib.crc32(data) | (zlib.adler32(data) << 32)


# Per-process vocabulary: every distinct token is folded (with ``fold``), classified and hashed once.
# A few thousand syllables make up almost all of the text. Vocabulary indices never leave the
# process (only the 64-bit ids are stored), so each pool worker may build its own.
_F_HARD, _F_CLAUSE, _F_UNIT = 1, 2, 4
_V_FOLDED: list[str] = []
_V_INDEX: dict[str, int] = {}                                   # original token → index
_V_CHUNKS: dict[str, tuple[tuple[str, ...], tuple[int, ...]]] = {}   # whitespace chunk → (words, indices)
_V_KIND = np.zeros(0, dtype=np.int8)
_V_ID = np.zeros(0, dtype=np.uint64)
_V_SLOT_ID = np.zeros(0, dtype=np.uint64)
_V_FLAGS = np.zeros(0, dtype=np.uint8)
_V_LIMIT = 2_000_000                                            # entries; reset between texts beyond it


def _vocab_add(token: str) -> int:
    global _V_KIND, _V_ID, _V_SLOT_ID, _V_FLAGS
    if not _WORD_RE.match(token):
        folded, kind = token, _PUNCT
    else:
        folded = fold(token)
        if not token.isalpha() and _HAS_DIGIT.search(token):
            kind = _NUM
        elif token[0].isupper() and token.lower() not in _HONORIFICS:
            kind = _CAP
        else:
            kind = _LOWER
    i = len(_V_FOLDED)
    if i >= len(_V_KIND):
        size = max(4096, 2 * len(_V_KIND))
        _V_KIND, _V_ID, _V_SLOT_ID, _V_FLAGS = (np.resize(a, size) for a in (_V_KIND, _V_ID, _V_SLOT_ID, _V_FLAGS))
    tid = _id64(folded)
    _V_KIND[i] = kind
    _V_ID[i] = tid
    _V_SLOT_ID[i] = _id64(_norm_number(folded)) if kind == _NUM else tid
    _V_FLAGS[i] = ((_F_HARD if folded in _HARD_STOPS else 0) | (_F_CLAUSE if folded in _CLAUSE_START else 0)
                   | (_F_UNIT if kind != _PUNCT and folded in _UNIT_WORDS else 0))
    _V_FOLDED.append(folded)
    _V_INDEX[token] = i
    return i


def _vocab_reset() -> None:
    _V_FOLDED.clear()
    _V_INDEX.clear()
    _V_CHUNKS.clear()


def _chunk(chunk: str) -> tuple[tuple[str, ...], tuple[int, ...]]:
    """Tokens of one whitespace-delimited chunk ("vụ”." → "vụ", "”", "."), as vocabulary entries."""
    tokens = (chunk,) if chunk.isalpha() else _TOKEN_RE.findall(chunk)
    idx = tuple(_V_INDEX[t] if t in _V_INDEX else _vocab_add(t) for t in tokens)
    entry = (tuple(_V_FOLDED[i] for i in idx if _V_KIND[i] != _PUNCT), idx)
    _V_CHUNKS[chunk] = entry
    return entry


@dataclass
class _Tokens:
    """A text as tokens: punctuation kept, "¶" at each line end."""

    words: list[str]        # folded word tokens: the compared text
    folded: list[str]       # every token folded
    kinds: np.ndarray       # int8: _PUNCT, _LOWER, _CAP (capitalised), _NUM (has a digit)
    ids: np.ndarray         # uint64 id of the folded token
    slot_ids: np.ndarray    # uint64 id, numbers normalized ("09/3/2021" → "9/3")
    flags: np.ndarray       # uint8: _F_HARD (sentence/line end), _F_CLAUSE, _F_UNIT (xã, phường, trấn)

    def word_ids(self) -> np.ndarray:
        return self.ids[self.kinds != _PUNCT]


def _words(lines: list[str]) -> _Tokens:
    words: list[str] = []
    idx: list[int] = []
    if len(_V_FOLDED) >= _V_LIMIT:
        _vocab_reset()
    get = _V_CHUNKS.get
    line_end = _V_INDEX.get("¶")
    if line_end is None:
        line_end = _vocab_add("¶")
    for line in lines:
        for chunk in line.split():
            entry = get(chunk) or _chunk(chunk)
            words.extend(entry[0])
            idx.extend(entry[1])
        idx.append(line_end)
    arr = np.array(idx, dtype=np.int64)
    return _Tokens(words=words, folded=[_V_FOLDED[i] for i in idx], kinds=_V_KIND[arr], ids=_V_ID[arr],
                   slot_ids=_V_SLOT_ID[arr], flags=_V_FLAGS[arr])


def normalize_for_dedupe(body_text: str) -> str:
    """The body as compared: NFC, entities unescaped, boilerplate lines dropped ("(Theo …)",
    "Nguồn: …", "Tin, ảnh: …", "Ảnh: …", a trailing byline name or credited unit), folded (no
    diacritics, đ→d, lower case), punctuation dropped (quote and dash styles differ between portals)
    and all whitespace collapsed to single spaces."""
    return " ".join(_words(_content_lines(body_text)).words)


def exact_key(body_text: str) -> str:
    """sha256 (hex) of the normalized body: equal for pages that differ only by boilerplate,
    entities, Unicode form, tone placement, case, punctuation or spacing."""
    return hashlib.sha256(normalize_for_dedupe(body_text).encode("utf-8")).hexdigest()


def shingles(text: str, k: int = SHINGLE_K) -> set[str]:
    """Word (syllable) k-shingles of the normalized text, as strings. A text shorter than k words
    is one shingle."""
    words = normalize_for_dedupe(text).split()
    if not words:
        return set()
    if len(words) < k:
        return {" ".join(words)}
    return {" ".join(words[i:i + k]) for i in range(len(words) - k + 1)}


def _norm_number(token: str) -> str:
    """Dates without year and leading zeros ("09/3/2021" → "9/3"), so a reformatted date agrees."""
    m = _DATE_RE.fullmatch(token)
    if m and 1 <= int(m.group(1)) <= 31 and 1 <= int(m.group(2)) <= 12:
        return f"{int(m.group(1))}/{int(m.group(2))}"
    return token
