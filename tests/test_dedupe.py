"""Near-duplicate detection: normalization, shingles, MinHash, the template-twin rule, the LSH index,
its SQLite persistence, clustering, and the labelled pairs (tests/fixtures/dedupe_pairs.jsonl)."""
from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
import unicodedata
from pathlib import Path

import numpy as np
import pytest
from datasketch import MinHash

from pipelines import dedupe as D
from pipelines.dedupe import (
    NUM_PERM,
    NearDuplicateIndex,
    UnionFind,
    exact_key,
    is_same_story,
    minhash,
    normalize_for_dedupe,
    shingles,
)
from pipelines.text import clean_text
from portalsim.articles import ARTICLES

ROOT = Path(__file__).resolve().parents[1]
PAIRS = Path(__file__).resolve().parent / "fixtures" / "dedupe_pairs.jsonl"

MODEL = "“Chính quyền thân thiện, vì Nhân dân phục vụ”"


def report(unit="Trung Xuân", chair="Phạm Văn Định", size="11", date="27/10", decision="112/QĐ-UBND",
           guests="Trung Thượng, Trung Tiến", secretary="Lò Văn Quyết"):
    """A launch report from one press template: fill it twice with other facts for a template twin."""
    return "\n\n".join([
        f"Sáng ngày {date}, Ban Dân vận Huyện ủy Quan Sơn phối hợp với Đảng ủy xã {unit} tổ chức hội nghị ra mắt "
        f"mô hình {MODEL} năm 2023. Đây là đơn vị thứ hai trên địa bàn huyện triển khai mô hình.",
        f"Dự hội nghị có đồng chí Hà Văn Ban - Phó Bí thư Thường trực Huyện ủy; đồng chí Lê Thị Hiền - Phó Chủ "
        f"tịch UBND huyện; đại diện lãnh đạo các phòng, ban, ngành, đoàn thể huyện và lãnh đạo các xã {guests}.",
        f"Tại hội nghị, đồng chí {chair} - Chủ tịch UBND xã {unit} công bố Quyết định số {decision} về việc thành "
        f"lập Ban Chỉ đạo thực hiện mô hình gồm {size} thành viên; thông qua quy chế hoạt động và phân công nhiệm "
        f"vụ cụ thể cho từng thành viên.",
        "Theo kế hoạch, mô hình tập trung nâng cao chất lượng tiếp công dân, giải quyết thủ tục hành chính tại "
        "bộ phận một cửa, bảo đảm công khai, minh bạch, đúng hẹn. Cán bộ, công chức xã thực hiện phương châm "
        "“5 biết” và văn hóa giao tiếp “4 xin” khi tiếp xúc với Nhân dân.",
        f"Phát biểu chỉ đạo, đồng chí Hà Văn Ban đề nghị Đảng ủy, chính quyền xã {unit} xác định xây dựng mô hình là "
        "nhiệm vụ thường xuyên, lâu dài; người đứng đầu phải gương mẫu, nói đi đôi với làm.",
        f"Thay mặt Ban Chỉ đạo, đồng chí {secretary} - Bí thư Đảng ủy xã tiếp thu ý kiến chỉ đạo, cam kết thực hiện "
        f"mô hình thực chất, hiệu quả, góp phần xây dựng xã {unit} ngày càng phát triển.",
    ])


def article_text(article):
    return "\n\n".join(([article["lead"]] if article.get("lead") else []) + list(article["paragraphs"]))


def republished(text):
    """What the newspaper does to it: title line, entities, old tone placement, "(Theo …)", a byline."""
    paragraphs = text.split("\n\n")
    paragraphs.insert(0, f"Quan Sơn: Ra mắt mô hình {MODEL} tại xã Trung Xuân")
    body = "\n\n".join(paragraphs).replace("Hóa", "Hoá").replace("“", "&ldquo;").replace(", ", ",\u00a0", 3)
    return body + "\n\n(Theo Báo Thanh Hóa)\n\nThanh Hương"


# --- normalization ------------------------------------------------------------------------------------

def test_normalize_folds_and_collapses():
    text = "  Đảng ủy xã  TRUNG Xuân\u00a0tổ chức\t&ldquo;Hội nghị&rdquo; Hoá\n\n\nra mắt.  "
    assert normalize_for_dedupe(text) == "dang uy xa trung xuan to chuc hoi nghi hoa ra mat"
    assert normalize_for_dedupe(unicodedata.normalize("NFD", text)) == normalize_for_dedupe(text)
    assert normalize_for_dedupe("tỉnh Thanh Hóa") == normalize_for_dedupe("tỉnh Thanh Hoá") == "tinh thanh hoa"
    assert normalize_for_dedupe("Thanh Hoá") == ""  # alone, a 2-word capitalised line reads as a byline
    assert normalize_for_dedupe("") == ""


