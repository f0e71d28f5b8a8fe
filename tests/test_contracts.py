"""`scrapy check portal`: the contracts in the portal spider's callbacks, against the simulator on
the fixed ports their @url lines name (the demo's, 18401+: scrapers/contracts.py)."""
from __future__ import annotations

import re
import subprocess
import sys
from contextlib import contextmanager
from urllib.parse import urlsplit

import pytest

from .conftest import ROOT

PORT_BASE = 18401  # archive.cli.DEMO_PORT_BASE; the @url lines of scrapers/spiders/portal.py
CALLBACKS = ("parse", "parse_page", "parse_feed", "parse_robots")
#: @portal, @page_kind, @returns and @scrapes lines written in those docstrings (each one hook)
WRITTEN = 15


@contextmanager
def simulator_on_fixed_ports(**kwargs):
    from portalsim.server import Simulator

    sim = Simulator(port_base=PORT_BASE, **kwargs)
    try:
        sim.start()
    except OSError as exc:
        pytest.skip(f"the contracts' fixed ports {PORT_BASE}-{PORT_BASE + len(sim.portals) - 1} are taken "
                    f"({exc.strerror}): a `python -m portalsim --port-base {PORT_BASE}` or a demo is running")
    with sim:
        yield sim


def scrapy_check(*args) -> subprocess.CompletedProcess:
    result = subprocess.run([sys.executable, "-m", "scrapy", "check", *args], cwd=ROOT,
                            capture_output=True, text=True, timeout=180)
    result.output = result.stdout + result.stderr  # unittest's runner writes to stderr
    return result


def contracts_of(method) -> list[tuple[str, list[str]]]:
    return [(m.group(1), m.group(2).split()) for m in re.finditer(r"^\s*@(\w+)\s*(.*)$", method.__doc__ or "", re.M)]


def test_contracts_name_the_simulated_portal_on_their_port():
    """Each callback's @url is a page of the portal its @portal names, at that portal's fixed port."""
    from portalsim.portals import PORTALS
    from scrapers.spiders.portal import PortalSpider

    order = list(PORTALS)
    written = 0
    for name in CALLBACKS:
        contracts = contracts_of(getattr(PortalSpider, name))
        lines = dict(contracts)
        assert {"url", "portal", "returns"} <= lines.keys(), name
        url = urlsplit(lines["url"][0])
        assert url.hostname == "127.0.0.1" and 0 <= url.port - PORT_BASE < len(order), (name, url)
        assert lines["portal"][0] == order[url.port - PORT_BASE], (name, lines["portal"], url.port)
        written += sum(1 for contract, _ in contracts if contract != "url")
    assert written == WRITTEN


def test_scrapy_check_runs_every_contract():
    with simulator_on_fixed_ports() as sim:
        result = scrapy_check("portal", "-v")
        fetched = {path for _portal, _method, path, status in sim.requests if status == 200}
    assert result.returncode == 0, result.output[-4000:]
    ran = re.search(r"^Ran (\d+) contracts? in ", result.output, re.M)
    assert ran and int(ran.group(1)) >= WRITTEN, result.output[-4000:]
    assert re.search(r"^OK$", result.output, re.M)
    for name in CALLBACKS:
        assert re.search(rf"\[portal\] {name} \(@returns post-hook\) \.\.\. ok", result.output), name
    assert "[portal] parse_page (@scrapes post-hook) ... ok" in result.output
    # the contracts' pages came from the simulator
    assert {"/portal/Pages/Tin-tuc-su-kien.aspx", "/feed/", "/robots.txt"} <= fetched
    assert any(path.startswith("/-/xa-hoa-an-ra-mat") for path in fetched)


def test_scrapy_check_fails_when_the_pages_break_the_contracts():
    """Every page (robots.txt aside) a 200 "page not found": no listing, no article, no feed entries."""
    from portalsim.faults import FaultPlan

    with simulator_on_fixed_ports(faults=FaultPlan(rate=1.0, kinds=["soft404"], max_per_url=1000)):
        result = scrapy_check("portal")
    assert result.returncode == 1, result.output[-4000:]
    assert re.search(r"^FAILED \(failures=\d+", result.output, re.M), result.output[-4000:]
    assert "ContractFail: Returned 0 requests, expected 10..inf" in result.output  # parse_feed
    assert "expected article" in result.output and "expected listing" in result.output  # @page_kind
    assert re.search(r"^Ran (\d+) contracts? in ", result.output, re.M)


def test_scrapy_check_without_the_simulator_is_no_success():
    """Nothing on the fixed ports: the contracts' pages cannot be fetched, which is an error, not OK."""
    import socket

    with socket.socket() as probe:
        if probe.connect_ex(("127.0.0.1", PORT_BASE)) == 0:
            pytest.skip(f"something listens on 127.0.0.1:{PORT_BASE}")
    result = scrapy_check("portal")
    assert result.returncode == 1, result.output[-4000:]
    assert "errback" in result.output and "FAILED (errors=" in result.output
