"""A Wayback Machine on 127.0.0.1 for tests: the CDX server and replay, over real HTTP.

    with WaybackSimulator([(timestamp, original_url, body_bytes), ...]) as wb:
        wb.base_url                      # "http://127.0.0.1:PORT"
        wb.fail_next(2, retry_after=1)   # the next two requests get 429 + Retry-After
        wb.hits                          # [Hit(t=monotonic, method, path, status, kind), ...]

What it answers, as the real one does (field notes, "The Wayback Machine"):

- ``/cdx/search/cdx?url=…``: captures by SURT ``urlkey`` (host reversed, ``www.`` and default ports
  dropped, all lower case, so ``/portal/Pages/`` and ``/portal/pages/`` are one key), sorted by
  (urlkey, timestamp); ``matchType=exact|prefix|host`` (or a trailing ``*``), ``from``/``to``
  (1–14 digits), ``filter=[!]field:regex`` (repeatable, full match), ``collapse=field[:N]``
  (adjacent rows), ``limit``, ``fl``, ``output=json`` (header row first; ``[]`` when nothing
  matches), ``showResumeKey=true`` (an empty row then ``[key]`` when more rows remain) and
  ``resumeKey``.
- ``/web/{ts}id_/{url}``: the original bytes as captured, with the capture's status and content
  type; a timestamp with no capture redirects (302) to the nearest one, as the real one does.
- ``/web/{ts}/{url}``: the same page wrapped in a toolbar with rewritten links — what a crawler
  must never store.
- 429 with Retry-After on demand (``fail_next``, ``fail_after``); ``tamper`` serves other bytes
  than the CDX digest says (a corrupt or changed replay).

A snapshot is ``(timestamp, original_url, body)`` or ``(timestamp, original_url, body, extra)``
with ``extra`` = {"status": 404, "mimetype": "text/html", "content_type": …}.
``hidden_from_prefix``: original URLs that prefix queries do not return (exact look-ups still
do) — a stand-in for the captures a prefix query misses, which listing pages must recover.
"""
from __future__ import annotations

import base64
import hashlib
import json
import re
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Iterable
from urllib.parse import parse_qsl, quote_plus, unquote, unquote_plus, urlsplit
from urllib.request import urlopen

from .sharepoint import NEWS_ITEM

CDX_FIELDS = ("urlkey", "timestamp", "original", "mimetype", "statuscode", "digest", "length")
_REPLAY = re.compile(r"^/web/(\d{1,14})([a-z]{2}_)?/(.+)$", re.S)


def surt(url: str) -> str:
    """The CDX urlkey: ``https://www.Quanson.thanhhoa.gov.vn:443/portal/Pages/X.aspx?b=2&a=1`` →
    ``vn,gov,thanhhoa,quanson)/portal/pages/x.aspx?a=1&b=2``."""
    if "://" not in url:
        url = "http://" + url
    parts = urlsplit(url)
    host = re.sub(r"^www\d*\.", "", (parts.hostname or "").lower().rstrip("."))
    key = ",".join(reversed(host.split(".")))
    try:
        port = parts.port
    except ValueError:
        port = None
    if port and port not in (80, 443):
        key += f":{port}"
    path = parts.path or "/"
    query = "&".join(sorted(parts.query.split("&"))) if parts.query else ""
    return (key + ")" + path + (f"?{query}" if query else "")).lower()


def sha1_base32(body: bytes) -> str:
    return base64.b32encode(hashlib.sha1(body).digest()).decode("ascii")


@dataclass(frozen=True)
class Capture:
    urlkey: str
    timestamp: str
    original: str
    mimetype: str
    statuscode: str
    digest: str
    length: str
    body: bytes
    content_type: str

    def field(self, name: str) -> str:
        return getattr(self, name)


@dataclass(frozen=True)
class Hit:
    t: float  # time.monotonic() when the request line was read
    method: str
    path: str  # path and query as sent
    status: int
    kind: str  # cdx | id_ | toolbar | robots | other


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address, wayback: "WaybackSimulator"):
        super().__init__(address, _Handler)
        self.wayback = wayback


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def do_GET(self):
        received = time.monotonic()
        status, body, headers, kind = self.server.wayback._answer(self.path)
        self.server.wayback._record(Hit(received, "GET", self.path, status, kind))
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def version_string(self) -> str:
        return "nginx"

    def log_message(self, format, *args):
        pass


