"""Search that works the way people type Vietnamese: folded queries, phrases, prefixes, snippets.

The FTS index holds folded text ("Đảng ủy" is indexed as "dang uy"). Datasette's escaped search
mode wraps the query in the SQL function escape_fts(); overriding it here folds the query the same
way, so `chinh quyen than thien`, `dang uy` and `Đảng ủy` all match. The override must run after
Datasette registers its own function: hence trylast.

Query syntax (everything else is escaped, so FTS5 operators typed by a user are plain words):
  chinh quyen        both words, anywhere (AND)
  "chinh quyen"      the phrase
  quy*               a word starting with "quy" (FTS5 prefix query); "chinh quy"* a phrase ending in a prefix

`thanthien_snippet(text, query)` gives a window of the ORIGINAL text (diacritics as written) around
the best match, matches between the markers MARK_OPEN and MARK_CLOSE; `render.py` escapes the
cell and turns the markers into <mark>.
"""
from __future__ import annotations

import re
from functools import lru_cache

from datasette import hookimpl

from pipelines.text import fold

# Snippet markers: characters that Vietnamese news text does not use; any in the text itself are
# replaced by brackets before marking, so a marker in a snippet always means a match.
MARK_OPEN, MARK_CLOSE = "\u3010", "\u3011"  # 【 】

# A quoted phrase with an optional * after it, or a run of non-space characters.
_QUERY_TERM = re.compile(r'"([^"]*)"(\*?)|([^\s"]+)')
_WORD = re.compile(r"[^\W_]+")
_QUOTES = str.maketrans({c: '"' for c in "\u201c\u201d\u201e\u2033\u00ab\u00bb"})  # “ ” „ ″ « » as typed or pasted


def query_terms(query: str | None) -> list[tuple[str, bool]]:
    """The query as (folded phrase, is_prefix) terms; terms without a letter or digit are dropped."""
    text = fold(query or "").translate(_QUOTES)
    if text.count('"') % 2:
        text += '"'
    terms = []
    for phrase, star, word in _QUERY_TERM.findall(text):
        if word:
            prefix = word.endswith("*")
            phrase = word.rstrip("*")
        else:
            prefix = bool(star)
        phrase = " ".join(_WORD.findall(phrase))
        if phrase:
            terms.append((phrase, prefix))
    return terms


def escape_fts_folded(query: str | None) -> str:
    """A user's query as a safe FTS5 expression over the folded index.

    Every term is a quoted FTS5 string (so AND, OR, NEAR, -, :, ^ typed by a user are plain
    text); a trailing * stays outside the quotes as FTS5's prefix marker. A query with no
    searchable term becomes "" (matches nothing) rather than an FTS5 syntax error.
    """
    parts = ['"{}"{}'.format(phrase, "*" if prefix else "") for phrase, prefix in query_terms(query)]
    return " ".join(parts) if parts else '""'


@lru_cache(maxsize=8192)
def _fold_char(ch: str) -> str:
    return " " if ch.isspace() else fold(ch)


def _tokens(text: str) -> list[tuple[str, int, int]]:
    """(folded token, start, end) with offsets into the original text."""
    folded, index = [], []
    for i, ch in enumerate(text):
        for c in _fold_char(ch):
            folded.append(c)
            index.append(i)
    folded_text = "".join(folded)
    return [(m.group(), index[m.start()], index[m.end() - 1] + 1) for m in _WORD.finditer(folded_text)]


def _matches(tokens, terms) -> list[tuple[int, int, int]]:
    """(first token, last token + 1, term number) of each occurrence of each term."""
    words = [t[0] for t in tokens]
    found = []
    for number, (phrase, prefix) in enumerate(terms):
        wanted = phrase.split()
        n = len(wanted)
        for i in range(len(words) - n + 1):
            if words[i:i + n - 1] != wanted[:-1]:
                continue
            last = words[i + n - 1]
            if last == wanted[-1] or (prefix and last.startswith(wanted[-1])):
                found.append((i, i + n, number))
    return sorted(found)


def snippet(text: str | None, query: str | None, width: int = 32) -> str:
    """About `width` words of `text` around the best match of `query`, matches marked, whitespace collapsed."""
    if not text:
        return ""
    text = text.replace(MARK_OPEN, "[").replace(MARK_CLOSE, "]")
    tokens = _tokens(text)
    if not tokens:
        return ""
    matches = _matches(tokens, query_terms(query))
    start = 0
    if matches:
        best = -1
        for first, _, _ in matches:
            candidate = max(0, first - width // 4)
            score = len({n for a, b, n in matches if a >= candidate and b <= candidate + width})
            if score > best:
                best, start = score, candidate
    end = min(len(tokens), start + width)
    pieces, cursor = [], tokens[start][1]
    for first, last, _ in matches:
        if first < start or last > end or tokens[first][1] < cursor:
            continue  # outside the window, or overlapping a match already marked
        pieces += [text[cursor:tokens[first][1]], MARK_OPEN, text[tokens[first][1]:tokens[last - 1][2]], MARK_CLOSE]
        cursor = tokens[last - 1][2]
    pieces.append(text[cursor:tokens[end - 1][2]])
    out = " ".join("".join(pieces).split()).replace(f"{MARK_CLOSE} {MARK_OPEN}", " ")  # neighbours: one mark
    return ("… " if start > 0 else "") + out + (" …" if end < len(tokens) else "")


def matches_all(text: str | None, query: str | None) -> int:
    """1 when every term of `query` occurs in `text` (folded, whole words, prefixes, phrases), else 0."""
    terms = query_terms(query)
    if not terms or not text:
        return 0
    return int(len({number for _, _, number in _matches(_tokens(text), terms)}) == len(terms))


# The functions are open to anyone who can type SQL: inputs past these caps are refused (an
# article is far below them), so no query can make one call run for seconds or take gigabytes.
TEXT_CAP = 2_000_000        # characters of text
QUERY_CAP = 1_000           # characters of a search query
# SQL functions that hand out native pointers or touch files: denied to every query.
DENIED_FUNCTIONS = frozenset({"fts3_tokenizer", "fts5", "load_extension", "readfile", "writefile", "edit",
                              "sqlite_offset"})
_SQLITE_FUNCTION, _SQLITE_DENY, _SQLITE_OK = 31, 1, 0


def _capped(function, *caps):
    def call(*args):
        for value, cap in zip(args, caps):
            if isinstance(value, str) and len(value) > cap:
                raise ValueError(f"{function.__name__}: input of {len(value):,} characters, more than {cap:,}")
        return function(*args)
    call.__name__ = function.__name__
    return call


def _authorizer(action, arg1, arg2, db_name, trigger):
    if action == _SQLITE_FUNCTION and (arg2 or "").lower() in DENIED_FUNCTIONS:
        return _SQLITE_DENY
    return _SQLITE_OK


@hookimpl(trylast=True)
def prepare_connection(conn):
    conn.create_function("fold", 1, _capped(fold, TEXT_CAP), deterministic=True)
    conn.create_function("escape_fts", 1, _capped(escape_fts_folded, QUERY_CAP), deterministic=True)
    conn.create_function("thanthien_snippet", 2, _capped(snippet, TEXT_CAP, QUERY_CAP), deterministic=True)
    conn.create_function("thanthien_snippet", 3, _capped(snippet, TEXT_CAP, QUERY_CAP), deterministic=True)
    conn.create_function("thanthien_match", 2, _capped(matches_all, TEXT_CAP, QUERY_CAP), deterministic=True)
    conn.set_authorizer(_authorizer)
