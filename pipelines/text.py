"""Vietnamese text at the boundary: decode bytes, unescape, normalize to NFC, fold for matching.

Stored text keeps its diacritics exactly as written (NFC). Folding (no tone marks, đ→d, lower case)
is only ever used for matching and search, never stored in place of the original.
"""
from __future__ import annotations

import html
import re
import unicodedata

# Look-alikes that real portals contain: Ð (U+00D0, Icelandic eth) typed for Đ (U+0110).
_LOOKALIKES = str.maketrans({"\u00d0": "\u0110", "\u00f0": "\u0111"})
_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200b\u202f\u205f\u3000\ufeff]+")
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_\-]+)""", re.I)
_HEADER_CHARSET = re.compile(r"charset\s*=\s*[\"']?([A-Za-z0-9_\-]+)", re.I)

# Lower-case letters only used by Vietnamese written in windows-1258 (a base vowel followed by a
# combining tone), never produced by a cp1252 page: their presence after a cp1258 decode is strong evidence.
_CP1258_ALIASES = {"windows-1258", "cp1258", "x-cp1258"}


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def clean_text(text: str) -> str:
    """Unescape entities, map look-alikes, NFC, collapse spaces (newlines are kept)."""
    if not text:
        return ""
    # unescape first: "m&acirc;̃u" only becomes "mẫu" once the entity and the tone are neighbours.
    text = html.unescape(text)
    text = nfc(text).translate(_LOOKALIKES)
    lines = [_SPACES.sub(" ", line).strip() for line in text.split("\n")]
    return "\n".join(lines).strip()


def one_line(text: str) -> str:
    return " ".join(clean_text(text).split())


def fold(text: str) -> str:
    """Fold for matching and search: no marks, đ→d, lower case, single spaces.

    "Chính quyền thân thiện" → "chinh quyen than thien"; "Đảng ủy" → "dang uy"; "Hoá" == "Hóa".
    """
    if not text:
        return ""
    if "&" in text:
        text = html.unescape(text)
    return " ".join(text.translate(_LOOKALIKES).translate(_FOLD).lower().split())


class _FoldTable(dict):
    """Each character → its letters without marks (its NFD minus combining marks; đ → d), computed
    once per character: the same as decomposing the whole text, at a fraction of the cost."""

    def __missing__(self, code: int) -> str:
        ch = chr(code)
        base = "".join(c for c in unicodedata.normalize("NFD", ch) if not unicodedata.combining(c))
        base = base.replace("đ", "d").replace("Đ", "D")
        self[code] = base
        return base


_FOLD = _FoldTable()


def slug_ascii(text: str) -> str:
    """ASCII slug as Vietnamese CMSs make them ("Ra mắt mô hình" → "ra-mat-mo-hinh")."""
    return re.sub(r"[^a-z0-9]+", "-", fold(text)).strip("-")


def _valid_codec(name: str | None) -> str | None:
    if not name:
        return None
    import codecs

    try:
        return codecs.lookup(name.strip().lower()).name
    except LookupError:
        return None


_VIETNAMESE_ONLY = re.compile("[\u0102\u0103\u0110\u0111\u0128\u0129\u0168\u0169\u01a0\u01a1\u01af\u01b0\u1ea0-\u1ef9]")


def _score(text: str) -> float:
    """How Vietnamese a decode looks after NFC.

    Letters only Vietnamese uses (ă ơ ư đ ĩ ũ and the precomposed toned vowels U+1EA0–U+1EF9) can
    only appear when the right code page was used: a cp1252 reading of windows-1258 bytes never
    yields them. Replacement characters, C1 controls and UTF-8-as-Latin-1 mojibake count against.
    """
    text = nfc(text)
    good = len(_VIETNAMESE_ONLY.findall(text))
    bad = text.count("\ufffd") * 10 + sum(1 for ch in text if "\x80" <= ch <= "\x9f") * 5
    bad += len(re.findall(r"[ÃÂÄÆ][\u0080-\u00ff\u0152-\u2122]", text)) * 3
    return good - bad


def decode_body(body: bytes, headers: dict | None = None) -> tuple[str, str]:
    """Decode a page to NFC text, trusting neither the header nor the meta tag blindly.

    Returns (text, encoding used). Candidates: the HTTP header's charset, the meta charset, UTF-8,
    windows-1258. Strict UTF-8 that decodes wins (declarations of cp1258 on UTF-8 bytes are common);
    otherwise the candidate whose decode looks most like Vietnamese.
    """
    if body.startswith(b"\xef\xbb\xbf"):
        return nfc(body[3:].decode("utf-8", "replace")), "utf-8"
    declared = []
    content_type = _header(headers, "content-type")
    if content_type:
        m = _HEADER_CHARSET.search(content_type)
        if m:
            declared.append(_valid_codec(m.group(1)))
    m = _META_CHARSET.search(body[:4096])
    if m:
        declared.append(_valid_codec(m.group(1).decode("ascii", "ignore")))
    try:
        return nfc(body.decode("utf-8")), "utf-8"
    except UnicodeDecodeError:
        pass
    candidates = [c for c in declared if c and c != "utf-8"] + ["cp1258", "cp1252"]
    best, best_score, best_codec = None, None, "cp1258"
    for codec in dict.fromkeys(candidates):
        try:
            text = body.decode(codec)
        except (UnicodeDecodeError, LookupError):
            continue
        score = _score(text)
        if best_score is None or score > best_score:
            best, best_score, best_codec = text, score, codec
    if best is None:
        best, best_codec = body.decode("utf-8", "replace"), "utf-8"
    return nfc(best), best_codec


def _header(headers: dict | None, name: str) -> str | None:
    if not headers:
        return None
    for key, value in headers.items():
        k = key.decode("latin-1") if isinstance(key, bytes) else str(key)
        if k.lower() == name:
            if isinstance(value, (list, tuple)):
                value = value[0] if value else None
            if isinstance(value, bytes):
                value = value.decode("latin-1")
            return value
    return None


# windows-1258 has the five tone marks as combining characters and only some precomposed vowels.
_CP1258_TONES = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}


def encode_cp1258(text: str) -> bytes:
    """Encode Vietnamese as windows-1258 does it: base letter (with hat/breve/horn) + combining tone.

    NFC text cannot be encoded directly ("ấ" has no cp1258 byte); the simulator and the tests use
    this to write legacy pages the way old portals served them.
    """
    out = bytearray()
    for ch in nfc(text):
        try:
            out += ch.encode("cp1258")
            continue
        except UnicodeEncodeError:
            pass
        decomposed = unicodedata.normalize("NFD", ch)
        tones = [m for m in decomposed if m in _CP1258_TONES]
        base = nfc("".join(m for m in decomposed if m not in _CP1258_TONES))
        out += base.encode("cp1258", "xmlcharrefreplace") + "".join(tones).encode("cp1258")
    return bytes(out)
