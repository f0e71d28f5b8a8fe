"""The record's schema (`schema/record.schema.json`) loaded, and what derives from it.

The schema is the contract: the record's keys and their order, the event fields, the archive
columns they are stored in (`x-sqlite`), the exports that carry them (`x-export`) and every
column description come from the one file, so a field added there reaches extraction (null until
an extractor fills it), the archive, the exports, the Datasette metadata and the coverage report
with no other edit.

`THANTHIEN_RECORD_SCHEMA=PATH` replaces the shipped file (read once, when this module is first
imported): how a test, or someone trying a field out, uses another schema without editing the repo.
"""
from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import jsonschema

import schema as _shipped

SQL_TYPES = {"TEXT": str, "INTEGER": int, "REAL": float}
# The tables a schema field may be stored in: the article's own row, or one value per launch row
# (archive/db.py writes both from the record; other tables hold lists and are the store's).
TABLES = {"record": "articles", "event": "launches"}


class RecordSchemaError(ValueError):
    """The schema file is not a JSON Schema, or its project keywords (x-...) are misused."""


@dataclass(frozen=True)
class Column:
    """One archive column that holds a schema field."""

    field: str            # the record key, or the event key
    event: bool           # an event field (stored per launch row) rather than a record field
    table: str            # articles or launches
    sql_type: str         # TEXT, INTEGER or REAL
    position: int | None  # its place among the table's schema columns in a fresh archive; None: at the end
    compare: bool         # a change of it alone makes a stored article "updated"
    json: bool            # stored as JSON text (lists and objects)
    description: str

    @property
    def name(self) -> str:
        return self.field

    def value(self, value):
        """The record's value as stored in the column."""
        if value is None:
            return None
        if self.json:
            return json.dumps(value, ensure_ascii=False)
        if isinstance(value, bool):
            return int(value)
        return value


def _load() -> tuple[dict, str]:
    override = os.environ.get("THANTHIEN_RECORD_SCHEMA")
    if override:
        return json.loads(Path(override).read_text(encoding="utf-8")), override
    return json.loads(_shipped.text()), f"schema/{_shipped.FILE_NAME}"


SCHEMA, SOURCE = _load()


def _json_types(prop: dict) -> set[str]:
    kind = prop.get("type", [])
    return {kind} if isinstance(kind, str) else set(kind)


def _column(field: str, prop: dict, event: bool) -> Column | None:
    spec = prop.get("x-sqlite")
    if spec is None:
        return None
    where = f"{'event.' if event else ''}{field}"
    if not re.fullmatch(r"[a-z][a-z0-9_]*", field):
        raise RecordSchemaError(f"{SOURCE}: {where}: a stored field's name is its column's: lower case, digits, _")
    table = TABLES["event" if event else "record"]
    if spec.get("table") != table:
        raise RecordSchemaError(f"{SOURCE}: {where}: x-sqlite table must be {table!r} (got {spec.get('table')!r})")
    if spec.get("type") not in SQL_TYPES:
        raise RecordSchemaError(f"{SOURCE}: {where}: x-sqlite type must be one of {', '.join(SQL_TYPES)}")
    types = _json_types(prop) - {"null"}
    is_json = bool(types & {"object", "array"})
    expected = "TEXT" if is_json or types <= {"string"} else "REAL" if "number" in types else "INTEGER"
    if spec["type"] != expected:
        raise RecordSchemaError(f"{SOURCE}: {where}: type {sorted(types)} is stored as {expected}, not {spec['type']}")
    if not prop.get("description"):
        raise RecordSchemaError(f"{SOURCE}: {where}: a stored field needs a description (it is the column's)")
    return Column(field, event, table, spec["type"], spec.get("position"), spec.get("compare", True), is_json,
                  prop["description"])


def _ordered(columns: list[Column]) -> tuple[Column, ...]:
    """Positioned columns by position, then the others in schema order (where a new column goes)."""
    placed = sorted((c for c in columns if c.position is not None), key=lambda c: c.position)
    return tuple(placed + [c for c in columns if c.position is None])


def _derive():
    try:
        jsonschema.Draft202012Validator.check_schema(SCHEMA)
    except jsonschema.SchemaError as exc:
        raise RecordSchemaError(f"{SOURCE} is not a JSON Schema 2020-12: {exc.message}") from None
    props = SCHEMA["properties"]
    events = [name for name, prop in props.items() if prop.get("x-event")]
    if len(events) != 1:
        raise RecordSchemaError(f"{SOURCE}: exactly one property carries x-event (the event), found {events}")
    event_props = props[events[0]]["properties"]
    columns = [c for name, prop in props.items() if (c := _column(name, prop, False))]
    columns += [c for name, prop in event_props.items() if (c := _column(name, prop, True))]
    return events[0], event_props, columns


