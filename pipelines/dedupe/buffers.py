"""Growable numpy buffers of the index: no Python object per article."""
from __future__ import annotations

import sys

import numpy as np

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
