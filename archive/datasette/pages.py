"""Pages of our own: the readable article, the archived capture, search across tables, timeline and map.

  /-/article/{key}  the article as text with its structured launch event beside it (its
                    permanent key, archive/permalink.py; /-/article/{id} redirects there)
  /-/article/{key}/capture  its capture, as /-/capture/{id} shows it
  /-/capture/{id}   a capture with a web-archive banner (original URL, time, SHA-256), the archived page
                    below it in a sandboxed frame, its resources pointing to captures we hold
  /-/capture/{id}/raw  the archived response bytes from the WARC, sandboxed (scripts never run here)
  /-/search?q=      search across articles, launches, officials, slogans, documents and portals
  /-/timeline       launches per month as a bar chart (datasette-vega on the canned query)
  /-/map            the launches on a map (datasette-cluster-map on the launch_events view)

Everything stored is rendered through Jinja's autoescaping; the only HTML built from stored text is
the snippet highlight (render.marked_html: escape, mark, nh3).
"""
from __future__ import annotations

import re
from urllib.parse import quote

from datasette import hookimpl
from datasette.utils.asgi import NotFound, Response

from .captures import article_capture_page, capture_page, capture_raw_page
from .common import _absolute, _article_by_key, _json, _rows, _safe_href, archive_database
from .render import article_url
from .search import search_page


TIMELINE_FRAGMENT = "g.mark=bar&g.x_column=month&g.x_type=ordinal&g.y_column=launches&g.y_type=quantitative"


async def article_by_id(request, datasette):
    """An old integer link (/-/article/22): row ids change when an archive is rebuilt, so the page
    lives at the article's permanent key; the old link redirects there."""
    db = await archive_database(datasette)
    found = await _rows(db, "select article_key from articles where id = ?", [int(request.url_vars["id"])])
    if not found or not found[0]["article_key"]:
        raise NotFound(f"no article {request.url_vars['id']} in this archive")
    return Response.redirect(article_url(datasette, found[0]["article_key"]), status=301)


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
        (r"^/-/capture/(?P<id>[0-9]+)/raw$", capture_raw_page),
        (r"^/-/search(?:\.(?P<format>json|csv))?$", search_page),
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
