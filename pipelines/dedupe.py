"""Near-duplicate detection: count stories, not pages.

The same launch report is republished by the commune site, the district portal, the province
portal and the newspaper, each with a new title prefix, another lead, another photo, "(Theo …)"
appended or a changed byline. Two different launches reported from the same press template
("Sáng ngày …, xã A tổ chức hội nghị ra mắt …" with other names and numbers) look almost the same
to any text measure, and must stay two stories. Matching therefore has three stages:

1. **Candidates** — MinHash LSH over word shingles of the normalized body (``normalize_for_dedupe``):
   cheap, approximate, tuned for recall (see ``NUM_PERM``, ``LSH_BANDS``/``LSH_ROWS``).
2. **Exact text check** — Jaccard and containment computed exactly on the stored shingle sets of
   the candidates (``JACCARD_MIN``, ``CONTAINMENT_MIN``).
3. **Template-twin rule** (``_conflict``) — the distinguishing tokens must not conflict: the units
   the story is about (xã/phường/thị trấn), the board size ("N thành viên"), the event date, and
   every proper name or number that fills the same slot of the shared wording. Precision first:
   one clear conflict is enough to say "two stories".

``NearDuplicateIndex`` keeps everything the second and third stages need per article (shingle
hashes and distinguishing features, not the text), so after ``load(conn)`` a new article is checked
against the whole archive without recomputing anything for the archive.
"""
from __future__ import annotations

import contextlib
import hashlib
import json
import re
import sqlite3
import sys
import zlib
from dataclasses import dataclass, field
from typing import Iterable

import numpy as np
from datasketch import MinHash

from .text import _LOOKALIKES, _SPACES, clean_text, fold, nfc
from .vn.boards import board_sizes
from .vn.credits import is_credit_label, is_credit_line
from .vn.dates import day_month_mentions
from .vn.places import unit_mentions, unit_name

# ---------------------------------------------------------------------------------- parameters
#: Word shingle length. Vietnamese is written syllable by syllable, so a "word" here is a syllable
#: and 5 syllables are about two real words. Measured on 456 labelled pairs (seeds 1 and 2 of
#: tests/fixtures/make_dedupe_pairs.py), lowest Jaccard of an edited copy / highest Jaccard of two
#: unrelated reports on the topic: k=3 0.52/0.12, k=4 0.47/0.09, k=5 0.43/0.06, k=6 0.40/0.05,
#: k=7 0.37/0.04. Short shingles are shared by every report (the model's name alone, "chính quyền
#: thân thiện vì nhân dân phục vụ", is 9 syllables), which matters more than it looks: the rate at
#: which unrelated pairs become LSH candidates grows like J^4, so k=3 would verify ~16x more of
#: them. Long shingles let every edit (a changed word, a reordered sentence) destroy more.
SHINGLE_K = 5

#: MinHash permutations: 192 = 48 bands × 4 rows. The MinHash only *proposes* candidates — the
#: decision is taken on exact shingle sets — so what matters is the LSH S-curve 1-(1-J^4)^48:
#: 0.999 at J=0.6, 0.95 at 0.5, 0.87 at 0.45, 0.71 at 0.4, 0.32 at 0.3, 0.07 at 0.2, 0.005 at 0.1.
#: Heavily edited copies (lead replaced and a paragraph dropped, on both sides) sit at J≈0.4-0.5
#: and unrelated reports on the topic at J<0.1. 128 permutations (32×4) find only 0.87 at J=0.5
#: and 0.74 at 0.45: on the 40,000-article benchmark pairwise recall was 0.990 with 128, 0.993
#: with 192 and 0.993 with 256 (64×4, twice the hashing and storage of 128), with the same
#: clustering time. Fewer rows (e.g. 42×3 of 128) raise the candidates 7× (measured) because
#: the curve's tail lifts background pairs. Stored as 192 uint32 = 768 bytes an article in the
#: archive; in memory the index keeps 48 uint32 band keys and the low byte of each value instead.
NUM_PERM = 192
LSH_BANDS, LSH_ROWS = 48, 4
MINHASH_SEED = 1
#: datasketch >= 2.0 permutation scheme: fmix32 pre-mix then a*h+b mod 2^32, values fit uint32.
MINHASH_SCHEME = "affine32"

#: Same text if exact Jaccard of shingle sets >= JACCARD_MIN, or if the smaller text is contained
#: in the larger one (|A∩B| / min(|A|,|B|) >= CONTAINMENT_MIN, e.g. the newspaper added two
#: paragraphs) with Jaccard still >= JACCARD_FLOOR and the smaller text not a scrap (>=
#: MIN_SHINGLES_FOR_CONTAINMENT shingles). Measured: edited copies have Jaccard >= 0.49 on the
#: committed labelled set and >= 0.43 over 1,024 held-out copies (generator seeds 1-8); unrelated
#: reports on the topic <= 0.09; template twins 0.51-0.91 — text cannot tell them apart, the rule
#: does. The thresholds sit in the middle of the 0.09-0.43 gap.
JACCARD_MIN = 0.35
CONTAINMENT_MIN = 0.6
MIN_SHINGLES_FOR_CONTAINMENT = 40
JACCARD_FLOOR = 0.25
#: Bulk clustering drops LSH pairs whose signatures agree on fewer than this share of values
#: before the exact check: 2.6 sd (0.031) below JACCARD_FLOOR at 192 permutations.
SIGNATURE_PREFILTER = 0.17
#: LSH buckets larger than this are verified as a star and a chain instead of all pairs.
MAX_BUCKET = 500
#: When two clusters are joined, up to this many members of each are checked pairwise for a
#: template-twin conflict (``_conflict``); one conflict keeps the clusters apart.
CANNOT_LINK_CHECK = 50
#: The event date is the first day/month of the lead window: the first two sentences (a title line
#: counts as one), at most this many words. A date further down ("đến ngày 17/9 đã có…") is not
#: the event's, and a copy whose new lead has no date has no event date.
LEAD_WORDS = 60
#: Aligned-slot conflicts tolerated before two texts are called two stories (rule R4 below).
SLOT_CONFLICTS_MAX = 1

#: Bumped whenever anything that changes stored shingles, signatures or features changes.
FORMAT_VERSION = 2

# ------------------------------------------------------------------------------- normalization
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


# ----------------------------------------------------------------------------------- hashing
_POS_MULT = np.array([0x9E3779B97F4A7C15, 0xC2B2AE3D27D4EB4F, 0x165667B19E3779F9, 0xD6E8FEB86659FD93,
                      0xFF51AFD7ED558CCD, 0xC4CEB9FE1A85EC53, 0x27D4EB2F165667C5, 0x94D049BB133111EB],
                     dtype=np.uint64)


def _fmix64(h: np.ndarray) -> np.ndarray:
    h = h ^ (h >> np.uint64(33))
    h = h * np.uint64(0xFF51AFD7ED558CCD)
    h = h ^ (h >> np.uint64(33))
    h = h * np.uint64(0xC4CEB9FE1A85EC53)
    return h ^ (h >> np.uint64(33))


