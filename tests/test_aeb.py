"""Body extraction on real news pages: the public article-extraction benchmark's half in
../shared/benchmarks/aeb-dev (its own metric), against trafilatura in the same run.
Skips cleanly where ../shared is absent."""
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

import aeb  # noqa: E402

pytestmark = pytest.mark.skipif(not (aeb.DEFAULT_DIR / "ground-truth.json").exists(),
                                reason=f"no benchmark at {aeb.DEFAULT_DIR}")


def test_generic_reader_beats_trafilatura_with_no_silent_error():
    truth, pages, evaluate = aeb.load_benchmark(aeb.DEFAULT_DIR)
    results = {}
    for name, extractor in aeb.EXTRACTORS.items():
        outputs, seconds = aeb.run(extractor, truth, pages)
        results[name] = aeb.score(name, outputs, seconds, truth, evaluate)
    ours, theirs = results["thanthien"], results["trafilatura"]
    assert ours["f1"] >= 0.96 and ours["f1"] > theirs["f1"], (ours["f1"], theirs["f1"])
    assert ours["silent_errors"] == 0 and ours["empty"] == 0
