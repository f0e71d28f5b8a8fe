"""Search at scale: a synthetic archive of N articles served by the real Datasette, timed over HTTP.

    python bench/search.py --n 20000                       # quick run (temporary file, deleted)
    python bench/search.py --n 1000000 --db /tmp/bench-1m/thanthien.db --keep
    python bench/search.py --db /tmp/bench-1m/thanthien.db --repeat 50   # reuse a built file
    python bench/search.py --db FILE --proposals           # also time the proposed query changes

1. Build. `archive.db.open_db` creates the product's schema (tables, indexes, views, the FTS5
   `articles_fts` with `unicode61 remove_diacritics 2`); then rows go in directly with executemany
   in big transactions (upsert_record is far too slow for 10^6), into the tables and columns a
   stored article fills: portals, crawl_runs, articles (with article_key, story_id, is_canonical),
   stories, launches (gazetteer columns from vietnamadminunits' own dataset), officials,
   article_officials, slogans, article_slogans, documents, article_documents, and articles_fts
   (rowid = articles.id, `fold(title)`, `fold(body_text)`, as upsert_record writes it). Text is
   recombined from the simulator's articles (portalsim/articles.py), with their communes,
   districts, provinces and officials turned into slots filled from the pre-2025 gazetteer; ~20 %
   are launch reports (1-3 units each), ~3 % are republished copies (is_canonical = 0). Not
   filled: captures and the near-duplicate index tables (not read by any page timed here).
   Generation runs in a second process while the first writes. The build goes to FILE.building,
   renamed when whole; journal mode is WAL at the end, as the product leaves it.
2. Serve. The command `thanthien serve` runs (archive.publish: checkpoint, ensure_views,
   datasette_command — the same metadata, settings, --immutable and the thanthien plugin), on
   127.0.0.1 and a free port; waits until it answers.
3. Time. Over HTTP (httpx, one keep-alive client), warm-up then --repeat requests per operation
   cycling through the queries: (a) the articles table `_search` (JSON), (b) the ranked canned
   query `search` (JSON), (c) the plugin's /-/search page, (d) the province facet on
   launch_events (JSON), (e) the full CSV stream of launch_events (total seconds and rows).
   `--proposals` also times proposed SQL through the same server's /db.json?sql= endpoint.
4. Report a table of p50/p95 against the targets (search p95 < 100 ms, facet p95 < 200 ms).
"""
from __future__ import annotations

import argparse
import hashlib
import json
import multiprocessing
import os
import random
import re
import shutil
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import quote, urlencode

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from archive import db as archive_db  # noqa: E402
from archive import permalink, publish  # noqa: E402
from archive.datasette.plugin import escape_fts_folded  # noqa: E402
from pipelines.text import fold  # noqa: E402

CHUNK = 10_000  # articles per generated chunk (one transaction per chunk)
SEED = 7

QUERIES = [
    "ra mắt",                      # in most articles
    "ra mat",                      # the same, typed without diacritics
    "dang uy",
    "chính quyền thân thiện",      # four words, AND
    '"ra mắt mô hình"',            # a phrase
    "quy*",                        # a prefix
    "Trung Xuân",                  # a commune name (several communes of that name)
    "Ea Kênh",                     # a rarer commune name
]
SEARCH_TARGET_MS, FACET_TARGET_MS = 100.0, 200.0


# ------------------------------------------------------------------------------ vocabulary
def _places():
    """Every pre-2025 ward of vietnamadminunits' dataset with its district, province, codes and centroid."""
    import vietnamadminunits

    path = os.path.join(os.path.dirname(vietnamadminunits.__file__), "data", "dataset.db")
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as conn:
        rows = conn.execute(
            "select wardType, wardShort, ward, wardCode, wardLat, wardLon, districtType, districtShort, districtCode,"
            " districtShortKey, provinceShort, provinceCode, provinceShortKey from admin_units_legacy"
            " where wardShort is not null and districtShort is not null").fetchall()
    places = []
    for wt, ws, ward, wcode, lat, lon, dt, ds, dcode, dkey, ps, pcode, pkey in rows:
        places.append({
            "unit": f"{wt.lower()} {ws}", "unit_short": ws, "unit_type": wt.lower(), "unit_name": ward, "unit_code": wcode,
            "lat": lat, "lon": lon, "district": f"{dt.lower()} {ds}", "district_short": ds, "district_code": dcode,
            "province": ps, "province_code": pcode, "portal": f"bench-{pkey}-{dkey}",
        })
    return places