@pytest.mark.parametrize("boilerplate", [
    "(Theo Báo Thanh Hóa)",
    "Theo Cổng TTĐT huyện Quan Sơn",
    "Nguồn: Ban Dân vận Huyện ủy Quan Sơn",
    "Tin, ảnh: Minh Hằng",
    "Tin và ảnh: Lê Hương",
    "Ảnh: Hà Thu",
    "Kim Chung",                                     # a byline alone on the last line
    "H'Yâm Niê",
    "Nguyễn Thị Mai Phương",
    "Kim Chung\n\nTrung tâm VHTTTT&DL huyện Quan Sơn",  # byline then the credited unit
])
def test_normalize_drops_boilerplate(boilerplate):
    body = "Sáng 17/3, xã Trung Thượng tổ chức hội nghị ra mắt mô hình.\n\nCán bộ thực hiện “5 biết”."
    assert normalize_for_dedupe(body + "\n\n" + boilerplate) == normalize_for_dedupe(body)


def test_normalize_drops_inline_credits_but_keeps_sentences():
    assert normalize_for_dedupe("Xã ra mắt mô hình. (Theo Báo Thanh Hóa)") == "xa ra mat mo hinh"
    assert normalize_for_dedupe("Toàn cảnh hội nghị. Ảnh: Lê Hương\nCác đại biểu (Ảnh: Hà Thu) dự.") == \
        "toan canh hoi nghi cac dai bieu du"
    # a sentence that starts with "Theo", a long last line, a name inside the text: all kept
    kept = "Theo Kế hoạch số 120-KH/HU, xã triển khai mô hình.\n\nĐồng chí Hà Văn Ban phát biểu"
    assert normalize_for_dedupe(kept) == "theo ke hoach so 120-kh/hu xa trien khai mo hinh dong chi ha van ban phat bieu"
    assert normalize_for_dedupe("Xã ra mắt.\n\nNhà văn hóa thôn Bản Lầm") .endswith("nha van hoa thon ban lam")
    assert normalize_for_dedupe("Kim Chung\n\nXã ra mắt.") == "kim chung xa ra mat"  # only a trailing byline


def test_fast_clean_equals_clean_text():
    texts = [article_text(a) for a in ARTICLES]
    texts += ["m&acirc;\u0303u", "\u00d0ảng ủy", "a\tb  c\u00a0d\u2009e", "  x \n\n y  ", "", "&amp;lt;", "Ð"]
    for pair in _pairs()[:40]:
        texts += [pair["a"], pair["b"]]
    for text in texts:
        assert D._clean(text) == clean_text(text)


def test_exact_key():
    text = report()
    key = exact_key(text)
    assert len(key) == 64 and int(key, 16) >= 0
    assert exact_key(unicodedata.normalize("NFD", text)) == key
    assert exact_key(text.replace("“", "&ldquo;").replace("Hóa", "Hoá") + "\n\n(Theo Báo Thanh Hóa)") == key
    assert exact_key(text + "\n\nMinh Hằng") == key
    assert exact_key(report(unit="Trung Hạ")) != key


# --- shingles and MinHash -----------------------------------------------------------------------------

def test_shingles():
    assert shingles("Một hai ba bốn năm sáu", k=5) == {"mot hai ba bon nam", "hai ba bon nam sau"}
    assert shingles("Ra mắt", k=5) == {"ra mat"}
    assert shingles("", k=5) == set()
    words = normalize_for_dedupe(report()).split()
    assert len(shingles(report())) <= len(words) - D.SHINGLE_K + 1
    assert shingles(report(), k=3) != shingles(report(), k=5)


def test_shingle_hashes_match_shingles():
    text = report()
    ids = D._words(D._content_lines(text)).word_ids()
    assert len(D._shingle_hashes(ids)) == len(shingles(text))  # one hash per distinct shingle here