def _shingle_hashes(ids: np.ndarray, k: int = SHINGLE_K) -> np.ndarray:
    """Sorted unique uint32 hashes of the k-shingles of a text given as token ids: a
    position-weighted sum of the 64-bit token ids, avalanched with the MurmurHash3 finalizer, top
    32 bits. Deterministic across processes and runs (no Python ``hash``), so stored sets stay
    comparable. A text shorter than k tokens is one shingle."""
    if len(ids) == 0:
        return np.zeros(0, dtype=np.uint32)
    if k > len(_POS_MULT):
        raise ValueError(f"shingle length {k} > {len(_POS_MULT)}")
    arr = np.asarray(ids, dtype=np.uint64)
    k = min(k, len(arr))
    n = len(arr) - k + 1
    acc = arr[:n] * _POS_MULT[0]
    for j in range(1, k):
        acc += arr[j:j + n] * _POS_MULT[j]
    return np.unique((_fmix64(acc) >> np.uint64(32)).astype(np.uint32))


_PERMUTATIONS = MinHash(num_perm=NUM_PERM, seed=MINHASH_SEED, scheme=MINHASH_SCHEME).permutations
_PERM_A = _PERMUTATIONS[0].astype(np.uint32)
_PERM_B = _PERMUTATIONS[1].astype(np.uint32)
_NO_SIGNATURE = np.zeros(0, dtype=np.uint32)
_EMPTY_SIGNATURE = np.full(NUM_PERM, np.iinfo(np.uint32).max, dtype=np.uint32)


def _identity_hash(value: int) -> int:
    """hashfunc that makes datasketch.MinHash take our shingle hashes as they are."""
    return int(value)


def _signature(shingle_hashes: np.ndarray) -> np.ndarray:
    """MinHash hashvalues, computed exactly as ``MinHash(hashfunc=_identity_hash,
    scheme="affine32").update_batch(shingle_hashes)`` would, without building the object."""
    if len(shingle_hashes) == 0:
        return _EMPTY_SIGNATURE.copy()
    h = shingle_hashes.astype(np.uint32)
    with np.errstate(over="ignore"):
        h = h ^ (h >> np.uint32(16))
        h = h * np.uint32(0x85EBCA6B)
        h = h ^ (h >> np.uint32(13))
        h = h * np.uint32(0xC2B2AE35)
        h = h ^ (h >> np.uint32(16))
        return (h[:, None] * _PERM_A[None, :] + _PERM_B[None, :]).min(axis=0)


def _as_minhash(hashvalues: np.ndarray) -> MinHash:
    return MinHash(hashvalues=hashvalues, permutations=_PERMUTATIONS, scheme=MINHASH_SCHEME,
                   hashfunc=_identity_hash)


def minhash(text: str) -> MinHash:
    """datasketch MinHash (NUM_PERM permutations, scheme affine32) of the text's shingle hashes."""
    return _as_minhash(_signature(_shingle_hashes(_words(_content_lines(text)).word_ids())))


def _band_keys(signatures: np.ndarray) -> np.ndarray:
    """(n, NUM_PERM) uint32 → (n, LSH_BANDS) uint32: each band of LSH_ROWS values hashed to 64 bits,
    the top 32 kept (a false collision in one band is ~n/2^32; candidates are verified exactly)."""
    sig = signatures[:, :LSH_BANDS * LSH_ROWS].astype(np.uint64).reshape(len(signatures), LSH_BANDS, LSH_ROWS)
    acc = np.zeros(sig.shape[:2], dtype=np.uint64)
    with np.errstate(over="ignore"):
        for j in range(LSH_ROWS):
            acc = acc * np.uint64(0x100000001B3) + sig[:, :, j] + np.uint64(j + 1)
        return (_fmix64(acc) >> np.uint64(32)).astype(np.uint32)


# --------------------------------------------------------------------- distinguishing tokens
_UNIT_WORDS = {"xa", "phuong", "tran"}     # flagged tokens (the slots treat them as context)
_DATE_RE = re.compile(r"(?<![\w/])(\d{1,2})/(\d{1,2})(?:/(\d{4}))?(?![\w/])")


@dataclass(slots=True)
class Features:
    """What must agree between two reports of one story (see ``_conflict``)."""

    units: dict[str, int] = field(default_factory=dict)   # folded unit name → mentions, in order of first mention
    board: tuple[int, ...] = ()                           # numbers before "thành viên"
    first_date: int | None = None                         # month*100+day: first date in the lead window
    dates: tuple[int, ...] = ()                           # every day/month, sorted
    slots: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.uint64))  # key<<32 | filler

    def principal_units(self) -> set[str]:
        if not self.units:
            return set()
        top = max(self.units.values())
        return {u for u, c in self.units.items() if 2 * c >= top}

    def prominent_units(self) -> set[str]:
        """The principal units and the first unit named (the lead's subject)."""
        return self.principal_units() | ({next(iter(self.units))} if self.units else set())

    def to_json(self) -> str:
        """Everything but the slots (stored as a BLOB)."""
        return json.dumps({"u": self.units, "b": list(self.board), "f": self.first_date, "d": list(self.dates)},
                          ensure_ascii=False, separators=(",", ":"))

    @classmethod
    def from_json(cls, text: str, slots: bytes = b"") -> "Features":
        d = json.loads(text)
        return cls(units={sys.intern(u): c for u, c in d["u"].items()}, board=tuple(d["b"]), first_date=d["f"],
                   dates=tuple(d["d"]), slots=np.frombuffer(slots, dtype="<u8").astype(np.uint64))


_SLOT_P = 0x100000001B3                               # odd: invertible modulo 2^64
_SLOT_P_INV = pow(_SLOT_P, -1, 1 << 64)
_SLOT_POW = _SLOT_POW_INV = np.zeros(0, dtype=np.uint64)


def _slot_powers(n: int) -> tuple[np.ndarray, np.ndarray]:
    """P^t and P^-t modulo 2^64 for t < n (uint64 arithmetic wraps, which is the modulo)."""
    global _SLOT_POW, _SLOT_POW_INV
    if n > len(_SLOT_POW):
        size = max(1 << 14, 1 << n.bit_length())
        with np.errstate(over="ignore"):
            _SLOT_POW = np.cumprod(np.full(size, _SLOT_P, dtype=np.uint64)) * np.uint64(_SLOT_P_INV)
            _SLOT_POW_INV = np.cumprod(np.full(size, _SLOT_P_INV, dtype=np.uint64)) * np.uint64(_SLOT_P)
    return _SLOT_POW[:n], _SLOT_POW_INV[:n]


