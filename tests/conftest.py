"""Shared fixtures: the simulator on 127.0.0.1, a real crawl of it into a real SQLite file."""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
FIXTURES = Path(__file__).resolve().parent / "fixtures"

# The production registry holds only real portals; the tests crawl, extract and look up the
# simulator's by name (sim-quanson …), so they add them, as the CLI's simulated commands do.
from portalsim.portals import REGISTRY_PATH as _SIM_REGISTRY  # noqa: E402
from scrapers.registry import add_registry  # noqa: E402

add_registry(_SIM_REGISTRY)


def thanthien(*args, check=True, timeout=300, **kwargs) -> subprocess.CompletedProcess:
    """Run the installed CLI as a user would (a fresh process: Twisted's reactor runs once per process)."""
    cmd = [sys.executable, "-m", "archive.cli", *map(str, args)]
    result = subprocess.run(cmd, cwd=kwargs.pop("cwd", ROOT), capture_output=True, text=True, timeout=timeout, **kwargs)
    if check and result.returncode != 0:
        raise AssertionError(f"{' '.join(cmd)} exited {result.returncode}\n{result.stdout[-3000:]}\n{result.stderr[-5000:]}")
    return result


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def free_port_block(size: int = 6) -> int:
    """The first of `size` consecutive ports that are all free now (the demo's simulator takes one
    port a portal from --sim-port-base on); a lone free port says nothing of the next five."""
    for _ in range(50):
        base = free_port()
        if base + size > 65535:
            continue
        socks = []
        try:
            for port in range(base, base + size):
                sock = socket.socket()
                socks.append(sock)
                sock.bind(("127.0.0.1", port))
            return base
        except OSError:
            continue
        finally:
            for sock in socks:
                sock.close()
    raise RuntimeError(f"no {size} consecutive free ports on 127.0.0.1")


def wait_for_http(url: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=2).read()
            return
        except OSError:
            time.sleep(0.2)
    raise TimeoutError(f"{url} did not answer within {timeout}s")


@pytest.fixture(scope="session")
def simulator():
    from portalsim.server import Simulator

    with Simulator() as sim:
        yield sim


@pytest.fixture(scope="session")
def crawled(simulator, tmp_path_factory):
    """The whole simulator crawled for real with `thanthien crawl`, into a fresh archive."""
    db_path = tmp_path_factory.mktemp("archive") / "thanthien.db"
    args = ["crawl", "--simulated", "--db", db_path]
    for name, url in simulator.base_urls.items():
        args += ["--portal", name, "--base-url", f"{name}={url}"]
    result = thanthien(*args)
    return {"db_path": db_path, "truth": simulator.ground_truth(), "output": result.stdout + result.stderr}


@pytest.fixture(scope="session")
def datasette_server(crawled):
    """`thanthien serve` on the crawled archive: a real Datasette on a free port."""
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "archive.cli", "serve", "--db", str(crawled["db_path"]), "--port", str(port)],
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=dict(os.environ))
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for_http(base + "/-/versions.json")
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=10)