def test_minhash_is_datasketch_and_matches_update_batch():
    text = report()
    m = minhash(text)
    assert isinstance(m, MinHash) and len(m.hashvalues) == NUM_PERM
    hashes = D._shingle_hashes(D._words(D._content_lines(text)).word_ids())
    reference = MinHash(num_perm=NUM_PERM, seed=D.MINHASH_SEED, hashfunc=D._identity_hash, scheme=D.MINHASH_SCHEME)
    reference.update_batch(hashes.tolist())
    assert np.array_equal(m.hashvalues, reference.hashvalues)
    # the estimate follows the exact Jaccard of the shingle sets
    copy = republished(text)
    a, b = shingles(text), shingles(copy)
    exact = len(a & b) / len(a | b)
    assert abs(m.jaccard(minhash(copy)) - exact) < 0.15
    assert minhash(text).jaccard(minhash(text)) == 1.0


# --- same story or not ------------------------------------------------------------------------------

def test_republished_copy_is_same_story():
    same, score, reason = is_same_story(report(), republished(report()))
    assert same and score > 0.8 and reason.startswith("near-duplicate"), reason
    assert is_same_story(report(), unicodedata.normalize("NFD", report())) == (True, 1.0, "exact: same normalized body")


def test_copy_with_paragraph_dropped_added_and_reordered():
    paragraphs = report().split("\n\n")
    edited = [f"Ngày 27/10, xã Trung Xuân (huyện Quan Sơn) đã tổ chức ra mắt mô hình {MODEL}."] + paragraphs[1:4] \
        + ["Mô hình được tỉnh Thanh Hóa triển khai từ năm 2020, là một trong những mô hình “Dân vận khéo” tiêu biểu."] \
        + [" ".join(reversed(paragraphs[4].split("; ")))]
    same, score, reason = is_same_story(report(), "\n\n".join(edited))
    assert same, reason


@pytest.mark.parametrize("other, why", [
    (dict(unit="Trung Hạ", chair="Lang Văn Hùng", secretary="Vi Văn Toản"), "units differ"),
    # each names the other among the guests: units counted, the principal ones differ
    (dict(unit="Trung Thượng", guests="Trung Xuân, Trung Tiến", chair="Lang Văn Hùng"), "units differ"),
    (dict(size="13"), "board size differs"),
    (dict(size="mười ba"), "board size differs"),
    (dict(date="28/10"), "event date differs"),
    (dict(chair="Lang Văn Hùng", decision="27/QĐ-UBND", secretary="Vi Văn Toản"), "template slots"),
])
def test_template_twins_are_different_stories(other, why):
    same, score, reason = is_same_story(report(), report(**other))
    assert not same
    assert score > 0.5  # textually they are near-duplicates: only the rule separates them
    assert why in reason, reason


def test_same_board_size_in_words_and_digits_agrees():
    assert is_same_story(report(size="mười một"), republished(report(size="11")))[0]


def test_unrelated_reports_and_empty_bodies():
    launches = [article_text(a) for a in ARTICLES if a["is_launch_report"]]
    same, score, reason = is_same_story(launches[0], launches[1])
    assert not same and score < 0.2 and reason.startswith("different text")
    assert is_same_story("", "") == (False, 0.0, "empty body")


def test_features_of_a_seed_like_report():
    f = D.analyze(report(guests="Sơn Hà, Sơn Điện và Tam Lư")).features
    assert next(iter(f.units)) == "trung xuan"
    assert f.principal_units() == {"trung xuan"}
    assert {"son ha", "son dien", "tam lu"} <= set(f.units)
    assert f.board == (11,) and f.first_date == 1027
    # the board sizes are the event's reader's (pipelines.vn.boards): words, ranges, typos
    assert D.analyze("Ban Chỉ đạo có mười ba thành viên.").features.board == (13,)
    assert D.analyze("Ban Chỉ đạo mỗi xã có từ 9 đến 11 thành viên.").features.board == ()  # a rule, no size
    assert D.analyze("Ban Chỉ đạo gồm mừi hai thành viên.").features.board == ()  # a typo in "mười": no guess


# --- the index --------------------------------------------------------------------------------------

def _corpus():
    texts = {1: report(), 2: republished(report()), 3: report(unit="Trung Hạ", chair="Lang Văn Hùng"),
             4: report(unit="Trung Thượng", guests="Trung Xuân, Trung Tiến", chair="Vi Văn Toản", size="13")}
    for i, article in enumerate(a for a in ARTICLES if a.get("story", a["key"]) == a["key"]):
        texts[100 + i] = article_text(article)
    return texts


