"""Permalinks: a short public key for each article, from its canonical URL alone.

Row ids depend on the order articles were stored (a rebuild, another crawl order or a reprocess
renumbers them), so they are never shown as an article's identity. The key is the first
`KEY_LENGTH` characters of the base32 SHA-256 of the canonical URL (lower case, `a–z2–7`:
URL-safe, no padding, 50 bits). The same URL gives the same key in any archive built any way.
Two URLs whose keys collide (about one chance in 2,000 at a million articles) are told apart by
length: the one stored second takes the next longer prefix that is free.

Citations follow Perma.cc and the Wayback Machine: the work, the publisher, the original URL, and
the archived copy with when it was taken and its digest.
"""
from __future__ import annotations

import base64
import hashlib

KEY_LENGTH = 10
_KEY_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz234567")


def url_key(canonical_url: str, length: int = KEY_LENGTH) -> str:
    digest = hashlib.sha256(canonical_url.encode("utf-8")).digest()
    return base64.b32encode(digest).decode("ascii").lower().rstrip("=")[:length]


def looks_like_key(text: str) -> bool:
    return KEY_LENGTH <= len(text) <= 52 and set(text) <= _KEY_CHARS and not text.isdigit()


def free_key(db, canonical_url: str) -> str:
    """The article's key: the shortest prefix (from KEY_LENGTH) no other URL holds in this archive."""
    for length in range(KEY_LENGTH, 53):
        key = url_key(canonical_url, length)
        holder = db.execute("select canonical_url from articles where article_key = ?", [key]).fetchone()
        if holder is None or holder[0] == canonical_url:
            return key
    raise ValueError(f"no free key for {canonical_url}")  # a SHA-256 collision


def fill_missing_keys(db) -> int:
    """Give a key to every article stored before keys existed (in id order); how many were given."""
    rows = db.execute("select id, canonical_url from articles where article_key is null order by id").fetchall()
    for article_id, canonical_url in rows:
        db.execute("update articles set article_key = ? where id = ?", [free_key(db, canonical_url), article_id])
    return len(rows)


def article_path(key: str) -> str:
    return f"/-/article/{key}"
