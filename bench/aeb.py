"""Body extraction on the public article-extraction benchmark, beside trafilatura, in one run.

    python bench/aeb.py [--dir ../shared/benchmarks/aeb-dev] [--json] [--worst N] [--only NAME]

`../shared/benchmarks/aeb-dev/` is half of scrapinghub/article-extraction-benchmark (MIT): real news
pages (`html/*.html.gz`), `ground-truth.json` and the benchmark's own `evaluate.py`, whose metric
(4-gram shingle precision/recall, averaged per page) is imported, not re-implemented.

For each extractor it prints F1 / precision / recall, pages/s (extraction alone, decode included),
the number of empty outputs and of *silent errors*: a non-empty body whose shingle precision is
below 0.5, i.e. something stored as the article that mostly is not.
"""
from __future__ import annotations

import argparse
import gzip
import importlib.util
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pipelines.extract import NotAnArticle, extract_record  # noqa: E402

DEFAULT_DIR = ROOT.parent / "shared" / "benchmarks" / "aeb-dev"
SILENT_PRECISION = 0.5


def load_benchmark(directory: Path):
    """(ground truth, pages as bytes, the benchmark's evaluate module)."""
    spec = importlib.util.spec_from_file_location("aeb_evaluate", directory / "evaluate.py")
    evaluate = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(evaluate)
    truth = json.loads((directory / "ground-truth.json").read_text(encoding="utf-8"))
    pages = {key: gzip.decompress((directory / "html" / f"{key}.html.gz").read_bytes()) for key in truth}
    return truth, pages, evaluate


def ours(body: bytes, url: str) -> str:
    try:
        return extract_record(body, url)["body_text"]
    except NotAnArticle:
        return ""


def trafilatura_body(body: bytes, url: str) -> str:
    import trafilatura

    return trafilatura.extract(body, url=url) or ""


EXTRACTORS = {"thanthien": ours, "trafilatura": trafilatura_body}


def run(extractor, truth, pages):
    outputs, started = {}, time.perf_counter()
    for key, body in pages.items():
        outputs[key] = extractor(body, truth[key].get("url") or "")
    return outputs, time.perf_counter() - started


def score(name, outputs, seconds, truth, evaluate):
    prediction = {key: {"articleBody": text} for key, text in outputs.items()}
    metrics = evaluate.evaluate(truth, prediction, n_bootstrap=1)  # no confidence intervals: one pass
    pages = []
    for key, (tp, fp, fn) in zip(truth, metrics["tp_fp_fns"]):
        precision = evaluate.precision_score(tp, fp, fn)
        recall = evaluate.recall_score(tp, fp, fn)
        pages.append({"key": key, "precision": precision, "recall": recall, "chars": len(outputs[key])})
    return {
        "name": name,
        "f1": metrics["f1"], "precision": metrics["precision"], "recall": metrics["recall"],
        "pages_per_s": len(outputs) / seconds if seconds else float("inf"),
        "empty": sum(1 for text in outputs.values() if not text.strip()),
        "silent_errors": sum(1 for p in pages if p["chars"] and p["precision"] < SILENT_PRECISION),
        "pages": pages,
    }


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dir", type=Path, default=DEFAULT_DIR)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--worst", type=int, default=0, help="list our N worst pages")
    parser.add_argument("--only", choices=sorted(EXTRACTORS), action="append")
    args = parser.parse_args(argv)
    if not (args.dir / "ground-truth.json").exists():
        parser.error(f"no benchmark at {args.dir} (expected ground-truth.json, html/, evaluate.py)")
    truth, pages, evaluate = load_benchmark(args.dir)
    results = []
    for name in args.only or EXTRACTORS:
        outputs, seconds = run(EXTRACTORS[name], truth, pages)
        results.append(score(name, outputs, seconds, truth, evaluate))
    if args.json:
        print(json.dumps([{k: v for k, v in r.items() if k != "pages"} for r in results], indent=1))
        return 0
    print(f"{len(pages)} pages of {args.dir}")
    print(f"{'extractor':<12} {'F1':>6} {'prec':>6} {'recall':>6} {'pages/s':>8} {'empty':>6} {'silent':>6}")
    for r in results:
        print(f"{r['name']:<12} {r['f1']:6.3f} {r['precision']:6.3f} {r['recall']:6.3f} {r['pages_per_s']:8.1f} "
              f"{r['empty']:6d} {r['silent_errors']:6d}")
    if len(results) == 2 and results[1]["pages_per_s"]:
        print(f"throughput ratio thanthien/trafilatura: {results[0]['pages_per_s'] / results[1]['pages_per_s']:.2f}")
    if args.worst:
        mine = results[0]["pages"]
        others = {p["key"]: p for p in results[1]["pages"]} if len(results) > 1 else {}
        for p in sorted(mine, key=lambda p: p["precision"] + p["recall"])[: args.worst]:
            other = others.get(p["key"])
            extra = f"  trafilatura P {other['precision']:.2f} R {other['recall']:.2f}" if other else ""
            print(f"  {p['key'][:12]} P {p['precision']:.2f} R {p['recall']:.2f} chars {p['chars']}{extra}  {truth[p['key']].get('url', '')[:70]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
