"""Extraction throughput (issue 15): pages/s of `extract_record` beside trafilatura and an lxml floor.

    python bench/extract.py                       # both sets, 3 rounds, best round
    python bench/extract.py --rounds 5 --stat median
    python bench/extract.py --set profile --shapeless    # also the simulator's opt-in shapeless sites
    python bench/extract.py --profile 25          # + cProfile: the 25 hottest functions per set
    python bench/extract.py --json

Two page sets, each loaded into memory before anything is timed:

- **profile**: every article page of the bundled simulator (`portalsim.server.Simulator`),
  fetched once over HTTP (bytes, response headers, URL, portal name); extraction is then timed on
  the in-memory pages, grouped per portal, with `portal=<name>` passed as the crawler does;
- **unknown**: `../shared/benchmarks/aeb-dev/` (real news pages no profile knows), loaded as
  `bench/aeb.py` loads them; skipped with a message when the directory is absent.

Extractors, one process, the same pages:

- `thanthien`:   `pipelines.extract.extract_record(body, url, headers, portal=portal_of(url, name))` on the raw bytes
                 (decode included; `NotAnArticle` counts as a page done);
- `trafilatura`: `trafilatura.bare_extraction(text, url=url)` with its defaults, on the HTML decoded
                 once beforehand (by `pipelines.text.decode_body`, not timed);
- `lxml-floor`:  `lxml.html.fromstring(text).text_content()` on the same decoded HTML: the cost of
                 parsing alone, which no extractor built on lxml can beat.

Each round runs the three extractors over the whole set (their order rotates between rounds); a
group's time is its best (or median) round. Per-input caches of the gazetteer (`resolve`,
`province_of`, lru_cache'd) are cleared before every round so a round costs what new pages cost;
one-time loads (dataset tables, vocabularies) stay loaded, and the cold first call is reported apart.

The stage breakdown wraps the stage functions `pipelines/extract.py` calls (and the big ones they
call) from here, without editing product code: inclusive time per stage and self time (minus the
other wrapped stages it calls), per set, as a share of extract_record's total.
"""
from __future__ import annotations

import argparse
import cProfile
import functools
import gc
import importlib
import io
import json
import pstats
import statistics
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

_t0 = time.perf_counter()
import pipelines.extract  # noqa: E402,F401  (timed: the import cost)
from pipelines.extract import NotAnArticle, extract_record  # noqa: E402
from scrapers.registry import portal_of  # noqa: E402

IMPORT_SECONDS = time.perf_counter() - _t0

DEFAULT_AEB = ROOT.parent / "shared" / "benchmarks" / "aeb-dev"
TARGETS = {"profile": 5.0, "unknown": 1.5}  # issue 15: thanthien / trafilatura at least this


@dataclass
class Page:
    url: str
    body: bytes
    headers: dict | None
    portal: str | None
    group: str  # the row it is reported under: portal (platform), or "aeb"
    text: str = ""  # decoded once, for trafilatura and the floor


# --- page sets -----------------------------------------------------------------------------------


def profile_pages(shapeless: bool = False) -> list[Page]:
    """Every article page of the simulator, fetched once over HTTP into memory."""
    from portalsim.portals import REGISTRY_PATH
    from portalsim.server import Simulator
    from scrapers.registry import add_registry

    add_registry(REGISTRY_PATH)  # the pages are extracted as their simulated portal's (portal=name)
    extra = ()
    if shapeless:
        from portalsim.shapeless import SHAPELESS_PORTALS

        extra = tuple(SHAPELESS_PORTALS)
    pages = []
    with Simulator(extra_portals=extra) as sim:
        for truth in sim.ground_truth():
            with urllib.request.urlopen(truth["url"], timeout=30) as resp:
                body = resp.read()
                headers = dict(resp.headers.items())
                url = resp.geturl()
            pages.append(Page(url, body, headers, truth["portal"], f"{truth['portal']} ({truth['platform']})"))
    return pages


def unknown_pages(directory: Path) -> list[Page] | None:
    """The aeb-dev pages, loaded as bench/aeb.py loads them; None when the directory is absent."""
    if not (directory / "ground-truth.json").exists():
        return None
    sys.path.insert(0, str(ROOT / "bench"))
    aeb = importlib.import_module("aeb")
    truth, bodies, _evaluate = aeb.load_benchmark(directory)
    return [Page(truth[key].get("url") or "", body, None, None, "aeb") for key, body in bodies.items()]


