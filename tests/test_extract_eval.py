"""The extraction evaluation set (tests/fixtures/eval, hand-written pages and gold records) meets the
issue's thresholds: every field ≥ 0.95 F1, no false launch reports, and on unknown templates the
event fields within 0.05 F1 of known templates. See bench/extract_eval.py for how fields are scored."""
import sys
import unicodedata
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

import extract_eval  # noqa: E402


def test_gold_files_are_consistent_with_their_pages():
    """Not a test of the extractor: every gold string is really on its page, keys are complete."""
    assert extract_eval.check_gold() == []


def test_evaluation_set_mix():
    pages = extract_eval.load_pages(extract_eval.EVAL_DIR)
    launches = sum(1 for _, _, g in pages if g["is_launch_report"])
    unknown = sum(1 for _, _, g in pages if g["template"] == "unknown")
    assert len(pages) >= 60 and launches >= 30 and len(pages) - launches >= 25 and unknown >= 12
    raw = {name: path.read_bytes() for name, path, _ in pages}
    legacy = [n for n, b in raw.items() if not _is_utf8(b)]
    nfd = [n for n, b in raw.items() if _is_utf8(b) and not unicodedata.is_normalized("NFC", b.decode())
           and unicodedata.is_normalized("NFD", b.decode())]
    assert len(legacy) >= 8 and len(nfd) >= 2
    assert any(g.get("headers") for name, _path, g in pages if not _is_utf8(raw[name]))  # a header that lies
    assert any("\u00d0" in b.decode() for b in raw.values() if _is_utf8(b))   # Ð for Đ
    assert any(b"&acirc;\xcc\x83" in b or b"&ecirc;\xcc\x80" in b for b in raw.values())  # entity + combining tone


def _is_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
        return True
    except UnicodeDecodeError:
        return False


def test_extraction_meets_the_issue_thresholds():
    report = extract_eval.evaluate()
    failures = extract_eval.threshold_failures(report)
    assert not failures, "\n" + extract_eval.format_report(report, details=True)


# --- the blind set (tests/fixtures/blind): written by sessions that never saw the extractor ------

def test_blind_set_is_frozen_and_split():
    pages = extract_eval.load_blind()
    halves = {half: [g for name, _p, g in pages if name in extract_eval.load_blind_names(half)] for half in ("dev", "test")}
    # the third test half: b19 and b20 (32 pages, 20 launch reports), each frozen before its first run
    assert len(pages) >= 80 and len(halves["test"]) >= 32
    for half, golds in halves.items():
        launches = sum(g["is_launch_report"] for g in golds)
        assert 0.3 <= launches / len(golds) <= 0.7
        assert len({g["family"] for g in golds}) >= (10 if half == "dev" else 7)


def test_blind_dev_half_meets_the_page_level_targets():
    """Tuned on: title, published_date, author, body paragraphs, is_launch_report F1 >= 0.95, no false launch."""
    report = extract_eval.evaluate_pages(extract_eval.load_blind("dev"))
    assert extract_eval.blind_failures(report) == [], "\n" + extract_eval.format_report(
        report | {"threshold_failures": extract_eval.blind_failures(report)}, details=True)
    # and every event field (issue "one reader per Vietnamese fact")
    assert {f: report["fields"][f]["f1"] for f in extract_eval.EVENT_FIELDS if report["fields"][f]["f1"] < 0.95} == {}


# The third test half as first measured (README "Measured"; b20 first run alone, then b19 once its
# writer had finished it): below target on author, units, district, province, slogans, with three
# false launch reports (plans of launches to come). A regression floor, 0.02 under each score; the
# half is never read, so these only move when dev work moves them.
TEST_HALF_MEASURED = {
    "title": 1.000, "published_date": 0.968, "author": 0.926, "body_text": 1.000, "is_launch_report": 0.930,
    "event_date": 0.973, "district": 0.923, "province": 0.930, "board_size": 0.968, "units": 0.794,
    "officials": 0.966, "officials_title": 0.949, "slogans": 0.915, "documents": 0.967,
}
TEST_HALF_FALSE_LAUNCHES = 3


def test_blind_test_half_regression_floor():
    """Reported, never read: the third test half (b19 and b20, 32 pages written after the second half
    was opened) must not fall below what it scored when first run."""
    pages = extract_eval.load_blind("test")
    assert len(pages) >= 32
    report = extract_eval.evaluate_pages(pages)
    scores = {f: report["fields"][f]["f1"] for f in TEST_HALF_MEASURED}
    assert all(scores[f] >= TEST_HALF_MEASURED[f] - 0.02 for f in scores), scores
    assert report["confusion"]["fp"] <= TEST_HALF_FALSE_LAUNCHES and report["confusion"]["fn"] == 0
