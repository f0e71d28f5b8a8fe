"""Cells: highlighted snippets, article titles and ids linked to the readable article page.

Stored text is never rendered as HTML: a cell is escaped first, then the snippet markers become
<mark>, and the result goes through nh3 allowing <mark> alone.
"""
from __future__ import annotations

import markupsafe
import nh3
from datasette import hookimpl

from archive import permalink

from .plugin import MARK_CLOSE, MARK_OPEN

# Tables and views whose `id` is the article's id.
ARTICLE_TABLES = {"articles", "article_list"}


def marked_html(text) -> markupsafe.Markup:
    """Plain text with snippet markers → safe HTML with <mark> (escape first, then mark, then nh3)."""
    escaped = str(markupsafe.escape(text or ""))
    html = escaped.replace(MARK_OPEN, "<mark>").replace(MARK_CLOSE, "</mark>")
    return markupsafe.Markup(nh3.clean(html, tags={"mark"}, attributes={}, link_rel=None))


def article_url(datasette, article) -> str:
    """The article page: by its permanent key, or by row id (a link that redirects to the key)."""
    if isinstance(article, str) and not article.isdigit():
        return datasette.urls.path(permalink.article_path(article))
    return datasette.urls.path(f"/-/article/{int(article)}")


def _link(href: str, text) -> markupsafe.Markup:
    return markupsafe.Markup('<a href="{}">{}</a>').format(href, text)


def _keys(row) -> list[str]:
    try:
        return list(row.keys())
    except AttributeError:
        return []


def _article_id(row, table):
    """The article a row is about: its permanent key where the row has it, else its row id."""
    keys = _keys(row)
    if "article_key" in keys and isinstance(row["article_key"], str) and row["article_key"]:
        return row["article_key"]
    if table in ARTICLE_TABLES and "id" in keys:
        value = row["id"]
    elif "article_id" in keys:
        value = row["article_id"]
    else:
        return None
    if isinstance(value, dict):  # an expanded foreign key
        value = value.get("value")
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


@hookimpl
def render_cell(row, value, column, table, database, datasette):
    if column == "snippet" and isinstance(value, str):
        return marked_html(value)
    if column == "title" and isinstance(value, str):
        article_id = _article_id(row, table)
        if article_id is not None:
            return _link(article_url(datasette, article_id), value)
    if column == "article_id" and value is not None:
        if isinstance(value, dict):  # launches, article_officials …: the article's title as label
            if value.get("value") is None:
                return None
            return _link(article_url(datasette, value["value"]), value.get("label") or value["value"])
        if isinstance(value, int):
            return _link(article_url(datasette, value), value)
    if column == "official_id" and isinstance(value, int) and table != "article_officials":
        return _link(datasette.urls.row(database, "officials", str(value)), value)
    if table == "captures" and column == "warc_path" and isinstance(value, str) and "id" in _keys(row):
        return _link(datasette.urls.path(f"/-/capture/{int(row['id'])}"), value)
    return None
