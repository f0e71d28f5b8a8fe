"""`thanthien portals check` against real HTTP servers on 127.0.0.1: live, moved, closed (refused
and 404 everywhere), unknown (503, a silent server), a platform change — no outside traffic.

Registry hosts are mapped to the local servers with `--resolve HOST=127.0.0.1:PORT` (URLs, Host
header and politeness budget stay the registry's), the SharePoint-like portal is the project's
simulator reached with `--base-url`."""
from __future__ import annotations

import json
import socket
import sqlite3
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from scrapers import portalcheck, settings
from scrapers.politeness import SiteBudget
from scrapers.registry import default_registry

from .conftest import thanthien


class Recorder:
    """A local server answering every GET with `answer(path) -> (status, headers, body)`, logging
    (monotonic time, Host, path, User-Agent) of each request."""

    def __init__(self, answer):
        self.answer = answer
        self.log: list[tuple[float, str, str, str]] = []
        recorder = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                recorder.log.append((time.monotonic(), self.headers.get("Host", ""), self.path,
                                     self.headers.get("User-Agent", "")))
                status, headers, body = recorder.answer(self.path)
                self.send_response(status)
                for key, value in headers.items():
                    self.send_header(key, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"
        threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


def _dead_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]  # closed again: nothing listens there


@pytest.fixture(scope="module")
def servers():
    from portalsim.server import Simulator

    html = {"Content-Type": "text/html; charset=utf-8"}
    new_home = Recorder(lambda path: (200, html, b"<html><body>new portal</body></html>"))
    made = {
        "moved": Recorder(lambda path: (301, {"Location": f"{new_home.url}{path}"}, b"")),
        "gone": Recorder(lambda path: (404, html, b"<h1>404 Not Found</h1>")),
        "broken": Recorder(lambda path: (503, {"Retry-After": "120"}, b"Service Unavailable")),
        "new_home": new_home,
    }
    silent = socket.socket()  # accepts connections (the kernel's backlog) and never answers
    silent.bind(("127.0.0.1", 0))
    silent.listen(8)
    with Simulator(portals=["sim-quanson", "sim-dongvan"]) as sim:
        yield {**made, "sim": sim, "silent": silent.getsockname()[1], "dead": _dead_port()}
    silent.close()
    for recorder in made.values():
        recorder.close()


def _port(url: str) -> int:
    return int(url.rsplit(":", 1)[1])


@pytest.fixture(scope="module")
def checked(servers, tmp_path_factory):
    """One `thanthien portals check` of eight registry portals, each mapped to a local server."""
    db_path = tmp_path_factory.mktemp("checks") / "thanthien.db"
    sim = servers["sim"]
    wordpress = _port(sim.base_urls["sim-dongvan"])
    resolve = {
        "muonglat.thanhhoa.gov.vn": servers["moved"].port,    # 301 to another host
        "quanhoa.thanhhoa.gov.vn": servers["dead"],           # connection refused
        "bathuoc.thanhhoa.gov.vn": servers["gone"].port,      # 404 everywhere
        "langchanh.thanhhoa.gov.vn": servers["broken"].port,  # 503
        "ngoclac.thanhhoa.gov.vn": servers["silent"],         # never answers
        "hatrung.thanhhoa.gov.vn": wordpress,                 # registry: sharepoint; serves WordPress
        "maison.sonla.gov.vn": wordpress,                     # registry: unknown platform
    }
    args = ["portals", "check", "--portal", "quanson", "--base-url", f"quanson={sim.base_urls['sim-quanson']}",
            "--simulated", "--interval", "0.05", "--timeout", "2", "--db", db_path]
    for host, port in resolve.items():
        args += ["--portal", host.split(".")[0], "--resolve", f"{host}=127.0.0.1:{port}"]
    result = thanthien(*args, timeout=120)
    conn = sqlite3.connect(db_path)
    conn.row_factory = sqlite3.Row
    rows = {r["portal"]: dict(r) for r in conn.execute("select * from portal_checks")}
    conn.close()
    return {"db_path": db_path, "rows": rows, "stdout": result.stdout, "stderr": result.stderr, "servers": servers}


def test_every_portal_is_classified(checked):
    status = {name: row["status"] for name, row in checked["rows"].items()}
    assert status == {"quanson": "live", "muonglat": "moved", "quanhoa": "closed", "bathuoc": "closed",
                      "langchanh": "unknown", "ngoclac": "unknown", "hatrung": "live", "maison": "live"}