EVENT_KEY, _EVENT_PROPS, _COLUMNS = _derive()

#: the record's keys, in the order `thanthien extract` prints them
RECORD_KEYS: tuple[str, ...] = tuple(SCHEMA["properties"])
#: the event's keys
EVENT_FIELDS: tuple[str, ...] = tuple(_EVENT_PROPS)
#: event fields scored against ground truth (archive/evaluate.py): all but those marked x-evaluated false
EVALUATED_EVENT_FIELDS: tuple[str, ...] = tuple(f for f, p in _EVENT_PROPS.items() if p.get("x-evaluated", True))
#: the names the coverage report counts: record keys, and event keys as "event.KEY"
COVERAGE_FIELDS: tuple[str, ...] = RECORD_KEYS + tuple(f"{EVENT_KEY}.{f}" for f in EVENT_FIELDS)

_VALIDATOR = jsonschema.Draft202012Validator(SCHEMA, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)


def columns(table: str) -> tuple[Column, ...]:
    """The schema's columns of `table` (articles or launches), in their order."""
    return _ordered([c for c in _COLUMNS if c.table == table])


def described_columns() -> dict[str, dict[str, str]]:
    """{table: {column: description}} for every column the schema declares."""
    return {table: {c.name: c.description for c in columns(table)} for table in TABLES.values()}


def article_values(record: dict) -> dict:
    """The record's `articles` columns, as stored."""
    return {c.name: c.value(record.get(c.field)) for c in columns("articles")}


def launch_values(event: dict) -> dict:
    """The event's `launches` columns (the same on every launch row of the event), as stored."""
    return {c.name: c.value(event.get(c.field)) for c in columns("launches")}


def export_columns(export: str) -> list[tuple[str, int | None]]:
    """(record key, position) of the fields export `export` carries (position None: after the others)."""
    return [(name, prop["x-export"][export]) for name, prop in SCHEMA["properties"].items()
            if export in (prop.get("x-export") or {})]


def _empty(prop: dict):
    return json.loads(json.dumps(prop["default"])) if "default" in prop else None


def complete(record: dict) -> dict:
    """The record with every key of the schema, in its order: a key no extractor gives yet is
    its `default` (null, or [] for lists) — how a field added to the schema is null until filled."""
    out = {key: record[key] if key in record else _empty(SCHEMA["properties"][key]) for key in RECORD_KEYS}
    event = out.get(EVENT_KEY)
    if isinstance(event, dict):
        out[EVENT_KEY] = {key: event[key] if key in event else _empty(_EVENT_PROPS[key]) for key in EVENT_FIELDS}
    return out


def _field_of(path: list) -> str:
    """The coverage field an error is about ("author", "event.board_size")."""
    keys = [p for p in path if isinstance(p, str)][:2]
    if keys and keys[0] == EVENT_KEY and len(keys) == 2:
        return f"{EVENT_KEY}.{keys[1]}"
    return keys[0] if keys else "(record)"


def validate(record: dict) -> list[tuple[str, str]]:
    """(field, message) for each way the record breaks the schema; [] for a valid record.

    Every key is always present: that is checked here rather than with `required` lists in the
    file, so that adding a field stays one edit of the file."""
    problems = [(key, "missing") for key in RECORD_KEYS if key not in record]
    event = record.get(EVENT_KEY)
    if isinstance(event, dict):
        problems += [(f"{EVENT_KEY}.{key}", "missing") for key in EVENT_FIELDS if key not in event]
    for error in _VALIDATOR.iter_errors(record):
        if error.validator == "additionalProperties":
            known = error.schema.get("properties") or {}
            prefix = "" if not error.absolute_path else f"{EVENT_KEY}."
            problems += [(prefix + key, "not in the schema") for key in error.instance if key not in known]
        else:
            problems.append((_field_of(list(error.absolute_path)), error.message))
    return problems


def is_filled(value) -> bool:
    """A value the page gave: not null, not an empty string or list (False and 0 are values)."""
    return value is not None and value != "" and value != [] and value != {}


def coverage_values(record: dict) -> Iterator[tuple[str, bool]]:
    """(coverage field, filled) for the record: every record key; every event key when the record
    has an event (a report that is no launch has no event fields to fill)."""
    for key in RECORD_KEYS:
        yield key, is_filled(record.get(key))
    event = record.get(EVENT_KEY)
    if isinstance(event, dict):
        for key in EVENT_FIELDS:
            yield f"{EVENT_KEY}.{key}", is_filled(event.get(key))
