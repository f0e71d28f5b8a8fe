"""The readers' word lists, kept as data in `vocabulary.toml` (and `surnames.txt`).

`words(section)` is the list a reader builds its patterns from; `entries(section)` the entries with
their example sentences, for the test that checks every entry against its reader.
"""
from __future__ import annotations

import re
import tomllib
from functools import lru_cache
from pathlib import Path

_HERE = Path(__file__).parent


@lru_cache(maxsize=1)
def _data() -> dict:
    with open(_HERE / "vocabulary.toml", "rb") as f:
        return tomllib.load(f)


def sections() -> list[str]:
    return [name for name, value in _data().items() if isinstance(value, dict) and "entry" in value]


def entries(section: str) -> list[dict]:
    return _data()[section]["entry"]


def words(section: str) -> list[str]:
    """Every word of a section, each entry's `words` in order (single spaces, as written)."""
    return [" ".join(w.split()) for entry in entries(section) for w in entry["words"]]


def alternation(section: str) -> str:
    """A regex alternation of a section's words, longest first, each escaped; spaces match any run."""
    return "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in sorted(words(section), key=len, reverse=True))


@lru_cache(maxsize=None)
def word_list(name: str) -> frozenset[str]:
    """A plain list beside this module (one entry a line, single spaces; "#" lines are comments)."""
    lines = (_HERE / name).read_text(encoding="utf-8").splitlines()
    return frozenset(" ".join(line.split()) for line in lines if line.strip() and not line.startswith("#"))
