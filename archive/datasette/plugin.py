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

Search respects what is typed: a query typed WITH diacritics (any tone or vowel mark, or đ) still
finds every folded match, but `thanthien_exact(text, query)` counts the terms that occur in the
text as typed (NFC, lower case; "hoá" = "hóa", the same tone on another vowel of the syllable), so
ORDER BY puts "đăng ký" above "Đảng … kỳ", and the snippet marks only the as-typed matches when the
text has any. A query typed without diacritics folds as before (thanthien_exact gives 0).
"""
from __future__ import annotations

import html
import re
import unicodedata
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
    return [(" ".join(words), prefix) for words, prefix in _parsed_terms(fold(query or ""))]


def _parsed_terms(text: str) -> list[tuple[tuple[str, ...], bool]]:
    """Quoted phrases (an unclosed quote closed at the end) and words, each as its words and whether
    it ends in `*`: the one parse of a query, folded or as typed."""
    text = text.translate(_QUOTES)
    if text.count('"') % 2:
        text += '"'
    terms = []
    for phrase, star, word in _QUERY_TERM.findall(text):
        if word:
            prefix = word.endswith("*")
            phrase = word.rstrip("*")
        else:
            prefix = bool(star)
        words = tuple(_WORD.findall(phrase))
        if words:
            terms.append((words, prefix))
    return terms


# As typed: NFC, lower case, the Icelandic look-alike ð (Ð lower-cased) read as đ (as pipelines.text does).
# The five Vietnamese tones (combining, NFD); the vowel marks (hat, breve, horn) stay with their letter.
_TONES = frozenset("\u0300\u0301\u0303\u0309\u0323")
_VOWELS = frozenset("aeiouy")


def typed(text: str | None) -> str:
    """Text compared as typed: NFC, lower case, look-alikes mapped (no folding)."""
    text = text or ""
    if not unicodedata.is_normalized("NFC", text):
        text = unicodedata.normalize("NFC", text)
    text = text.lower()
    return text.replace("\u00f0", "\u0111") if "\u00f0" in text else text  # str.translate is 20× slower


@lru_cache(maxsize=1024)
def has_marks(query: str | None) -> bool:
    """True when the query is typed with diacritics: a tone or vowel mark, or đ, anywhere in it."""
    decomposed = unicodedata.normalize("NFD", typed(query))
    return "\u0111" in decomposed or any(unicodedata.combining(c) for c in decomposed)


@lru_cache(maxsize=8192)
def word_forms(word: str) -> frozenset[str]:
    """The spellings of one typed word that count as typed: itself, and its tone on another vowel
    of the syllable (old and new tone placement: "hoá" / "hóa", "thuỷ" / "thủy")."""
    decomposed = unicodedata.normalize("NFD", word)
    tones = [c for c in decomposed if c in _TONES]
    if len(tones) != 1:
        return frozenset({word})
    bare = [c for c in decomposed if c not in _TONES]
    forms = {word}
    for i, c in enumerate(bare):
        if c in _VOWELS:
            j = i + 1
            while j < len(bare) and unicodedata.combining(bare[j]):
                j += 1
            forms.add(unicodedata.normalize("NFC", "".join(bare[:j]) + tones[0] + "".join(bare[j:])))
    return frozenset(forms)


def typed_terms(query: str | None) -> list[tuple[tuple[str, ...], bool]]:
    """The query's terms as typed (words NFC lower case, is_prefix): the same parse as query_terms, unfolded."""
    text = query or ""
    if "&" in text:
        text = html.unescape(text)
    return _parsed_terms(typed(text))


@lru_cache(maxsize=256)
def _exact_patterns(query: str) -> tuple[re.Pattern, ...]:
    """One regex per typed term over typed() text: its words in order, any spelling of word_forms,
    separated by non-word characters, on word boundaries (no right boundary after a prefix)."""
    patterns = []
    for words, prefix in typed_terms(query):
        forms = [sorted(word_forms(w), key=len, reverse=True) for w in words]
        # the first word's literals lead (the left boundary is checked behind each), so the regex
        # engine scans for them fast instead of trying a lookbehind at every position
        parts = ["(?:{})".format("|".join(r"{0}(?<![^\W_]{0})".format(re.escape(f)) for f in forms[0]))]
        parts += ["(?:{})".format("|".join(re.escape(f) for f in fs)) for fs in forms[1:]]
        patterns.append(re.compile(r"[\W_]+".join(parts) + ("" if prefix else r"(?![^\W_])")))
    return tuple(patterns)


def exact_count(text: str | None, query: str | None) -> int:
    """How many terms of a query typed with diacritics occur in `text` as typed; 0 for a query typed
    without diacritics (it folds: every form matches alike) or when nothing matches."""
    if not text or not query or not has_marks(query):
        return 0
    text = typed(text)
    return sum(1 for pattern in _exact_patterns(query) if pattern.search(text))


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


def _exact_matches(text: str, tokens, terms) -> list[tuple[int, int, int]]:
    """Like _matches, for typed_terms: each token's original text (typed()) against word_forms."""
    words = [typed(text[start:end]) for _, start, end in tokens]
    found = []
    for number, (wanted, prefix) in enumerate(terms):
        forms = [word_forms(w) for w in wanted]
        n = len(forms)
        for i in range(len(words) - n + 1):
            if any(words[i + k] not in forms[k] for k in range(n - 1)):
                continue
            last = words[i + n - 1]
            if last in forms[-1] or (prefix and any(last.startswith(f) for f in forms[-1])):
                found.append((i, i + n, number))
    return sorted(found)


def snippet(text: str | None, query: str | None, width: int = 32) -> str:
    """About `width` words of `text` around the best match of `query`, matches marked, whitespace collapsed.

    For a query typed with diacritics, when the text holds matches as typed, only those are marked
    (and the window is chosen around them): "đăng ký" marks "đăng ký", not "Đảng" or "kỳ"."""
    if not text:
        return ""
    text = text.replace(MARK_OPEN, "[").replace(MARK_CLOSE, "]")
    tokens = _tokens(text)
    if not tokens:
        return ""
    matches = _matches(tokens, query_terms(query))
    if matches and has_marks(query):
        matches = _exact_matches(text, tokens, typed_terms(query)) or matches
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


def thanthien_exact(text: str | None, query: str | None) -> int:
    """SQL thanthien_exact(text, query): exact_count, for ORDER BY (as-typed matches first)."""
    return exact_count(text, query)


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
    conn.create_function("thanthien_exact", 2, _capped(exact_count, TEXT_CAP, QUERY_CAP), deterministic=True)
    conn.set_authorizer(_authorizer)
