"""The archived capture: /-/capture/{id} (and /-/article/{key}/capture) with a web-archive banner over the
archived page in a sandboxed frame, its resources pointing to captures we hold; /-/capture/{id}/raw the
archived response bytes from the WARC, sandboxed (scripts never run here)."""
from __future__ import annotations

import asyncio
from pathlib import Path
from urllib.parse import quote, urljoin

from datasette.utils.asgi import NotFound, Response

from archive.warc import read_record

from .common import _article_by_key, _rows, _safe_href, archive_database
from .render import article_url


# The archived bytes may hold scripts, forms and plugins: the sandbox CSP gives the document an
# opaque origin with scripts, forms, popups and plugins disabled, and nosniff stops a browser from
# reading it as anything but its declared type. default-src 'self': a resource we do not hold keeps
# its original URL in the markup but is never fetched — no request leaks to the live site (a
# replayed page must not show, or tell the portal about, today's web; the archived frame inherits
# this policy).
CAPTURE_HEADERS = {
    "Content-Security-Policy": "sandbox; default-src 'self' data: 'unsafe-inline'; script-src 'none'; "
                               "object-src 'none'; form-action 'none'; base-uri 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "public, max-age=86400",
}


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
