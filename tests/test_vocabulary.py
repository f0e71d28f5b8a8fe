"""Every entry of the readers' vocabulary (pipelines/vn/vocabulary.toml), read by its reader.

Each entry carries sentences where its word is at work ("yes") and near misses where it must not
fire ("no"), each with what the reader returns. One test reads them all, so adding a title, a type
word or a slogan is a data edit and its examples.
"""
import pytest

from pipelines.classify import classify
from pipelines.vn import vocabulary
from pipelines.vn.credits import read_credit
from pipelines.vn.documents import documents
from pipelines.vn.people import officials
from pipelines.vn.places import district_mentions, province_mentions, unit_mentions
from pipelines.vn.slogans import slogans


def _credit(text):
    got = read_credit(text)
    return False if got is None else [got[0] or "", got[1] or ""]


READERS = {
    "units": lambda t: [u for _, u in unit_mentions(t)],
    "districts": lambda t: [d for _, d in district_mentions(t)],
    "provinces": lambda t: [p for _, p in province_mentions(t)],
    "officials": lambda t: [[o["name"], o["title"] or ""] for o in officials(t)],
    "slogans": slogans,
    "documents": documents,
    "launch": lambda t: classify(t, "").is_launch_report,
    "credit": _credit,
}


def _examples():
    for section in vocabulary.sections():
        reader = vocabulary._data()[section]["reader"]
        for i, entry in enumerate(vocabulary.entries(section)):
            for kind in ("yes", "no"):
                for j, (text, expected) in enumerate(entry.get(kind, [])):
                    yield pytest.param(reader, text, expected, id=f"{section}-{entry['words'][0]}-{kind}{j}")


@pytest.mark.parametrize("reader, text, expected", list(_examples()))
def test_vocabulary_example(reader, text, expected):
    assert READERS[reader](text) == expected


def test_every_entry_has_examples_of_both_kinds_and_a_known_reader():
    for section in vocabulary.sections():
        assert vocabulary._data()[section]["reader"] in READERS, section
        for entry in vocabulary.entries(section):
            assert entry["words"] and entry.get("yes") and entry.get("no"), (section, entry["words"])
            for text, _ in entry["yes"]:
                # the example shows the entry's own word at work
                assert any(w.lower() in text.lower() for w in entry["words"]), (section, entry["words"], text)


def test_the_readme_example_entry_works_as_shown():
    """README's "Adding a title or a slogan" block is a real entry: its examples hold once added."""
    import re
    import tomllib
    from pathlib import Path

    import pipelines.vn.slogans as slogans_module

    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    block = re.search(r"```toml\n(\[\[slogans\.entry\]\].*?)```", readme, re.S).group(1)
    entry = tomllib.loads(block)["slogans"]["entry"][0]
    pattern = slogans_module.known_pattern(slogans_module._KNOWN + entry["words"])
    original = slogans_module._KNOWN_RE
    slogans_module._KNOWN_RE = pattern
    try:
        for text, expected in entry["yes"] + entry["no"]:
            assert slogans(text) == expected
    finally:
        slogans_module._KNOWN_RE = original
