"""People named in a report, with their titles: "đồng chí Hà Văn A - Chủ tịch UBND xã", "Đ/c …",
"ông …, Phó Chủ tịch UBND huyện", "bà …", a title written before the name ("Phó Chủ tịch UBND huyện
Trịnh Quang Hưởng"), lists "các đồng chí: A, chức vụ; B, chức vụ".

The honorifics and the offices that open a title are data (`vocabulary.toml`: honorifics,
office_heads); family names are in `surnames.txt`. A name is returned as written, its title as first
written, without "đồng chí"/"ông"/"bà".
"""
from __future__ import annotations

import re

from pipelines.text import fold
from pipelines.vn.letters import LO, MIDDLE_NAMES, UP, capitalised_run, is_syllable
from pipelines.vn.vocabulary import alternation, word_list

# How a person is introduced. "các đồng chí:" opens a list "A, chức vụ; B, chức vụ".
_TRIGGER = re.compile(rf"(?<![\wÀ-ỹ])(?P<list>[Cc]ác\s+)?(?:{alternation('honorifics')})(?![\wÀ-ỹ])\s*:?\s*")
# A title written before the name: "Phó Chủ tịch UBND huyện Phan Văn Thắng", "Trưởng Ban Dân vận Thị
# ủy Trương Công Thành dự". The title runs to the next ";", ",", "." or verb; the name is its last
# 3–4 capitalised syllables, from a family name on (pipelines/surnames.txt).
_TITLE_FIRST = re.compile(rf"(?<![\wÀ-ỹ])(?:{alternation('office_heads')}) ")
_SURNAMES = word_list("surnames.txt")
# The middle names that mark a name's second syllable ("Lăng Thị Mai", "Vy Văn Đức").
# Capitalised words that begin a title, never a personal name.
_TITLE_WORDS = {
    "Phó", "Bí", "Chủ", "Trưởng", "Ủy", "Uỷ", "Giám", "Chánh", "Tỉnh", "Huyện", "UBND", "HĐND",
    "MTTQ", "Bộ", "Sở", "Phòng", "Cục", "Viện", "Đảng", "Xã", "Phường",
}
# Words that are personal names too ("Hà Xuân Thành", "Nguyễn Văn Công"): a title only when the
# next word completes an office ("Thành ủy", "Thường trực", "Đại biểu").
_TITLE_IF_NEXT = {
    "Thành": {"ủy", "uỷ", "phố", "viên"}, "Thường": {"trực", "vụ"}, "Đại": {"biểu", "tá", "úy", "uý", "diện"},
    "Công": {"an", "đoàn"}, "Hội": {"trưởng", "đồng", "viên", "nông", "cựu", "liên", "phụ"},
    "Tổng": {"bí", "giám", "thư", "biên"}, "Chỉ": {"huy"}, "Thứ": {"trưởng"}, "Cán": {"bộ"},
    "Lãnh": {"đạo"}, "Đồng": {"chí"}, "Thượng": {"tá", "úy", "uý"}, "Trung": {"tá", "úy", "uý", "tướng"},
    "Thiếu": {"tá", "úy", "uý", "tướng"}, "Thị": {"ủy", "uỷ", "xã", "trấn"},
    "Ban": {"dân", "chỉ", "điều", "thường", "tuyên", "tổ", "kinh", "văn", "nội", "quản", "bí", "pháp",
            "kiểm", "công", "thi", "đại", "chấp"},                      # "Hà Văn Ban" is a name
    "Nguyên": {"bí", "chủ", "phó", "trưởng", "giám", "ủy", "uỷ"},    # so is "Trần Văn Nguyên"
}
# The verb or clause after a title: the title stops before it. Matched as written (lower case,
# with tones) so "Du lịch" in a department's name is not "dự", and not after "ban "/"Ban " so
# "Trưởng ban chỉ đạo" keeps its "chỉ đạo".
_VERBS = [
    "khai mạc", "bế mạc", "phát biểu", "tới dự", "về dự", "đến dự", "tham dự", "dự", "chỉ đạo", "tặng hoa",
    "tặng", "trao", "tập huấn", "nhấn mạnh", "đề nghị", "yêu cầu", "cho biết", "ghi nhận", "chủ trì",
    "báo cáo", "trình bày", "thông qua", "công bố", "quán triệt", "khẳng định", "đánh giá", "biểu dương",
    "chúc mừng", "gửi lời", "làm trưởng đoàn", "thay mặt", "được", "đã", "cùng", "triển khai", "nêu rõ",
    "lưu ý", "giao nhiệm vụ", "khai", "mong muốn", "đồng thời", "cũng", "nói", "chia sẻ", "phát động",
    "ký", "kêu gọi", "động viên", "giới thiệu", "quán", "lên", "đọc", "thông tin", "tại", "trong",
    "khi", "nhận", "điều hành hội nghị", "dẫn", "và các", "và đại", "cùng các", "hướng dẫn", "đến",
    "giải đáp", "trả lời", "đặt", "là", "cũng như", "ghi", "mời", "và lãnh đạo", "và cán bộ",
    "và đại diện", "và nhân dân", "làm", "và Nhân dân", "và đông đảo", "và toàn thể", "và đại biểu",
    "tiếp thu", "tiếp nhận", "trao đổi", "phổ biến", "thông báo", "cảm ơn", "điều hành", "lần lượt",
]
_VERB_RE = re.compile(
    r"(?<![Bb]an )(?<![\wÀ-ỹ])(?:" + "|".join(sorted(map(re.escape, _VERBS), key=len, reverse=True)) + r")(?![\wÀ-ỹ])"
)
# After a comma, a title continues only with another office ("…, Trưởng Ban Dân vận Huyện ủy,
# Chủ tịch UB MTTQ …"); anything else (", lãnh đạo, cán bộ …") is the sentence moving on.
_TITLE_HEADS = re.compile(
    r"^(?:ủy viên|uỷ viên|phó|trưởng|chủ tịch|chủ nhiệm|bí thư|giám đốc|chánh|tổng|thành viên|đại biểu"
    r"|thường trực|tỉnh ủy viên|tỉnh uỷ viên|huyện ủy viên|huyện uỷ viên|thành ủy viên|thành uỷ viên"
    r"|chỉ huy|trưởng ban|ủy ban|uỷ ban|đảng ủy viên|đảng uỷ viên|nguyên|thứ trưởng|bộ trưởng|cục trưởng"
    r"|vụ trưởng|viện trưởng|hiệu trưởng|kế toán|công chức|cán bộ|ubnd|hđnd|mttq|ub mttq|ub\.mttq"
    r"|bch|btv|ủy viên bch|uỷ viên bch|đại tá|thượng tá|trung tá|thiếu tá)\b",
    re.I,
)