SURNAMES = "Nguyễn Trần Lê Phạm Hoàng Vũ Võ Đặng Bùi Đỗ Hồ Ngô Dương Lý Hà Lò Lương Lang Vi Cầm Y H'".split()
MIDDLES = "Văn Thị Hữu Đức Minh Thanh Bá Xuân Ngọc Quang Công Đình Kim".split()
GIVENS = ("Ban Hiền Định Thịnh Toản Hùng Hoa Tuân Lan Nam Bình Cường Dũng Hải Hạnh Hương Khánh Linh Long Mai Phong "
          "Phúc Quân Sơn Tâm Thắng Thảo Trung Tú Tuấn Vân Việt Yến Điệp Kênh Lực Nhung").split()


def _templates():
    """Sentence-level templates from the simulator's articles, their places and officials turned into slots."""
    from portalsim.articles import ARTICLES

    portal_place = {}
    for a in ARTICLES:
        if a.get("event") and a["event"].get("district"):
            portal_place.setdefault(a["portal"], (a["event"]["district"], a["event"].get("province")))
    titles = {True: [], False: []}
    paragraphs = {True: [], False: []}
    sentences = []
    official_titles, slogans, documents = set(), set(), set()
    for a in ARTICLES:
        event = a.get("event") or {}
        subs = []
        for i, unit in enumerate(event.get("units") or []):
            subs.append((unit, f"\x01U{i}\x01"))
            subs.append((archive_short(unit), f"\x01S{i}\x01"))
        for i, official in enumerate(event.get("officials") or []):
            subs.append((official["name"], f"\x01O{i}\x01"))
            if official.get("title"):
                official_titles.add(official["title"])
        slogans.update(event.get("slogans") or [])
        documents.update(event.get("documents") or [])
        district, province = event.get("district"), event.get("province")
        if not district and a["portal"] in portal_place:
            district, province = portal_place[a["portal"]]
        if district:
            subs += [(district, "\x01D\x01"), (archive_short(district), "\x01d\x01")]
        if province:
            subs.append((province, "\x01P\x01"))
        subs.sort(key=lambda s: -len(s[0]))

        def slot(text, subs=subs):
            for name, token in subs:
                text = text.replace(name, token)
            return text

        launch = bool(a.get("is_launch_report"))
        titles[launch].append(slot(a["title"]))
        paras = [slot(p) for p in ([a["lead"]] if a.get("lead") else []) + a["paragraphs"]]
        paragraphs[launch].append(paras)
        for p in paras:
            sentences += [s for s in re.split(r"(?<=[.;!?])\s+", p) if len(s) > 30]
    return {"titles": titles, "paragraphs": paragraphs, "sentences": sentences,
            "official_titles": sorted(official_titles), "slogans": sorted(slogans), "documents": sorted(documents)}


def archive_short(name: str) -> str:
    from pipelines.gazetteer import short_name

    return short_name(name)


_VOCAB: dict = {}


def _vocab():
    if not _VOCAB:
        places = _places()
        by_district: dict[str, list] = {}
        for p in places:
            by_district.setdefault(p["portal"], []).append(p)
        focus = [p for p in places if p["province"] in ("Thanh Hóa", "Đắk Lắk")]
        _VOCAB.update(places=places, focus=focus, by_district=by_district, **_templates())
    return _VOCAB


def _fill(text: str, slots: dict) -> str:
    if "\x01" not in text:
        return text
    return re.sub(r"\x01(\w+)\x01", lambda m: slots.get(m.group(1), slots["U0"]), text)


