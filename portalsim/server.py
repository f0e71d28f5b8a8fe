"""Serve the simulated portals over real HTTP on 127.0.0.1, one ThreadingHTTPServer per portal.

    with Simulator() as sim:               # articles default to portalsim.articles.ARTICLES
        sim.base_urls["sim-quanson"]       # "http://127.0.0.1:PORT"
        sim.ground_truth()                 # what an extractor should find, with live URLs
        sim.requests                       # [(portal, method, path, status), ...]

    Simulator(extra_portals=SHAPELESS)     # also the opt-in sites no crawler module knows (shapeless.py)
    Simulator(portals=SHAPELESS)           # only those

Each portal gets its own port so host-based logic (one spider per domain, robots.txt per host,
per-host politeness) behaves as it does against the real sites.
"""
from __future__ import annotations

import copy
import threading
import time
import traceback
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Iterable, Mapping
from urllib.parse import parse_qsl, unquote, urlsplit

from .common import Request, Response, Site, body_text, http_date, not_modified, published_at
from .faults import FaultPlan, FaultsMixin
from .legacy import LegacySite
from .liferay import LiferaySite
from .newsportal import NewsPortalSite
from .portals import PORTALS, Portal
from .shapeless import RENDERERS as SHAPELESS_RENDERERS, SHAPELESS_PORTALS
from .sharepoint import SharePointSite
from .wordpress import WordPressSite

RENDERERS: dict[str, type[Site]] = {
    "sharepoint": SharePointSite,
    "liferay": LiferaySite,
    "wordpress": WordPressSite,
    "legacy": LegacySite,  # a classic ASP commune site in windows-1258
    "generic": NewsPortalSite,  # a news site on a template no platform module knows
    **SHAPELESS_RENDERERS,  # opt-in sites whose URLs have no shape (Portal.renderer, shapeless.py)
}
# Every portal a simulator can serve: the default six, then the opt-in ones.
ALL_PORTALS: dict[str, Portal] = {**PORTALS, **SHAPELESS_PORTALS}

REQUIRED = ("key", "portal", "title", "published", "paragraphs")
DEFAULTS = {"lead": None, "images": [], "author": None, "source": None, "tags": [],
            "is_launch_report": False, "event": None}


def select_portals(portals: Iterable[str] | None = None, extra_portals: Iterable[str] = ()) -> dict[str, Portal]:
    """The portals to serve, by name: `portals` (None: the default six, PORTALS) plus `extra_portals`."""
    names = list(PORTALS) if portals is None else list(portals)
    names += [name for name in extra_portals if name not in names]
    unknown = [name for name in names if name not in ALL_PORTALS]
    if unknown:
        raise ValueError(f"unknown portal(s) {unknown} (known: {sorted(ALL_PORTALS)})")
    return {name: ALL_PORTALS[name] for name in dict.fromkeys(names)}


def load_articles(articles: Iterable[dict] | None, portals: Mapping[str, Portal] | None = None) -> list[dict]:
    """Validate and copy the article dicts, filling optional fields with their defaults.

    `portals`: the portals served (default PORTALS). articles=None means the bundled content of
    those portals: portalsim.articles.ARTICLES, and SHAPELESS_ARTICLES for the opt-in sites."""
    served = PORTALS if portals is None else portals
    if articles is None:
        articles = []
        if any(name in PORTALS for name in served):
            from .articles import ARTICLES  # lazily: a simulator given its own articles never reads the data files

            articles += ARTICLES
        if any(name in SHAPELESS_PORTALS for name in served):
            from .articles import SHAPELESS_ARTICLES

            articles += SHAPELESS_ARTICLES
        articles = [a for a in articles if a["portal"] in served]
    result, keys = [], set()
    for raw in articles:
        missing = [k for k in REQUIRED if k not in raw]
        if missing:
            raise ValueError(f"article {raw.get('key')!r} lacks {missing}")
        if raw["portal"] not in served:
            if raw["portal"] in ALL_PORTALS:
                raise ValueError(f"article {raw['key']!r}: portal {raw['portal']!r} is not served "
                                 f"(add it: Simulator(..., extra_portals=[{raw['portal']!r}]))")
            raise ValueError(f"article {raw['key']!r}: unknown portal {raw['portal']!r} (known: {sorted(served)})")
        if raw["key"] in keys:
            raise ValueError(f"duplicate article key {raw['key']!r}")
        keys.add(raw["key"])
        article = {**copy.deepcopy(DEFAULTS), **copy.deepcopy(raw)}
        article["images"] = article["images"] or []
        article["tags"] = article["tags"] or []
        published_at(article)  # fail early on a bad date
        result.append(article)
    return result


