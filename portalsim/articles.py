"""Simulated article content for the portal simulator, loaded from `portalsim/data/*.yaml`.

The simulator's article format (one YAML mapping per article): ``key`` (unique), ``portal`` (a
simulated portal's name), ``title``, ``published`` ("YYYY-MM-DD HH:MM"), ``lead`` (or null),
``paragraphs`` (list of str), ``images`` ([{after: paragraph index, caption: str | null}]),
``author``, ``source``, ``tags``, ``is_launch_report``, ``event`` (the ground truth in the record's
event fields: event_date, units, district, province, board_size, officials [{name, title}],
slogans, documents; or null) and, for republished copies, ``story``; the shapeless sites' articles
may add ``section`` (data/articles_shapeless.yaml says what it means). Text is plain Unicode NFC
Vietnamese; the renderers add markup, entities and noise. tests/sim/test_content.py checks every
article's keys and its ground truth's against the extractor's record keys.

    ARTICLES            the default portals': data/articles.yaml, its republished copies
                        (republished.py), then ARTICLES_MORE
    ARTICLES_MORE       the two later portals' (sim-quangchau, sim-baothanhhoa): data/articles_more.yaml
    SHAPELESS_ARTICLES  the opt-in shapeless sites' (shapeless.py): data/articles_shapeless.yaml
"""
from __future__ import annotations

from pathlib import Path

import yaml

from .republished import republished_copies

DATA = Path(__file__).with_name("data")


def load(name: str) -> list[dict]:
    """The articles of one data file (`data/{name}.yaml`), as plain dicts."""
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when built with it: 10x faster
    with open(DATA / f"{name}.yaml", encoding="utf-8") as fh:
        return yaml.load(fh, Loader=loader)


ARTICLES_MORE: list[dict] = load("articles_more")
SHAPELESS_ARTICLES: list[dict] = load("articles_shapeless")
_BASE = load("articles")
ARTICLES: list[dict] = _BASE + republished_copies(_BASE) + ARTICLES_MORE
