"""Datasette plugin: search that works the way people type Vietnamese.

The FTS index holds folded text ("Đảng ủy" is indexed as "dang uy"). Datasette's escaped search
mode wraps the query in the SQL function escape_fts(); overriding it here folds the query the same
way, so `chinh quyen than thien`, `dang uy` and `Đảng ủy` all match. The override must run after
Datasette registers its own function: hence trylast.
"""
from datasette import hookimpl
from datasette.utils import escape_fts as datasette_escape_fts

from pipelines.text import fold


def escape_fts_folded(query: str) -> str:
    return datasette_escape_fts(fold(query or "")) if query else ""


@hookimpl(trylast=True)
def prepare_connection(conn):
    conn.create_function("fold", 1, fold, deterministic=True)
    conn.create_function("escape_fts", 1, escape_fts_folded, deterministic=True)