class _PortalServer(ThreadingHTTPServer):
    daemon_threads = True  # a hung client never blocks interpreter exit
    allow_reuse_address = True

    def __init__(self, address, portal: Portal, simulator: "Simulator"):
        super().__init__(address, _Handler)
        self.portal = portal
        self.simulator = simulator
        self.site: Site | None = None  # set once the port (and so the base URL) is known


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, like the real servers (Content-Length always sent)
    server: _PortalServer

    def do_GET(self):
        self._serve(send_body=True)

    def do_HEAD(self):
        self._serve(send_body=False)

    def do_POST(self):  # the portals are read-only for us; ASP.NET postbacks are not simulated
        self._send(Response(405, b"Method Not Allowed", "text/plain; charset=utf-8", {"Allow": "GET, HEAD"}), True)

    def _serve(self, send_body: bool) -> None:
        self.arrived = time.monotonic()  # when the request came in (rendering may take a while)
        parts = urlsplit(self.path)
        req = Request(
            method=self.command,
            path=unquote(parts.path) or "/",
            query=dict(reversed(parse_qsl(parts.query, keep_blank_values=True))),  # first value wins
            headers=self.headers,
        )
        if self.server.simulator.faults is not None:  # faults on demand (faults.py)
            self.server.simulator._serve_with_faults(self, req, send_body)
            return
        try:
            resp = self.server.site.handle(req)
        except Exception:  # a renderer bug must show up in the test output, not as a dropped socket
            traceback.print_exc()
            resp = Response(500, b"Internal Server Error", "text/plain; charset=utf-8")
        if resp.status == 200 and not_modified(req, resp):
            resp = Response(304, b"", resp.content_type, resp.headers, resp.etag, resp.last_modified)
        self._send(resp, send_body)

    def _send(self, resp: Response, send_body: bool) -> None:
        # Recorded before the client can see the response, so tests may read the log right after.
        self.server.simulator._record(self.server.portal.name, self.command, self.path, resp.status,
                                      getattr(self, "arrived", None))
        self.send_response(resp.status)
        if resp.status != 304:
            self.send_header("Content-Type", resp.content_type)
            self.send_header("Content-Length", str(len(resp.body)))
        if resp.etag:
            self.send_header("ETag", resp.etag)
        if resp.last_modified:
            self.send_header("Last-Modified", http_date(resp.last_modified))
        for name, value in resp.headers.items():
            self.send_header(name, value)
        self.end_headers()
        if send_body and resp.status != 304:
            self.wfile.write(resp.body)

    def version_string(self) -> str:  # the Server header: a platform fingerprint
        site = self.server.site
        return site.server_software if site else "sim"

    def log_message(self, format, *args):  # quiet: tests and crawls read simulator.requests instead
        pass


class Simulator(FaultsMixin):
    """The fake portals. `articles`: list of article dicts (the format: portalsim/articles.py); None means
    portalsim.articles.ARTICLES. `port_base`: 0 = free ports; N = portals on N, N+1, …
    `faults`: a FaultPlan (faults.py) to inject errors, traps and decoys; None = a well-behaved site.
    `portals`: names of the portals to serve (None: the six of PORTALS); `extra_portals`: more, e.g.
    shapeless.SHAPELESS, the opt-in sites no crawler module was written for (ALL_PORTALS lists all)."""

    def __init__(self, articles: Iterable[dict] | None = None, host: str = "127.0.0.1", *, port_base: int = 0,
                 faults: FaultPlan | None = None, portals: Iterable[str] | None = None,
                 extra_portals: Iterable[str] = ()):
        self.portals: dict[str, Portal] = select_portals(portals, extra_portals)
        self.articles = load_articles(articles, self.portals)
        self.host = host
        self.port_base = port_base
        self.base_urls: dict[str, str] = {}
        self.sites: dict[str, Site] = {}
        self.requests: list[tuple[str, str, str, int]] = []
        self.request_times: list[float] = []  # when each of self.requests arrived (time.monotonic())
        self._lock = threading.Lock()
        self._servers: list[tuple[_PortalServer, threading.Thread]] = []
        self._init_faults(faults)

    # -- lifecycle -------------------------------------------------------------------------------
    def start(self) -> "Simulator":
        if self._servers:
            return self
        self._fault_stop.clear()
        try:
            for i, portal in enumerate(self.portals.values()):
                port = self.port_base + i if self.port_base else 0
                server = _PortalServer((self.host, port), portal, self)
                base_url = f"http://{self.host}:{server.server_address[1]}"
                server.site = RENDERERS[portal.renderer or portal.platform](portal, self.articles, base_url)
                thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1},
                                          name=f"sim-{portal.name}", daemon=True)
                thread.start()
                self._servers.append((server, thread))
                self.base_urls[portal.name] = base_url
                self.sites[portal.name] = server.site
        except Exception:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        self._fault_stop.set()  # requests stalled by a `timeout` fault end now
        for server, thread in self._servers:
            server.shutdown()  # returns once serve_forever has left its loop
            server.server_close()
            thread.join(timeout=5)
        self._servers = []
        self.base_urls, self.sites = {}, {}

    def __enter__(self) -> "Simulator":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    # -- what tests need ---------------------------------------------------------------------------
    def url_for(self, key: str) -> str:
        """Absolute URL of the article with this key (the form its portal's listing links to)."""
        article = next(a for a in self.articles if a["key"] == key)
        return self._site(article["portal"]).article_url(article)

    def ground_truth(self) -> list[dict]:
        """One dict per article, in input order, with the live URL."""
        truth = []
        for a in self.articles:
            site = self._site(a["portal"])
            truth.append({
                "url": site.article_url(a),
                "portal": a["portal"],
                "platform": site.platform,
                "title": a["title"],
                "published_date": published_at(a).date().isoformat(),
                "author": a["author"],
                "source": a["source"],
                "body_text": body_text(a),
                "images": [{"caption": image.get("caption")} for image in a["images"]],
                "is_launch_report": bool(a["is_launch_report"]),
                "event": copy.deepcopy(a["event"]),
                "story": a.get("story", a["key"]),  # republished copies share their original's story
            })
        return truth

    def request_count(self, portal: str | None = None, path: str | None = None, method: str | None = None) -> int:
        with self._lock:
            return sum(1 for p, m, pa, _ in self.requests
                       if (portal is None or p == portal) and (path is None or pa == path)
                       and (method is None or m == method))

    def _record(self, portal: str, method: str, path: str, status: int, arrived: float | None = None) -> None:
        with self._lock:
            self.requests.append((portal, method, path, status))
            self.request_times.append(arrived if arrived is not None else time.monotonic())

    def _site(self, portal: str) -> Site:
        if portal not in self.sites:
            raise RuntimeError("the simulator is not running: call start() (or use it as a context manager)")
        return self.sites[portal]