def _person(rng) -> str:
    return f"{rng.choice(SURNAMES)} {rng.choice(MIDDLES)} {rng.choice(GIVENS)}"


def gen_chunk(spec):
    """Rows of articles start..start+count-1 (ids), deterministic for (seed, start)."""
    start, count, seed = spec
    v = _vocab()
    rng = random.Random(seed * 1_000_003 + start)
    day0, days = date(2019, 1, 1), (date(2025, 6, 30) - date(2019, 1, 1)).days
    seen = "2025-07-01T00:00:00+00:00"
    out = {"articles": [], "fts": [], "launches": [], "officials": [], "slogans": [], "documents": [], "stories": []}
    prev = None
    for article_id in range(start, start + count):
        if prev and rng.random() < 0.03:  # a republished copy of the previous article on a neighbouring portal
            place = rng.choice(v["by_district"][prev["place"]["portal"]])
            portal = rng.choice([p for p in v["by_district"] if p.split("-")[1] == prev["place"]["portal"].split("-")[1]])
            title, body, launch, event = prev["title"], prev["body"], prev["launch"], prev["event"]
            story_id, canonical = prev["story_id"], 0
            published = prev["published"]
            units = prev["units"]
            prev["story"][2] += 1
            prev["story"][4] = ",".join(sorted(set(prev["story"][4].split(",")) | {portal}))
        else:
            place = rng.choice(v["focus"]) if rng.random() < 0.5 else rng.choice(v["places"])
            portal = place["portal"]
            launch = rng.random() < 0.2
            district_units = v["by_district"][portal]
            n_units = 1 if not launch else rng.choices([1, 2, 3], [80, 12, 8])[0]
            units = [place] + rng.sample(district_units, min(len(district_units), n_units) - 1)
            units = list({u["unit"]: u for u in units}.values())
            officials = [(_person(rng), rng.choice(v["official_titles"])) for _ in range(rng.randint(2, 4))]
            slots = {"D": place["district"], "d": place["district_short"], "P": place["province"]}
            others = rng.sample(v["places"], 3)
            for i in range(8):
                u = units[i] if i < len(units) else others[i % 3]
                slots[f"U{i}"], slots[f"S{i}"] = u["unit"], u["unit_short"]
                slots[f"O{i}"] = officials[i][0] if i < len(officials) else _person(rng)
            title = _fill(rng.choice(v["titles"][launch]), slots)
            paras = list(rng.choice(v["paragraphs"][launch]))
            for _ in range(rng.randint(0, 3)):  # recombined paragraphs
                paras.insert(rng.randint(1, len(paras)), " ".join(rng.sample(v["sentences"], rng.randint(2, 4))))
            body = "\n\n".join(_fill(p, slots) for p in paras)
            event_day = day0 + timedelta(days=rng.randrange(days))
            published = (event_day + timedelta(days=rng.randint(0, 3))).isoformat()
            event = None
            if launch:
                event = {"event_date": event_day.isoformat(), "units": [u["unit"] for u in units],
                         "district": place["district"], "province": place["province"],
                         "unit_codes": [u["unit_code"] for u in units],
                         "board_size": rng.choice([None, 9, 11, 13, 15, 17]),
                         "officials": [{"name": n, "title": t} for n, t in officials],
                         "slogans": rng.sample(v["slogans"], 2), "documents": rng.sample(v["documents"], 2)}
            story_id, canonical = article_id, 1
            story = [article_id, article_id, 1, published, portal, int(launch),
                     json.dumps(event, ensure_ascii=False) if event else None]
            out["stories"].append(story)
            prev = {"title": title, "body": body, "launch": launch, "event": event, "story_id": story_id,
                    "published": published, "units": units, "place": place, "story": story}
        url = f"https://{portal}.bench.invalid/tin-tuc/{article_id}.html"
        platform = "sharepoint" if "-thanhhoa-" in portal else "liferay" if "-daklak-" in portal else (
            "wordpress" if article_id % 3 else "generic")
        out["articles"].append((
            article_id, url, url, portal, platform, title, published, _person(rng), None, body,
            json.dumps([{"src": f"https://{portal}.bench.invalid/Photos/{article_id}.jpg", "caption": None}]),
            hashlib.sha256(" ".join(body.split()).encode()).hexdigest(), int(launch),
            round(rng.uniform(0.8, 1.0) if launch else rng.uniform(0.0, 0.4), 3),
            json.dumps(event, ensure_ascii=False) if event else None, seen, seen, 1, None, None, None,
            story_id, canonical, permalink.url_key(url)))
        out["fts"].append((article_id, fold(title), fold(body)))
        if launch:
            for u in units:
                out["launches"].append((
                    article_id, u["unit"], u["unit_type"], event["district"], event["province"], event["event_date"],
                    event["board_size"], u["unit_code"], u["unit_name"], u["district_code"], u["province_code"],
                    None, None, u["lat"], u["lon"], "resolved"))
            for o in event["officials"]:
                out["officials"].append((article_id, o["name"], event["district"], event["province"], o["title"]))
            out["slogans"] += [(article_id, s) for s in event["slogans"]]
            out["documents"] += [(article_id, d) for d in event["documents"]]
    return out


