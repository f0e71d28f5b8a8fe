"""What the pages share: the served archive, rows as dicts, safe links, an article by its key."""
from __future__ import annotations

import json
from urllib.parse import urlsplit

from datasette.utils.asgi import NotFound


async def archive_database(datasette):
    """The served database that holds a thanthien archive (the first with an `articles` table)."""
    for name, db in datasette.databases.items():
        if name.startswith("_"):
            continue
        if await db.table_exists("articles"):
            return db
    raise NotFound("no thanthien archive is served here")


async def _rows(db, sql, params=None) -> list[dict]:
    return [dict(row) for row in (await db.execute(sql, params or [])).rows]


async def _columns(db, table) -> set[str]:
    if not await db.table_exists(table):
        return set()
    return set(await db.table_columns(table))


def _json(text, default):
    try:
        return json.loads(text) if text else default
    except (TypeError, ValueError):
        return default


def _absolute(request, path: str) -> str:
    return f"{request.scheme}://{request.host}{path}"


def _safe_href(url) -> str | None:
    """Only http(s) links from stored data (a javascript: URL in an archived field is not a link)."""
    if isinstance(url, str) and urlsplit(url.strip()).scheme in ("http", "https"):
        return url.strip()
    return None


async def _article_by_key(datasette, key: str):
    db = await archive_database(datasette)
    found = await _rows(db, "select * from articles where article_key = ?", [key])
    if not found:
        raise NotFound(f"no article {key} in this archive")
    return db, found[0]
