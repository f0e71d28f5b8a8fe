"""Exports: the archive's tables as CSV (UTF-8 with BOM for Excel), JSON or JSON lines.

`launches` is the `launch_events` table (archive/launch_events.py), the same rows and columns as
Datasette's `/thanthien/launch_events.csv`; `--copies` is that table's query without its canonical
filter (every portal's copy of a republished report). Column order is fixed per table (documented
in the README) so that spreadsheets and scripts that read an export keep working; new columns are
added at the end.

Filters take what people type: places with or without diacritics and type words ("Thanh Hoa",
"tỉnh Thanh Hóa", "quan son", "huyện Quan Sơn"), dates as YYYY, YYYY-MM or YYYY-MM-DD.
"""
from __future__ import annotations

import csv
import io
import json
import re
from datetime import date

import sqlite_utils

from archive.launch_events import SELECT as LAUNCH_EVENTS_SELECT
from pipelines import record_schema
from pipelines.text import fold

ORDER = {"launches": "order by event_date, id"}

# Every export says, per row, whether it comes from the bundled simulator (fictional people): as
# launch_events does, from the portal's flag.
_SIMULATED = "(select coalesce(portals.simulated, 0) from portals where portals.name = articles.portal) as simulated"

# The articles export: the store's own columns at these places, the record fields the schema
# exports (x-export "articles") at theirs; a field the schema exports without a place comes last.
_ARTICLES_STORE_COLUMNS = {"id": 0, "first_seen": 12, "last_seen": 13, "article_key": 15, "SIMULATED": 16}


def _export_select(export: str, store_columns: dict[str, int]) -> str:
    placed = dict(store_columns)
    for name, position in record_schema.export_columns(export):
        if position in placed.values():
            raise RuntimeError(f"{record_schema.SOURCE}: {name}: export {export} position {position} is taken")
        placed[name] = position if position is not None else float("inf")
    names = sorted(placed, key=lambda n: (placed[n], list(placed).index(n)))
    return ", ".join(n if n == "SIMULATED" else f"{export}.{n}" for n in names)


EXPORTS = {
    "launches": "select * from launch_events {where} " + ORDER["launches"],
    "articles": f"""
        select {_export_select("articles", _ARTICLES_STORE_COLUMNS)}
        from articles {{where}} order by articles.published_date, articles.id""",
    "officials": """
        select officials.name, officials.district, officials.province, article_officials.title,
               articles.published_date, articles.portal,
               articles.title as article_title, articles.url, articles.id as article_id, articles.article_key,
               SIMULATED
        from article_officials join officials on officials.id = article_officials.official_id
        join articles on articles.id = article_officials.article_id
        {where} order by officials.name, articles.published_date""",
    # Stories (pipelines/dedupe/): articles that are copies of one report share articles.story_id;
    # one row per copy, stories with at least two copies.
    "stories": """
        select articles.story_id, articles.id as article_id, articles.title, articles.published_date, articles.portal,
               articles.url, articles.is_launch_report, articles.article_key, SIMULATED
        from articles join (select story_id as copied from articles where story_id is not null
                            group by story_id having count(*) > 1) on copied = articles.story_id
        {where} order by articles.story_id, articles.published_date, articles.id""",
}
EXPORTS = {name: sql.replace("SIMULATED", _SIMULATED) for name, sql in EXPORTS.items()}


class ExportError(ValueError):
    pass


def launch_copies_sql() -> str:
    """The launch_events query without its canonical filter: every copy, the same columns."""
    return f"select * from ({LAUNCH_EVENTS_SELECT}) {{where}} " + ORDER["launches"]


# --- natural input ---------------------------------------------------------------------------------