def decode_all(pages: list[Page]) -> None:
    from pipelines.text import decode_body

    for page in pages:
        page.text = decode_body(page.body, page.headers)[0]


# --- extractors ----------------------------------------------------------------------------------


def run_thanthien(page: Page) -> bool:
    try:
        extract_record(page.body, page.url, page.headers, portal=portal_of(page.url, page.portal))
        return True
    except NotAnArticle:
        return False


def run_trafilatura(page: Page) -> bool:
    import trafilatura

    return trafilatura.bare_extraction(page.text, url=page.url) is not None


def run_floor(page: Page) -> bool:
    import lxml.html

    try:
        return bool(lxml.html.fromstring(page.text).text_content())
    except ValueError:  # a str with an XML encoding declaration: lxml wants bytes then
        return bool(lxml.html.fromstring(page.text.encode("utf-8")).text_content())


EXTRACTORS = {"thanthien": run_thanthien, "trafilatura": run_trafilatura, "lxml-floor": run_floor}


def clear_page_caches() -> None:
    """Per-input memo caches, so that every round pays what new pages pay."""
    from pipelines import gazetteer

    for fn in (gazetteer.resolve, gazetteer.province_of):
        fn.cache_clear()


def time_rounds(pages: list[Page], rounds: int) -> dict:
    """{extractor: [per round: [seconds per page]]} and how many pages each returned something for."""
    times = {name: [] for name in EXTRACTORS}
    ok = {}
    names = list(EXTRACTORS)
    for r in range(rounds):
        for name in names[r % len(names):] + names[: r % len(names)]:
            fn = EXTRACTORS[name]
            clear_page_caches()
            gc.collect()
            per_page, done = [], 0
            for page in pages:
                started = time.perf_counter()
                done += fn(page)
                per_page.append(time.perf_counter() - started)
            times[name].append(per_page)
            ok[name] = done
    return {"times": times, "ok": ok}


def summarize(pages: list[Page], timed: dict, stat: str) -> list[dict]:
    """One row per group and one for the whole set: pages/s per extractor and the ratios."""
    groups = list(dict.fromkeys(p.group for p in pages))
    rows = []
    for group in groups + (["all"] if len(groups) > 1 else []):
        idx = [i for i, p in enumerate(pages) if group == "all" or p.group == group]
        row = {"group": group, "pages": len(idx)}
        for name, per_round in timed["times"].items():
            totals = [sum(rt[i] for i in idx) for rt in per_round]
            seconds = min(totals) if stat == "best" else statistics.median(totals)
            row[name] = len(idx) / seconds if seconds else float("inf")
            row[f"{name}_cold"] = len(idx) / totals[0] if totals[0] else float("inf")
        row["vs_trafilatura"] = row["thanthien"] / row["trafilatura"]
        row["vs_floor"] = row["thanthien"] / row["lxml-floor"]
        rows.append(row)
    return rows


# --- stages --------------------------------------------------------------------------------------

# (module, function, stage): the calls extract_record makes, and the big ones they make in turn.
# A function is wrapped where it is looked up (the name in the calling module's namespace).
STAGES = [
    ("scrapers.registry", "default_registry", "registry lookup"),
    ("scrapers.registry", "portal_for_url", "registry lookup"),
    ("pipelines.extract", "decode_body", "decode"),
    ("pipelines.extract", "bounded_html", "bounded_html (extract_record)"),
    ("pipelines.bounds", "bounded_html", "bounded_html (again, in parse_html)"),
    ("pipelines.bounds", "cap_nesting", "parse: cap_nesting (depth walk)"),
    ("pipelines.extract", "_parse", "parse (lxml + drop script/style)"),
    ("pipelines.extract", "page_kind", "page_kind (article/listing)"),
    ("pipelines.extract", "_profile_order", "fingerprint"),
    ("pipelines.extract", "_profile_fields", "profile fields"),
    ("pipelines.extract", "walk_body", "profile fields: walk_body"),
    ("pipelines.extract", "_headline", "profile fields: headline"),
    ("pipelines.extract", "_page_date", "profile fields: date"),
    ("pipelines.extract", "byline_after", "profile fields: byline_after"),
    ("pipelines.extract", "extract_generic", "generic fields"),
    ("pipelines.generic", "head_metadata", "generic: head_metadata"),
    ("pipelines.generic", "measure", "generic: density.measure"),
    ("pipelines.generic", "hidden_boxes", "generic: hidden_boxes"),
    ("pipelines.generic", "document_order", "generic: document_order"),
    ("pipelines.generic", "body_blocks", "generic: body_blocks"),
    ("pipelines.generic", "find_headline", "generic: find_headline"),
    ("pipelines.generic", "is_listing", "generic: is_listing"),
    ("pipelines.generic", "walk_blocks", "generic: walk_blocks"),
    ("pipelines.extract", "trafilatura_fields", "generic: trafilatura last resort"),
    ("pipelines.extract", "_canonical_link", "canonical link"),
    ("pipelines.extract", "bounded_body", "bounded body/reading text"),
    ("pipelines.extract", "reading_text", "bounded body/reading text"),
    ("pipelines.extract", "classify", "classify"),
    ("pipelines.extract", "site_place", "site_place"),
    ("pipelines.extract", "structure_event", "structure_event"),
    ("pipelines.extract", "province_of", "gazetteer"),
    ("pipelines.extract", "district_of", "gazetteer"),
    ("pipelines.extract", "district_spelling", "gazetteer"),
    ("pipelines.extract", "province_spelling", "gazetteer"),
    ("pipelines.extract", "resolve_place", "gazetteer"),
    ("pipelines.extract", "canonicalize_url", "canonicalize_url/content_hash"),
    ("pipelines.extract", "content_hash", "canonicalize_url/content_hash"),
]


