"""The steering board's size: "Ban Điều hành … gồm/với/có N thành viên", "(N thành viên)", "gồm N đồng chí".

N in digits or words ("gồm mười lăm thành viên"). A range ("từ 9 đến 11 thành viên") is a rule for
boards, not the size of one. "Ban Chỉ đạo xã Môn Sơn gồm 15 thành viên, xã Lục Dạ gồm 13 thành viên":
the other units' boards in the same sentence are sizes too.
"""
from __future__ import annotations

import re

from pipelines.text import fold
from pipelines.vn.numbers import NUMBER, NUMBER_WORD, read_number

_N = rf"(?P<n>{NUMBER})"
_BOARD_SIZE = re.compile(
    r"\b(?:ban dieu hanh|ban chi dao|bcd|bdh)\b[^.;]{0,160}?"
    rf"(?:\b(?:gom|voi|co)\b\s*:?\s*{_N}\s+thanh vien\b|\(\s*{_N.replace('?P<n>', '?P<n2>')}\s+thanh vien\b"
    rf"|\bgom\s*:?\s*{_N.replace('?P<n>', '?P<n3>')}\s+dong chi\b)"
)
_RANGE = re.compile(rf"\b(?:tu\s+)?(?:\d+|{NUMBER_WORD}(?: {NUMBER_WORD})*)\s*(?:den|-|–|toi)\s*(?:\d+|{NUMBER_WORD})\s+thanh vien\b")
_OTHER_UNIT_BOARD = re.compile(rf"(?:xa|phuong|thi tran)\s+[\w' ]{{2,30}}?\s+gom\s+({NUMBER})\s+thanh vien")


def board_sizes(text: str) -> list[int]:
    """Every board size the text gives, in order (ranges left out)."""
    folded = fold(text or "").replace("\n", " ")
    sizes = []
    for m in _BOARD_SIZE.finditer(folded):
        if _RANGE.search(folded[m.start(): m.end()]):
            continue
        n = read_number(m.group("n") or m.group("n2") or m.group("n3"))
        if n and n > 0:
            sizes.append(n)
            sentence_end = folded.find(". ", m.end())
            rest = folded[m.end(): sentence_end if sentence_end >= 0 else len(folded)]
            sizes += [k for k in (read_number(raw) for raw in _OTHER_UNIT_BOARD.findall(rest)) if k]
    return sizes


def board_size(text: str) -> int | None:
    """The board's size when the text gives one; None when it gives none or boards of different sizes."""
    sizes = board_sizes(text)
    return sizes[0] if sizes and len(set(sizes)) == 1 else None