# ------------------------------------------------------------------------------ build
ARTICLE_COLUMNS = ("id, canonical_url, url, portal, platform, title, published_date, author, source, body_text, images,"
                   " content_hash, is_launch_report, launch_score, event, first_seen, last_seen, crawl_run_id, capture_id,"
                   " recovered_from, snapshot_date, story_id, is_canonical, article_key")
LAUNCH_COLUMNS = ("article_id, unit, unit_type, district, province, event_date, board_size, unit_code, unit_name,"
                  " district_code, province_code, new_unit, new_unit_code, latitude, longitude, gazetteer_status")


def build(path: Path, n: int, seed: int = SEED) -> dict:
    started = time.perf_counter()
    tmp = path.with_name(path.name + ".building")
    for leftover in (tmp, Path(f"{tmp}-wal"), Path(f"{tmp}-shm"), Path(f"{tmp}-journal")):
        leftover.unlink(missing_ok=True)
    archive_db.open_db(tmp).close()  # the product's schema: tables, indexes, views, articles_fts
    conn = sqlite3.connect(tmp, isolation_level=None)
    conn.execute("PRAGMA journal_mode=DELETE")
    for pragma in ("synchronous=OFF", "cache_size=-3000000", "temp_store=MEMORY", "foreign_keys=OFF"):
        conn.execute(f"PRAGMA {pragma}")
    v = _vocab()
    conn.execute("BEGIN")
    portals = {}
    for p in v["places"]:
        portals.setdefault(p["portal"], (p["portal"], f"Cổng thông tin điện tử {p['district']} (benchmark)",
                                         f"https://{p['portal']}.bench.invalid/",
                                         "sharepoint" if p["province"] == "Thanh Hóa" else "liferay" if p["province"] == "Đắk Lắk" else "wordpress",
                                         p["province"], p["district"], p["district_code"], "live", 0, 1))
    conn.executemany("insert into portals (name, title, base_url, platform, province, district, district_code, status,"
                     " verified, simulated) values (?,?,?,?,?,?,?,?,?,?)", list(portals.values()))
    conn.execute("insert into crawl_runs (id, started_at, finished_at, status, portals, pages_fetched, articles_new)"
                 " values (1, ?, ?, 'finished', 'bench', ?, ?)", [archive_db.now_iso(), archive_db.now_iso(), n, n])
    conn.execute("COMMIT")
    officials, slogans, documents, keys = {}, {}, {}, set()
    specs = [(start, min(CHUNK, n - start + 1), seed) for start in range(1, n + 1, CHUNK)]
    done, gen_wait = 0, 0.0
    with multiprocessing.get_context("fork").Pool(1) as pool:
        results = pool.imap(gen_chunk, specs)
        for _ in specs:
            t0 = time.perf_counter()
            rows = next(results)
            gen_wait += time.perf_counter() - t0
            articles = []
            for row in rows["articles"]:
                key, length = row[-1], permalink.KEY_LENGTH
                while key in keys:  # permalink.free_key: the next longer prefix that is free
                    length += 1
                    key = permalink.url_key(row[1], length)
                keys.add(key)
                articles.append(row[:-1] + (key,))
            conn.execute("BEGIN")
            conn.executemany(f"insert into articles ({ARTICLE_COLUMNS}) values ({','.join('?' * 24)})", articles)
            conn.executemany("insert into stories (id, canonical_article_id, size, first_published, portals,"
                             " is_launch_report, event) values (?,?,?,?,?,?,?)", rows["stories"])
            conn.executemany(f"insert into launches ({LAUNCH_COLUMNS}) values ({','.join('?' * 16)})", rows["launches"])
            official_rows = []
            for article_id, name, district, province, title in rows["officials"]:
                person = (name, district or "", province or "")
                if person not in officials:
                    officials[person] = len(officials) + 1
                    conn.execute("insert into officials (id, name, district, province) values (?,?,?,?)",
                                 (officials[person], *person))
                official_rows.append((article_id, officials[person], title))
            conn.executemany("insert or replace into article_officials (article_id, official_id, title) values (?,?,?)",
                             official_rows)
            for table, column, refs, ids, link in (("slogans", "slogan", rows["slogans"], slogans, "slogan_id"),
                                                   ("documents", "code", rows["documents"], documents, "document_id")):
                link_rows = []
                for article_id, value in refs:
                    if value not in ids:
                        ids[value] = len(ids) + 1
                        conn.execute(f"insert into {table} (id, {column}) values (?, ?)", (ids[value], value))
                    link_rows.append((article_id, ids[value]))
                conn.executemany(f"insert or replace into article_{table} (article_id, {link}) values (?, ?)", link_rows)
            # the search entry, as upsert_record writes it: rowid = id, folded title and body
            conn.executemany("insert into articles_fts (rowid, title, body_text) values (?, ?, ?)", rows["fts"])
            conn.execute("COMMIT")
            done += len(articles)
            if done % 100_000 == 0 or done == n:
                print(f"  built {done:,}/{n:,} articles in {time.perf_counter() - started:,.0f} s"
                      f" (waited {gen_wait:,.0f} s for generation)", flush=True)
    conn.execute("PRAGMA journal_mode=WAL")  # as the product leaves its archives
    counts = {t: conn.execute(f"select count(*) from {t}").fetchone()[0]
              for t in ("articles", "launches", "officials", "article_officials", "stories")}
    conn.close()
    tmp.rename(path)
    for suffix in ("-wal", "-shm"):
        Path(f"{tmp}{suffix}").unlink(missing_ok=True)
    return {"seconds": time.perf_counter() - started, "counts": counts}