class StageTimer:
    """Wraps the stage functions; inclusive and self time per stage (self: minus wrapped callees)."""

    def __init__(self):
        self.inclusive: dict[str, float] = {}
        self.own: dict[str, float] = {}
        self.calls: dict[str, int] = {}
        self._stack: list[list] = []  # [stage, time in wrapped callees]
        self._saved: list = []

    def wrap(self, fn, stage):
        @functools.wraps(fn)
        def timed(*args, **kwargs):
            frame = [stage, 0.0]
            self._stack.append(frame)
            started = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                spent = time.perf_counter() - started
                self._stack.pop()
                # a stage called from itself (recursion, or one name wrapped twice) counts once
                if all(f[0] != stage for f in self._stack):
                    self.inclusive[stage] = self.inclusive.get(stage, 0.0) + spent
                self.own[stage] = self.own.get(stage, 0.0) + spent - frame[1]
                self.calls[stage] = self.calls.get(stage, 0) + 1
                if self._stack:
                    self._stack[-1][1] += spent
        return timed

    def __enter__(self):
        for module_name, name, stage in STAGES:
            module = importlib.import_module(module_name)
            fn = getattr(module, name, None)
            if fn is None:
                continue  # renamed in the product code: the stage is left out, not an error
            self._saved.append((module, name, fn))
            setattr(module, name, self.wrap(fn, stage))
        return self

    def __exit__(self, *exc):
        for module, name, fn in reversed(self._saved):
            setattr(module, name, fn)
        self._saved = []


def stage_breakdown(pages: list[Page], rounds: int) -> dict:
    """Seconds per stage over `rounds` passes of extract_record (with the wrappers in place)."""
    timer = StageTimer()
    total = 0.0
    with timer:
        for _ in range(rounds):
            clear_page_caches()
            for page in pages:
                started = time.perf_counter()
                run_thanthien(page)
                total += time.perf_counter() - started
    timer.own["(extract_record itself)"] = total - sum(
        t for s, t in timer.own.items())  # what no wrapped stage covers
    return {"total": total, "inclusive": timer.inclusive, "own": timer.own, "calls": timer.calls,
            "pages": len(pages) * rounds}


def hot_functions(pages: list[Page], top: int) -> str:
    """cProfile of one pass of extract_record over the pages: the hottest by self and cumulative time."""
    clear_page_caches()
    profiler = cProfile.Profile()
    profiler.enable()
    for page in pages:
        run_thanthien(page)
    profiler.disable()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats("tottime").print_stats(top)
    stats.sort_stats("cumulative").print_stats(top)
    return out.getvalue()


# --- report --------------------------------------------------------------------------------------


def cold_start(pages: list[Page]) -> float:
    """Seconds of the very first extract_record call (lazy imports, datasets, vocabularies)."""
    started = time.perf_counter()
    run_thanthien(pages[0])
    return time.perf_counter() - started


