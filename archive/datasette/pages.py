"""Pages of our own: the readable article, the archived capture, search across tables, timeline and map.

  /-/article/{key}  the article as text with its structured launch event beside it (its
                    permanent key, archive/permalink.py; /-/article/{id} redirects there)
  /-/article/{key}/capture  the archived bytes of its capture
  /-/capture/{id}   the archived response bytes from the WARC, sandboxed (scripts never run here)
  /-/search?q=      search across articles, launches, officials, slogans, documents and portals
  /-/timeline       launches per month as a bar chart (datasette-vega on the canned query)
  /-/map            the launches on a map (datasette-cluster-map on the launch_events view)

Everything stored is rendered through Jinja's autoescaping; the only HTML built from stored text is
the snippet highlight (render.marked_html: escape, mark, nh3).
"""
from __future__ import annotations

import asyncio
import json
import re
from pathlib import Path
from urllib.parse import quote, urlsplit

from datasette import hookimpl
from datasette.utils.asgi import NotFound, Response

from archive.warc import read_record

from .plugin import escape_fts_folded, query_terms
from .render import article_url, marked_html

# The archived bytes may hold scripts, forms and plugins: the sandbox CSP gives the document an
# opaque origin with scripts, forms, popups and plugins disabled, and nosniff stops a browser from
# reading it as anything but its declared type.
CAPTURE_HEADERS = {
    "Content-Security-Policy": "sandbox",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "public, max-age=86400",
}

TIMELINE_FRAGMENT = "g.mark=bar&g.x_column=month&g.x_type=ordinal&g.y_column=launches&g.y_type=quantitative"
SEARCH_LIMIT = 20


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


async def article_by_id(request, datasette):
    """An old integer link (/-/article/22): row ids change when an archive is rebuilt, so the page
    lives at the article's permanent key; the old link redirects there."""
    db = await archive_database(datasette)
    found = await _rows(db, "select article_key from articles where id = ?", [int(request.url_vars["id"])])
    if not found or not found[0]["article_key"]:
        raise NotFound(f"no article {request.url_vars['id']} in this archive")
    return Response.redirect(article_url(datasette, found[0]["article_key"]), status=301)


async def _article_by_key(datasette, key: str):
    db = await archive_database(datasette)
    found = await _rows(db, "select * from articles where article_key = ?", [key])
    if not found:
        raise NotFound(f"no article {key} in this archive")
    return db, found[0]


async def article_page(request, datasette):
    db, article = await _article_by_key(datasette, request.url_vars["key"])
    article_id = article["id"]
    portal = None
    if article.get("portal"):
        portal = next(iter(await _rows(db, "select * from portals where name = ?", [article["portal"]])), None)
    launches = await _rows(db, "select * from launches where article_id = ? order by id", [article_id])
    officials = await _rows(db, "select officials.id, officials.name, article_officials.title from article_officials"
                                " join officials on officials.id = article_officials.official_id"
                                " where article_officials.article_id = ? order by article_officials.rowid", [article_id])
    slogans = await _rows(db, "select slogans.id, slogans.slogan from article_slogans join slogans on slogans.id ="
                              " article_slogans.slogan_id where article_slogans.article_id = ? order by article_slogans.rowid",
                          [article_id])
    documents = await _rows(db, "select documents.id, documents.code from article_documents join documents on documents.id ="
                                " article_documents.document_id where article_documents.article_id = ?"
                                " order by article_documents.rowid", [article_id])
    capture = None
    if article.get("capture_id"):
        capture = next(iter(await _rows(db, "select * from captures where id = ?", [article["capture_id"]])), None)
    copies = []
    if article.get("story_id") is not None:  # copies of the same report (the dedupe step's story_id)
        copies = await _rows(db, "select id, article_key, title, portal, published_date, url from articles"
                                 " where story_id = ? and id != ?"
                                 " order by published_date, id", [article["story_id"], article_id])
    images = [dict(image, href=_safe_href(image.get("src"))) for image in _json(article.get("images"), [])
              if isinstance(image, dict)]
    paragraphs = [p.strip() for p in re.split(r"\n\s*\n", article.get("body_text") or "") if p.strip()]
    context = {
        "article": article, "portal": portal, "launches": launches, "officials": officials, "slogans": slogans,
        "documents": documents, "capture": capture, "copies": copies, "images": images, "paragraphs": paragraphs,
        "event": _json(article.get("event"), None), "original_href": _safe_href(article.get("url")),
        "portal_href": _safe_href((portal or {}).get("base_url")), "database": db.name,
        "capture_url": datasette.urls.path(f"/-/article/{article['article_key']}/capture") if capture else None,
        "row_url": datasette.urls.row(db.name, "articles", str(article_id)),
        # absolute, for citing: the page's own address as the reader sees it
        "permalink": _absolute(request, article_url(datasette, article["article_key"])),
        "capture_permalink": _absolute(request, datasette.urls.path(f"/-/article/{article['article_key']}/capture"))
        if capture else None,
    }
    return Response.html(await datasette.render_template("thanthien_article.html", context, request=request))


