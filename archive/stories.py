"""Stories: one story however many portals republished it.

Each stored article is checked against the whole archive through the persisted MinHash index of
`pipelines.dedupe` (exact copies after boilerplate stripping, then near copies verified exactly and
guarded against press-template twins). A match joins the matched article's story; otherwise the
article starts its own. A story's canonical copy is the earliest published, ties broken by the most
complete record; its `event` merges what the copies say, the canonical copy first.
"""
from __future__ import annotations

import json
import logging

import sqlite_utils

from pipelines.dedupe import Analysis, NearDuplicateIndex, StaleIndex, analyze
from pipelines.record_schema import EVENT_FIELDS

logger = logging.getLogger(__name__)



def create_tables(db: sqlite_utils.Database) -> None:
    db["stories"].create(
        {"id": int, "canonical_article_id": int, "size": int, "first_published": str, "portals": str,
         "is_launch_report": int, "event": str},
        pk="id", if_not_exists=True,
    )


class StoryAssigner:
    """Holds the archive's near-duplicate index for one writer. The writer makes one and passes it
    to every store (`archive.db.upsert_record(..., stories=…)`): the crawl's StoryPipeline
    (`pipelines/scrapy_pipelines.py`; `archive/crawl.py` gives the crawlers of one run the same one,
    since each portal's crawler writes through its own connection but must see the others'
    articles), `import-warc` and `reprocess` (`archive/ingest.py`) and the distributed store
    (`archive/store_worker.py`). Nothing is kept per process: a second writer loads its own."""

    def __init__(self, db: sqlite_utils.Database):
        try:
            self.index = NearDuplicateIndex.from_db(db.conn)
        except StaleIndex as stale:
            self.index = _reanalyse(db, stale)

    def __deepcopy__(self, memo) -> "StoryAssigner":
        # Scrapy deep-copies the settings for each crawler; the crawlers of one run must share this
        # one index (archive/crawl.py sets it as THANTHIEN_STORIES), so a copy is the object itself.
        return self

    def __repr__(self) -> str:  # it is a setting of the crawl (THANTHIEN_STORIES): Scrapy logs it
        return f"<StoryAssigner: {len(self.index)} articles indexed>"

    def assign(self, db: sqlite_utils.Database, article_id: int, body_text: str, analysis: Analysis | None = None) -> int:
        """(Re)index one article and put it in its story. Call inside the article's transaction.
        `analysis` is `analyze(body_text)` when the caller made it already."""
        old_story = db.execute("select story_id from articles where id = ?", [article_id]).fetchone()[0]
        if article_id in self.index:
            self.index.remove(article_id)
        if analysis is None:
            analysis = analyze(body_text)  # once: the same analysis is matched, then indexed
        matches = self.index.match_analysis(analysis, exclude=article_id)
        self.index.add_analysis(article_id, analysis)
        story_id = None
        for other_id, _score in matches:
            row = db.execute("select story_id from articles where id = ?", [other_id]).fetchone()
            if row and row[0]:
                story_id = row[0]
                break
        if story_id is None:
            story_id = old_story if old_story and _story_size(db, old_story, exclude=article_id) == 0 else None
        if story_id is None:
            story_id = db["stories"].insert({"size": 1}).last_pk
        db.execute("update articles set story_id = ? where id = ?", [story_id, article_id])
        refresh_story(db, story_id)
        if old_story and old_story != story_id:
            refresh_story(db, old_story)
        return story_id

    def save(self, db: sqlite_utils.Database) -> None:
        self.index.save(db.conn)


def _reanalyse(db: sqlite_utils.Database, why: StaleIndex) -> NearDuplicateIndex:
    """Rebuild the stored index from the articles' text (the stories themselves are kept: a
    `thanthien reprocess` regroups them with the new analysis)."""
    count = db.execute("select count(*) from articles").fetchone()[0] if db["articles"].exists() else 0
    logger.warning("%s; re-analysing %d stored articles", why, count)
    index = NearDuplicateIndex()
    if count:
        index.add_many(db.execute("select id, body_text from articles order by id"))
    with db.atomic():  # the old index is replaced whole or not at all
        db.execute("DELETE FROM minhashes")
        db.execute("DELETE FROM dedupe_features")
        db.execute("DELETE FROM dedupe_meta")
        index.save(db.conn, full=True)
    return index


def _story_size(db, story_id: int, exclude: int | None = None) -> int:
    return db.execute("select count(*) from articles where story_id = ? and id != ?", [story_id, exclude or -1]).fetchone()[0]


def _completeness(row: dict) -> int:
    event = json.loads(row["event"]) if row["event"] else {}
    filled = sum(1 for k in ("title", "published_date", "author", "source", "body_text") if row[k])
    return filled + sum(1 for k in EVENT_FIELDS if event.get(k) not in (None, [], ""))


def refresh_story(db: sqlite_utils.Database, story_id: int) -> None:
    """Recompute a story's canonical copy, size, dates, portals and merged event from its copies."""
    copies = list(db.query("select * from articles where story_id = ?", [story_id]))
    if not copies:
        db.execute("delete from stories where id = ?", [story_id])
        return
    copies.sort(key=lambda r: (r["published_date"] or "9999", -_completeness(r), r["id"]))
    canonical = copies[0]
    merged = None
    for row in copies:
        if not row["event"]:
            continue
        event = json.loads(row["event"])
        if merged is None:
            merged = dict(event)
        else:  # a field the earlier copies leave empty comes from a later one
            for field in EVENT_FIELDS:
                if merged.get(field) in (None, [], "") and event.get(field) not in (None, [], ""):
                    merged[field] = event[field]
    db["stories"].upsert({
        "id": story_id, "canonical_article_id": canonical["id"], "size": len(copies),
        "first_published": canonical["published_date"],
        "portals": ",".join(sorted({r["portal"] or "" for r in copies})),
        "is_launch_report": int(any(r["is_launch_report"] for r in copies)),
        "event": json.dumps(merged, ensure_ascii=False) if merged else None,
    }, pk="id")
    db.execute("update articles set is_canonical = (id = ?) where story_id = ?", [canonical["id"], story_id])