class WaybackSimulator:
    def __init__(self, snapshots: Iterable[tuple], host: str = "127.0.0.1", *, port: int = 0,
                 hidden_from_prefix: Iterable[str] = ()):
        self.host = host
        self.port = port
        self.captures: list[Capture] = sorted((self._capture(s) for s in snapshots), key=lambda c: (c.urlkey, c.timestamp))
        self.hidden = {surt(u) for u in hidden_from_prefix}
        self.hits: list[Hit] = []
        self._lock = threading.Lock()
        self._failures: list[dict] = []
        self._tampered: dict[tuple[str, str | None], bytes] = {}
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self.base_url = ""

    @staticmethod
    def _capture(snapshot: tuple) -> Capture:
        timestamp, original, body = snapshot[:3]
        extra = snapshot[3] if len(snapshot) > 3 else {}
        timestamp = str(timestamp)
        if not re.fullmatch(r"\d{14}", timestamp):
            raise ValueError(f"timestamp must be 14 digits, got {timestamp!r}")
        content_type = extra.get("content_type", "text/html; charset=utf-8")
        return Capture(
            urlkey=surt(original), timestamp=timestamp, original=original,
            mimetype=extra.get("mimetype", content_type.split(";")[0].strip()),
            statuscode=str(extra.get("status", 200)), digest=sha1_base32(body),
            length=str(extra.get("length", len(body) // 3 + 400)), body=body, content_type=content_type,
        )

    # -- lifecycle -------------------------------------------------------------------------------
    def start(self) -> "WaybackSimulator":
        if self._server is None:
            self._server = _Server((self.host, self.port), self)
            self.base_url = f"http://{self.host}:{self._server.server_address[1]}"
            self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.1},
                                            name="sim-wayback", daemon=True)
            self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._thread.join(timeout=5)
            self._server = None

    def __enter__(self) -> "WaybackSimulator":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    # -- what tests steer --------------------------------------------------------------------------
    def fail_next(self, n: int, retry_after: float | None = 1, kind: str | None = None) -> None:
        """The next `n` requests (of `kind`: "cdx" or "id_", any when None) get 429 Too Many Requests."""
        self.fail_after(0, n, retry_after, kind)

    def fail_after(self, count: int, n: int, retry_after: float | None = 1, kind: str | None = None) -> None:
        """Let `count` requests (of `kind`) through, then answer the next `n` with 429."""
        with self._lock:
            self._failures.append({"skip": count, "left": n, "retry_after": retry_after, "kind": kind})

    def tamper(self, original_url: str, body: bytes = b"<html><body>changed after capture</body></html>",
               timestamp: str | None = None) -> None:
        """Replay other bytes for this URL (every capture, or one timestamp) than its CDX digest says."""
        self._tampered[(surt(original_url), timestamp)] = body

    def hits_of(self, kind: str) -> list[Hit]:
        with self._lock:
            return [h for h in self.hits if h.kind == kind]

    def gaps(self, kind: str) -> list[float]:
        """Seconds between consecutive requests of one kind (429s included: they are requests too)."""
        times = [h.t for h in self.hits_of(kind)]
        return [b - a for a, b in zip(times, times[1:])]

    def _record(self, hit: Hit) -> None:
        with self._lock:
            self.hits.append(hit)

    # -- answers ---------------------------------------------------------------------------------
    def _answer(self, raw_path: str) -> tuple[int, bytes, dict, str]:
        path, _, query = raw_path.partition("?")
        if path == "/robots.txt":
            return 200, b"User-agent: *\nDisallow: /_embed/\n", {"Content-Type": "text/plain"}, "robots"
        if path == "/cdx/search/cdx":
            kind = "cdx"
        elif (m := _REPLAY.match(path)):
            kind = "id_" if m.group(2) == "id_" else "toolbar"
        else:
            kind = "other"
        failure = self._failure(kind)
        if failure is not None:
            headers = {"Content-Type": "text/html"}
            if failure["retry_after"] is not None:
                headers["Retry-After"] = str(failure["retry_after"])
            return 429, b"<html><body><h1>429 Too Many Requests</h1></body></html>", headers, kind
        if kind == "cdx":
            return (*self._cdx(query), kind)
        if kind == "other":
            return 404, b"Not Found", {"Content-Type": "text/plain"}, kind
        timestamp, flag, url = m.group(1), m.group(2), m.group(3)
        if query:
            url += "?" + query
        return (*self._replay(timestamp, flag, url), kind)

    def _failure(self, kind: str) -> dict | None:
        with self._lock:
            for rule in self._failures:
                if rule["left"] <= 0 or (rule["kind"] and rule["kind"] != kind):
                    continue
                if rule["skip"] > 0:
                    rule["skip"] -= 1
                    return None
                rule["left"] -= 1
                return rule
        return None

    def _cdx(self, query: str) -> tuple[int, bytes, dict]:
        params = parse_qsl(query, keep_blank_values=True)
        first = {}
        for key, value in params:
            first.setdefault(key, value)
        url = first.get("url")
        if not url:
            return 400, b"url parameter required", {"Content-Type": "text/plain"}
        match_type = first.get("matchType", "exact")
        if url.endswith("*"):
            url, match_type = url[:-1], "prefix"
        key = surt(url)
        if match_type == "prefix":
            if url.endswith("/") and not key.endswith("/"):
                key += "/"
            rows = [c for c in self.captures if c.urlkey.startswith(key) and c.urlkey not in self.hidden]
        elif match_type == "host":
            rows = [c for c in self.captures if c.urlkey.split(")")[0] == key.split(")")[0]]
        elif match_type == "exact":
            rows = [c for c in self.captures if c.urlkey == key]
        else:
            return 400, f"unsupported matchType {match_type}".encode(), {"Content-Type": "text/plain"}
        if first.get("from"):
            low = first["from"].ljust(14, "0")
            rows = [c for c in rows if c.timestamp >= low]
        if first.get("to"):
            high = first["to"].ljust(14, "9")
            rows = [c for c in rows if c.timestamp <= high]
        for key_, value in params:
            if key_ != "filter":
                continue
            negate = value.startswith("!")
            name, _, pattern = value.lstrip("!").partition(":")
            if name not in CDX_FIELDS:
                return 400, f"bad filter field {name}".encode(), {"Content-Type": "text/plain"}
            regex = re.compile(pattern)
            rows = [c for c in rows if bool(regex.fullmatch(c.field(name))) != negate]
        if first.get("resumeKey"):
            resume_key, _, resume_ts = unquote_plus(first["resumeKey"]).partition(" ")
            rows = [c for c in rows if (c.urlkey, c.timestamp) > (resume_key, resume_ts)]
        for key_, value in params:
            if key_ == "collapse":
                name, _, width = value.partition(":")
                if name not in CDX_FIELDS:
                    return 400, f"bad collapse field {name}".encode(), {"Content-Type": "text/plain"}
                n = int(width) if width else None
                collapsed, last = [], object()
                for c in rows:
                    value_ = c.field(name)[:n] if n else c.field(name)
                    if value_ != last:
                        collapsed.append(c)
                    last = value_
                rows = collapsed
        more = False
        limit = int(first["limit"]) if first.get("limit") else 0
        if limit > 0 and len(rows) > limit:
            rows, more = rows[:limit], True
        elif limit < 0:
            rows = rows[limit:]
        fields = [f for f in first.get("fl", ",".join(CDX_FIELDS)).split(",") if f]
        if any(f not in CDX_FIELDS for f in fields):
            return 400, b"bad fl", {"Content-Type": "text/plain"}
        show_resume = first.get("showResumeKey", "").lower() == "true"
        table = [[c.field(f) for f in fields] for c in rows]
        if first.get("output") == "json":
            out = [fields] + table if table else []
            if show_resume and more:
                out += [[], [quote_plus(f"{rows[-1].urlkey} {rows[-1].timestamp}")]]
            body = json.dumps(out).encode()
            return 200, body, {"Content-Type": "application/json"}
        lines = [" ".join(row) for row in table]
        if show_resume and more:
            lines += ["", quote_plus(f"{rows[-1].urlkey} {rows[-1].timestamp}")]
        return 200, ("\n".join(lines) + ("\n" if lines else "")).encode(), {"Content-Type": "text/plain"}

    def _replay(self, timestamp: str, flag: str | None, url: str) -> tuple[int, bytes, dict]:
        key = surt(url)
        found = [c for c in self.captures if c.urlkey == key] or [c for c in self.captures if c.urlkey == surt(unquote(url))]
        if not found:
            body = b"<html><body><p>Hrm. The Wayback Machine has not archived that URL.</p></body></html>"
            return 404, body, {"Content-Type": "text/html; charset=utf-8"}
        wanted = timestamp.ljust(14, "0")
        exact = [c for c in found if c.timestamp == wanted]
        if not exact:
            nearest = min(found, key=lambda c: abs(_ts(c.timestamp) - _ts(wanted)))
            location = f"{self.base_url}/web/{nearest.timestamp}{flag or ''}/{nearest.original}"
            return 302, b"", {"Location": location, "Content-Type": "text/plain"}
        capture = exact[0]
        body = self._tampered.get((key, capture.timestamp), self._tampered.get((key, None), capture.body))
        headers = {
            "Content-Type": capture.content_type,
            "Memento-Datetime": _ts(capture.timestamp).strftime("%a, %d %b %Y %H:%M:%S GMT"),
            "Link": f'<{capture.original}>; rel="original"',
            "X-Archive-Src": f"sim-{capture.timestamp[:8]}.warc.gz",
        }
        status = int(capture.statuscode) if capture.statuscode.isdigit() else 200
        if flag == "id_":
            return status, body, headers
        return status, _toolbar(body, capture, self.base_url), {**headers, "Content-Type": "text/html; charset=utf-8"}