async def capture_page(request, datasette):
    db = await archive_database(datasette)
    try:
        capture_id = int(request.url_vars["id"])
    except ValueError:
        raise NotFound("no such capture") from None
    found = await _rows(db, "select * from captures where id = ?", [capture_id])
    if not found:
        raise NotFound(f"no capture {capture_id} in this archive")
    return await _capture_response(db, found[0])


async def article_capture_page(request, datasette):
    """The archived bytes of an article's capture, at an address that survives rebuilds."""
    db, article = await _article_by_key(datasette, request.url_vars["key"])
    found = await _rows(db, "select * from captures where id = ?", [article.get("capture_id")])
    if not found:
        raise NotFound(f"article {article['article_key']} has no capture in this archive")
    return await _capture_response(db, found[0])


async def _capture_response(db, capture: dict):
    capture_id = capture["id"]
    if not db.path or not capture.get("warc_path"):
        raise NotFound(f"capture {capture_id} has no WARC file here")
    archive_dir = Path(db.path).parent
    try:
        record = await asyncio.get_running_loop().run_in_executor(
            None, read_record, archive_dir, capture["warc_path"], capture["warc_offset"] or 0)
    except (OSError, ValueError):
        # no server path in the answer: the reader needs to know the bytes are not here, not where
        return Response.text(f"capture {capture_id} is not available in this deployment (its WARC file is not here)",
                             status=404, headers={"X-Content-Type-Options": "nosniff"})
    headers = {key.lower(): value for key, value in (record.headers or {}).items()}
    content_type = headers.get("content-type") or capture.get("content_type") or "application/octet-stream"
    extra = dict(CAPTURE_HEADERS)
    if _safe_href(record.url):
        extra["Link"] = f'<{quote(record.url, safe=":/?&=%#;,+@!$*~")}>; rel="original"'
    if record.status:
        extra["X-Archived-Status"] = str(record.status)
    return Response(record.body, status=200, headers=extra, content_type=content_type)


async def search_page(request, datasette):
    db = await archive_database(datasette)
    q = (request.args.get("q") or "").strip()
    sections, total = [], 0
    if q and query_terms(q):
        fts = escape_fts_folded(q)
        count = (await db.execute("select count(*) from articles_fts where articles_fts match ?", [fts])).rows[0][0]
        articles = await _rows(db, """
            select articles.id, articles.article_key, articles.title, articles.published_date, articles.portal, articles.is_launch_report,
                   thanthien_snippet(articles.body_text, :q) as snippet
            from articles_fts join articles on articles.id = articles_fts.rowid
            where articles_fts match :fts order by bm25(articles_fts, 5.0, 1.0) limit :limit""",
                               {"q": q, "fts": fts, "limit": SEARCH_LIMIT})
        for row in articles:
            row["href"] = article_url(datasette, row["article_key"] or row["id"])
            row["snippet_html"] = marked_html(row["snippet"])
        sections.append({"name": "articles", "title": "Articles", "count": count, "rows": articles,
                         "more": datasette.urls.table(db.name, "articles") + "?_search=" + quote(q),
                         "ranked": datasette.urls.path(f"/{quote(db.name)}/search?q={quote(q)}")})
        for name, title, sql in CROSS_TABLE_SEARCHES:
            rows = await _rows(db, sql, {"q": q, "limit": SEARCH_LIMIT})
            for row in rows:
                if row.get("article_id") is not None:
                    row["href"] = article_url(datasette, row["article_id"])
                elif row.get("id") is not None:
                    row["href"] = datasette.urls.row(db.name, name, str(row["id"]))
            sections.append({"name": name, "title": title, "count": len(rows), "rows": rows, "more": None})
        total = sum(section["count"] for section in sections)
    context = {"q": q, "sections": sections, "total": total, "database": db.name, "limit": SEARCH_LIMIT}
    return Response.html(await datasette.render_template("thanthien_search.html", context, request=request))