def test_rows_hold_what_was_seen(checked, servers):
    rows = checked["rows"]
    live = rows["quanson"]
    assert live["http_status"] == 200 and live["platform_seen"] == "sharepoint"
    assert live["final_url"] == servers["sim"].base_urls["sim-quanson"] + "/portal/Pages/default.aspx"  # same-host hop
    moved = rows["muonglat"]
    assert moved["http_status"] == 301 and moved["final_url"] == servers["new_home"].url + "/"
    assert not servers["new_home"].log, "the new host is recorded, not fetched"
    assert rows["quanhoa"]["http_status"] is None and "connection refused" in rows["quanhoa"]["detail"]
    assert rows["bathuoc"]["http_status"] == 404 and rows["bathuoc"]["detail"] == "robots.txt 404, home page 404"
    assert rows["langchanh"]["http_status"] == 503
    assert "timed out" in rows["ngoclac"]["detail"]
    assert rows["hatrung"]["platform_seen"] == "wordpress"
    assert rows["hatrung"]["detail"] == "platform changed: registry sharepoint, the page shows wordpress"
    assert rows["maison"]["platform_seen"] == "wordpress" and rows["maison"]["detail"] == "platform wordpress (registry: unknown)"
    for row in rows.values():
        assert set(row) == {"id", "portal", "checked_at", "status", "http_status", "final_url", "platform_seen", "detail"}
        assert row["checked_at"].endswith("+00:00")


def test_output_lines_hints_and_notes(checked):
    lines = {line.split()[0]: line for line in checked["stdout"].splitlines() if line.strip()}
    assert set(lines) == set(checked["rows"])
    assert lines["muonglat"].split()[1:4] == ["moved", "301", "-"]
    assert lines["hatrung"].split()[1:4] == ["live", "200", "wordpress"]
    err = checked["stderr"]
    assert "checked 8 portals" in err and "live 3, moved 1, closed 2, unknown 2" in err
    assert "thanthien recover --portal quanhoa" in err and "thanthien recover --portal bathuoc" in err
    assert "thanthien recover --portal muonglat" not in err
    assert "note: hatrung: platform changed: registry sharepoint, the page shows wordpress" in err
    assert "note: maison" not in err  # an unknown platform seen is news, not a change


def test_only_robots_and_home_page_with_the_projects_user_agent(checked, servers):
    for name in ("moved", "gone", "broken"):
        log = servers[name].log
        assert log and {path for _t, _h, path, _ua in log} <= {"/robots.txt", "/"}
        assert {ua for *_rest, ua in log} == {settings.USER_AGENT}
    assert {host for _t, host, _p, _ua in servers["gone"].log} == {"bathuoc.thanhhoa.gov.vn"}  # --resolve keeps the Host


def test_portals_lists_the_latest_check(checked, servers):
    out = thanthien("portals", "--db", checked["db_path"]).stdout
    line = {row.split()[0]: row for row in out.splitlines() if row.strip()}
    assert "[checked " in line["bathuoc"] and ": closed; thanthien recover --portal bathuoc]" in line["bathuoc"]
    assert f"moved → {servers['new_home'].url}/]" in line["muonglat"]
    assert "[checked" not in line["camthuy"]
    # a later check is the one shown; both stay in the table
    thanthien("portals", "check", "--portal", "quanhoa", "--resolve", f"quanhoa.thanhhoa.gov.vn=127.0.0.1:{servers['gone'].port}",
              "--interval", "0", "--timeout", "2", "--db", checked["db_path"])
    rows = [json.loads(r) for r in thanthien("portals", "--json", "--db", checked["db_path"]).stdout.splitlines()]
    quanhoa = next(r for r in rows if r["name"] == "quanhoa")
    assert quanhoa["last_check"]["status"] == "closed" and quanhoa["last_check"]["http_status"] == 404
    conn = sqlite3.connect(checked["db_path"])
    assert conn.execute("select count(*) from portal_checks where portal = 'quanhoa'").fetchone()[0] == 2
    conn.close()
    counts = thanthien("portals", "--province", "thanh hoa", "--db", checked["db_path"]).stdout.splitlines()
    thanh_hoa = next(r for r in counts if r.startswith("Thanh Hóa ")).split()
    assert thanh_hoa[2:] == ["27", "2", "7", "2", "1", "2", "2"]  # portals verified checked live moved closed unknown


