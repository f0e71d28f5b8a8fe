"""The steering board's size: "Ban Điều hành … gồm/với/có N thành viên", "(N thành viên)", "gồm N
đồng chí", "(09 đồng chí)".

N in digits or words ("gồm mười lăm thành viên"). A range ("từ 9 đến 11 thành viên") is a rule for
boards, not the size of one; a district's or province's board ("Ban Chỉ đạo của huyện gồm 21 thành
viên") is not the launching unit's. "Ban Chỉ đạo xã Môn Sơn gồm 15 thành viên, xã Lục Dạ gồm 13 thành viên":
the other units' boards in the same sentence are sizes too.
"""
from __future__ import annotations

import re

from pipelines.text import fold
from pipelines.vn.numbers import NUMBER, NUMBER_WORD, read_number

_N = rf"(?P<n>{NUMBER})"
_BOARD_SIZE = re.compile(
    r"\b(?:ban dieu hanh|ban chi dao|bcd|bdh)\b[^.;]{0,160}?"
    rf"(?:\b(?:gom|voi|co)\b\s*:?\s*{_N}\s+thanh vien\b|\(\s*{_N.replace('?P<n>', '?P<n2>')}\s+(?:thanh vien|dong chi)\b"
    rf"|\bgom\s*:?\s*{_N.replace('?P<n>', '?P<n3>')}\s+dong chi\b)"
)
_RANGE = re.compile(rf"\b(?:tu\s+)?(?:\d+|{NUMBER_WORD}(?: {NUMBER_WORD})*)\s*(?:den|-|–|toi)\s*(?:\d+|{NUMBER_WORD})\s+thanh vien\b")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+|\n+")
_BOARD_HINT = re.compile(r"ban\s+(?:ch|đi|di)|bcđ|bđh|bcd|bdh", re.I)
_DISTRICT_LEVEL = re.compile(r"\b(?:huyen|tinh|thi xa|thanh pho|quan)\b")
_UNIT_LEVEL = re.compile(r"\b(?<!thi )(?:xa|phuong)\b|\bthi tran\b")
_OTHER_UNIT_BOARD = re.compile(rf"(?:xa|phuong|thi tran)\s+[\w' ]{{2,30}}?\s+(?:(?:gom|co)\s+)?({NUMBER})\s+thanh vien")


def board_sizes(text: str) -> list[int]:
    """Every board size the text gives, in order (ranges left out)."""
    # only the sentences that name a board are folded (dedupe reads every archived article)
    sentences = [s for s in _SENTENCE_END.split(text or "") if _BOARD_HINT.search(s)]
    if not sentences:
        return []
    folded = fold(". ".join(sentences))
    sizes = []
    for m in _BOARD_SIZE.finditer(folded):
        window = folded[m.start(): m.end()]
        if _RANGE.search(window):
            continue
        if _DISTRICT_LEVEL.search(window) and not _UNIT_LEVEL.search(window):
            continue  # "Ban Chỉ đạo của huyện gồm 21 thành viên": the district's board, not the unit's
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
