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

import asyncio
import csv
import io
import json
import re
from pathlib import Path
from urllib.parse import quote, urlencode, urljoin, urlsplit

from datasette import hookimpl
from datasette.utils.asgi import NotFound, Response

from archive.warc import read_record

from pipelines.text import fold

from .plugin import escape_fts_folded, has_marks, query_terms
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


async def _capture_by_id(datasette, raw_id: str):
    db = await archive_database(datasette)
    try:
        capture_id = int(raw_id)
    except ValueError:
        raise NotFound("no such capture") from None
    found = await _rows(db, "select * from captures where id = ?", [capture_id])
    if not found:
        raise NotFound(f"no capture {capture_id} in this archive")
    return db, found[0]


async def capture_page(request, datasette):
    """A capture as the Wayback Machine shows one: our banner, the archived page below it."""
    db, capture = await _capture_by_id(datasette, request.url_vars["id"])
    return await _capture_view(request, datasette, db, capture)


async def capture_raw_page(request, datasette):
    """The archived response bytes exactly as stored, sandboxed (CAPTURE_HEADERS)."""
    db, capture = await _capture_by_id(datasette, request.url_vars["id"])
    record = await _read_capture(db, capture)
    if isinstance(record, Response):
        return record
    headers = {key.lower(): value for key, value in (record.headers or {}).items()}
    content_type = headers.get("content-type") or capture.get("content_type") or "application/octet-stream"
    return Response(record.body, status=200, headers=_capture_headers(record), content_type=content_type)


async def article_capture_page(request, datasette):
    """The archived capture of an article, at an address that survives rebuilds."""
    db, article = await _article_by_key(datasette, request.url_vars["key"])
    found = await _rows(db, "select * from captures where id = ?", [article.get("capture_id")])
    if not found:
        raise NotFound(f"article {article['article_key']} has no capture in this archive")
    return await _capture_view(request, datasette, db, found[0], article=article)


async def _read_capture(db, capture: dict):
    """The WARC record of a capture, or a 404 Response that names no server path."""
    capture_id = capture["id"]
    if not db.path or not capture.get("warc_path"):
        raise NotFound(f"capture {capture_id} has no WARC file here")
    archive_dir = Path(db.path).parent
    try:
        return await asyncio.get_running_loop().run_in_executor(
            None, read_record, archive_dir, capture["warc_path"], capture["warc_offset"] or 0)
    except (OSError, ValueError):
        # no server path in the answer: the reader needs to know the bytes are not here, not where
        return Response.text(f"capture {capture_id} is not available in this deployment (its WARC file is not here)",
                             status=404, headers={"X-Content-Type-Options": "nosniff"})


def _capture_headers(record) -> dict:
    extra = dict(CAPTURE_HEADERS)
    if _safe_href(record.url):
        extra["Link"] = f'<{quote(record.url, safe=":/?&=%#;,+@!$*~")}>; rel="original"'
    if record.status:
        extra["X-Archived-Status"] = str(record.status)
    return extra


HTML_TYPES = ("text/html", "application/xhtml+xml")
TEXT_SHOWN_BYTES = 1_000_000  # other text (robots.txt, CSS) is shown on the page up to this size
LOOKUP_CHUNK = 400  # URLs per `captures.url in (…)` query (SQLite's default limit is 999 parameters)


async def _captures_of(db, urls, when: str | None) -> dict[str, int]:
    """url → the id of its capture nearest in time to `when` (successful captures first), for the
    URLs the archive holds."""
    import datetime

    def instant(text):
        try:
            value = datetime.datetime.fromisoformat((text or "").replace("Z", "+00:00"))
            return value if value.tzinfo else value.replace(tzinfo=datetime.timezone.utc)
        except ValueError:
            return None

    target = instant(when)
    best: dict[str, tuple] = {}
    urls = sorted(urls)
    for i in range(0, len(urls), LOOKUP_CHUNK):
        chunk = urls[i:i + LOOKUP_CHUNK]
        rows = await _rows(db, f"select id, url, fetched_at, status from captures where url in ({','.join('?' * len(chunk))})"
                               " and warc_path is not null", chunk)
        for row in rows:
            at = instant(row["fetched_at"])
            distance = abs((at - target).total_seconds()) if at and target else float("inf")
            rank = (not (200 <= (row["status"] or 0) < 400), distance, -row["id"])
            if row["url"] not in best or rank < best[row["url"]][0]:
                best[row["url"]] = (rank, row["id"])
    return {url: capture_id for url, (_, capture_id) in best.items()}


def _parse_html(text: str):
    import lxml.html

    try:
        return lxml.html.document_fromstring(text)
    except Exception:  # lxml raises ParserError on an empty document, ValueError on odd declarations
        return None