_PERSON_TOKEN = re.compile(r"(\S+?)([,.;:!?)(\-–”\"]*)(\s+|$)")


def _read_person(text: str, pos: int) -> tuple[str, int] | None:
    """A personal name at pos: 2–5 capitalised syllables, stopping at punctuation or a title word."""
    tokens = list(_PERSON_TOKEN.finditer(text[pos: pos + 120]))  # a name is short
    words, end, _ = capitalised_run(tokens, _TITLE_WORDS, _TITLE_IF_NEXT, 5)
    if len(words) < 2:
        return None
    return " ".join(words), pos + end

# "Sở Văn hóa, Thể thao và Du lịch": a comma inside a department's name, not the end of the title.
_NAME_LIST_TAIL = re.compile(rf"^\s*{UP}{LO}*(?:\s+{LO}+)*\s+và\s+{UP}")


def _read_title(text: str, pos: int) -> tuple[str | None, int]:
    """The role phrase after a name ("- chức vụ", ", chức vụ", "(chức vụ)"), as written."""
    sep = re.match(r"\s*(?:[-–—:]|,|\()\s*", text[pos:])
    if not sep:
        return None, pos
    start = pos + sep.end()
    stop = len(text)
    for rx in (r";", r"\.(?=\s|$)", r"\)", r":", r"\n", r"(?<![\wÀ-ỹ])(?:và\s+)?(?:các\s+)?(?:đồng chí|Đồng chí|Đ/c|đ/c)(?![\wÀ-ỹ])"):
        m = re.search(rx, text[start:])
        if m:
            stop = min(stop, start + m.start())
    segment = text[start:stop]
    v = _VERB_RE.search(segment)
    if v:
        segment = segment[: v.start()]
    # comma-separated offices; the first is the title's head, later ones must be offices too
    parts = segment.split(",")
    kept = [parts[0]]
    for part in parts[1:]:
        if _TITLE_HEADS.match(part.strip()) or _NAME_LIST_TAIL.match(part):
            kept.append(part)
        else:
            break
    title = re.sub(r"^[\s,\-–]+|[\s,\-–]+$", "", ",".join(kept))
    title = " ".join(title.split())  # &nbsp; and double spaces inside a title become one space
    return (title or None), start + len(",".join(kept))


def _is_author(name: str, author: str | None) -> bool:
    if not author:
        return False
    people = [fold(p) for p in re.split(r"\s*(?:,|;|-|–|\bvà\b|&)\s*", author) if p.strip()]
    return fold(name) in people or fold(name) == fold(author)


_OFFICE_WINDOW = 300
# the last word of a place's type ("huyện", "xã", "thị trấn", "thành phố", "tổ dân phố" …)
_PLACE_TYPE_ENDS = frozenset({"huyện", "xã", "phường", "tỉnh", "phố", "trấn", "quận", "thôn", "bản", "ấp",
                              "xóm", "làng", "buôn", "khóm", "khu"})