def test_index_candidates_and_match():
    index = NearDuplicateIndex()
    for article_id, text in _corpus().items():
        index.add(article_id, text)
    query = republished(report()).replace("Thanh Hương", "Kim Chung")
    candidates = index.candidates(query)
    assert {1, 2} <= set(candidates)
    assert 3 in candidates                       # the twin is a candidate …
    matches = index.match(query)
    assert [m[0] for m in matches] == [2, 1] or [m[0] for m in matches] == [1, 2]   # … but not a match
    assert all(0 < score <= 1 for _, score in matches)
    assert index.match(query, exclude=1) == [m for m in matches if m[0] != 1]
    assert index.match(report(unit="Trung Tiến", chair="Hà Văn Minh")) == []
    explained = dict((i, (same, reason)) for i, same, _, reason in index.explain(report(unit="Trung Tiến")))
    assert not explained[1][0] and "units differ" in explained[1][1]


def test_incremental_add_and_replace():
    index = NearDuplicateIndex()
    index.add_many(list(_corpus().items()))
    assert len(index) == len(_corpus())
    # a new article is checked against everything, then added; buffered additions are found too
    new = republished(report(unit="Trung Hạ", chair="Lang Văn Hùng"))
    assert [m[0] for m in index.match(new)] == [3]
    index.add(5, new)
    assert {m[0] for m in index.match(new)} == {3, 5}
    # enough additions to fold the buffer into the sorted arrays
    for i in range(1100):
        index.add(10_000 + i, f"Tin số {i}: xã Trung Xuân tổ chức hội nghị lần thứ {i} về nội dung {i * 7}.")
    assert index._n_sorted > 0 and {m[0] for m in index.match(new)} == {3, 5}
    # re-adding an id replaces its text
    index.add(5, report(unit="Na Mèo", chair="Hà Văn Thái"))
    assert [m[0] for m in index.match(new)] == [3]
    index.remove(3)
    assert index.match(new) == [] and 3 not in index


def test_add_many_in_processes_equals_serial():
    items = list(_corpus().items())
    serial, pooled = NearDuplicateIndex(), NearDuplicateIndex()
    serial.add_many(items)
    pooled.add_many(items, processes=2, chunksize=7)
    for article_id, _ in items:
        assert np.array_equal(serial.analysis(article_id).signature, pooled.analysis(article_id).signature)
        assert np.array_equal(serial.analysis(article_id).shingles, pooled.analysis(article_id).shingles)
    assert serial.clusters() == pooled.clusters()


def test_persistence_round_trip(tmp_path):
    corpus = _corpus()
    index = NearDuplicateIndex()
    index.add_many(list(corpus.items()))
    conn = sqlite3.connect(tmp_path / "archive.db")
    assert index.save(conn) == len(corpus)
    columns = {row[1]: (row[2], row[5]) for row in conn.execute("PRAGMA table_info(minhashes)")}
    assert columns == {"article_id": ("INTEGER", 1), "hashvalues": ("BLOB", 0)}
    blob = conn.execute("SELECT hashvalues FROM minhashes WHERE article_id = 1").fetchone()[0]
    assert len(blob) == 4 * NUM_PERM
    assert np.array_equal(np.frombuffer(blob, dtype="<u4"), minhash(corpus[1]).hashvalues)
    conn.close()

    conn = sqlite3.connect(tmp_path / "archive.db")
    loaded = NearDuplicateIndex.from_db(conn)
    assert sorted(loaded.ids()) == sorted(corpus)
    query = republished(report())
    assert loaded.match(query) == index.match(query)
    assert loaded.clusters() == index.clusters()
    assert np.array_equal(loaded.minhash_of(4).hashvalues, index.minhash_of(4).hashvalues)
    # incremental: only the new article is written, a removed one is deleted
    loaded.add(7, republished(report(unit="Trung Hạ", chair="Lang Văn Hùng")))
    loaded.remove(100)
    assert loaded.save(conn) == 1
    count = conn.execute("SELECT COUNT(*) FROM minhashes").fetchone()[0]
    assert count == len(corpus)  # +7, -100
    again = NearDuplicateIndex().load(conn)
    assert 7 in again and 100 not in again and {m[0] for m in again.match(corpus[3])} == {3, 7}
    # parameters are checked
    conn.execute("UPDATE dedupe_meta SET value = '64' WHERE key = 'num_perm'")
    with pytest.raises(ValueError, match="rebuild"):
        NearDuplicateIndex().load(conn)
    assert len(NearDuplicateIndex().load(sqlite3.connect(tmp_path / "empty.db"))) == 0