def print_table(name: str, rows: list[dict], stat: str) -> None:
    print(f"\n== {name} pages: pages/s ({stat} round; 'cold' = first round) ==")
    print(f"{'group':<34} {'pages':>5} {'thanthien':>10} {'trafilat.':>10} {'lxml-floor':>10} "
          f"{'tt/traf':>8} {'tt/floor':>8} {'tt cold':>8}")
    for r in rows:
        print(f"{r['group']:<34} {r['pages']:5d} {r['thanthien']:10.1f} {r['trafilatura']:10.1f} "
              f"{r['lxml-floor']:10.1f} {r['vs_trafilatura']:8.2f} {r['vs_floor']:8.3f} {r['thanthien_cold']:8.1f}")
    target = TARGETS.get(name)
    if target:
        whole = rows[-1]
        verdict = "met" if whole["vs_trafilatura"] >= target else "NOT met"
        print(f"target thanthien/trafilatura >= {target}: {whole['vs_trafilatura']:.2f} ({verdict})")


def print_stages(name: str, stages: dict) -> None:
    total = stages["total"]
    per_page_ms = 1000 * total / stages["pages"]
    print(f"\n== {name} pages: time per stage of extract_record ({per_page_ms:.2f} ms/page) ==")
    print(f"{'stage':<42} {'self ms/pg':>10} {'self %':>7} {'incl %':>7} {'calls/pg':>8}")
    own = stages["own"]
    for stage in sorted(own, key=lambda s: -own[s]):
        incl = stages["inclusive"].get(stage)
        calls = stages["calls"].get(stage, 0) / stages["pages"]
        print(f"{stage:<42} {1000 * own[stage] / stages['pages']:10.3f} {100 * own[stage] / total:6.1f}% "
              f"{(f'{100 * incl / total:6.1f}%') if incl is not None else '':>7} {calls:8.2f}")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--stat", choices=("best", "median"), default="best")
    parser.add_argument("--set", choices=("profile", "unknown", "both"), default="both")
    parser.add_argument("--aeb", type=Path, default=DEFAULT_AEB, help="the aeb-dev directory")
    parser.add_argument("--shapeless", action="store_true", help="also the simulator's opt-in shapeless sites")
    parser.add_argument("--no-stages", action="store_true", help="skip the stage breakdown")
    parser.add_argument("--profile", type=int, default=0, metavar="N", help="cProfile: print the N hottest functions")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)

    sets: dict[str, list[Page]] = {}
    if args.set in ("profile", "both"):
        sets["profile"] = profile_pages(args.shapeless)
    if args.set in ("unknown", "both"):
        found = unknown_pages(args.aeb)
        if found is None:
            print(f"unknown pages skipped: no benchmark at {args.aeb} (expected ground-truth.json, html/)",
                  file=sys.stderr)
        else:
            sets["unknown"] = found
    if not sets:
        print("nothing to time", file=sys.stderr)
        return 0
    for pages in sets.values():
        decode_all(pages)
    first = next(iter(sets.values()))
    report = {"import_seconds": IMPORT_SECONDS, "first_call_seconds": cold_start(first), "sets": {}}
    for pages in sets.values():  # warm every extractor on every set (imports, lazy tables) untimed
        for fn in EXTRACTORS.values():
            for page in pages[:5]:
                fn(page)

    for name, pages in sets.items():
        timed = time_rounds(pages, args.rounds)
        entry = {"rows": summarize(pages, timed, args.stat), "articles": timed["ok"]["thanthien"],
                 "bytes": sum(len(p.body) for p in pages)}
        if not args.no_stages:
            entry["stages"] = stage_breakdown(pages, 1)
        if args.profile:
            entry["cprofile"] = hot_functions(pages, args.profile)
        report["sets"][name] = entry

    if args.json:
        print(json.dumps(report, indent=1, default=str))
        return 0
    print(f"import pipelines.extract: {report['import_seconds']:.2f} s; first extract_record call: "
          f"{report['first_call_seconds']:.2f} s (lazy loads)")
    for name, entry in report["sets"].items():
        pages = sets[name]
        print(f"\n{name}: {len(pages)} pages, {entry['bytes'] / len(pages) / 1024:.0f} KB/page on average, "
              f"{entry['articles']} stored as articles by thanthien")
        print_table(name, entry["rows"], args.stat)
        if "stages" in entry:
            print_stages(name, entry["stages"])
        if "cprofile" in entry:
            print(f"\n== {name} pages: cProfile, one pass ==")
            print(entry["cprofile"])
    return 0


if __name__ == "__main__":
    sys.exit(main())
