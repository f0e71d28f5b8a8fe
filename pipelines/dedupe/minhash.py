"""Shingle hashes, MinHash signatures and LSH band keys: how candidates are proposed.

The signature only proposes candidates (the decision is taken on exact shingle sets, `rule`), so
it is computed with numpy exactly as datasketch would, without building a MinHash per article.
"""
from __future__ import annotations

import numpy as np
from datasketch import MinHash

from .normalize import _content_lines, _words
from .params import LSH_BANDS, LSH_ROWS, MINHASH_SCHEME, MINHASH_SEED, NUM_PERM, SHINGLE_K

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