def test_clusters_union_find():
    index = NearDuplicateIndex()
    texts = {1: report(), 2: republished(report()), 3: report() + "\n\nLê Hương",
             4: report(unit="Trung Hạ", chair="Lang Văn Hùng"), 5: republished(report(unit="Trung Hạ", chair="Lang Văn Hùng")),
             6: report(unit="Tam Lư", chair="Cầm Bá Thanh", size="9"), 7: article_text(ARTICLES[0])}
    index.add_many(list(texts.items()))
    stats = {}
    assert index.clusters(stats=stats) == [[1, 2, 3], [4, 5]]
    assert stats["exact_duplicates"] == 1
    assert sorted(map(len, index.clusters(min_size=1))) == [1, 1, 2, 3]


def test_cannot_link_keeps_twins_apart():
    """A copy that lost its names matches two twins; the clusters must not join through it."""
    a = report(guests="lân cận")
    b = report(guests="lân cận", unit="Trung Hạ", chair="Lang Văn Hùng", secretary="Vi Văn Toản", decision="27/QĐ-UBND")
    stripped = (a.replace("xã Trung Xuân", "xã").replace(" Phạm Văn Định", "").replace(" Lò Văn Quyết", "")
                .replace(" số 112/QĐ-UBND", ""))
    assert is_same_story(stripped, a)[0] and is_same_story(stripped, b)[0]
    assert "units differ" in is_same_story(a, b)[2]
    index = NearDuplicateIndex()
    index.add_many([(1, a), (2, b), (3, stripped)])
    stats = {}
    clusters = index.clusters(stats=stats)
    assert len(clusters) == 1 and 3 in clusters[0] and not {1, 2} <= set(clusters[0])
    assert stats["blocked_by_cannot_link"] == 1


def test_union_find():
    uf = UnionFind()
    uf.union(1, 2)
    uf.union(3, 4)
    uf.union(2, 4)
    uf.find(5)
    assert sorted(map(sorted, uf.groups())) == [[1, 2, 3, 4], [5]]
    assert not uf.union(1, 3)


# --- the labelled pairs ---------------------------------------------------------------------------

def _pairs():
    return [json.loads(line) for line in PAIRS.read_text(encoding="utf-8").splitlines()]


def test_labelled_set_shape():
    pairs = _pairs()
    kinds = {}
    for p in pairs:
        kinds[p["kind"]] = kinds.get(p["kind"], 0) + 1
        assert p["same"] == (p["kind"] == "edited_copy")
        assert p["a"] and p["b"], p["id"]
        # texts differ, except a simulator republication copied word for word (an edited copy with no edit)
        assert p["a"] != p["b"] or p["kind"] == "edited_copy", p["id"]
    assert len(pairs) >= 120
    assert kinds["edited_copy"] >= 60 and kinds["template_twin"] >= 40 and kinds["unrelated_same_topic"] >= 10


def test_labelled_set_evaluation():
    pairs = _pairs()
    results = {"edited_copy": [], "template_twin": [], "unrelated_same_topic": []}
    for p in pairs:
        same, score, reason = is_same_story(p["a"], p["b"])
        results[p["kind"]].append((same, score, reason, p["id"]))
    copies, twins, unrelated = results["edited_copy"], results["template_twin"], results["unrelated_same_topic"]
    tp = sum(s for s, *_ in copies)
    fp = sum(s for s, *_ in twins) + sum(s for s, *_ in unrelated)
    recall = tp / len(copies)
    precision = tp / (tp + fp) if tp + fp else 1.0
    twin_precision = 1 - sum(s for s, *_ in twins) / len(twins)
    print(f"\nlabelled pairs: {len(pairs)} ({len(copies)} edited copies, {len(twins)} template twins, "
          f"{len(unrelated)} unrelated same-topic)")
    print(f"precision {precision:.3f} (no twin judged same: {twin_precision:.3f}), recall on edited copies {recall:.3f}")
    print(f"jaccard of copies: min {min(s for _, s, *_ in copies):.2f}; of twins: {min(s for _, s, *_ in twins):.2f}"
          f"-{max(s for _, s, *_ in twins):.2f}; of unrelated: max {max(s for _, s, *_ in unrelated):.2f}")
    assert not [r for r in twins if r[0]], "a template twin was judged the same story"
    assert not [r for r in unrelated if r[0]]
    assert recall >= 0.95, [r for r in copies if not r[0]]


