"""``NearDuplicateIndex``: incremental MinHash LSH over the archive's articles, verified exactly."""
from __future__ import annotations

from typing import Iterable

import numpy as np
from datasketch import MinHash

from .buffers import _fitted, _getsizeof_deep, _grown, _Ragged
from .cluster import Clustering
from .features import Features
from .minhash import _NO_SIGNATURE, _as_minhash, _band_keys, _signature
from .params import CONTAINMENT_MIN, JACCARD_FLOOR, JACCARD_MIN, LSH_BANDS, MIN_SHINGLES_FOR_CONTAINMENT, NUM_PERM
from .persistence import Persistence
from .rule import Analysis, _decide, analyze

_FORK_ITEMS: list = []   # add_many's items, inherited by its forked workers


def _analyze_range(bounds: tuple[int, int]) -> list[tuple[int, Analysis]]:
    return [(article_id, analyze(text)) for article_id, text in _FORK_ITEMS[bounds[0]:bounds[1]]]


class NearDuplicateIndex(Clustering, Persistence):
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
