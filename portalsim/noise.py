"""CKEditor-style encoding noise, as found in the bodies of tandan SharePoint articles.

The bytes are UTF-8, but the editor (old CKEditor with `entities: true`) wrote a share of the
Latin-1 vowels as named entities ("&acirc;", "&agrave;" …), some words were typed with a
decomposed tone — the named entity of the base vowel followed by a COMBINING tone mark
("m&acirc;" + U+0303 + "u" for "mẫu") — and some spaces inside sentences are "&nbsp;".

Contract (tested): html.unescape + NFC of the output, with U+00A0 read as a space, gives back the
input exactly. Every decision is a hash of (seed, position), so output is stable across runs.
"""
from __future__ import annotations

import html
import unicodedata
from html.entities import codepoint2name

from .common import frac

# HTML 4 named entities for non-ASCII letters: â ê ô à á è é ì í ò ó ù ú ý ã õ … (and capitals).
NAMED = {chr(cp): f"&{name};" for cp, name in codepoint2name.items() if cp > 127 and chr(cp).isalpha()}
TONES = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}  # huyền, sắc, ngã, hỏi, nặng


def split_tone(ch: str) -> tuple[str, str] | None:
    """"ẫ" → ("&acirc;", U+0303) when the toneless vowel has a named entity (â ê ô, ã …), else None."""
    nfd = unicodedata.normalize("NFD", ch)
    if len(nfd) < 2 or nfd[-1] not in TONES:
        return None
    base = unicodedata.normalize("NFC", nfd[:-1])
    # Only bases with a *named* entity: that is exactly the pattern the old editor produced.
    return (NAMED[base], nfd[-1]) if base in NAMED else None


class CkEditorNoise:
    """Encode the text of successive paragraphs of one article.

    The first eligible word of the article always gets the entity+combining treatment, so that
    every article carries at least one instance of the hardest case.
    """

    def __init__(self, seed: str, entity_share: float = 0.35, combining_share: float = 0.12,
                 nbsp_share: float = 0.06):
        self.seed = seed
        self.entity_share = entity_share
        self.combining_share = combining_share
        self.nbsp_share = nbsp_share
        self.combined = False  # has any word been written with a combining tone yet?

    def encode(self, text: str, where: str) -> str:
        """`where` names the paragraph (e.g. "p3") so each paragraph gets its own pattern."""
        words = text.split(" ")
        out = []
        for i, word in enumerate(words):
            if i:
                out.append(self._space(words[i - 1], word, where, i))
            out.append(self._word(word, where, i))
        return "".join(out)

    def _space(self, before: str, after: str, where: str, i: int) -> str:
        # Only between two words (never next to other spaces or at sentence ends).
        inside = before and after and before[-1].isalnum() and after[0].isalnum()
        if inside and frac(self.seed, where, i, "nbsp") < self.nbsp_share:
            return "&nbsp;"
        return " "

    def _word(self, word: str, where: str, i: int) -> str:
        combine_at = None
        for j, ch in enumerate(word):
            if split_tone(ch):
                if not self.combined or frac(self.seed, where, i, "combining") < self.combining_share:
                    combine_at = j
                break  # one decomposed vowel per word is what the typists produced
        out = []
        for j, ch in enumerate(word):
            if j == combine_at:
                entity, tone = split_tone(ch)
                out.append(entity + tone)
                self.combined = True
            elif ch in NAMED and frac(self.seed, where, i, j) < self.entity_share:
                out.append(NAMED[ch])
            else:
                out.append(html.escape(ch, quote=False))  # & < > must still be escaped
        return "".join(out)