def test_usage_errors_are_one_line():
    for args, message in ((["--resolve", "nohost"], "--resolve takes HOST=ADDRESS:PORT"),
                          (["--portal", "nosuch"], "unknown portal 'nosuch'"),
                          (["--province", "Atlantis"], "no registry portal in province 'Atlantis'"),
                          (["--portal", "sim-quanson"], "give --base-url sim-quanson=URL")):
        result = thanthien("portals", "check", *args, check=False)
        assert result.returncode == 1 and message in result.stderr and "Traceback" not in result.stderr


# --- in-process: politeness and the classification of network failures --------------------------------

def test_one_budget_per_registrable_domain_and_robots_obeyed():
    """Two *.thanhhoa.gov.vn hosts share one clock (requests ≥ interval apart, whatever host);
    a Sơn La host is not held by it; a home page robots.txt disallows is not fetched; a
    Crawl-delay longer than the interval wins."""
    hits: list[tuple[float, str, str]] = []
    robots = {"quanson.thanhhoa.gov.vn": b"User-agent: *\nCrawl-delay: 0.4\n",
              "samson.thanhhoa.gov.vn": b"User-agent: *\nDisallow: /\n"}

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            host = self.headers["Host"]
            hits.append((time.monotonic(), host, self.path))
            body = robots.get(host, b"") if self.path == "/robots.txt" else b"<html></html>"
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    port = server.server_address[1]
    registry = default_registry()
    portals = [registry["quanson"], registry["samson"], registry["bimson"], registry["sonla"]]
    resolve = {p.netloc: ("127.0.0.1", port) for p in portals}
    SiteBudget.reset()
    try:
        results = portalcheck.check_portals(portals, user_agent=settings.USER_AGENT, interval=0.2, resolve=resolve)
    finally:
        SiteBudget.reset()
        server.shutdown()
        server.server_close()
    by_name = {r.portal: r for r in results}
    assert by_name["samson"].status == "live" and "disallows the home page" in by_name["samson"].detail
    assert ("samson.thanhhoa.gov.vn", "/") not in {(h, p) for _t, h, p in hits}
    thanhhoa = [t for t, host, _p in hits if host.endswith(".thanhhoa.gov.vn")]
    assert len(thanhhoa) == 5  # quanson 2, samson robots only, bimson 2
    gaps = [b - a for a, b in zip(thanhhoa, thanhhoa[1:])]
    assert gaps[0] >= 0.19 and all(gap >= 0.39 for gap in gaps[1:]), gaps  # the Crawl-delay (0.4) once read
    sonla = [t for t, host, _p in hits if host == "thanhphosonla.sonla.gov.vn"]
    assert len(sonla) == 2 and sonla[0] < thanhhoa[-1]  # checked alongside, not after, Thanh Hóa


@pytest.mark.parametrize("error, status", [
    (socket.gaierror(socket.EAI_NONAME, "Name or service not known"), "closed"),
    (socket.gaierror(socket.EAI_AGAIN, "Temporary failure in name resolution"), "unknown"),
    (ConnectionRefusedError(111, "Connection refused"), "closed"),
    (TimeoutError("timed out"), "unknown"),
    (ConnectionResetError(104, "Connection reset by peer"), "unknown"),
])
def test_network_failures(error, status):
    import urllib.error

    kind, detail = portalcheck._error_kind(urllib.error.URLError(error))
    prober = portalcheck.Prober(lambda url: portalcheck.Answer(url, error=kind, error_detail=detail),
                                SiteBudget(0, simulated=True), settings.USER_AGENT)
    result = prober.check(default_registry()["quanson"])
    assert result.status == status and result.http_status is None and result.detail


def test_parse_resolve():
    assert portalcheck.parse_resolve(["Quanson.Thanhhoa.gov.vn=127.0.0.1:8081", "x.vn=[::1]:80"]) == {
        "quanson.thanhhoa.gov.vn": ("127.0.0.1", 8081), "x.vn": ("::1", 80)}
    for bad in ("quanson.thanhhoa.gov.vn", "h=127.0.0.1", "h=:80", "=1.2.3.4:80"):
        with pytest.raises(ValueError):
            portalcheck.parse_resolve([bad])
