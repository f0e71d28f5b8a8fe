"""The simulator's articles are data (portalsim/data/*.yaml): each one well formed, and its ground
truth in the extractor's own keys, so a comparison with an extracted record is key for key."""
from __future__ import annotations

import unicodedata

from pipelines import record_schema
from pipelines.extract import RECORD_KEYS
from pipelines.structure import structure_event
from portalsim.articles import ARTICLES, ARTICLES_MORE, SHAPELESS_ARTICLES, load
from portalsim.server import ALL_PORTALS, DEFAULTS, REQUIRED, Simulator, load_articles

ARTICLE_KEYS = set(REQUIRED) | set(DEFAULTS) | {"story", "section"}
#: what extract_record puts in a record's `event` (unit_codes is the gazetteer's, never in the ground truth)
EVENT_KEYS = set(structure_event("", "", None))
#: beyond the record: the story a republished copy belongs to (the dedupe step's answer)
TRUTH_EXTRA = {"story"}


def test_every_data_file_loads_into_the_article_format():
    for name, expected in (("articles_more", ARTICLES_MORE), ("articles_shapeless", SHAPELESS_ARTICLES)):
        assert load(name) == expected
    everything = ARTICLES + SHAPELESS_ARTICLES
    assert len({a["key"] for a in everything}) == len(everything) == 78
    for article in everything:
        assert set(REQUIRED) <= article.keys() <= ARTICLE_KEYS, article["key"]
        assert article["portal"] in ALL_PORTALS
        texts = [article["title"], *article["paragraphs"], article.get("lead") or ""]
        assert all(unicodedata.is_normalized("NFC", t) for t in texts), article["key"]
        event = article.get("event")
        assert (event is not None) == bool(article.get("is_launch_report")), article["key"]
        if event is not None:
            assert set(event) <= EVENT_KEYS, (article["key"], set(event) - EVENT_KEYS)
            assert isinstance(event["event_date"], str) and isinstance(event["units"], list)
    load_articles(None, ALL_PORTALS)  # the simulator's own checks: required keys, portals, dates


def test_ground_truth_is_in_the_record_keys():
    with Simulator(extra_portals=[name for name in ALL_PORTALS]) as sim:
        truth = sim.ground_truth()
    assert len(truth) == 78
    for record in truth:
        assert set(record) - TRUTH_EXTRA <= set(RECORD_KEYS), set(record) - TRUTH_EXTRA - set(RECORD_KEYS)
        if record["event"] is not None:
            assert set(record["event"]) <= EVENT_KEYS


#: what the extractor computes and the ground truth does not say (the comparison skips them)
COMPUTED = {("canonical_url", "None is not of type 'string'"), ("content_hash", "None is not of type 'string'"),
            ("launch_score", "None is not of type 'number'"), ("images", "'src' is a required property")}


def test_ground_truth_validates_against_the_record_schema():
    """schema/record.schema.json, for every field the ground truth holds (types, nesting, event keys)."""
    with Simulator(extra_portals=list(ALL_PORTALS)) as sim:
        truth = sim.ground_truth()
    for record in truth:
        problems = record_schema.validate(record_schema.complete({k: v for k, v in record.items() if k not in TRUTH_EXTRA}))
        assert {(field, message) for field, message in problems} <= COMPUTED, (record["url"], problems)