def _defrag(url: str) -> tuple[str, str]:
    head, sep, fragment = url.partition("#")
    return head.strip(), (sep + fragment if sep else "")


async def archived_html(datasette, db, capture: dict, record) -> str:
    """The archived HTML as text, its page resources pointing into the archive where we hold them.

    Every link is made absolute against the capture's URL (and its <base href>, which is removed):
    a relative link never points at this server. Then src/href (and url() in style) whose URL has a
    capture point to it: page resources (stylesheets, images, scripts, frames) to /-/capture/{id}/raw,
    <a>/<area> links to /-/capture/{id} (the page with its banner). <meta http-equiv=refresh> is
    dropped so that the archived page does not navigate itself away. Scripts stay (they never run:
    the frame is sandboxed)."""
    import lxml.html

    from pipelines.text import decode_body

    text, _ = decode_body(record.body or b"", record.headers or {})
    base = record.url or capture.get("url") or ""
    doc = _parse_html(text)
    if doc is None or not _safe_href(base):
        return text
    base_href = next(iter(doc.xpath("//base[@href]/@href")), None)
    page_base = urljoin(base, base_href.strip()) if base_href else base  # what relative links resolve against
    try:
        doc.make_links_absolute(base, resolve_base_href=True, handle_failures="discard")
    except ValueError:
        return text
    for meta in doc.xpath("//meta[translate(@http-equiv, 'REFSH', 'refsh') = 'refresh']"):
        meta.drop_tree()
    # srcset (img, source) is not among lxml's link attributes: its candidates are made absolute here
    srcsets = []
    for element in doc.xpath("//*[@srcset]"):
        candidates = []
        for candidate in element.get("srcset").split(","):
            url, _, descriptor = candidate.strip().partition(" ")
            if url:
                candidates.append((urljoin(page_base, url), descriptor.strip()))
        srcsets.append((element, candidates))
    links = {_defrag(link)[0] for _, _, link, _ in doc.iterlinks()} | {u for _, cs in srcsets for u, _ in cs}
    held = await _captures_of(db, {u for u in links if _safe_href(u)}, capture.get("fetched_at"))
    path = datasette.urls.path
    for element in doc.iter("a", "area"):
        href = element.get("href")
        if href and _defrag(href)[0] in held:
            element.set("href", path(f"/-/capture/{held[_defrag(href)[0]]}") + _defrag(href)[1])

    def replace(link):
        url, fragment = _defrag(link)
        return path(f"/-/capture/{held[url]}/raw") + fragment if url in held else link

    doc.rewrite_links(replace, resolve_base_href=False)
    for element, candidates in srcsets:
        element.set("srcset", ", ".join(f"{replace(url)} {descriptor}".strip() for url, descriptor in candidates))
    doctype = doc.getroottree().docinfo.doctype or "<!DOCTYPE html>"
    return doctype + "\n" + lxml.html.tostring(doc, encoding="unicode")


async def _capture_view(request, datasette, db, capture: dict, article: dict | None = None):
    """The banner page: original URL, capture time, SHA-256, "archived copy — not the live site",
    links to the article page, the raw bytes and the other captures of the URL; below it the
    archived page in an <iframe sandbox srcdoc> (HTML), an <img> (images) or a link (anything else).

    The whole answer is served with CSP `sandbox` like the raw bytes: the banner needs no script, and
    the archived document in it (srcdoc, escaped into the attribute) inherits an opaque origin with
    scripts, forms and popups off even if the iframe's own sandbox attribute were lost."""
    record = await _read_capture(db, capture)
    if isinstance(record, Response):
        return record
    headers = {key.lower(): value for key, value in (record.headers or {}).items()}
    content_type = headers.get("content-type") or capture.get("content_type") or "application/octet-stream"
    mime = content_type.split(";")[0].strip().lower()
    if article is None:
        article = next(iter(await _rows(db, "select id, article_key, title from articles where capture_id = ?"
                                            " order by id limit 1", [capture["id"]])), None)
        if article is None and capture.get("url"):  # an older capture of an article's URL
            article = next(iter(await _rows(db, "select id, article_key, title from articles where url = ? or canonical_url = ?"
                                                " order by id limit 1", [capture["url"], capture["url"]])), None)
    others = await _rows(db, "select id, fetched_at, status from captures where url = ? and warc_path is not null"
                             " order by fetched_at, id", [capture["url"]]) if capture.get("url") else []
    srcdoc = await archived_html(datasette, db, capture, record) if mime in HTML_TYPES else None
    text = None
    if srcdoc is None and mime.startswith("text/") and len(record.body or b"") <= TEXT_SHOWN_BYTES:
        from pipelines.text import decode_body

        text = decode_body(record.body or b"", record.headers or {})[0]
    raw_url = datasette.urls.path(f"/-/capture/{capture['id']}/raw")
    context = {
        "capture": capture, "record_url": record.url or capture.get("url"),
        "original_href": _safe_href(record.url or capture.get("url")),
        "fetched_at": capture.get("fetched_at") or record.warc_date, "warc_date": record.warc_date,
        "sha256": capture.get("sha256"), "status": record.status or capture.get("status"), "content_type": content_type,
        "bytes": len(record.body or b""), "raw_url": raw_url, "srcdoc": srcdoc, "text": text, "is_image": mime.startswith("image/"),
        "article": article, "article_href": article_url(datasette, article["article_key"] or article["id"]) if article else None,
        "others": others, "wayback_href": _safe_href(capture.get("archive_url")),
    }
    html = await datasette.render_template("thanthien_capture.html", context, request=request)
    return Response.html(html, headers=_capture_headers(record))


