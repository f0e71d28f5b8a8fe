"""The index in the archive: ``minhashes``, ``dedupe_features`` and ``dedupe_meta``."""
from __future__ import annotations

import contextlib
import sqlite3

import numpy as np

from .features import Features
from .minhash import _signature
from .params import FORMAT_VERSION, LSH_BANDS, LSH_ROWS, MINHASH_SCHEME, MINHASH_SEED, NUM_PERM, SHINGLE_K
from .rule import Analysis


class Persistence:
    """``NearDuplicateIndex.save`` / ``load`` / ``from_db``: a mixin over the index's arrays (see ``index``)."""

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

    def load(self, conn: sqlite3.Connection) -> "Persistence":
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
    def from_db(cls, conn: sqlite3.Connection) -> "Persistence":
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
