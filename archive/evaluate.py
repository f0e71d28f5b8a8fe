"""Compare an archive with known answers (the simulator's ground truth): per-field accuracy.

Used by the end-to-end test, `bench/crawl.py` and the closing notes, so that "every launch report
is found with correct fields" is measured the same way everywhere.
"""
from __future__ import annotations

import json
from collections import Counter
from urllib.parse import urlsplit

from pipelines.urls import canonicalize_url

from pipelines.record_schema import EVALUATED_EVENT_FIELDS
from pipelines.text import fold

ARTICLE_FIELDS = ("title", "published_date", "author", "source", "body_text", "is_launch_report")
# The schema's event fields that are scored (not those derived from the gazetteer: x-evaluated
# false), each officials followed by official_titles (names with their titles), a scoring-only name.
EVENT_FIELDS = tuple(name for field in EVALUATED_EVENT_FIELDS
                     for name in ((field, "official_titles") if field == "officials" else (field,)))


def _path_key(url: str) -> str:
    """Path and query of the canonical URL: the archive's identity of an article, any port."""
    parts = urlsplit(canonicalize_url(url))
    return (parts.path.lower().rstrip("/") or "/") + ("?" + parts.query if parts.query else "")


def _event_value(event: dict | None, field: str):
    if not event:
        return None
    if field == "officials":
        return [o["name"] for o in event.get("officials") or []]
    if field == "official_titles":
        return [(o["name"], o.get("title")) for o in event.get("officials") or []]
    if field == "units":
        return sorted(fold(u) for u in event.get("units") or [])
    if field in ("district", "province"):
        return fold(event.get(field) or "") or None
    return event.get(field)


def compare(rows: list[dict], truth: list[dict]) -> dict:
    """rows: archive articles (dicts with the record's keys, event as dict or JSON). truth: ground truth records.

    Returns {"missing": [...], "extra": [...], "duplicates": n, "fields": {field: (right, total)},
    "mistakes": [(url, field, got, want)], "false_launches": [...], "missed_launches": [...]}.
    """
    by_key: dict[str, list[dict]] = {}
    for row in rows:
        by_key.setdefault(_path_key(row["url"]), []).append(row)
    report = {"missing": [], "extra": [], "duplicates": 0, "fields": {}, "mistakes": [],
              "false_launches": [], "missed_launches": []}
    counts: dict[str, Counter] = {}
    truth_keys = set()
    for want in truth:
        key = _path_key(want["url"])
        truth_keys.add(key)
        got_rows = by_key.get(key, [])
        if not got_rows:
            report["missing"].append(want["url"])
            continue
        report["duplicates"] += len(got_rows) - 1
        got = got_rows[0]
        event = got.get("event")
        if isinstance(event, str):
            event = json.loads(event)
        for field in ARTICLE_FIELDS:
            _tally(report, counts, want["url"], field, bool(got[field]) if field == "is_launch_report" else got[field], want[field])
        if want["is_launch_report"] and not got["is_launch_report"]:
            report["missed_launches"].append(want["url"])
        if got["is_launch_report"] and not want["is_launch_report"]:
            report["false_launches"].append(want["url"])
        if want["is_launch_report"]:
            for field in EVENT_FIELDS:
                _tally(report, counts, want["url"], "event." + field, _event_value(event, field), _event_value(want["event"], field))
    report["extra"] = [rows[0]["url"] for key, rows in by_key.items() if key not in truth_keys]
    report["fields"] = {f: (c["right"], c["total"]) for f, c in counts.items()}
    return report


def _tally(report, counts, url, field, got, want):
    c = counts.setdefault(field, Counter())
    c["total"] += 1
    if got == want:
        c["right"] += 1
    else:
        report["mistakes"].append((url, field, got, want))


def format_report(report: dict) -> str:
    lines = [f"{'field':<24} {'right':>6} / {'total':<6} accuracy"]
    for field, (right, total) in report["fields"].items():
        lines.append(f"{field:<24} {right:>6} / {total:<6} {right / total if total else 1:.3f}")
    lines.append(f"missing {len(report['missing'])}, extra {len(report['extra'])}, duplicates {report['duplicates']}, "
                 f"false launches {len(report['false_launches'])}, missed launches {len(report['missed_launches'])}")
    return "\n".join(lines)


def compare_stories(rows: list[dict], truth: list[dict]) -> dict:
    """Story grouping against truth (`story` key per article): pairs wrongly merged or split."""
    truth_story = {_path_key(t["url"]): t.get("story", t["url"]) for t in truth}
    got_story = {_path_key(r["url"]): r.get("story_id") for r in rows}
    keys = sorted(k for k in truth_story if k in got_story)
    merged, split = [], []
    for i, a in enumerate(keys):
        for b in keys[i + 1:]:
            same_truth = truth_story[a] == truth_story[b]
            same_got = got_story[a] is not None and got_story[a] == got_story[b]
            if same_got and not same_truth:
                merged.append((a, b))
            elif same_truth and not same_got:
                split.append((a, b))
    return {"expected_stories": len(set(truth_story.values())),
            "stories": len({got_story[k] for k in keys}), "wrongly_merged": merged, "wrongly_split": split}
