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

The package, one module an idea, in the order the data flows: ``params`` (every measured number),
``normalize`` (boilerplate stripping and the tokenizer), ``minhash`` (shingle hashes, signatures,
LSH band keys), ``features`` (units, board size, dates read by `pipelines.vn`; template slots),
``rule`` (one article's ``analyze`` and the same-story rule), ``index`` (``NearDuplicateIndex``),
``cluster`` (stories from scratch) and ``persistence`` (the index in the archive). The names
callers use are importable from here.
"""
from __future__ import annotations

from .cluster import UnionFind
from .features import Features
from .index import NearDuplicateIndex
from .minhash import _identity_hash, _shingle_hashes, _signature, minhash
from .normalize import _clean, _content_lines, _words, exact_key, normalize_for_dedupe, shingles
from .params import (
    CANNOT_LINK_CHECK, CONTAINMENT_MIN, FORMAT_VERSION, JACCARD_FLOOR, JACCARD_MIN, LEAD_WORDS, LSH_BANDS, LSH_ROWS,
    MAX_BUCKET, MIN_SHINGLES_FOR_CONTAINMENT, MINHASH_SCHEME, MINHASH_SEED, NUM_PERM, SHINGLE_K, SIGNATURE_PREFILTER,
    SLOT_CONFLICTS_MAX,
)
from .persistence import StaleIndex
from .rule import Analysis, _conflict, _decide, analyze, is_same_story

__all__ = [
    "Analysis", "CANNOT_LINK_CHECK", "CONTAINMENT_MIN", "FORMAT_VERSION", "Features", "JACCARD_FLOOR", "JACCARD_MIN",
    "LEAD_WORDS", "LSH_BANDS", "LSH_ROWS", "MAX_BUCKET", "MINHASH_SCHEME", "MINHASH_SEED", "MIN_SHINGLES_FOR_CONTAINMENT",
    "NUM_PERM", "NearDuplicateIndex", "SHINGLE_K", "SIGNATURE_PREFILTER", "SLOT_CONFLICTS_MAX", "StaleIndex", "UnionFind",
    "analyze", "exact_key", "is_same_story", "minhash", "normalize_for_dedupe", "shingles",
    # internals the tests compare against datasketch and clean_text
    "_clean", "_conflict", "_content_lines", "_decide", "_identity_hash", "_shingle_hashes", "_signature", "_words",
]
