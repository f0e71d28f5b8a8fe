"""The article record as a JSON Schema (`record.schema.json`, 2020-12): the contract between
extraction, the archive and its users. `pipelines.record_schema` reads it and derives the rest.

Why a package holding a data file: `importlib.resources` finds package data the same way in a
wheel, an editable install and a checkout on sys.path (the tests, `scrapy crawl` from the
repository root), so the file is read from one place everywhere and is not copied anywhere.
(PyPI's unrelated `schema` distribution also installs a top-level `schema` module: an environment
with both would shadow one of them.)
"""
from __future__ import annotations

from importlib import resources

FILE_NAME = "record.schema.json"


def text() -> str:
    """The schema file as shipped with this package."""
    return resources.files(__name__).joinpath(FILE_NAME).read_text(encoding="utf-8")
