"""Every page the portal simulator serves, as one SHA-256 per URL: `python tests/sim/page_digest.py > FILE`.

Written to move the simulator without changing a byte it serves (issue 16): run it before and after
a change to the simulator and diff the two files; `--summary` prints one digest per portal and
set-up, the form tests/sim/served_pages.txt keeps for tests/sim/test_served_pages.py (`--summary
> tests/sim/served_pages.txt` after a change of the pages that is meant). It walks each portal over real HTTP from `/`,
`/robots.txt` and every link it finds (href, src, <loc>, <link>, Location), one request at a time
so a fault plan draws the same faults on every run, and hashes status, content type, validators,
Location and body. Three set-ups: the eleven portals with their bundled articles; the default six
with soak copies and a seeded fault plan (no timeouts or slow bodies, so it takes seconds); and the
Wayback simulator replaying the closed Quan Sơn portal. The article dicts and the ground truth are
hashed too (`articles`, `ground_truth` lines), so the data files are checked as data.
"""
from __future__ import annotations

import hashlib
import http.client
import json
import re
import sys
from collections import deque
from pathlib import Path
from urllib.parse import urljoin, urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import portalsim as sim  # noqa: E402
from portalsim.server import ALL_PORTALS, load_articles  # noqa: E402
from portalsim.wayback import WaybackSimulator, closed_portal_snapshots  # noqa: E402

LINK_RE = re.compile(rb"""(?:href|src)\s*=\s*["']([^"'#]+)|<(?:loc|link)>\s*([^<\s]+)""", re.I)
MAX_PAGES = 300  # per portal, breadth first: every article is a few links from the home page; traps are endless


def fetch(base: str, target: str) -> tuple[str, bytes]:
    parts = urlsplit(base)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    try:
        conn.request("GET", target)
        resp = conn.getresponse()
        body = resp.read()
    except (OSError, http.client.HTTPException) as exc:
        return f"error {type(exc).__name__}", b""
    finally:
        conn.close()
    # no ETag: the SHA-1 of the body, which holds the port (the body's own hash covers it)
    head = [str(resp.status)] + [f"{h}={resp.getheader(h)}" for h in ("Content-Type", "Last-Modified", "Location")]
    return " ".join(head), body


def walk(base: str, out: list[str], label: str) -> None:
    seen, queue = set(), deque(["/", "/robots.txt"])
    while queue and len(seen) < MAX_PAGES:
        target = queue.popleft()
        if target in seen:
            continue
        seen.add(target)
        head, body = fetch(base, target)
        norm = body.replace(base.encode(), b"BASE")
        out.append(f"{label} {target} {head.replace(base, 'BASE')} {hashlib.sha256(norm).hexdigest()}")
        links = [m.group(1) or m.group(2) for m in LINK_RE.finditer(body)]
        links += re.findall(rb"(?im)^(?:sitemap|allow|disallow):\s*(\S+)", body)
        location = re.search(r"Location=(\S+)", head)
        if location and location.group(1) != "None":
            links.append(location.group(1).encode())
        for raw in links:
            url = urljoin(base + target, raw.decode("utf-8", "replace").replace("&amp;", "&"))
            parts = urlsplit(url)
            if f"{parts.scheme}://{parts.netloc}" == base and "*" not in parts.path:
                queue.append(parts.path + (f"?{parts.query}" if parts.query else ""))


def digest_json(value) -> str:
    return hashlib.sha256(json.dumps(value, ensure_ascii=False, sort_keys=True).encode()).hexdigest()


def served_pages() -> list[str]:
    """One line per page served (set-up and portal, target, status and headers, SHA-256 of the body)."""
    out: list[str] = []
    articles = load_articles(None, ALL_PORTALS)
    out.append(f"articles {len(articles)} {digest_json(articles)}")
    with sim.Simulator(extra_portals=sim.SHAPELESS) as s:
        truth = [{**t, "url": t["url"].replace(s.base_urls[t["portal"]], "BASE")} for t in s.ground_truth()]
        out.append(f"ground_truth {len(truth)} {digest_json(truth)}")
        for name, base in s.base_urls.items():
            walk(base, out, name)
        snapshots, truth = closed_portal_snapshots(s, "sim-quanson", "https://quanson.thanhhoa.gov.vn")
    kinds = [k for k in sim.faults.KINDS if k not in ("timeout", "slow_body", "huge")]
    plan = sim.FaultPlan(rate=0.3, kinds=kinds, seed=7)
    with sim.Simulator(sim.soak_articles(150, seed=7), faults=plan) as s:
        for name, base in s.base_urls.items():
            walk(base, out, f"faults:{name}")
        out.append(f"fault_log {len(s.fault_log)} {digest_json([list(f) for f in s.fault_log])}")
    out.append(f"snapshots {len(snapshots)} {digest_json([[a, b, hashlib.sha256(c).hexdigest(), *rest] for a, b, c, *rest in snapshots])}")
    with WaybackSimulator(snapshots) as wb:
        for ts, url, *_ in snapshots[:40]:
            head, body = fetch(wb.base_url, f"/web/{ts}id_/{url}")
            out.append(f"wayback {ts} {url} {head.replace(wb.base_url, 'BASE')} {hashlib.sha256(body).hexdigest()}")
    return out


def summary(lines: list[str]) -> list[str]:
    """One line per set-up and portal (the first word of each line): its page count and digest."""
    groups: dict[str, list[str]] = {}
    for line in lines:
        groups.setdefault(line.split(" ", 1)[0], []).append(line)
    return [f"{label} {len(group)} {hashlib.sha256(chr(10).join(group).encode()).hexdigest()}"
            for label, group in groups.items()]


def main() -> None:
    lines = served_pages()
    print("\n".join(summary(lines) if "--summary" in sys.argv[1:] else lines))


if __name__ == "__main__":
    main()