def size_on_disk(path: Path) -> int:
    return sum(p.stat().st_size for p in (path, Path(f"{path}-wal"), Path(f"{path}-shm")) if p.exists())


# ------------------------------------------------------------------------------ serve
def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(path: Path, port: int, log_path: Path, extra_settings=()):
    """What `thanthien serve --db PATH --port PORT` runs (archive/publish.py serve), as a child process."""
    publish.checkpoint(path)
    publish.ensure_views(path)
    cmd = publish.datasette_command(path, host="127.0.0.1", port=port)
    for setting in extra_settings:  # experiments only: --setting KEY VALUE after the product's own
        cmd += ["--setting", *setting.split("=", 1)]
    log = open(log_path, "w")
    proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, env=dict(os.environ, PYTHONUNBUFFERED="1"),
                            cwd=str(ROOT))
    return proc, cmd


def wait_until_up(client, base: str, proc, timeout: float = 180.0) -> float:
    started = time.perf_counter()
    while time.perf_counter() - started < timeout:
        if proc.poll() is not None:
            raise RuntimeError(f"datasette exited with {proc.returncode}")
        try:
            if client.get(base + "/-/versions.json", timeout=5).status_code == 200:
                return time.perf_counter() - started
        except Exception:  # noqa: BLE001 - not listening yet
            pass
        time.sleep(0.2)
    raise RuntimeError("datasette did not answer")


