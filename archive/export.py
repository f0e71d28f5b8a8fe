"""Exports: the archive's tables as CSV (UTF-8 with BOM for Excel), JSON or JSON lines.

Column order is fixed per table (documented in the README) so that spreadsheets and scripts that
read an export keep working from one release to the next.
"""
from __future__ import annotations

import csv
import io
import json

import sqlite_utils

EXPORTS = {
    "launches": """
        select launches.id, launches.unit, launches.unit_type, launches.district, launches.province,
               launches.event_date, launches.board_size, launches.unit_code,
               articles.title, articles.published_date, articles.portal, articles.url, articles.id as article_id
        from launches join articles on articles.id = launches.article_id
        {where} order by launches.event_date, launches.id""",
    "articles": """
        select articles.id, articles.canonical_url, articles.url, articles.portal, articles.platform, articles.title,
               articles.published_date, articles.author, articles.source, articles.is_launch_report,
               articles.launch_score, articles.content_hash, articles.first_seen, articles.last_seen, articles.body_text
        from articles {where} order by articles.published_date, articles.id""",
    "officials": """
        select officials.name, officials.district, officials.province, article_officials.title,
               articles.published_date, articles.portal,
               articles.title as article_title, articles.url, articles.id as article_id
        from article_officials join officials on officials.id = article_officials.official_id
        join articles on articles.id = article_officials.article_id
        {where} order by officials.name, articles.published_date""",
    # Stories (pipelines/dedupe.py): articles that are copies of one report share articles.story_id;
    # one row per copy, stories with at least two copies.
    "stories": """
        select articles.story_id, articles.id as article_id, articles.title, articles.published_date, articles.portal,
               articles.url, articles.is_launch_report
        from articles join (select story_id as copied from articles where story_id is not null
                            group by story_id having count(*) > 1) on copied = articles.story_id
        {where} order by articles.story_id, articles.published_date, articles.id""",
}


class ExportError(ValueError):
    pass


def export_rows(db: sqlite_utils.Database, table: str, *, province=None, district=None, since=None, until=None,
                launch_only=False, portal=None, copies=False) -> tuple[list[str], list[tuple]]:
    """Rows of one export. Launches and officials count stories: only each story's canonical copy,
    unless `copies` (every portal's copy of a republished report)."""
    if table not in EXPORTS:
        raise ExportError(f"unknown export table {table!r}; choose one of {', '.join(EXPORTS)}")
    if table == "stories" and "story_id" not in db["articles"].columns_dict:
        raise ExportError("this archive has no stories yet (articles.story_id is written by the dedupe step)")
    clauses, params = [], []
    date_column = "launches.event_date" if table == "launches" else "articles.published_date"
    if table in ("launches", "officials") and not copies and "is_canonical" in db["articles"].columns_dict:
        clauses.append("coalesce(articles.is_canonical, 1) = 1")
    if province:
        clauses.append("launches.province = ?" if table == "launches" else
                       "articles.id in (select article_id from launches where province = ?)")
        params.append(province)
    if district:
        clauses.append("launches.district = ?" if table == "launches" else
                       "articles.id in (select article_id from launches where district = ?)")
        params.append(district)
    if since:
        clauses.append(f"{date_column} >= ?")
        params.append(since)
    if until:
        clauses.append(f"{date_column} <= ?")
        params.append(until)
    if launch_only and table != "launches":
        clauses.append("articles.is_launch_report = 1")
    if portal:
        clauses.append("articles.portal = ?")
        params.append(portal)
    where = ("where " + " and ".join(clauses)) if clauses else ""
    cursor = db.execute(EXPORTS[table].format(where=where), params)
    columns = [d[0] for d in cursor.description]
    return columns, cursor.fetchall()


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