def _ts(timestamp: str) -> datetime:
    return datetime.strptime(timestamp.ljust(14, "0"), "%Y%m%d%H%M%S")


def _toolbar(body: bytes, capture: Capture, base_url: str) -> bytes:
    """The page as a browser sees it on web.archive.org: toolbar inserted, links rewritten."""
    text = body.decode("utf-8", "replace")
    origin = "{0.scheme}://{0.netloc}".format(urlsplit(capture.original))
    text = re.sub(r'(href|src)="/(?!/)', lambda m: f'{m.group(1)}="/web/{capture.timestamp}/{origin}/', text)
    toolbar = ('<!-- BEGIN WAYBACK TOOLBAR INSERT --><div id="wm-ipp-base"><div id="wm-ipp">'
               f'<a href="{base_url}/web/">Wayback Machine</a> {capture.original} {capture.timestamp}'
               "</div></div><!-- END WAYBACK TOOLBAR INSERT -->")
    text = re.sub(r"(<body[^>]*>)", lambda m: m.group(1) + toolbar, text, count=1, flags=re.I)
    return ('<script src="/_static/js/wombat.js"></script>' + text).encode("utf-8")


# -- a closed portal, as the Archive remembers it --------------------------------------------------
def closed_portal_snapshots(simulator, sim_portal: str = "sim-quanson",
                            real_base: str = "https://quanson.thanhhoa.gov.vn") -> tuple[list[tuple], list[dict]]:
    """Snapshots of a simulated portal as if captured on its real host before it closed.

    Fetches (over HTTP, from a running ``portalsim.server.Simulator``) every article of
    `sim_portal` from its ground truth and its listing pages (every ``?PageIndex=N``), rewrites the
    simulator's address to `real_base`, and dates each capture: articles a few days after
    publication (every third again in May 2025, same bytes), listings in June 2025. The Archive's
    own quirks are in: some captures recorded as ``http://…:80/portal/pages/…``, a static page
    and a 404 capture under the article prefix. Returns (snapshots, ground truth with real URLs).
    """
    base = simulator.base_urls[sim_portal]
    site = simulator.sites[sim_portal]
    real_netloc = urlsplit(real_base).netloc

    def fetch(path: str) -> bytes:
        with urlopen(base + path, timeout=30) as resp:
            return resp.read().replace(base.encode(), real_base.encode())

    snapshots: list[tuple] = []
    truth = []
    for i, want in enumerate(r for r in simulator.ground_truth() if r["portal"] == sim_portal):
        parts = urlsplit(want["url"])
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        body = fetch(path)
        truth.append({**want, "url": real_base + path})
        published = datetime.fromisoformat(want["published_date"])
        when = published + timedelta(days=1 + i % 5, hours=7, minutes=3 * i)
        recorded = real_base + path
        if i % 4 == 1:  # the Archive kept the spelling it met: http, :80, lower-case "pages"
            recorded = f"http://{real_netloc}:80" + re.sub(r"^/portal/Pages/", "/portal/pages/", path)
        snapshots.append((when.strftime("%Y%m%d%H%M%S"), recorded, body))
        if i % 3 == 0:
            snapshots.append((f"202505{1 + i % 28:02d}083000", real_base + path, body))
    day = 1
    for listing in (site.listing_path, site.channel_path):
        page = 1
        while True:
            path = listing if page == 1 else f"{listing}?PageIndex={page}"
            body = fetch(path)
            if NEWS_ITEM.encode() not in body:  # past the last page: an empty list
                break
            snapshots.append((f"202506{day:02d}101500", real_base + path, body))
            day += 1
            page += 1
    snapshots.append(("20240105093000", real_base + "/portal/Pages/Gioi-thieu.aspx", fetch("/portal/Pages/Gioi-thieu.aspx")))
    snapshots.append(("20230310120000", real_base + "/portal/Pages/2023-3-9/Bai-Da-Go-Xuong.aspx",
                      b"<html><body>404</body></html>", {"status": 404}))
    return snapshots, truth