def _slots(tokens: _Tokens) -> np.ndarray:
    """Aligned slots, vectorized: every run of distinguishing tokens (>= 2 capitalised syllables,
    or any token with a digit) as (context key << 32 | filler hash), with one key for the two
    tokens on its left and one for the two on its right. A sentence's capitalised first word
    alone is context ("Sáng 27/10": the date is the filler). A context reaching the text's edge or
    crossing a sentence or paragraph end is layout, not wording (copies add titles and credits and
    re-order sentences), so it makes no slot."""
    kinds, ids = tokens.kinds, tokens.ids
    n = len(kinds)
    if n == 0:
        return np.zeros(0, dtype=np.uint64)
    cap = kinds == _CAP
    d = kinds >= _CAP
    prev_clause = np.ones(n, dtype=bool)
    prev_clause[1:] = (tokens.flags[:-1] & _F_CLAUSE) > 0
    next_cap = np.zeros(n, dtype=bool)
    next_cap[:-1] = cap[1:]
    d &= ~(cap & prev_clause & ~next_cap)
    edges = np.diff(np.concatenate(([False], d, [False])).astype(np.int8))
    starts, ends = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)   # run = [start, end)
    if len(starts) == 0:
        return np.zeros(0, dtype=np.uint64)
    nums = np.concatenate(([0], np.cumsum(kinds == _NUM)))
    keep = ((nums[ends] - nums[starts]) > 0) | ((ends - starts) >= 2)
    starts, ends = starts[keep], ends[keep]
    pw, pw_inv = _slot_powers(n)
    with np.errstate(over="ignore"):
        prefix = np.concatenate((np.zeros(1, dtype=np.uint64), np.cumsum(tokens.slot_ids * pw)))
        filler = (_fmix64((prefix[ends] - prefix[starts]) * pw_inv[starts]) >> np.uint64(32))
        hard = (tokens.flags & _F_HARD) > 0
        out = []
        ok = starts >= 2
        s = starts[ok]
        ok_idx = np.flatnonzero(ok)[~(hard[s - 2] | hard[s - 1])]
        s = starts[ok_idx]
        key = _fmix64(ids[s - 2] * _POS_MULT[0] + ids[s - 1] * _POS_MULT[1] + np.uint64(1)) >> np.uint64(32)
        out.append((key << np.uint64(32)) | filler[ok_idx])
        ok = ends + 2 <= n
        e = ends[ok]
        ok_idx = np.flatnonzero(ok)[~(hard[e] | hard[e + 1])]
        e = ends[ok_idx]
        key = _fmix64(ids[e] * _POS_MULT[2] + ids[e + 1] * _POS_MULT[3] + np.uint64(2)) >> np.uint64(32)
        out.append((key << np.uint64(32)) | filler[ok_idx])
    return np.unique(np.concatenate(out))


_LEAD_STOP = re.compile(r"[.!?…](?=\s|$)|\n")


def _lead_end(text: str) -> int:
    """Where the lead window ends: after two sentences (a title line counts as one), at most
    LEAD_WORDS words — in these reports the event's date is named there."""
    end = len(text)
    words = list(re.finditer(r"\S+", text[: LEAD_WORDS * 20]))
    if len(words) >= LEAD_WORDS:
        end = words[LEAD_WORDS - 1].end()
    stops = [m.start() for _, m in zip(range(2), _LEAD_STOP.finditer(text))]
    if len(stops) >= 2:
        end = min(end, stops[1])
    return end


def _features(tokens: _Tokens, normalized: str, text: str) -> Features:
    """The facts two reports of one story must share, read by the same readers as the event
    (`pipelines.vn`): units named (folded, weighted by mentions), board sizes, dates."""
    counts: dict[str, int] = {}
    padded = f" {normalized} "
    for _pos, unit in unit_mentions(text):
        name = fold(unit_name(unit))
        name = " ".join(re.sub(r"[^\w\s]", " ", name).split())
        if name and name not in counts:
            counts[sys.intern(name)] = max(1, padded.count(f" {name} "))
    mentions = day_month_mentions(text)
    lead_end = _lead_end(text)
    first = next((m for m in mentions if m.pos <= lead_end and not m.after_document), None)
    return Features(units=counts, board=tuple(sorted(set(board_sizes(text)))),
                    first_date=first.month * 100 + first.day if first else None,
                    dates=tuple(sorted({m.month * 100 + m.day for m in mentions})),
                    slots=_slots(tokens))


def _norm_number(token: str) -> str:
    """Dates without year and leading zeros ("09/3/2021" → "9/3"), so a reformatted date agrees."""
    m = _DATE_RE.fullmatch(token)
    if m and 1 <= int(m.group(1)) <= 31 and 1 <= int(m.group(2)) <= 12:
        return f"{int(m.group(1))}/{int(m.group(2))}"
    return token


# ------------------------------------------------------------------------------- one article
@dataclass(slots=True)
class Analysis:
    """Everything the index keeps about one article (the text itself is not kept)."""

    key: str
    shingles: np.ndarray        # sorted unique uint32 shingle hashes
    signature: np.ndarray       # NUM_PERM uint32 MinHash hashvalues
    features: Features


def analyze(body_text: str) -> Analysis:
    lines = _content_lines(body_text)
    tokens = _words(lines)
    normalized = " ".join(tokens.words)
    sh = _shingle_hashes(tokens.word_ids())
    return Analysis(key=hashlib.sha256(normalized.encode("utf-8")).hexdigest(), shingles=sh,
                    signature=_signature(sh), features=_features(tokens, normalized, "\n".join(lines)))


# --------------------------------------------------------------------------------- decision
def _overlap(a: np.ndarray, b: np.ndarray) -> tuple[float, float]:
    """Exact (Jaccard, containment) of two sorted unique shingle-hash arrays."""
    if len(a) == 0 or len(b) == 0:
        return 0.0, 0.0
    inter = len(np.intersect1d(a, b, assume_unique=True))
    return inter / (len(a) + len(b) - inter), inter / min(len(a), len(b))


def _slot_conflicts(a: np.ndarray, b: np.ndarray) -> int:
    """Slots (same left or right context) filled in both texts, by disjoint sets of names/numbers."""
    if len(a) == 0 or len(b) == 0:
        return 0
    ka, kb = a >> np.uint64(32), b >> np.uint64(32)
    common = np.intersect1d(ka, kb)
    if len(common) == 0:
        return 0
    shared_pairs = np.intersect1d(a, b, assume_unique=True)
    agreeing = np.unique(shared_pairs >> np.uint64(32))
    return int(len(common) - len(np.intersect1d(common, agreeing, assume_unique=True)))