def _offices_before(text: str, pos: int) -> str:
    """Offices written before a title-first title, comma-separated: "Ủy viên Ban Thường vụ, " of
    "… có Ủy viên Ban Thường vụ, Trưởng Ban Dân vận Huyện ủy Sầm Thị Lan"."""
    prefix = ""
    while True:
        # an office is a few words: look back a bounded window, so a page-long run without
        # punctuation costs a constant, not a scan from every position
        window = max(0, pos - _OFFICE_WINDOW)
        m = re.search(r"([^;:.(\n,]+),\s*$", text[window:pos])
        if not m:
            return prefix
        # the segment after the sentence's verb ("… hội nghị có Ủy viên Ban Thường vụ")
        segment = re.split(r"(?<![\wÀ-ỹ])(?:có|dự|là)(?![\wÀ-ỹ])", m.group(1))[-1].strip()
        if not _TITLE_HEADS.match(segment) or _ends_with_name(segment):
            return prefix  # not an office, or another person's title and name ("… huyện Tẩn Láo Lở, …")
        prefix = segment + ", " + prefix
        pos = window + m.start(1) + m.group(1).rfind(segment)


def _is_place_name(name: str) -> bool:
    from pipelines.gazetteer import is_place_name  # the dataset loads on first use only

    return is_place_name(name)


def _ends_with_name(segment: str) -> bool:
    words = segment.split()
    return any(words[i] in _SURNAMES and all(is_syllable(w) for w in words[i:])
               for i in range(max(1, len(words) - 4), len(words) - 2))


def _titled_names(text: str):
    """(name, title) for each title written before its name."""
    for m in _TITLE_FIRST.finditer(text):
        stop = re.search(r"[;,.:()\n“”]|(?<![\wÀ-ỹ])và(?![\wÀ-ỹ])", text[m.start():])
        span = text[m.start(): m.start() + stop.start()] if stop else text[m.start():]
        verb = _VERB_RE.search(span)
        if verb:
            span = span[: verb.start()]
        words = span.split()
        for _ in range(3):  # "… Ma Thị Thúy lần lượt công bố": words after the name, before the verb
            if words and not is_syllable(words[-1]):
                words.pop()
        tail = len(words)
        while tail > 0 and is_syllable(words[tail - 1]):
            tail -= 1  # the run of capitalised syllables that ends the span
        starts = range(max(tail, len(words) - 4), len(words) - 2)
        # the syllable before a middle name "Văn"/"Thị" opens the name ("xã Trung Hà Quan Văn Lợi");
        # else a family name or an Ê Đê "H'…"
        start = next((i for i in starts if words[i + 1] in MIDDLE_NAMES), None)
        if start is None:
            start = next((i for i in starts if words[i] in _SURNAMES or words[i].startswith("H'")), None)
        # a bare "Chủ tịch Hồ Chí Minh" is history, not an official present: an office names its
        # body ("Chủ tịch UBND xã", "Trưởng Ban Dân vận Huyện ủy")
        # capitalised syllables right after a place's type word are the place when a place has that
        # name ("Phó Chủ tịch UBND huyện Châu Thành A", "Bí thư Đảng ủy xã Lý Văn Lâm"); else a
        # person whose place goes without saying ("Phó Chủ tịch UBND huyện Trịnh Quang Hưởng")
        if start is not None and words[start - 1].lower() in _PLACE_TYPE_ENDS \
                and _is_place_name(" ".join(words[start:])):
            start = None
        if start is not None and start >= 3:
            title = _offices_before(text, m.start()) + " ".join(words[:start])
            yield m.start(), " ".join(words[start:]), title


def officials(body_text: str, author: str | None = None) -> list[dict]:
    """People introduced as đồng chí / Đ/c / ông / bà (name, then title), or after their title
    ("Phó Chủ tịch UBND huyện Phan Văn Thắng"), once each, with the title as first written."""
    found: dict[str, dict] = {}
    first_seen: dict[str, int] = {}

    def add(name: str, title: str | None, pos: int):
        if _is_author(name, author):
            return
        key = fold(name)
        if key not in found:
            found[key] = {"name": name, "title": title}
            first_seen[key] = pos
        elif title and (found[key]["title"] is None or pos < first_seen[key]):
            found[key]["title"] = title  # the title as first written
            first_seen[key] = min(pos, first_seen[key])

    text = body_text or ""
    for pos, name, title in _titled_names(text):
        add(name, title, pos)
    for m in _TRIGGER.finditer(text):
        person = _read_person(text, m.end())
        if not person:
            continue  # "các đồng chí lãnh đạo thành phố …": no name, nobody to record
        name, end = person
        title, end = _read_title(text, end)
        add(name, title, m.start())
        if m.group("list"):
            # "các đồng chí: A, chức vụ; B, chức vụ; C, chức vụ" — the next items follow ";" or ","
            while True:
                nxt = re.match(r"\s*[;,]\s*(?:và\s+)?", text[end:])
                if not nxt:
                    break
                person = _read_person(text, end + nxt.end())
                if not person:
                    break
                name, end = person
                title, end = _read_title(text, end)
                add(name, title, end)
    return [found[key] for key in sorted(found, key=first_seen.get)]