_DATE = re.compile(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?")
# Type words as written (stored names are written with diacritics) and as typed without them;
# "quan" is left out of the folded list: it is "quận" and also the start of names (Quan Sơn, Quan Hóa).
_TYPE_WORD = re.compile(r"^(?:xã|phường|thị trấn|huyện|quận|thị xã|thành phố|tỉnh)\s+", re.I)
_FOLDED_TYPE_WORD = re.compile(r"^(?:xa|phuong|thi tran|huyen|thi xa|thanh pho|tinh|tp\.?|tx\.?)\s+")


def date_bound(value: str | None, option: str) -> str | None:
    """A --since/--until value checked: YYYY, YYYY-MM or YYYY-MM-DD, a real date."""
    if value is None:
        return None
    text = value.strip()
    m = _DATE.fullmatch(text)
    try:
        if not m:
            raise ValueError
        date(int(m[1]), int(m[2] or 1), int(m[3] or 1))
    except ValueError:
        raise ExportError(f"{option} {value!r} is not a date: use YYYY, YYYY-MM or YYYY-MM-DD (e.g. 2024-05-17)") from None
    return text


def _stored_keys(name: str) -> set[str]:
    return {fold(name), fold(_TYPE_WORD.sub("", name.strip()))}


def _typed_keys(name: str) -> set[str]:
    folded = fold(name)
    return {folded, fold(_TYPE_WORD.sub("", name.strip())), _FOLDED_TYPE_WORD.sub("", folded)} - {""}


def matching_names(typed: str, stored: list[str]) -> list[str]:
    """The stored place names a user's spelling means: the same name folded (diacritics, case,
    Hoá/Hóa), else the same name without its type word ('Quan Sơn', 'quan son', 'huyen quan son'
    → 'huyện Quan Sơn'; 'Thanh Hoa', 'tỉnh Thanh Hóa' → 'Thanh Hóa')."""
    exact = [s for s in stored if fold(s) == fold(typed)]
    if exact:
        return exact
    keys = _typed_keys(typed)
    return [s for s in stored if _stored_keys(s) & keys]


def _has_stories(db: sqlite_utils.Database) -> bool:
    """An archive written before stories existed has no story_id, or (once opened by this version,
    which adds the column) only nulls in it."""
    if "story_id" not in db["articles"].columns_dict:
        return False
    return db.execute("select 1 from articles where story_id is not null limit 1").fetchone() is not None


def _places(db: sqlite_utils.Database, column: str) -> list[str]:
    return [r[0] for r in db.execute(f"select distinct {column} from launches where {column} is not null order by 1")]


# --- the export ------------------------------------------------------------------------------------

def export_rows(db: sqlite_utils.Database, table: str, *, province=None, district=None, since=None, until=None,
                launch_only=False, portal=None, copies=False) -> tuple[list[str], list[tuple]]:
    """Rows of one export. Launches and officials count stories: only each story's canonical copy,
    unless `copies` (every portal's copy of a republished report)."""
    if table not in EXPORTS:
        raise ExportError(f"unknown export table {table!r}; choose one of {', '.join(EXPORTS)}")
    since, until = date_bound(since, "--since"), date_bound(until, "--until")
    n = min(len(since or ""), len(until or ""))
    if since and until and since[:n] > until[:n]:
        raise ExportError(f"--since {since} is after --until {until}")
    if table == "stories" and not _has_stories(db):
        raise ExportError("this archive has no stories yet (articles.story_id is written as articles are stored; "
                          "`thanthien reprocess` gives an older archive its stories)")
    launches = table == "launches"
    clauses, params = [], []
    if table == "officials" and not copies and "is_canonical" in db["articles"].columns_dict:
        clauses.append("coalesce(articles.is_canonical, 1) = 1")
    for column, typed in (("province", province), ("district", district)):
        if not typed:
            continue
        names = matching_names(typed, _places(db, column)) or [typed]  # nothing matches: 0 rows, and a hint
        marks = ", ".join("?" * len(names))
        clauses.append(f"{column} in ({marks})" if launches else
                       f"articles.id in (select article_id from launches where {column} in ({marks}))")
        params += names
    date_column = "event_date" if launches else "articles.published_date"
    if since:
        clauses.append(f"{date_column} >= ?")
        params.append(since)
    if until:  # a year or month includes all of it: compare as many characters as were given
        clauses.append(f"substr({date_column}, 1, {len(until)}) <= ?")
        params.append(until)
    if launch_only and not launches:
        clauses.append("articles.is_launch_report = 1")
    if portal:
        clauses.append("portal = ?" if launches else "articles.portal = ?")
        params.append(portal)
    where = ("where " + " and ".join(clauses)) if clauses else ""
    sql = launch_copies_sql() if launches and copies else EXPORTS[table]
    cursor = db.execute(sql.replace("{where}", where), params)
    columns = [d[0] for d in cursor.description]
    return columns, cursor.fetchall()


def empty_hint(db: sqlite_utils.Database, table: str, *, province=None, district=None, since=None, until=None,
               portal=None, **_) -> str:
    """What to try when an export has no rows: which filter matched nothing, and what the archive holds."""
    notes = []
    for column, typed in (("province", province), ("district", district)):
        if typed and not matching_names(typed, _places(db, column)):
            notes.append(f"no {column} in the archive matches {typed!r}")
    if portal and not db.execute("select 1 from articles where portal = ? limit 1", [portal]).fetchone():
        notes.append(f"no article of portal {portal!r}")
    lines = [f"0 {table} rows" + (f": {'; '.join(notes)}" if notes else " match these filters together")]
    places = db.execute("select province, group_concat(district, ', ') from (select distinct coalesce(province, '?')"
                        " as province, district from launches order by 1, 2)"
                        " group by province order by province").fetchall()
    if places:
        lines.append("the archive holds launches in " + "; ".join(f"{p} ({d})" for p, d in places))
    if since or until:
        column, what = ("event_date", "launches") if table == "launches" else ("published_date", "articles")
        first, last = db.execute(f"select min({column}), max({column}) from {what}").fetchone()
        lines.append(f"{what} dated {first or '?'} to {last or '?'}")
    if portal:
        lines.append("portals: " + ", ".join(r[0] for r in db.execute(
            "select distinct portal from articles where portal is not null order by 1")))
    return "\n".join("hint: " + line for line in lines)


def write_csv(out, columns, rows, *, bom: bool = True) -> None:
    if bom:
        out.write("\ufeff")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(columns)
    writer.writerows(rows)


def write_json(out, columns, rows, *, lines: bool = False) -> None:
    dicts = (dict(zip(columns, row)) for row in rows)
    if lines:
        for d in dicts:
            out.write(json.dumps(d, ensure_ascii=False) + "\n")
    else:
        json.dump(list(dicts), out, ensure_ascii=False, indent=2)
        out.write("\n")


def to_csv_text(columns, rows, bom=True) -> str:
    buffer = io.StringIO()
    write_csv(buffer, columns, rows, bom=bom)
    return buffer.getvalue()