def _conflict(a: Features, b: Features, slots: bool = True) -> str | None:
    """Why two textually similar reports are two different stories, or None.

    The rule (each item alone is enough, precision comes first):

    R1 units — both texts name a xã/phường/thị trấn and their *principal* units are disjoint. A
       unit's weight is how often its name occurs; the principal units are those mentioned at least
       half as often as the most mentioned one. (Sets of all named units do not work: a report of
       xã A's launch names neighbouring xã B among the guests, and B's report names A.)
       Also: the first unit one text names (the lead's subject), named there at least twice (one
       mention may be a typo'd "phờng"), is never named in the other; or each text has a principal
       unit the other never names. A copy names the story's unit.
    R2 board size — both give "N thành viên" (digits or words: "mười ba") and no N agrees.
    R3 event date — both carry a day/month in their lead (first two sentences, see LEAD_WORDS:
       that is the event's date in these reports) and neither occurs anywhere in the other; years
       are ignored ("17/3" = "17/3/2023").
    R4 aligned slots — a run of distinguishing tokens (>= 2 capitalised syllables: a place or a
       person; or any token with a digit: a date, a count, a decision number) is keyed by the two
       folded tokens on its left and, separately, the two on its right. When a key occurs in both
       texts but its fillers are disjoint — "Đảng ủy xã [Trung Xuân] phối hợp" vs "Đảng ủy xã [Trung
       Thượng] phối hợp", "gần [80] học viên" vs "gần [120] học viên" — the same template slot holds
       different facts. More than SLOT_CONFLICTS_MAX such slots → two stories. One is tolerated
       because a real copy can re-punctuate or re-order one phrase.

    Missing information never conflicts: a copy that dropped the paragraph with the board size is
    still a copy. Names are folded (tone marks and đ ignored), so "Hoá"/"Hóa" never conflict.
    ``slots=False`` applies R1-R3 only: the cannot-link check of ``clusters()`` uses the hard facts.
    """
    pa, pb = a.principal_units(), b.principal_units()
    if pa and pb and not (pa & pb):
        return f"units differ: {', '.join(sorted(pa))} vs {', '.join(sorted(pb))}"
    if a.units and b.units:
        for x, y in ((a, b), (b, a)):
            first = next(iter(x.units))
            if x.units[first] >= 2 and first not in y.units:
                return f"units differ: {first}, the lead's unit in one, is not named in the other"
        only_a = a.prominent_units() - b.units.keys()
        only_b = b.prominent_units() - a.units.keys()
        if only_a and only_b:
            return f"units differ: {', '.join(sorted(only_a))} only in one, {', '.join(sorted(only_b))} only in the other"
    if a.board and b.board and not any(x in b.board for x in a.board):
        return f"board size differs: {sorted(a.board)} vs {sorted(b.board)} thành viên"
    if a.first_date and b.first_date and a.first_date not in b.dates and b.first_date not in a.dates:
        fa, fb = a.first_date, b.first_date
        return f"event date differs: {fa % 100}/{fa // 100} vs {fb % 100}/{fb // 100}"
    if not slots:
        return None
    conflicts = _slot_conflicts(a.slots, b.slots)
    if conflicts > SLOT_CONFLICTS_MAX:
        return f"{conflicts} template slots hold different names/numbers"
    return None


def _decide(a: Analysis, b: Analysis) -> tuple[bool, float, str]:
    if len(a.shingles) == 0 or len(b.shingles) == 0:
        return False, 0.0, "empty body"
    if a.key == b.key:
        return True, 1.0, "exact: same normalized body"
    jac, cont = _overlap(a.shingles, b.shingles)
    small = min(len(a.shingles), len(b.shingles))
    text_same = jac >= JACCARD_MIN or (cont >= CONTAINMENT_MIN and jac >= JACCARD_FLOOR
                                       and small >= MIN_SHINGLES_FOR_CONTAINMENT)
    measures = f"jaccard={jac:.2f} containment={cont:.2f}"
    if not text_same:
        return False, jac, f"different text: {measures}"
    why = _conflict(a.features, b.features)
    if why:
        return False, jac, f"template twin ({measures}): {why}"
    return True, jac, f"near-duplicate: {measures}"


def is_same_story(a_text: str, b_text: str) -> tuple[bool, float, str]:
    """(same story?, exact shingle Jaccard, reason). See ``_conflict`` for the template-twin rule."""
    return _decide(analyze(a_text), analyze(b_text))


# --------------------------------------------------------------------------------- union-find
class UnionFind:
    def __init__(self) -> None:
        self.parent: dict = {}

    def find(self, x):
        parent = self.parent
        root = parent.setdefault(x, x)
        while parent[root] != root:
            root = parent[root]
        while parent[x] != root:
            parent[x], x = root, parent[x]
        return root

    def union(self, a, b) -> bool:
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return False
        self.parent[rb] = ra
        return True

    def groups(self) -> list[list]:
        out: dict = {}
        for x in self.parent:
            out.setdefault(self.find(x), []).append(x)
        return list(out.values())


# ------------------------------------------------------------------------------------- index
_FORK_ITEMS: list = []   # add_many's items, inherited by its forked workers


def _analyze_range(bounds: tuple[int, int]) -> list[tuple[int, Analysis]]:
    return [(article_id, analyze(text)) for article_id, text in _FORK_ITEMS[bounds[0]:bounds[1]]]


