"""Stories from scratch: every LSH pair of the index verified, joined by union-find (``clusters``)."""
from __future__ import annotations

import numpy as np

from .features import Features
from .params import CANNOT_LINK_CHECK, LSH_BANDS, MAX_BUCKET, SIGNATURE_PREFILTER
from .rule import _conflict, _decide

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


class Clustering:
    """``NearDuplicateIndex.clusters``: a mixin over the index's arrays (see ``index``)."""

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
        members = self._unite_exact_duplicates(uf, duplicate)   # root → rows, for the cannot-link check
        pairs = self._candidate_row_pairs(skip_rows=duplicate)
        kept = self._prefiltered(pairs)
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

    def _unite_exact_duplicates(self, uf: UnionFind, duplicate: np.ndarray) -> dict[int, list[int]]:
        """Unite the rows with one exact key (no verification), marking all but the first of each
        group in ``duplicate``; returns root → rows of each group."""
        n = self._n
        members: dict[int, list[int]] = {}
        nonempty = np.flatnonzero(self._live[:n] & (self._shingles.lens[:n] > 0))
        if not len(nonempty):
            return members
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
        return members

    def _prefiltered(self, pairs: np.ndarray) -> np.ndarray:
        """The pairs whose signatures agree on at least SIGNATURE_PREFILTER of their values."""
        kept = []
        for start in range(0, len(pairs), 50_000):
            chunk = pairs[start:start + 50_000]
            agree = (self._bbits[chunk[:, 0]] == self._bbits[chunk[:, 1]]).mean(axis=1)
            kept.append(chunk[agree >= SIGNATURE_PREFILTER])
        return np.concatenate(kept) if kept else pairs
