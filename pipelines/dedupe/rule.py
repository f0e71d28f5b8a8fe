"""The same-story rule: one article's analysis, the exact text check and the template-twin rule.

Two reports are one story when their exact shingle sets overlap enough (``JACCARD_MIN``,
``CONTAINMENT_MIN``) and nothing distinguishing conflicts (``_conflict``): precision first.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass

import numpy as np

from .features import Features, _features
from .minhash import _shingle_hashes, _signature
from .normalize import _content_lines, _words
from .params import CONTAINMENT_MIN, JACCARD_FLOOR, JACCARD_MIN, MIN_SHINGLES_FOR_CONTAINMENT, SLOT_CONFLICTS_MAX

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