def test_labelled_set_through_the_index():
    """The same copies found the way the pipeline finds them: LSH candidates, then verification."""
    pairs = _pairs()
    index = NearDuplicateIndex()
    index.add_many([(i, p["a"]) for i, p in enumerate(pairs)])
    found = wrong = 0
    for i, p in enumerate(pairs):
        matched = {article_id for article_id, _ in index.match(p["b"])}
        if p["same"]:
            found += i in matched
        else:
            wrong += i in matched
    copies = sum(p["same"] for p in pairs)
    print(f"\nindex: {found}/{copies} copies found, {wrong} twins/unrelated matched")
    assert wrong == 0 and found / copies >= 0.95


def test_pair_generator_is_deterministic():
    sys.path.insert(0, str(PAIRS.parent))
    import make_dedupe_pairs

    first, second = make_dedupe_pairs.make_pairs(3), make_dedupe_pairs.make_pairs(3)
    assert first == second
    assert make_dedupe_pairs.make_pairs(4) != first


def test_benchmark_smoke():
    result = subprocess.run([sys.executable, "bench/dedupe.py", "--n", "3000", "--adds", "20"], cwd=ROOT,
                            capture_output=True, text=True, timeout=240)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "cluster from scratch" in result.stdout and "pairwise precision" in result.stdout


def test_index_memory_per_article():
    """The index holds numpy arrays only (no Python object per article): what it accounts for is
    what tracemalloc sees, and per article it is the exact-check data (shingle hashes, slot
    pairs) plus a fixed ~0.8 KB (LSH keys and rows, signature bytes, features, key, id)."""
    import tracemalloc

    sys.path.insert(0, str(ROOT))
    from bench.dedupe import generate

    texts, _story, _series = generate(2000, 3)
    analyses = [(i, D.analyze(text)) for i, text in enumerate(texts)]
    n = len(analyses)
    floor = sum(4 * len(a.shingles) + 8 * len(a.features.slots) for _, a in analyses) / n
    tracemalloc.start()
    try:
        before = tracemalloc.take_snapshot()
        index = NearDuplicateIndex()
        index.add_analyses(analyses)
        traced = tracemalloc.get_traced_memory()[0]
        blocks = sum(d.count_diff for d in tracemalloc.take_snapshot().compare_to(before, "filename"))
    finally:
        tracemalloc.stop()
    usage = index.memory_usage()
    per_article = sum(usage.values()) / n
    print(f"\nindex memory: {per_article:,.0f} bytes/article (exact-check data {floor:,.0f}); "
          + ", ".join(f"{k} {v / n:,.0f}" for k, v in usage.items()))
    assert abs(traced - sum(usage.values())) < 0.05 * traced   # the accounting misses nothing
    assert blocks < n / 4                                      # no object per article
    assert per_article < floor + 900
    assert per_article < 3.9 * 1024                            # was ~7.2 KB with per-article objects
    assert usage["lsh_sorted"] == n * D.LSH_BANDS * 8          # uint32 key + int32 row per band
    # and it still finds what it found
    assert len(index) == n and sorted(index.ids()) == list(range(n))
    copy = D.analyze(texts[1])
    assert (1, 1.0) in index.match_analysis(copy)


def test_replaced_articles_are_compacted_away():
    """Re-adding every article (a re-analysed archive) must not keep the old versions' data."""
    index = NearDuplicateIndex()
    corpus = _corpus()
    index.add_many(list(corpus.items()))
    filler = {20_000 + i: f"Tin số {i}: xã Trung Xuân tổ chức hội nghị lần thứ {i} về nội dung {i * 7} năm {i % 50}."
              for i in range(1100)}
    index.add_many(list(filler.items()))
    before = sum(index.memory_usage().values())
    for article_id, text in filler.items():            # replaced one by one, as StoryAssigner does
        index.remove(article_id)
        index.add(article_id, text + " Cập nhật.")
    index.add(30_000, republished(report()))
    index._merge()
    assert index._n == len(index) == len(corpus) + 1101   # the 1,100 dead rows are gone
    assert sum(index.memory_usage().values()) < 1.5 * before
    assert sorted(index.ids()) == sorted([*corpus, *filler, 30_000])
    assert {m[0] for m in index.match(republished(report()))} == {1, 2, 30_000}
    assert index.analysis(20_005).key == D.analyze(filler[20_005] + " Cập nhật.").key
    assert [1, 2, 30_000] in index.clusters()
