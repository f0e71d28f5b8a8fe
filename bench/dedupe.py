"""Near-duplicate benchmark: cluster N synthetic articles from scratch, then add one more.

    python bench/dedupe.py [--n 100000] [--processes 2] [--seed 7] [--adds 200]

Synthetic archive (deterministic for a seed). Articles come in *press series*: one district reporter
writes several launches (1 to 6 units of one district) from one template, so a series is a set of
template twins — same sentences, other unit, officials, numbers and often the same date. A
series' template is drawn from a pool of sentence templates with slots: the sentences of the eight
hand-written templates of ``tests/fixtures/make_dedupe_pairs.py`` and the sentences of the
simulator's articles, with their units, officials, board sizes, decision numbers and dates turned
into slots. A quarter of the articles are then republished 1-3 times with the edits of
``edited_copy`` (title/lead changes, reordering, paragraphs dropped or added, "(Theo …)", bylines,
tone variants, typos, NFD, entities…). Ground truth: a story is an article and its copies.

Measured: wall time and peak memory to index everything (``add_many``, signatures in a process
pool) and find the clusters (``clusters()``: LSH pairs, signature prefilter, exact check,
union-find); the index's own memory per article (``NearDuplicateIndex.memory_usage()``: every
array it holds, by component, apart from the texts) next to the process RSS; pairwise
precision/recall of the clusters against the truth; the time to analyze, check and add one more
article (median of ``--adds``: ``analyze`` once, then ``match_analysis`` and ``add_analysis``, as
``archive.stories`` does) and the cost of the periodic merge.
"""
from __future__ import annotations

import argparse
import functools
import os
import random
import re
import resource
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pipelines.dedupe import LSH_BANDS, LSH_ROWS, NUM_PERM, SHINGLE_K, NearDuplicateIndex, analyze  # noqa: E402
from tests.fixtures import make_dedupe_pairs as M  # noqa: E402


# ------------------------------------------------------------------------------ sentence pool
def _sentences(paragraph: str) -> list[str]:
    return [s for s in re.split(r"(?<=[.!?…])\s+(?=[A-ZĐÀ-Ỹ“{])", paragraph) if s]


def _templatize(article: dict) -> list[str]:
    """The simulator article's sentences with its facts turned into slots."""
    text = "\n".join(M.article_paragraphs(article)).replace("{", "(").replace("}", ")")
    event = article.get("event")
    if event:
        names = [u.split(" ", 1)[1] if not u.startswith("thị trấn") else u[len("thị trấn "):] for u in event["units"]]
        for name, slot in zip(names, ["{u}", "{nb1}", "{nb2}", "{nb2}"]):
            text = text.replace(name, slot)
        for official, slot in zip(event["officials"], ["{pbt}", "{tbdv}", "{pct}", "{ctx}", "{btx}"]):
            text = text.replace(official["name"], slot)
        if event.get("board_size"):
            text = re.sub(rf"\b{event['board_size']} thành viên", "{bs} thành viên", text)
            text = text.replace(f"{M.vn_number(event['board_size'])} thành viên", "{bs} thành viên")
        y, mo, d = (int(x) for x in event["event_date"].split("-"))
        text = re.sub(rf"\b0?{d}/0?{mo}\b", "{d}/{m}", text)
    text = re.sub(r"\b\d+/QĐ-UBND", "{qd}", text)
    # every other unit named becomes a neighbour slot: a series names its own district's units
    flip = iter(["{nb1}", "{nb2}"] * 1000)
    text = _OTHER_UNITS.sub(lambda m: next(flip), text)
    return [s for line in text.split("\n") for s in _sentences(line)]


_UNIT_NAMES = sorted({n for d in M.DISTRICTS for _, n in d["units"]}
                     | {u.split(" ", 1)[1] if not u.startswith("thị trấn") else u[len("thị trấn "):]
                        for a in M.ORIGINALS if a.get("event") for u in a["event"]["units"]}, key=len, reverse=True)
_OTHER_UNITS = re.compile(r"(?<![\w{])(?:" + "|".join(map(re.escape, _UNIT_NAMES)) + r")(?![\w}])")


@functools.lru_cache(maxsize=1)
def sentence_pool() -> dict[str, list[str]]:
    """Sentence templates by role: ``opening`` (names the unit, usually with the date),
    ``decision`` (board size, decision number or the unit's chairman) and ``other``."""
    pool = [s for template in M.TEMPLATES for p in template for s in _sentences(p)]
    for article in M.ORIGINALS:
        pool += _templatize(article)
    roles: dict[str, list[str]] = {"opening": [], "decision": [], "other": []}
    for sentence in dict.fromkeys(pool):
        if "{u}" in sentence and ("{d}/{m}" in sentence or "{buoi}" in sentence):
            roles["opening"].append(sentence)
        elif any(slot in sentence for slot in ("{bs}", "{qd}", "{ctx}")):
            roles["decision"].append(sentence)
        else:
            roles["other"].append(sentence)
    return roles