def _grown(arr: np.ndarray, needed: int) -> np.ndarray:
    """``arr`` with room for at least ``needed`` rows (grows by 1.5x, copies the old rows)."""
    if needed <= len(arr):
        return arr
    out = np.zeros((max(needed, 1024, len(arr) * 3 // 2),) + arr.shape[1:], dtype=arr.dtype)
    out[:len(arr)] = arr
    return out


def _fitted(arr: np.ndarray, used: int, least: int = 1024) -> np.ndarray:
    """``arr`` trimmed to ``used`` rows plus 1/16 slack (after a bulk load: no half-empty buffers)."""
    keep = max(used + used // 16, least)
    return arr[:keep].copy() if len(arr) > keep else arr


class _Ragged:
    """Many small arrays stored back to back in a few large chunks, one per row: no Python object
    per row (12 bytes an article for where it starts and its length, plus the values).
    ``self[row]`` is a view. A full chunk is never copied: the next one is allocated beside it,
    1/8 of the data so far (at most CHUNK_MAX values), so there is no doubling and no copy of the
    whole archive's shingles when it grows, and at most ~1/8 of it is unused. (Thousands of
    separately allocated little arrays fragment the heap: the pool's pickled results once made RSS
    ~10 KB an article for ~5.5 KB of data.)"""

    CHUNK_MAX = 1 << 20

    def __init__(self, dtype) -> None:
        self.chunks = [np.zeros(4096, dtype=dtype)]
        self.fill = 0                                   # used part of the last chunk
        self.total = 4096                               # values allocated in all chunks
        self.starts = np.zeros(1024, dtype=np.int64)    # row → chunk << 32 | start in the chunk
        self.lens = np.zeros(1024, dtype=np.uint32)     # row → number of values
        self.n = 0

    def append(self, values: np.ndarray) -> None:
        k = len(values)
        chunk = self.chunks[-1]
        if self.fill + k > len(chunk):
            size = max(k, min(self.CHUNK_MAX, max(4096, self.total // 8)))
            chunk = np.zeros(size, dtype=chunk.dtype)
            self.chunks.append(chunk)
            self.total += size
            self.fill = 0
        chunk[self.fill:self.fill + k] = values
        self.starts = _grown(self.starts, self.n + 1)
        self.lens = _grown(self.lens, self.n + 1)
        self.starts[self.n] = ((len(self.chunks) - 1) << 32) | self.fill
        self.lens[self.n] = k
        self.fill += k
        self.n += 1

    def __getitem__(self, row: int) -> np.ndarray:
        start = int(self.starts[row])
        offset = start & 0xFFFFFFFF
        return self.chunks[start >> 32][offset:offset + int(self.lens[row])]

    def fit(self) -> None:
        """Trim the last chunk and the row arrays to what they hold (after a bulk load)."""
        last = self.chunks[-1]
        if self.fill < len(last):
            self.chunks[-1] = last[:self.fill].copy()
            self.total -= len(last) - self.fill
        self.starts = _fitted(self.starts, self.n)
        self.lens = _fitted(self.lens, self.n)

    def nbytes(self) -> int:
        return sum(c.nbytes for c in self.chunks) + self.starts.nbytes + self.lens.nbytes


def _getsizeof_deep(obj) -> int:
    """Bytes of a dict/list/set of small ints and strings, the containers and their elements."""
    size = sys.getsizeof(obj)
    items = obj.items() if isinstance(obj, dict) else obj
    for item in items:
        for x in (item if isinstance(obj, dict) else (item,)):
            size += sys.getsizeof(x) if not (isinstance(x, int) and -5 <= x <= 256) else 0
    return size


class NearDuplicateIndex:
    """Incremental MinHash LSH over articles, with exact verification and SQLite persistence.

    Everything is kept in a few numpy arrays, with no Python object per article (issue 15: the
    per-article ``Analysis``/``Features`` objects, dicts of band lists and the 192 × 32-bit
    signature matrix made ~7 KB an article; ``memory_usage()`` accounts for every array):

    - LSH: LSH_BANDS=48 bands × LSH_ROWS=4 rows of the 192-value signature, each band hashed to a
      uint32 key. The bulk of the archive lives in a (bands, articles) sorted key array and the
      matching row array (8 bytes a band an article), looked up with ``np.searchsorted``; articles
      added since the last merge live in a small (pending, bands) key matrix compared whole, and
      are inserted into the sorted arrays every ``MERGE_EVERY`` additions (O(archive), no re-sort).
      A 32-bit key makes a false band collision ~n/2^32 per band: a few extra candidates a
      thousand queries, each verified exactly.
    - Per article for the exact check: the sorted shingle hashes (uint32) and slot pairs (uint64),
      back to back in ``_Ragged`` buffers, and the features (units as ids into one vocabulary with
      their counts, board sizes, dates) as a few int64s; the exact key as its 32-byte digest.
    - For the clustering prefilter only the low byte of each signature value (b-bit minwise
      hashing, 192 bytes): equal values have equal low bytes, so the byte agreement is never below
      the full agreement and the prefilter keeps every pair it kept with 32-bit values (plus, at
      J≈0.17, ~0.3 % more of the pairs). The full signature is a function of the shingles and is
      recomputed where it is needed (``analysis()``, ``minhash_of()``, ``save()``).

    Never the text: ``match`` verifies candidates exactly after ``load(conn)``.
    """

    #: Pending additions folded into the sorted LSH arrays (each query compares them all).
    MERGE_EVERY = 1024

    def __init__(self) -> None:
        self._n = 0                                           # rows used (removed rows stay, dead)
        self._ids = np.zeros(1024, dtype=np.int64)            # row → article_id
        self._live = np.zeros(1024, dtype=bool)               # row → not removed or replaced
        self._dirty = np.zeros(1024, dtype=bool)              # row → to write on next save()
        self._digest = np.zeros((1024, 32), dtype=np.uint8)   # row → sha256 of the normalized body
        self._bbits = np.zeros((1024, NUM_PERM), dtype=np.uint8)  # row → low byte of each MinHash value
        self._shingles = _Ragged(np.uint32)                   # row → sorted shingle hashes
        self._slot_store = _Ragged(np.uint64)                 # row → slot pairs
        self._facts = _Ragged(np.int64)                       # row → packed Features (see _pack_features)
        self._unit_names: list[str] = []                      # unit vocabulary (folded names)
        self._unit_ids: dict[str, int] = {}
        # article_id → row: a sorted array for the merged rows, a dict for the rows added since
        self._id_sorted = np.zeros(0, dtype=np.int64)
        self._id_rows = np.zeros(0, dtype=np.int32)
        self._id_recent: dict[int, int] = {}
        self._n_live = 0
        self._n_sorted = 0                                    # rows below this are in the sorted arrays
        self._sorted_keys = np.zeros((LSH_BANDS, 0), dtype=np.uint32)
        self._sorted_rows = np.zeros((LSH_BANDS, 0), dtype=np.int32)
        self._pending = np.zeros((1024, LSH_BANDS), dtype=np.uint32)  # band keys of rows >= _n_sorted
        self._removed: set[int] = set()                       # ids to delete on next save()
        self._removed_rows = 0                                # rows killed since the last merge

    # -- size
    def __len__(self) -> int:
        return self._n_live

    def _row_of(self, article_id: int) -> int | None:
        row = self._id_recent.get(article_id)
        if row is not None:
            return row
        i = int(self._id_sorted.searchsorted(article_id))
        if i < len(self._id_sorted) and self._id_sorted[i] == article_id:
            row = int(self._id_rows[i])
            if self._live[row]:
                return row
        return None

    def __contains__(self, article_id: int) -> bool:
        return self._row_of(int(article_id)) is not None

    def ids(self) -> list[int]:
        return self._ids[:self._n][self._live[:self._n]].tolist()

    def memory_usage(self) -> dict[str, int]:
        """Bytes held by the index, by component (allocated capacity, not just the used part)."""
        return {
            "shingles": self._shingles.nbytes(),
            "slots": self._slot_store.nbytes(),
            "features": self._facts.nbytes() + _getsizeof_deep(self._unit_names) + _getsizeof_deep(self._unit_ids),
            "lsh_sorted": self._sorted_keys.nbytes + self._sorted_rows.nbytes,
            "lsh_pending": self._pending.nbytes,
            "signature_bytes": self._bbits.nbytes,
            "exact_keys": self._digest.nbytes,
            "ids": (self._ids.nbytes + self._live.nbytes + self._dirty.nbytes + self._id_sorted.nbytes
                    + self._id_rows.nbytes + _getsizeof_deep(self._id_recent) + _getsizeof_deep(self._removed)),
        }

    # -- per-article data
    def _pack_features(self, f: Features) -> np.ndarray:
        """[first_date or -1, #units, #board, unit id, count, …, board sizes…, dates…] as int64."""
        units = []
        for name, count in f.units.items():
            uid = self._unit_ids.get(name)
            if uid is None:
                uid = self._unit_ids[name] = len(self._unit_names)
                self._unit_names.append(name)
            units += (uid, count)
        return np.array([-1 if f.first_date is None else f.first_date, len(f.units), len(f.board), *units,
                         *f.board, *f.dates], dtype=np.int64)

    def _features(self, row: int) -> Features:
        facts = self._facts[row].tolist()
        first, n_units, n_board = facts[:3]
        end_units = 3 + 2 * n_units
        names = self._unit_names
        return Features(units={names[facts[i]]: facts[i + 1] for i in range(3, end_units, 2)},
                        board=tuple(facts[end_units:end_units + n_board]),
                        first_date=None if first < 0 else first, dates=tuple(facts[end_units + n_board:]),
                        slots=self._slot_store[row])

    def _doc(self, row: int, features: Features | None = None) -> Analysis:
        """The stored article as an Analysis (views of the buffers; no signature)."""
        return Analysis(key=self._digest[row].tobytes().hex(), shingles=self._shingles[row],
                        signature=_NO_SIGNATURE, features=features or self._features(row))

    def analysis(self, article_id: int) -> Analysis:
        row = self._row_of(int(article_id))
        if row is None:
            raise KeyError(article_id)
        doc = self._doc(row)
        doc.shingles = doc.shingles.copy()
        doc.features.slots = doc.features.slots.copy()
        doc.signature = _signature(doc.shingles)
        return doc

    def minhash_of(self, article_id: int) -> MinHash:
        return _as_minhash(self.analysis(article_id).signature)

    # -- adding and removing
    def add(self, article_id: int, body_text: str) -> Analysis:
        """Index one article (replacing its previous version if it was indexed)."""
        analysis = analyze(body_text)
        self.add_analysis(article_id, analysis)
        return analysis

    def add_many(self, items: Iterable[tuple[int, str]], processes: int = 1, chunksize: int = 250) -> None:
        """Index many (article_id, body_text); ``processes > 1`` analyzes them in forked worker
        processes, which read the texts from the memory they inherit (only index ranges and the
        analyses cross the pipes)."""
        global _FORK_ITEMS
        if processes > 1:
            import multiprocessing

            _FORK_ITEMS = items if isinstance(items, list) else list(items)
            try:
                n = len(_FORK_ITEMS)
                ranges = [(lo, min(lo + chunksize, n)) for lo in range(0, n, chunksize)]
                with multiprocessing.get_context("fork").Pool(processes) as pool:
                    self.add_analyses(pair for batch in pool.imap(_analyze_range, ranges) for pair in batch)
            finally:
                _FORK_ITEMS = []
        else:
            self.add_analyses((article_id, analyze(body_text)) for article_id, body_text in items)

    def add_analyses(self, items: Iterable[tuple[int, Analysis]]) -> None:
        """Index many (article_id, analysis) at once: one merge and one trim of the buffers at the end."""
        for article_id, analysis in items:
            self._insert(article_id, analysis)
        self._merge()
        self._fit()

    def add_analysis(self, article_id: int, analysis: Analysis) -> None:
        self._insert(article_id, analysis)
        if self._n - self._n_sorted >= self.MERGE_EVERY:
            self._merge()

    def _insert(self, article_id: int, analysis: Analysis, dirty: bool = True) -> None:
        article_id = int(article_id)
        if article_id in self:
            self.remove(article_id)
        self._removed.discard(article_id)
        row = self._n
        if row + 1 > len(self._ids):
            self._ids, self._live, self._dirty, self._digest, self._bbits = (
                _grown(a, row + 1) for a in (self._ids, self._live, self._dirty, self._digest, self._bbits))
        self._ids[row] = article_id
        self._live[row] = True
        self._dirty[row] = dirty
        self._digest[row] = np.frombuffer(bytes.fromhex(analysis.key), dtype=np.uint8)
        self._bbits[row] = analysis.signature.astype(np.uint8)     # the low byte (wraps)
        self._shingles.append(analysis.shingles)
        self._slot_store.append(analysis.features.slots)
        self._facts.append(self._pack_features(analysis.features))
        pending = row - self._n_sorted
        self._pending = _grown(self._pending, pending + 1)
        self._pending[pending] = _band_keys(analysis.signature[None, :])[0]
        self._id_recent[article_id] = row
        self._n = row + 1
        self._n_live += 1

    def remove(self, article_id: int) -> None:
        article_id = int(article_id)
        row = self._row_of(article_id)
        if row is None:
            raise KeyError(article_id)
        self._live[row] = False
        self._dirty[row] = False
        self._id_recent.pop(article_id, None)
        self._n_live -= 1
        self._removed_rows += 1
        self._removed.add(article_id)

    def _merge(self) -> None:
        """Insert the pending rows into the sorted per-band arrays (removed and empty articles left
        out) and the pending ids into the sorted id map."""
        n, start = self._n, self._n_sorted
        if n == start and not self._removed_rows:
            return
        rows = self._sorted_rows
        keys = self._sorted_keys
        if self._removed_rows and rows.shape[1]:
            keep = self._live[rows[0]]                         # a row is in every band or in none
            rows, keys = rows[:, keep], keys[:, keep]
        new = np.arange(start, n)
        new = new[self._live[start:n] & (self._shingles.lens[start:n] > 0)]
        if len(new):
            add_keys = self._pending[new - start].T            # (bands, new)
            order = np.argsort(add_keys, axis=1, kind="stable")
            add_keys = np.take_along_axis(add_keys, order, axis=1)
            add_rows = new.astype(np.int32)[order]
            m, p = rows.shape[1], len(new)
            out_keys = np.empty((LSH_BANDS, m + p), dtype=np.uint32)
            out_rows = np.empty((LSH_BANDS, m + p), dtype=np.int32)
            for band in range(LSH_BANDS):
                # new rows after the equal keys already there: the order a stable sort by row gives
                pos = keys[band].searchsorted(add_keys[band], "right") + np.arange(p)
                mask = np.ones(m + p, dtype=bool)
                mask[pos] = False
                out_keys[band, pos], out_rows[band, pos] = add_keys[band], add_rows[band]
                out_keys[band, mask], out_rows[band, mask] = keys[band], rows[band]
            keys, rows = out_keys, out_rows
        self._sorted_keys, self._sorted_rows = keys, rows
        self._n_sorted = n
        self._removed_rows = 0
        if n - self._n_live > max(1024, n // 4):
            self._compact()
            n = self._n
        live = np.flatnonzero(self._live[:n])
        ids = self._ids[live]
        order = np.argsort(ids, kind="stable")
        self._id_sorted, self._id_rows = ids[order], live[order].astype(np.int32)
        self._id_recent = {}

    def _compact(self) -> None:
        """Drop the rows of removed and replaced articles (a re-analysed archive would otherwise
        keep every old version): renumber the live rows in order, copy their data into new
        buffers. Called by ``_merge`` once the pending rows are in the sorted arrays."""
        n = self._n
        live = np.flatnonzero(self._live[:n])
        renumber = np.full(n, -1, dtype=np.int32)
        renumber[live] = np.arange(len(live), dtype=np.int32)
        self._ids, self._live, self._dirty, self._digest, self._bbits = (
            _fitted(a[:n][live], len(live)) for a in (self._ids, self._live, self._dirty, self._digest, self._bbits))
        for name in ("_shingles", "_slot_store", "_facts"):
            old, new = getattr(self, name), _Ragged(getattr(self, name).chunks[0].dtype)
            for row in live.tolist():
                new.append(old[row])
            new.fit()
            setattr(self, name, new)
        self._sorted_rows = renumber[self._sorted_rows]     # dead rows were left out by the merge
        self._n = self._n_sorted = len(live)

    def _fit(self) -> None:
        """After a bulk load: trim the growable buffers to what they hold."""
        n = self._n
        self._ids, self._live, self._dirty, self._digest, self._bbits = (
            _fitted(a, n) for a in (self._ids, self._live, self._dirty, self._digest, self._bbits))
        self._pending = _fitted(self._pending, 0, least=64)
        for store in (self._shingles, self._slot_store, self._facts):
            store.fit()

    # -- querying
    def _candidate_rows(self, analysis: Analysis) -> list[int]:
        if len(analysis.shingles) == 0:
            return []
        keys = _band_keys(analysis.signature[None, :])[0]
        found = []
        if self._sorted_keys.shape[1]:
            lines, rows = self._sorted_keys, self._sorted_rows
            m = lines.shape[1]
            for band in range(LSH_BANDS):
                line, key = lines[band], keys[band]       # a uint32 scalar: a Python int would cast the line
                lo = int(line.searchsorted(key))
                if lo < m and line[lo] == key:
                    hi = lo + 1
                    while hi < m and line[hi] == key:
                        hi += 1
                    found.append(rows[band, lo:hi])
        p = self._n - self._n_sorted
        if p:
            found.append(self._n_sorted + np.flatnonzero((self._pending[:p] == keys).any(axis=1)))
        if not found:
            return []
        cand = np.unique(np.concatenate(found))
        cand = cand[self._live[cand] & (self._shingles.lens[cand] > 0)] if p else cand[self._live[cand]]
        return cand.tolist()

    def candidates(self, body_text: str) -> list[int]:
        """Article ids sharing at least one LSH band with the text (exact copies share them all), unverified."""
        return sorted(self._ids[self._candidate_rows(analyze(body_text))].tolist())

    def match(self, body_text: str, exclude: int | None = None) -> list[tuple[int, float]]:
        """Verified same-story articles as (article_id, exact shingle Jaccard), best first."""
        return self.match_analysis(analyze(body_text), exclude=exclude)

    def _text_candidates(self, analysis: Analysis, rows: list[int]) -> list[int]:
        """The rows whose shingles pass the text check of ``_decide`` with the analysis, all at once:
        one ``searchsorted`` of every candidate's shingles in the query's (exact |A∩B|, the same
        formulas and thresholds, so nothing ``_decide`` would accept is dropped). At 100,000
        articles a query has dozens of LSH candidates, nearly all of them other reports on the topic."""
        q = analysis.shingles
        if len(rows) < 2 or len(q) == 0:
            return rows
        parts = [self._shingles[r] for r in rows]
        sizes = np.array([len(x) for x in parts])
        values = np.concatenate(parts)
        pos = q.searchsorted(values)
        pos[pos == len(q)] = 0
        inter = np.add.reduceat((q[pos] == values).astype(np.int64), np.concatenate(([0], np.cumsum(sizes)[:-1])))
        jac = inter / (len(q) + sizes - inter)
        small = np.minimum(len(q), sizes)
        ok = (jac >= JACCARD_MIN) | ((inter / small >= CONTAINMENT_MIN) & (jac >= JACCARD_FLOOR)
                                     & (small >= MIN_SHINGLES_FOR_CONTAINMENT))
        return [r for r, keep in zip(rows, ok.tolist()) if keep]

    def match_analysis(self, analysis: Analysis, exclude: int | None = None) -> list[tuple[int, float]]:
        out = []
        for row in self._text_candidates(analysis, self._candidate_rows(analysis)):
            article_id = int(self._ids[row])
            if article_id == exclude:
                continue
            same, score, _ = _decide(analysis, self._doc(row))
            if same:
                out.append((article_id, round(score, 4)))
        return sorted(out, key=lambda t: (-t[1], t[0]))

    def explain(self, body_text: str) -> list[tuple[int, bool, float, str]]:
        """Every candidate with the verdict, Jaccard and reason of the exact check (for debugging)."""
        analysis = analyze(body_text)
        return sorted(((int(self._ids[r]), *_decide(analysis, self._doc(r))) for r in self._candidate_rows(analysis)),
                      key=lambda t: (-t[2], t[0]))

    # -- clustering
    def _candidate_row_pairs(self, skip_rows: np.ndarray | None = None) -> np.ndarray:
        """(m, 2) unique row pairs (a < b) sharing a band, from runs of equal keys in the sorted
        arrays. Buckets above MAX_BUCKET members are verified as a star and a chain."""
        self._merge()
        n = max(1, self._n)
        chunks = []
        for band in range(LSH_BANDS):
            line, rows = self._sorted_keys[band], self._sorted_rows[band]
            if skip_rows is not None and len(rows):
                keep = ~skip_rows[rows]
                line, rows = line[keep], rows[keep]
            if len(line) < 2:
                continue
            same = (line[1:] == line[:-1]).astype(np.int8)
            if not same.any():
                continue
            edges = np.diff(np.concatenate(([0], same, [0])))
            starts, ends = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1) + 1
            lengths = ends - starts
            for length in np.unique(lengths).tolist():
                sel = starts[lengths == length]
                if length <= MAX_BUCKET:
                    ia, ib = np.triu_indices(length, 1)
                else:
                    ia = np.concatenate((np.zeros(length - 1, dtype=np.int64), np.arange(1, length - 1)))
                    ib = np.concatenate((np.arange(1, length), np.arange(2, length)))
                a = rows[sel[:, None] + ia[None, :]].ravel().astype(np.int64)
                b = rows[sel[:, None] + ib[None, :]].ravel().astype(np.int64)
                chunks.append(np.minimum(a, b) * n + np.maximum(a, b))
        if not chunks:
            return np.zeros((0, 2), dtype=np.int64)
        codes = np.unique(np.concatenate(chunks))
        return np.stack((codes // n, codes % n), axis=1)

    def clusters(self, min_size: int = 2, stats: dict | None = None) -> list[list[int]]:
        """Stories: union-find over verified same-story pairs. Each cluster is a sorted list of
        article ids; clusters smaller than ``min_size`` are left out (min_size=1: every story).

        Exact duplicates are united first without verification; LSH pairs whose signatures agree
        on fewer than SIGNATURE_PREFILTER of the NUM_PERM values (estimated Jaccard, sd <= 0.036;
        compared on the low byte of each value, see the class docstring) are dropped before the
        exact check, since the text rule needs Jaccard >= JACCARD_FLOOR; pairs already in one
        cluster are not verified again."""
        self._merge()
        uf = UnionFind()
        n = self._n
        duplicate = np.zeros(n, dtype=bool)
        members: dict[int, list[int]] = {}             # root → rows, for the cannot-link check
        nonempty = np.flatnonzero(self._live[:n] & (self._shingles.lens[:n] > 0))
        if len(nonempty):
            digests = np.ascontiguousarray(self._digest[nonempty]).view("V32").ravel()
            _, inverse, counts = np.unique(digests, return_inverse=True, return_counts=True)
            inverse = inverse.ravel()
            multi = counts[inverse] > 1
            rows_multi, groups = nonempty[multi], inverse[multi]
            order = np.lexsort((rows_multi, groups))
            rows_multi, groups = rows_multi[order], groups[order]
            for group in np.split(rows_multi, np.flatnonzero(np.diff(groups)) + 1):
                rows = group.tolist()
                if len(rows) < 2:
                    continue
                for other in rows[1:]:
                    uf.union(rows[0], other)
                    duplicate[other] = True
                members[uf.find(rows[0])] = rows
        pairs = self._candidate_row_pairs(skip_rows=duplicate)
        kept = []
        for start in range(0, len(pairs), 50_000):
            chunk = pairs[start:start + 50_000]
            agree = (self._bbits[chunk[:, 0]] == self._bbits[chunk[:, 1]]).mean(axis=1)
            kept.append(chunk[agree >= SIGNATURE_PREFILTER])
        kept = np.concatenate(kept) if kept else pairs
        verified = merged = blocked = 0
        features: dict[int, Features] = {}             # rows touched, rebuilt once each

        def feat(row: int) -> Features:
            f = features.get(row)
            if f is None:
                f = features[row] = self._features(row)
            return f

        for a, b in kept.tolist():
            ra, rb = uf.find(a), uf.find(b)
            if ra == rb:
                continue
            verified += 1
            if not _decide(self._doc(a, feat(a)), self._doc(b, feat(b)))[0]:
                continue
            # cannot-link: a chain of copies must not join two stories that conflict outright
            # (X' is a copy of X and also matches twin Y because the edit dropped X's names)
            ma, mb = members.get(ra, [ra]), members.get(rb, [rb])
            if any(_conflict(feat(x), feat(y), slots=False) for x in ma[:CANNOT_LINK_CHECK]
                   for y in mb[:CANNOT_LINK_CHECK]):
                blocked += 1
                continue
            uf.union(ra, rb)
            root = uf.find(ra)
            members[root] = ma + mb
            members.pop(rb if root == ra else ra, None)
            merged += 1
        if stats is not None:
            stats.update(candidate_pairs=len(pairs), after_prefilter=len(kept), verified=verified, merged=merged,
                         blocked_by_cannot_link=blocked, exact_duplicates=int(duplicate.sum()))
        groups_out: dict[int, list[int]] = {}
        for row, article_id in zip(np.flatnonzero(self._live[:n]).tolist(), self._ids[:n][self._live[:n]].tolist()):
            groups_out.setdefault(uf.find(row), []).append(article_id)
        return sorted((sorted(g) for g in groups_out.values() if len(g) >= min_size), key=lambda g: g[0])

    # -- persistence
    def save(self, conn: sqlite3.Connection, full: bool = False) -> int:
        """Write signatures and verification data of new/changed articles (all if ``full``) and
        delete removed ones, in one transaction. Tables: ``minhashes(article_id INTEGER PRIMARY KEY,
        hashvalues BLOB)`` (the NUM_PERM=192 MinHash values as little-endian uint32, 768 bytes; datasketch's
        affine32 values are 32-bit, so nothing is lost; recomputed from the shingles, which is
        how they were made), ``dedupe_features(article_id INTEGER PRIMARY KEY, exact_key, shingles
        BLOB, slots BLOB, features)`` (sorted uint32 shingle hashes, uint64 slot pairs,
        units/board/dates as JSON) and ``dedupe_meta`` (parameters, checked by ``load``). Joins the
        connection's open transaction, if any. Returns the number of articles written."""
        _create_tables(conn)
        n = self._n
        rows = np.flatnonzero(self._live[:n] & (True if full else self._dirty[:n]))
        rows = rows[np.argsort(self._ids[rows], kind="stable")].tolist()
        # inside the caller's transaction (an article's store) the caller commits; otherwise this one
        with contextlib.nullcontext() if conn.in_transaction else conn:
            conn.executemany("INSERT OR REPLACE INTO dedupe_meta(key, value) VALUES (?, ?)", sorted(_meta().items()))
            gone = [(i,) for i in sorted(self._removed) if i not in self]
            conn.executemany("DELETE FROM minhashes WHERE article_id = ?", gone)
            conn.executemany("DELETE FROM dedupe_features WHERE article_id = ?", gone)
            conn.executemany(
                "INSERT OR REPLACE INTO minhashes(article_id, hashvalues) VALUES (?, ?)",
                ((int(self._ids[r]), _signature(self._shingles[r]).astype("<u4").tobytes()) for r in rows))
            conn.executemany(
                "INSERT OR REPLACE INTO dedupe_features(article_id, exact_key, shingles, slots, features) "
                "VALUES (?, ?, ?, ?, ?)",
                ((int(self._ids[r]), d.key, d.shingles.astype("<u4").tobytes(),
                  d.features.slots.astype("<u8").tobytes(), d.features.to_json())
                 for r, d in ((r, self._doc(r)) for r in rows)))
        self._dirty[:] = False
        self._removed.clear()
        return len(rows)

    def load(self, conn: sqlite3.Connection) -> "NearDuplicateIndex":
        """Add every stored article to this index (no text needed, nothing recomputed); returns self."""
        try:
            meta = dict(conn.execute("SELECT key, value FROM dedupe_meta").fetchall())
        except sqlite3.OperationalError:
            return self  # nothing saved yet
        if meta != _meta():
            raise StaleIndex(f"stored dedupe index was built with {meta}, this code uses {_meta()}: rebuild it")
        rows = conn.execute(
            "SELECT m.article_id, m.hashvalues, f.exact_key, f.shingles, f.slots, f.features "
            "FROM minhashes m JOIN dedupe_features f USING (article_id) ORDER BY m.article_id")
        for article_id, hv, key, sh, slots, feats in rows:
            analysis = Analysis(key=key, shingles=np.frombuffer(sh, dtype="<u4").astype(np.uint32),
                                signature=np.frombuffer(hv, dtype="<u4").astype(np.uint32),
                                features=Features.from_json(feats, slots))
            self._insert(article_id, analysis, dirty=False)
        self._merge()
        self._fit()
        return self

    @classmethod
    def from_db(cls, conn: sqlite3.Connection) -> "NearDuplicateIndex":
        return cls().load(conn)


class StaleIndex(ValueError):
    """The stored index was built by other code (parameters or features changed): re-analyse."""


def _meta() -> dict[str, str]:
    return {"format_version": str(FORMAT_VERSION), "num_perm": str(NUM_PERM), "seed": str(MINHASH_SEED),
            "scheme": MINHASH_SCHEME, "shingle_k": str(SHINGLE_K), "bands": str(LSH_BANDS), "rows": str(LSH_ROWS)}


def _create_tables(conn: sqlite3.Connection) -> None:
    conn.execute("CREATE TABLE IF NOT EXISTS minhashes (article_id INTEGER PRIMARY KEY, hashvalues BLOB NOT NULL)")
    conn.execute("CREATE TABLE IF NOT EXISTS dedupe_features (article_id INTEGER PRIMARY KEY, exact_key TEXT NOT NULL, "
                 "shingles BLOB NOT NULL, slots BLOB NOT NULL, features TEXT NOT NULL)")
    conn.execute("CREATE INDEX IF NOT EXISTS dedupe_features_key ON dedupe_features(exact_key)")
    conn.execute("CREATE TABLE IF NOT EXISTS dedupe_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