# ------------------------------------------------------------------------------ time
def pct(values, q):
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    k = (len(ordered) - 1) * q
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def time_op(client, urls: list[str], repeat: int, budget: float, warmup: int = 1):
    """Warm each URL up, then `repeat` requests cycling through them (stopping early past `budget` s)."""
    for url in urls:
        for _ in range(warmup):
            client.get(url)
    times, statuses, per_url = [], {}, {u: [] for u in urls}
    started = time.perf_counter()
    for i in range(repeat):
        url = urls[i % len(urls)]
        t0 = time.perf_counter()
        r = client.get(url)
        ms = (time.perf_counter() - t0) * 1000
        times.append(ms)
        per_url[url].append(ms)
        statuses[r.status_code] = statuses.get(r.status_code, 0) + 1
        if time.perf_counter() - started > budget and i + 1 >= len(urls):
            break
    return {"n": len(times), "p50": pct(times, 0.5), "p95": pct(times, 0.95), "max": max(times), "statuses": statuses,
            "per_url": {u: statistics.median(v) for u, v in per_url.items() if v}}


def facet_details(client, url: str) -> dict:
    data = client.get(url).json()
    return {"count": data.get("filtered_table_rows_count"), "timed_out": data.get("facets_timed_out"),
            "facets": sorted(data.get("facet_results", {}))}


def csv_stream(client, url: str) -> dict:
    t0 = time.perf_counter()
    rows, size = 0, 0
    with client.stream("GET", url) as r:
        status = r.status_code
        for chunk in r.iter_bytes():
            size += len(chunk)
            rows += chunk.count(b"\n")
    return {"seconds": time.perf_counter() - t0, "rows": rows - 1, "bytes": size, "status": status}