def series_template(rng: random.Random, pool: dict[str, list[str]]) -> list[str]:
    """A reporter's template for a series: an opening, a decision sentence and 10-18 others,
    in 4-7 paragraphs."""
    body = rng.sample(pool["other"], rng.randint(10, 18)) + rng.sample(pool["decision"], rng.randint(1, 2))
    rng.shuffle(body)
    sentences = [rng.choice(pool["opening"])] + body
    cuts = sorted(rng.sample(range(1, len(sentences)), rng.randint(3, 6)))
    return [" ".join(sentences[a:b]) for a, b in zip([0] + cuts, cuts + [len(sentences)])]


# -------------------------------------------------------------------------------- generation
GEN_CHUNK = 2_000


def generate(n: int, seed: int, processes: int = 1) -> tuple[list[str], list[int], list[int]]:
    """n texts, their story ids and their series ids: chunks of GEN_CHUNK articles, each from its
    own seed, so the result does not depend on the number of processes."""
    jobs = [(min(GEN_CHUNK, n - lo), seed * 1_000_003 + k) for k, lo in enumerate(range(0, n, GEN_CHUNK))]
    if processes > 1 and len(jobs) > 1:
        import multiprocessing

        with multiprocessing.get_context("fork").Pool(processes) as pool:
            parts = pool.map(_generate_chunk, jobs)
    else:
        parts = [_generate_chunk(job) for job in jobs]
    texts: list[str] = []
    story: list[int] = []
    series: list[int] = []
    for part_texts, part_story, part_series in parts:
        story_base, series_base = (story[-1] + 1, series[-1] + 1) if story else (0, 0)
        texts += part_texts
        story += [s + story_base for s in part_story]
        series += [s + series_base for s in part_series]
    return texts, story, series


def _generate_chunk(job: tuple[int, int]) -> tuple[list[str], list[int], list[int]]:
    """n texts, their story ids and their series ids (from 0), from one seed."""
    n, seed = job
    rng = random.Random(seed)
    pool = sentence_pool()
    texts: list[str] = []
    story: list[int] = []
    series: list[int] = []
    next_story = 0
    next_series = 0
    while len(texts) < n:
        district = rng.choice(M.DISTRICTS)
        base = M.district_fields(rng, district)
        template = series_template(rng, pool)
        size = 1 if rng.random() < 0.6 else rng.randint(2, 6)
        units = rng.sample(district["units"], min(size, len(district["units"])))
        day = (rng.randint(1, 28), rng.randint(1, 12))
        names = [u for _, u in district["units"]]
        for unit in units:
            fields = M.unit_fields(rng, district, base, unit, [x for x in names if x != unit[1]])
            if rng.random() < 0.6:
                fields.update(d=day[0], m=day[1])
            paras = M.fill(template, fields)
            texts.append("\n\n".join(paras))
            story.append(next_story)
            series.append(next_series)
            roll = rng.random()
            copies = 0 if roll < 0.75 else 1 if roll < 0.9 else 2 if roll < 0.97 else 3
            for _ in range(copies):
                text, _ = M.edited_copy(rng, paras, M.facts_of_fields(fields))
                texts.append(text)
                story.append(next_story)
                series.append(next_series)
            next_story += 1
        next_series += 1
    return texts[:n], story[:n], series[:n]


