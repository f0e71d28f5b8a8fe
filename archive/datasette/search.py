"""/-/search?q=: search across articles, launches, officials, slogans, documents and portals, with
filters (launch reports, dates, province), ranked by the words as typed, as a page, .json or .csv."""
from __future__ import annotations

import csv
import io
import re
from urllib.parse import quote, urlencode

from datasette.database import QueryInterrupted
from datasette.utils.asgi import Response

from pipelines.text import fold

from .common import _absolute, _rows, archive_database
from .plugin import escape_fts_folded, has_marks, query_terms
from .render import article_url, marked_html


SEARCH_LIMIT = 20


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
RANK_POOL = 500  # the best-ranked matches a query typed with diacritics reorders by its words as typed
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
    # FTS5 ranks inside a subquery and only the rows shown get a snippet: a snippet costs ~0.4 ms,
    # and SQLite would compute one for every row its top-N sort holds (bench/search.py: 1.7 s → 0.7 s
    # at a million articles). As-typed matches reorder the best RANK_POOL by rank, so the cost of
    # thanthien_exact (Python, per row) stays bounded however many articles match.
    pool = RANK_POOL if has_marks(q) else limit
    params = dict(params, q=q, fts=fts, limit=limit, pool=pool)
    filtered = any(params.get(k) for k in ("launch", "since", "until_next", "province"))
    # without filters the FTS index alone answers (joining a million articles to test empty filters
    # is what made the page time out at scale)
    body = (f"""from articles_fts join articles on articles.id = articles_fts.rowid
            left join portals on portals.name = articles.portal
            where articles_fts match :fts {ARTICLE_FILTERS}""" if filtered
            else "from articles_fts where articles_fts match :fts")
    count = (await db.execute(f"select count(*) {body}", params)).rows[0][0]
    exact = "thanthien_exact(coalesce(articles.title, '') || char(10) || coalesce(articles.body_text, ''), :q)" \
        if has_marks(q) else "0"
    rows = await _rows(db, f"""
        with hits as (select articles_fts.rowid as id, bm25(articles_fts, 5.0, 1.0) as rank {body}
                      order by rank limit :pool),
             ranked as (select articles.id, articles.article_key, articles.title, articles.published_date,
                               articles.portal, articles.is_launch_report, articles.url, {exact} as as_typed,
                               hits.rank
                        from hits join articles on articles.id = hits.id
                        order by as_typed desc, hits.rank limit :limit)
        select ranked.*, thanthien_snippet(articles.body_text, :q) as snippet
        from ranked join articles on articles.id = ranked.id order by ranked.as_typed desc, ranked.rank""", params)
    for row in rows:
        row.pop("rank", None)
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
            try:
                rows = await _rows(db, sql, dict(params, q=q, limit=SEARCH_LIMIT))
            except QueryInterrupted:  # past sql_time_limit_ms on a large archive: say so, keep the page
                sections.append({"name": name, "title": title, "count": 0, "rows": [], "more": None,
                                 "too_slow": True})
                continue
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