_PERIOD = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")
SEARCH_COLUMNS = ["article_key", "title", "published_date", "portal", "is_launch_report", "as_typed", "snippet",
                  "page", "url"]


def _period_end(value: str) -> str:
    """The first date after a period given as YYYY, YYYY-MM or YYYY-MM-DD (for `published_date < …`)."""
    import datetime

    year, month, day = _PERIOD.match(value).groups()
    if day:
        return (datetime.date(int(year), int(month), int(day)) + datetime.timedelta(days=1)).isoformat()
    if month:
        datetime.date(int(year), int(month), 1)  # ValueError for a month that does not exist
        return f"{int(year) + (month == '12'):04d}-{int(month) % 12 + 1:02d}-01"
    return f"{int(year) + 1:04d}"


def _province_key(name: str) -> str:
    return re.sub(r"^(?:tinh|thanh pho|tp\.?)\s+", "", fold(name))


def search_filters(request) -> tuple[dict, dict, list[str]]:
    """The filters of /-/search from the query string: (as given, SQL parameters, problems).

    launch=1        launch reports only
    since=, until=  publication date, YYYY, YYYY-MM or YYYY-MM-DD, both ends included
    province=       the portal's or a launch's province, folded ("thanh hoa" = "Tỉnh Thanh Hóa")
    """
    given, params, problems = {}, {"since": "", "until_next": "", "province": ""}, []
    if request.args.get("launch") in ("1", "on", "true", "yes"):
        given["launch"] = "1"
    for name in ("since", "until"):
        value = (request.args.get(name) or "").strip()
        if not value:
            continue
        m = _PERIOD.match(value)
        try:
            if not m:
                raise ValueError
            end = _period_end(value)
        except ValueError:
            problems.append(f"{name}: {value!r} is not a date (YYYY, YYYY-MM or YYYY-MM-DD); ignored")
            continue
        given[name] = value
        if name == "since":
            params["since"] = value
        else:
            params["until_next"] = end
    province = (request.args.get("province") or "").strip()
    if province and _province_key(province):
        given["province"] = province
        params["province"] = _province_key(province)
    params["launch"] = 1 if given.get("launch") else 0
    return given, params, problems


# Filters on articles (portals joined as `portals`); a parameter that is '' or 0 filters nothing.
ARTICLE_FILTERS = """
      and (:launch = 0 or articles.is_launch_report = 1)
      and (:since = '' or articles.published_date >= :since)
      and (:until_next = '' or articles.published_date < :until_next)
      and (:province = '' or fold(coalesce(portals.province, '')) in (:province, 'tinh ' || :province, 'thanh pho ' || :province)
           or exists (select 1 from launches where launches.article_id = articles.id
                      and fold(coalesce(launches.province, '')) in (:province, 'tinh ' || :province, 'thanh pho ' || :province)))"""


async def search_articles(datasette, db, q: str, params: dict, limit: int = SEARCH_LIMIT) -> tuple[int, list[dict]]:
    """(how many articles match, the best `limit` of them). A query typed with diacritics puts the
    articles holding its terms as typed first (thanthien_exact), then FTS5 rank (title weighs more)."""
    fts = escape_fts_folded(q)
    params = dict(params, q=q, fts=fts, limit=limit)
    body = f"""from articles_fts join articles on articles.id = articles_fts.rowid
            left join portals on portals.name = articles.portal
            where articles_fts match :fts {ARTICLE_FILTERS}"""
    count = (await db.execute(f"select count(*) {body}", params)).rows[0][0]
    exact = "thanthien_exact(coalesce(articles.title, '') || char(10) || coalesce(articles.body_text, ''), :q)" \
        if has_marks(q) else "0"
    rows = await _rows(db, f"""
        select articles.id, articles.article_key, articles.title, articles.published_date, articles.portal,
               articles.is_launch_report, articles.url, {exact} as as_typed,
               thanthien_snippet(articles.body_text, :q) as snippet
        {body} order by as_typed desc, bm25(articles_fts, 5.0, 1.0) limit :limit""", params)
    for row in rows:
        row["href"] = article_url(datasette, row["article_key"] or row["id"])
        row["snippet_html"] = marked_html(row["snippet"])
    return count, rows