# Proposed SQL, timed through the same server (/db.json?sql=, the plugin's functions available).
PROPOSALS = {
    # (b) the ranked query: rank the index alone, then join and snippet only the 100 rows shown
    "search (snippet after limit)": """
        select articles.id as article_id, articles.title, articles.published_date, articles.portal,
               articles.is_launch_report, thanthien_snippet(articles.body_text, :q) as snippet, articles.url
        from (select rowid, bm25(articles_fts, 5.0, 1.0) as rank from articles_fts
              where articles_fts match escape_fts(:q) order by rank limit 100) as hits
        join articles on articles.id = hits.rowid order by hits.rank""",
    "search newest first (order by rowid desc, snippet after limit)": """
        select articles.id as article_id, articles.title, articles.published_date, articles.portal,
               articles.is_launch_report, thanthien_snippet(articles.body_text, :q) as snippet, articles.url
        from (select rowid from articles_fts where articles_fts match escape_fts(:q) order by rowid desc limit 100) as hits
        join articles on articles.id = hits.rowid order by hits.rowid desc""",
    "search: bm25 only (no join, no snippet)": """
        select rowid from articles_fts where articles_fts match escape_fts(:q) order by bm25(articles_fts, 5.0, 1.0) limit 100""",
    "search: FTS rank column (order by rank)": """
        select rowid from articles_fts where articles_fts match escape_fts(:q) order by rank limit 100""",
    "/-/search count(*) of FTS matches": "select count(*) from articles_fts where articles_fts match escape_fts(:q)",
    "/-/search launches thanthien_match": """
        select launches.id from launches where thanthien_match(coalesce(unit, '') || ' ' || coalesce(district, '') || ' ' ||
              coalesce(province, '') || ' ' || coalesce(new_unit, ''), :q) order by event_date desc limit 20""",
    "/-/search officials thanthien_match": """
        select officials.id, count(distinct article_officials.article_id) as reports
        from officials left join article_officials on article_officials.official_id = officials.id
        where thanthien_match(officials.name || ' ' || coalesce(article_officials.title, ''), :q)
        group by officials.id order by reports desc, officials.name limit 20""",
    "_search: rows (sort published_date desc)": """
        select id, title, published_date from articles where rowid in (select rowid from articles_fts
        where articles_fts match escape_fts(:q)) order by published_date desc limit 51""",
    "_search: count(*)": """
        select count(*) from articles where rowid in (select rowid from articles_fts where articles_fts match escape_fts(:q))""",
    "_search: facet portal": """
        select portal as value, count(*) as count from (select * from articles where rowid in (select rowid from articles_fts
        where articles_fts match escape_fts(:q))) where portal is not null group by portal order by count desc, value limit 31""",
    "launch_events count(*)": "select count(*) from launch_events",
    "launch_events facet province": """
        select province as value, count(*) as count from (select * from launch_events) where province is not null
        group by province order by count desc, value limit 31""",
    "launch_events first page (sort event_date desc)": "select * from launch_events order by event_date desc limit 51",
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1_000_000, help="articles to build (when --db is missing)")
    parser.add_argument("--db", type=Path, help="archive file to reuse (built there when missing); its stem is the database name")
    parser.add_argument("--repeat", type=int, default=50, help="timed requests per operation")
    parser.add_argument("--budget", type=float, default=120.0, help="seconds at most per operation (then fewer requests)")
    parser.add_argument("--csv-repeat", type=int, default=3)
    parser.add_argument("--keep", action="store_true", help="keep a temporary archive (an explicit --db is always kept)")
    parser.add_argument("--ops", default="a,b,c,d,e", help="operations to time (a-e)")
    parser.add_argument("--proposals", nargs="?", const="", default=None, metavar="SUBSTRING",
                        help="also time the proposed SQL (PROPOSALS, those whose label contains SUBSTRING) via /db.json?sql=")
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--extra-setting", action="append", default=[], metavar="KEY=VALUE",
                        help="experiment: one more Datasette --setting (e.g. suggest_facets=off)")
    parser.add_argument("--url-suffix", default="", help="experiment: appended to the table URLs of (a) and (d), e.g. '&_nosuggest=1'")
    args = parser.parse_args()

    import httpx

    tmpdir = None
    if args.db is None:
        tmpdir = Path(tempfile.mkdtemp(prefix="thanthien-bench-search-"))
        args.db = tmpdir / "thanthien.db"
    path = args.db.resolve()
    build_info = None
    if path.exists():
        print(f"reusing {path}")
    else:
        print(f"building {args.n:,} articles into {path}")
        build_info = build(path, args.n, args.seed)
        print(f"built in {build_info['seconds']:,.1f} s: {build_info['counts']}")
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as conn:
        n_articles = conn.execute("select count(*) from articles").fetchone()[0]
        n_launches = conn.execute("select count(*) from launches").fetchone()[0]
        conn.create_function("escape_fts", 1, escape_fts_folded)
        matches = {q: conn.execute("select count(*) from articles_fts where articles_fts match escape_fts(?)", [q]).fetchone()[0]
                   for q in QUERIES}
    size = size_on_disk(path)
    print(f"archive: {n_articles:,} articles, {n_launches:,} launches, {size / 2**20:,.0f} MiB on disk")
    print("FTS matches per query: " + ", ".join(f"{q!r} {m:,}" for q, m in matches.items()))

    name = path.stem
    port = free_port()
    log_path = path.with_name(f"datasette-{port}.log")
    proc, cmd = start_server(path, port, log_path, args.extra_setting)
    print("server: " + " ".join(cmd))
    results, csv_result = {}, None
    try:
        with httpx.Client(timeout=300) as client:
            base = f"http://127.0.0.1:{port}"
            print(f"datasette answered after {wait_until_up(client, base, proc):.1f} s")
            ops = {
                "a": ("(a) articles _search (table, JSON)", [f"{base}/{name}/articles.json?_search={quote(q)}{args.url_suffix}" for q in QUERIES], SEARCH_TARGET_MS),
                "b": ("(b) ranked canned query `search`", [f"{base}/{name}/search.json?q={quote(q)}" for q in QUERIES], SEARCH_TARGET_MS),
                "c": ("(c) plugin /-/search page", [f"{base}/-/search?q={quote(q)}" for q in QUERIES], SEARCH_TARGET_MS),
                "d": ("(d) launch_events _facet=province", [f"{base}/{name}/launch_events.json?_facet=province{args.url_suffix}"], FACET_TARGET_MS),
            }
            for key in args.ops.split(","):
                if key in ops:
                    label, urls, target = ops[key]
                    print(f"timing {label} ...", flush=True)
                    results[label] = time_op(client, urls, args.repeat, args.budget) | {"target": target}
                    print(f"  p50 {results[label]['p50']:.0f} ms, p95 {results[label]['p95']:.0f} ms, {results[label]['statuses']}", flush=True)
                    if key == "d":
                        results[label]["details"] = facet_details(client, urls[0])
                    if key == "a":
                        results[label]["details"] = facet_details(client, urls[0])
            if args.proposals is not None:
                for label, sql in PROPOSALS.items():
                    if args.proposals not in label:
                        continue
                    sql = " ".join(sql.split())
                    uses_q = ":q" in sql
                    urls = [f"{base}/{name}.json?" + urlencode({"sql": sql, **({"q": q} if uses_q else {})})
                            for q in (QUERIES if uses_q else [None])]
                    print(f"timing proposal {label} ...", flush=True)
                    target = FACET_TARGET_MS if "launch_events" in label else SEARCH_TARGET_MS
                    results["[sql] " + label] = time_op(client, urls, max(len(urls), args.repeat // 2), args.budget / 3) | {"target": target}
                    r = results["[sql] " + label]
                    print(f"  p50 {r['p50']:.0f} ms, p95 {r['p95']:.0f} ms, {r['statuses']}", flush=True)
            if "e" in args.ops.split(","):
                print("timing (e) launch_events.csv?_stream=on ...", flush=True)
                runs = [csv_stream(client, f"{base}/{name}/launch_events.csv?_stream=on") for _ in range(args.csv_repeat)]
                csv_result = {"seconds": statistics.median(r["seconds"] for r in runs), "rows": runs[-1]["rows"],
                              "bytes": runs[-1]["bytes"], "status": runs[-1]["status"], "all": [round(r["seconds"], 2) for r in runs]}
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()

    print()
    print(f"N = {n_articles:,} articles ({n_launches:,} launches), {size / 2**20:,.0f} MiB"
          + (f", built in {build_info['seconds']:,.0f} s" if build_info else ""))
    print(f"{'operation':58} {'n':>4} {'p50 ms':>9} {'p95 ms':>9} {'target':>9}  result  statuses")
    for label, r in results.items():
        ok = r["p95"] < r["target"] and set(r["statuses"]) <= {200}
        print(f"{label:58} {r['n']:4d} {r['p50']:9.1f} {r['p95']:9.1f} {'<' + format(r['target'], '.0f'):>9}  "
              f"{'pass' if ok else 'FAIL':6}  {r['statuses']}")
    if csv_result:
        print(f"{'(e) launch_events.csv?_stream=on':58} {args.csv_repeat:4d} total {csv_result['seconds']:.2f} s "
              f"for {csv_result['rows']:,} rows ({csv_result['bytes'] / 2**20:.1f} MiB, "
              f"{csv_result['rows'] / max(csv_result['seconds'], 1e-9):,.0f} rows/s, status {csv_result['status']}, runs {csv_result['all']})")
    print()
    for label, r in results.items():
        if "details" in r:
            print(f"{label}: {r['details']}")
        slow = sorted(r["per_url"].items(), key=lambda kv: -kv[1])[:3]
        print(f"{label}: slowest queries (median ms): "
              + "; ".join(f"{re.sub(r'^.*?[?&](q|_search|sql)=', '', u)[:60]} {ms:.0f}" for u, ms in slow))
    print(f"datasette log: {log_path}")
    if tmpdir and not args.keep:
        shutil.rmtree(tmpdir, ignore_errors=True)
        print(f"removed {tmpdir}")


if __name__ == "__main__":
    main()
