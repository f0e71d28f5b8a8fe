"""What two reports of one story must share: the units, the board size, the event date, the slots.

Units, board sizes and dates are read by the event's own readers (`pipelines.vn`: `unit_mentions`,
`board_sizes`, `day_month_mentions`), the readers `pipelines.structure` builds the event from, so
dedupe and the structurer agree on what a sentence says; no second rule set lives here. The slots
(same wording around a different name or number) are dedupe's own: they come from its tokens.
"""
from __future__ import annotations

import json
import re
import sys
from dataclasses import dataclass, field

import numpy as np

from ..text import fold
from ..vn.boards import board_sizes
from ..vn.dates import day_month_mentions
from ..vn.places import unit_mentions, unit_name
from .minhash import _POS_MULT, _fmix64
from .normalize import _CAP, _F_CLAUSE, _F_HARD, _NUM, _Tokens
from .params import LEAD_WORDS

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
