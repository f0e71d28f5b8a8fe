"""The near-duplicate parameters: shingles, MinHash and LSH, the text thresholds, the rule's limits.

Every number here was measured (the comments say on what); ``FORMAT_VERSION`` and the MinHash
parameters are stored with the index (``persistence._meta``), so an archive indexed with other
values is re-analysed instead of compared with the wrong measure.
"""
from __future__ import annotations

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