# ----------------------------------------------------------------------------------- metrics
def _rss_mb() -> float:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def _pairs(sizes) -> int:
    return sum(s * (s - 1) // 2 for s in sizes)


def pairwise_scores(clusters: list[list[int]], story: list[int], series: list[int]) -> dict:
    from collections import Counter

    true_pairs = _pairs(Counter(story).values())
    predicted = tp = twin_merges = 0
    for cluster in clusters:
        predicted += _pairs([len(cluster)])
        tp += _pairs(Counter(story[i] for i in cluster).values())
        by_series = Counter(series[i] for i in cluster)
        same_series = _pairs(by_series.values())
        twin_merges += same_series - _pairs(Counter(story[i] for i in cluster).values())
    return dict(true_pairs=true_pairs, predicted_pairs=predicted, true_positive_pairs=tp,
                precision=tp / predicted if predicted else 1.0, recall=tp / true_pairs if true_pairs else 1.0,
                twin_pairs_merged=twin_merges)


# -------------------------------------------------------------------------------------- main
def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100_000, help="articles in the synthetic archive")
    parser.add_argument("--processes", type=int, default=os.cpu_count() or 1, help="processes for signatures")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--adds", type=int, default=200, help="single additions to time after clustering")
    args = parser.parse_args()

    started = time.perf_counter()
    texts, story, series = generate(args.n + args.adds, args.seed, args.processes)
    extra, extra_story = texts[args.n:], story[args.n:]
    texts, story, series = texts[:args.n], story[:args.n], series[:args.n]
    gen_s = time.perf_counter() - started
    n_stories = len(set(story))
    print(f"synthetic archive: {len(texts):,} articles, {n_stories:,} stories, {len(set(series)):,} press series "
          f"({len(texts) - n_stories:,} republished copies), avg {sum(map(len, texts)) / len(texts):,.0f} chars; "
          f"generated in {gen_s:.1f} s")
    print(f"parameters: k={SHINGLE_K} word shingles, {NUM_PERM} permutations, LSH {LSH_BANDS}x{LSH_ROWS}, "
          f"{args.processes} process(es)")

    rss_before = _rss_mb()
    t0 = time.perf_counter()
    index = NearDuplicateIndex()
    index.add_many(enumerate(texts), processes=args.processes)
    t1 = time.perf_counter()
    rss_indexed = _rss_mb()
    stats: dict = {}
    clusters = index.clusters(min_size=2, stats=stats)
    t2 = time.perf_counter()
    rss_after = _rss_mb()
    peak_self = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    peak_children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"cluster from scratch: {t2 - t0:.1f} s  (index {t1 - t0:.1f} s = {(t1 - t0) / len(texts) * 1e3:.2f} ms/article"
          f" wall; clusters {t2 - t1:.1f} s)")
    print(f"  LSH candidate pairs {stats['candidate_pairs']:,}, after signature prefilter {stats['after_prefilter']:,}, "
          f"exact checks {stats['verified']:,}, merges {stats['merged']:,}, exact duplicates {stats['exact_duplicates']:,}")
    print(f"  memory: peak RSS {peak_self:,.0f} MB (process; {rss_before:,.0f} MB before indexing, of which the "
          f"synthetic texts; {rss_indexed:,.0f} MB after indexing, {rss_after:,.0f} MB after clustering), "
          f"workers peak {peak_children:,.0f} MB; RSS growth while indexing {(rss_indexed - rss_before) / len(texts) * 1024:.1f} "
          f"KB/article")
    usage = index.memory_usage()
    print(f"  index memory (accounted, all its arrays): {sum(usage.values()) / len(texts) / 1024:.2f} KB/article = "
          + " + ".join(f"{k} {v / len(texts):,.0f}" for k, v in sorted(usage.items(), key=lambda kv: -kv[1]))
          + " bytes")
    scores = pairwise_scores(clusters, story, series)
    found_stories = len(texts) - sum(len(c) - 1 for c in clusters)
    print(f"  clusters of >=2: {len(clusters):,}; stories found {found_stories:,} (true {n_stories:,})")
    print(f"  pairwise precision {scores['precision']:.4f}, recall {scores['recall']:.4f} "
          f"({scores['true_positive_pairs']:,}/{scores['predicted_pairs']:,} predicted, {scores['true_pairs']:,} true); "
          f"template-twin pairs merged: {scores['twin_pairs_merged']:,}")

    # one more article at a time: check it against the archive, then add it
    story_members: dict[int, set[int]] = {}
    for i, s in enumerate(story):
        story_members.setdefault(s, set()).add(i)
    analyze_ms, match_ms, add_ms, hits, expected = [], [], [], 0, 0
    for j, text in enumerate(extra):
        article_id = args.n + j
        t_start = time.perf_counter()
        analysis = analyze(text)
        ta = time.perf_counter()
        found = index.match_analysis(analysis)
        tb = time.perf_counter()
        index.add_analysis(article_id, analysis)
        tc = time.perf_counter()
        analyze_ms.append((ta - t_start) * 1e3)
        match_ms.append((tb - ta) * 1e3)
        add_ms.append((tc - tb) * 1e3)
        known = story_members.get(extra_story[j], set())
        if known:
            expected += 1
            hits += bool(known & {i for i, _ in found})
        story_members.setdefault(extra_story[j], set()).add(article_id)
    tm = time.perf_counter()
    index._merge()
    merge_s = time.perf_counter() - tm
    q = statistics.quantiles(match_ms, n=20) if len(match_ms) >= 20 else [max(match_ms)] * 19
    print(f"add one more article (median of {len(extra)}): analyze {statistics.median(analyze_ms):.2f} ms, "
          f"match {statistics.median(match_ms):.2f} ms (p95 {q[18]:.2f}), add {statistics.median(add_ms):.2f} ms; "
          f"copies recognised {hits}/{expected}; merge of the pending LSH keys {merge_s * 1e3:.0f} ms "
          f"(every {index.MERGE_EVERY} additions)")
    print(f"total wall time {time.perf_counter() - started:.1f} s")


if __name__ == "__main__":
    main()