def _table_link(datasette, db, q: str, given: dict) -> str:
    """The same search on the article_list table (no bodies; facets, CSV); the province filter has no
    column there and is left out."""
    args = [("_search", q)]
    if given.get("launch"):
        args.append(("is_launch_report", "1"))
    if given.get("since"):
        args.append(("published_date__gte", given["since"]))
    if given.get("until"):
        args.append(("published_date__lt", _period_end(given["until"])))
    return datasette.urls.table(db.name, "article_list") + "?" + urlencode(args)


async def search_page(request, datasette):
    db = await archive_database(datasette)
    q = (request.args.get("q") or "").strip()
    given, params, problems = search_filters(request)
    fmt = request.url_vars.get("format")
    sections, total, count, articles = [], 0, 0, []
    searchable = bool(q and query_terms(q))
    if searchable:
        count, articles = await search_articles(datasette, db, q, params)
    if fmt:
        return _search_export(request, datasette, fmt, q, given, problems, count, articles)
    if searchable:
        sections.append({"name": "articles", "title": "Articles", "count": count, "rows": articles,
                         "more": _table_link(datasette, db, q, given),
                         "ranked": datasette.urls.path(f"/{quote(db.name)}/search?q={quote(q)}")})
        for name, title, sql in CROSS_TABLE_SEARCHES:
            rows = await _rows(db, sql, dict(params, q=q, limit=SEARCH_LIMIT))
            for row in rows:
                if row.get("article_id") is not None:
                    row["href"] = article_url(datasette, row["article_id"])
                elif row.get("id") is not None:
                    row["href"] = datasette.urls.row(db.name, name, str(row["id"]))
            sections.append({"name": name, "title": title, "count": len(rows), "rows": rows, "more": None})
        total = sum(section["count"] for section in sections)
    query_string = urlencode([("q", q)] + list(given.items()))
    context = {"q": q, "sections": sections, "total": total, "database": db.name, "limit": SEARCH_LIMIT,
               "filters": given, "problems": problems, "as_typed": searchable and has_marks(q),
               "json_url": datasette.urls.path("/-/search.json") + "?" + query_string,
               "csv_url": datasette.urls.path("/-/search.csv") + "?" + query_string}
    return Response.html(await datasette.render_template("thanthien_search.html", context, request=request))


def _search_export(request, datasette, fmt: str, q: str, given: dict, problems: list[str], count: int,
                   articles: list[dict]):
    """/-/search.json and /-/search.csv: the articles the page shows, in its order. Snippets keep
    the markers 【 】 around matches (no HTML)."""
    rows = [{column: _absolute(request, row["href"]) if column == "page" else row.get(column) for column in SEARCH_COLUMNS}
            for row in articles]
    if fmt == "json":
        return Response.json({"q": q, "filters": given, "problems": problems, "typed_with_diacritics": bool(q) and has_marks(q),
                              "count": count, "limit": SEARCH_LIMIT, "rows": rows})
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=SEARCH_COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    headers = {}
    if request.args.get("_dl"):  # a download: the BOM is added by asgi_wrapper, as for Datasette's CSV
        headers["Content-Disposition"] = 'attachment; filename="search.csv"'
    return Response(out.getvalue(), status=200, headers=headers, content_type="text/csv; charset=utf-8")


# Small tables: every term must match the folded text (thanthien_match), the same rules as the FTS.
CROSS_TABLE_SEARCHES = [
    ("launches", "Launches", """
        select launches.id, launches.unit, launches.district, launches.province, launches.event_date, launches.article_id
        from launches where thanthien_match(coalesce(unit, '') || ' ' || coalesce(district, '') || ' ' ||
              coalesce(province, '') || ' ' || coalesce(new_unit, ''), :q)
          and (:since = '' or event_date >= :since) and (:until_next = '' or event_date < :until_next)
          and (:province = '' or fold(coalesce(province, '')) in (:province, 'tinh ' || :province, 'thanh pho ' || :province))
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