# Small tables: every term must match the folded text (thanthien_match), the same rules as the FTS.
CROSS_TABLE_SEARCHES = [
    ("launches", "Launches", """
        select launches.id, launches.unit, launches.district, launches.province, launches.event_date, launches.article_id
        from launches where thanthien_match(coalesce(unit, '') || ' ' || coalesce(district, '') || ' ' ||
              coalesce(province, '') || ' ' || coalesce(new_unit, ''), :q)
        order by event_date desc limit :limit"""),
    ("officials", "Officials", """
        select officials.id, officials.name, count(distinct article_officials.article_id) as reports,
               group_concat(distinct article_officials.title) as titles
        from officials left join article_officials on article_officials.official_id = officials.id
        where thanthien_match(officials.name || ' ' || coalesce(article_officials.title, ''), :q)
        group by officials.id order by reports desc, officials.name limit :limit"""),
    ("slogans", "Slogans", """
        select slogans.id, slogans.slogan, count(article_slogans.article_id) as reports
        from slogans left join article_slogans on article_slogans.slogan_id = slogans.id
        where thanthien_match(slogans.slogan, :q) group by slogans.id order by reports desc limit :limit"""),
    ("documents", "Documents", """
        select documents.id, documents.code, count(article_documents.article_id) as reports
        from documents left join article_documents on article_documents.document_id = documents.id
        where thanthien_match(documents.code, :q) group by documents.id order by reports desc limit :limit"""),
    ("portals", "Portals", """
        select name as id, title, base_url, province, district from portals
        where thanthien_match(coalesce(title, '') || ' ' || coalesce(province, '') || ' ' || coalesce(district, '')
              || ' ' || name, :q) order by name limit :limit"""),
]


async def timeline_page(request, datasette):
    db = await archive_database(datasette)
    return Response.redirect(datasette.urls.path(f"/{quote(db.name)}/launches_by_month#{TIMELINE_FRAGMENT}"))


async def map_page(request, datasette):
    db = await archive_database(datasette)
    return Response.redirect(datasette.urls.table(db.name, "launch_events") + "?_size=max")


@hookimpl
def register_routes():
    return [
        (r"^/-/article/(?P<id>[0-9]+)$", article_by_id),
        (r"^/-/article/(?P<key>[a-z2-7]{10,52})$", article_page),
        (r"^/-/article/(?P<key>[a-z2-7]{10,52})/capture$", article_capture_page),
        (r"^/-/capture/(?P<id>[0-9]+)$", capture_page),
        (r"^/-/search$", search_page),
        (r"^/-/timeline$", timeline_page),
        (r"^/-/map$", map_page),
    ]


@hookimpl
def menu_links(datasette, actor, request):
    return [
        {"href": datasette.urls.path("/-/search"), "label": "Search all tables"},
        {"href": datasette.urls.path("/-/timeline"), "label": "Timeline of launches"},
        {"href": datasette.urls.path("/-/map"), "label": "Map of launches"},
    ]


UTF8_BOM = b"\xef\xbb\xbf"
# Sent with every page (a page that sets its own, like a capture's sandbox CSP, keeps it): no
# framing by other sites, no MIME sniffing, no referrer to other sites, no plugins or <base> games.
SECURITY_HEADERS = (
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"same-origin"),
    (b"content-security-policy", b"frame-ancestors 'none'; object-src 'none'; base-uri 'self'"),
)


def _with_security_headers(headers: list) -> list:
    present = {key.lower() for key, _ in headers}
    return list(headers) + [(k, v) for k, v in SECURITY_HEADERS if k not in present]


@hookimpl
def asgi_wrapper(datasette):
    """Security headers on every answer (SECURITY_HEADERS). CSV *downloads* (`_dl=1`,
    Content-Disposition: attachment) start with a UTF-8 byte-order mark, as `thanthien export` files
    do, so that Excel reads Vietnamese correctly; CSV read inline or by scripts (no `_dl`) is left
    exactly as Datasette writes it."""
    def wrap(app):
        async def csv_with_bom(scope, receive, send):
            if scope.get("type") != "http":
                return await app(scope, receive, send)
            pending = {"bom": False}
            is_csv = scope.get("path", "").endswith(".csv")

            async def wrapped_send(event):
                if event["type"] == "http.response.start":
                    event = dict(event, headers=_with_security_headers(event.get("headers", [])))
                    headers = {key.lower(): value for key, value in event.get("headers", [])}
                    if (is_csv and headers.get(b"content-type", b"").startswith(b"text/csv")
                            and b"attachment" in headers.get(b"content-disposition", b"")):
                        pending["bom"] = True
                        event = dict(event, headers=[(k, v) for k, v in event.get("headers", []) if k.lower() != b"content-length"])
                elif event["type"] == "http.response.body" and pending["bom"]:
                    pending["bom"] = False
                    event = dict(event, body=UTF8_BOM + event.get("body", b""))
                await send(event)

            return await app(scope, receive, wrapped_send)
        return csv_with_bom
    return wrap


@hookimpl
def extra_css_urls(datasette):
    return [datasette.urls.static_plugins("thanthien", "thanthien.css")]
