"""Captures in, articles out, without the network: `import-warc` and `reprocess`.

Both run the same `extract_record` as the crawler and write through the same `upsert_record`
with one `StoryAssigner` for the whole run (as the crawl's StoryPipeline holds one), so a row
built from a WARC is the row a crawl would have built, in the story a crawl would have put it in.
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
from zlib import error as zlib_error
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed

from archive import db as archive_db
from archive.stories import StoryAssigner
from archive.warc import RecordTooLarge, complete_gzip_end, read_record, safe_name, to_read_record
from pipelines.extract import NotAnArticle, extract_record
from scrapers.registry import portal_for_url, portal_of
from scrapers.wayback import timestamp_iso

HTML_TYPES = ("text/html", "application/xhtml+xml")


def warc_date_to_iso(value: str | None) -> str | None:
    if not value:
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00")).replace(microsecond=0).isoformat()
    except ValueError:
        return None


@dataclass
class IngestSummary:
    counts: Counter = field(default_factory=Counter)
    changed: list[dict] = field(default_factory=list)

    def line(self) -> str:
        return ", ".join(f"{k} {v}" for k, v in sorted(self.counts.items()))


def _store_article(db, stories: StoryAssigner, body: bytes, url: str, headers: dict, portal, seen_at, capture_id,
                   summary: IngestSummary, provenance: dict | None = None) -> None:
    # Content decides (pipelines.pagekind inside extract_record), not the URL's shape nor the
    # registry's platform: a WARC from any tool, a portal that changed CMS, all import alike.
    try:
        record = extract_record(body, url, headers, portal=portal)
    except NotAnArticle:
        summary.counts["not_articles"] += 1
        return
    _id, status = archive_db.upsert_record(db, record, seen_at=seen_at, capture_id=capture_id, stories=stories,
                                           **(provenance or {}))
    summary.counts[f"articles_{status}"] += 1


def import_warc(db, archive_dir: Path, files: list[Path], progress=None) -> IngestSummary:
    """Ingest WARC files made by any tool. Files outside the archive directory are copied in
    (warc/imported/) so every capture row points at bytes the archive owns."""
    summary = IngestSummary()
    stories = StoryAssigner(db)
    archive_dir = Path(archive_dir).resolve()
    for path in files:
        path = Path(path).resolve()
        if archive_dir not in path.parents:
            path = _owned_copy(db, archive_dir, path)
        rel = str(path.relative_to(archive_dir))
        summary.counts["files"] += 1
        with open(path, "rb") as fh:
            iterator = ArchiveIterator(fh)
            records = iter(iterator)
            while True:
                try:
                    record = next(records)
                    summary.counts["records"] += 1
                    if progress:
                        progress()
                    if record.rec_type != "response":
                        stream = record.content_stream()
                        while stream.read(1 << 20):  # read through, chunk by chunk
                            pass
                        summary.counts["skipped_not_response"] += 1
                        continue
                    read = to_read_record(record)
                except StopIteration:
                    break
                except RecordTooLarge:
                    summary.counts["skipped_too_large"] += 1  # read through, kept nowhere
                    continue
                except _WARC_ERRORS as exc:
                    # warcio meets a cut or a foreign file: (some truncations raise AttributeError
                    # deep inside it) — one reason, and the records before it stay imported
                    summary.counts["malformed"] += 1
                    summary.changed.append({"file": str(path.name), "error": _reason(exc)})
                    break
                _ingest_response(db, stories, read, rel, iterator.get_record_offset(), summary)
        if not any(p.get("file") == path.name for p in summary.changed):
            complete, end = complete_gzip_end(path) if path.suffix == ".gz" else (True, 0)
            if not complete:
                # warcio stops quietly at some truncated gzip members: say so.
                summary.counts["malformed"] += 1
                summary.changed.append({"file": str(path.name),
                                        "error": f"truncated or corrupt after offset {end}; records before it were imported"})
    return summary


# What warcio raises on cut or foreign input (AttributeError and TypeError included: some
# truncation points fail inside its header parser).
_WARC_ERRORS = (ArchiveLoadFailed, OSError, EOFError, ValueError, zlib_error, AttributeError, TypeError, KeyError)


def _reason(exc: Exception) -> str:
    if isinstance(exc, (AttributeError, TypeError, KeyError)):
        return "a record's headers are cut short or not WARC; records before it were imported"
    return " ".join(str(exc).split())[:200] or type(exc).__name__


def _file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _owned_copy(db, archive_dir: Path, source: Path) -> Path:
    """The archive's own copy of a WARC file, known by its content (SHA-256), not its name: the same
    bytes are copied once however they are named, two files of one name are two files, and a copy
    is written under a temporary name and renamed only when complete (a copy cut short by a kill is
    never taken for the file)."""
    digest = _file_sha256(source)
    known = db.execute("select path from imported_warcs where sha256 = ?", [digest]).fetchone()
    if known and (archive_dir / known[0]).is_file():
        return archive_dir / known[0]
    target = archive_dir / "warc" / "imported" / f"{digest[:16]}-{safe_name(source.name)}"
    target.parent.mkdir(parents=True, exist_ok=True)
    if not target.is_file() or _file_sha256(target) != digest:
        partial = target.with_name(target.name + ".part")
        shutil.copyfile(source, partial)
        os.replace(partial, target)
    with db.atomic():
        db["imported_warcs"].upsert({"sha256": digest, "path": str(target.relative_to(archive_dir)),
                                     "source_name": source.name, "bytes": target.stat().st_size}, pk="sha256")
    return target


def _ingest_response(db, stories: StoryAssigner, read, rel: str, offset: int, summary: IngestSummary) -> None:
    content_type = next((v for k, v in read.headers.items() if k.lower() == "content-type"), "") or ""
    if not read.url or not read.url.startswith(("http://", "https://")):
        summary.counts["malformed"] += 1
        summary.changed.append({"file": Path(rel).name, "error": "a response with no http(s) WARC-Target-URI: not a web capture"})
        return
    if not any(t in content_type.lower() for t in HTML_TYPES) and not read.body.lstrip()[:15].lower().startswith((b"<!doctype html", b"<html")):
        summary.counts["skipped_not_html"] += 1
        return
    if read.status != 200:
        summary.counts["skipped_status"] += 1
        return
    named = read.warc_headers.get("WARC-Thanthien-Portal")
    portal = portal_of(read.url, named)
    seen_at = warc_date_to_iso(read.warc_date)
    # a Wayback snapshot recorded by `thanthien recover` keeps its provenance
    snapshot = read.warc_headers.get("WARC-Thanthien-Snapshot") if read.warc_headers.get("WARC-Thanthien-Source") == "wayback" else None
    existing = db.execute("select id from captures where warc_path = ? and warc_offset = ?", [rel, offset]).fetchone()
    capture_id = existing[0] if existing else archive_db.add_capture(db, {
        "url": read.url, "fetched_at": seen_at, "status": read.status, "content_type": content_type,
        "sha256": hashlib.sha256(read.body).hexdigest(), "warc_path": rel, "warc_offset": offset,
        "warc_length": None, "crawl_run_id": None, "portal": portal.name if portal else None,
        "etag": None, "last_modified": None, "source": "wayback" if snapshot else "import",
        **({"snapshot_timestamp": snapshot, "archive_url": read.warc_headers.get("WARC-Thanthien-Archive-URL")} if snapshot else {}),
    })
    summary.counts["html_responses"] += 1
    _store_article(db, stories, read.body, read.url, read.headers, portal, seen_at, capture_id, summary,
                   {"recovered_from": "wayback", "snapshot_date": timestamp_iso(snapshot)} if snapshot else None)


def _snapshot(db, article_id: int) -> tuple:
    row = db.execute("select title, published_date, author, source, body_text, is_launch_report, launch_score, event"
                     " from articles where id = ?", [article_id]).fetchone()
    units = {r[0] for r in db.execute("select unit from launches where article_id = ?", [article_id])}
    return row, units


def reprocess(db, archive_dir: Path, *, since: str | None = None, portal: str | None = None, progress=None) -> IngestSummary:
    """Re-run extraction on the latest 200 HTML capture of every URL, in place, without network."""
    summary = IngestSummary()
    clauses = ["status = 200", "(content_type like '%html%' or content_type is null)"]
    params: list = []
    if since:
        clauses.append("fetched_at >= ?")
        params.append(since)
    if portal:
        clauses.append("portal = ?")
        params.append(portal)
    captures = list(db.query(
        # the latest live capture of each URL; a Wayback snapshot only where no live one exists
        f"select * from captures where id in (select coalesce(max(case when coalesce(source, '') != 'wayback' then id end),"
        f" max(id)) from captures where {' and '.join(clauses)} group by url) order by id",
        params,
    ))
    stories = StoryAssigner(db)
    for capture in captures:
        if progress:
            progress()
        entry = portal_of(capture["url"], capture["portal"])
        try:
            read = read_record(archive_dir, capture["warc_path"], capture["warc_offset"])
        except (OSError, ValueError, ArchiveLoadFailed) as exc:
            summary.counts["unreadable_captures"] += 1
            summary.changed.append({"url": capture["url"], "error": str(exc)[:200]})
            continue
        summary.counts["captures"] += 1
        try:
            record = extract_record(read.body, read.url, read.headers, portal=entry or portal_for_url(read.url))
        except NotAnArticle:
            summary.counts["not_articles"] += 1
            continue
        existing = db.execute("select id from articles where canonical_url = ?", [record["canonical_url"]]).fetchone()
        before = _snapshot(db, existing[0]) if existing else (None, set())
        wayback = capture.get("source") == "wayback" and capture.get("snapshot_timestamp")
        article_id, status = archive_db.upsert_record(
            db, record, seen_at=capture["fetched_at"], capture_id=capture["id"], recovered_from="wayback" if wayback else None,
            snapshot_date=timestamp_iso(capture["snapshot_timestamp"]) if wayback else None, stories=stories)
        summary.counts[f"articles_{status}"] += 1
        after = _snapshot(db, article_id)
        if status not in ("unchanged", "kept_live"):
            summary.counts["launches_added"] += len(after[1] - before[1])
            summary.counts["launches_removed"] += len(before[1] - after[1])
            summary.changed.append({"url": record["url"], "status": status,
                                    "launches_added": sorted(after[1] - before[1]),
                                    "launches_removed": sorted(before[1] - after[1])})
    return summary


def changes_json(summary: IngestSummary) -> str:
    return json.dumps(summary.changed, ensure_ascii=False, indent=2)
