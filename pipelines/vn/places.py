"""Places as reports name them: units (xã, phường, thị trấn), districts and provinces.

Each reader returns every mention in text order as (position, "type word + Name"), the type word in
lower case and the name as written ("xã Trung Thượng", "huyện Quan Sơn"; provinces without "tỉnh":
"Điện Biên"). The type words are data (`vocabulary.toml`: unit_types, district_types,
province_types). Which mention is the launch's is `pipelines.structure`'s choice.
"""
from __future__ import annotations

import re

from pipelines.text import fold
from pipelines.vn.letters import capitalised_run
from pipelines.vn.people import officials
from pipelines.vn.vocabulary import alternation, entries

# Capitalised words that end a place name: the next organisation, title or sentence, never a
# syllable of a commune's name.
_NAME_STOP = {
    "Huyện", "Tỉnh", "UBND", "HĐND", "MTTQ", "Đảng", "Ủy", "Uỷ", "Mặt", "Mô", "Ra", "Sáng", "Chiều",
    "Ngày", "Tại", "Trong", "Với", "Các", "Phó", "Bí", "Trưởng",
}
# Words that are syllables of place names too (xã Hợp Thành, xã Đoàn Kết, xã Ban Công): they end a
# name only when the next word makes them an organisation ("Thành ủy", "Ban Dân vận", "Hội nghị").
_NAME_STOP_IF_NEXT = {
    "Ban": {"dân", "chỉ", "điều", "thường", "tuyên", "tổ", "kinh", "văn", "nội", "quản", "bí", "công tác"},
    "Thành": {"ủy", "uỷ", "phố", "đoàn"}, "Thị": {"ủy", "uỷ", "xã", "trấn"},
    "Hội": {"nghị", "nông", "phụ", "cựu", "liên", "đồng", "chữ", "người", "khuyến"},
    "Chi": {"bộ", "hội", "đoàn"}, "Đoàn": {"thanh", "công", "đại", "kiểm", "thể"},
    "Chính": {"quyền", "phủ"}, "Năm": {"dân", "2020", "2021", "2022", "2023", "2024", "2025"},
    "Nhân": {"dân"},
    # "xã Dân Chủ", "xã Quyết Chủ": a syllable of names; "… Chủ tịch UBND" is the next person's title
    "Chủ": {"tịch", "nhiệm", "trì", "đầu", "động"},
    # "Lễ" is a syllable of place names ("xã Hòa Lễ ra mắt …", "xã Lễ Môn"); only a ceremony's
    # own name ("… Lễ khai mạc", "Lễ hội") begins after a name without punctuation
    "Lễ": {"khai", "công", "kỷ", "phát", "đón", "trao", "tổng", "sơ", "bế", "mít", "chào", "dâng", "hội"},
}
NUMBER_NAME = re.compile(r"\d{1,2}\b")
# A number right after a name, followed by punctuation, the end, or a word that is not a counted noun
# ("xã An Thạnh 2 tổ chức": the verb "tổ chức", not "2 tổ"; "… 2 lần lượt": "in turn", not "twice").
_TRAILING_NUMBER = re.compile(
    r"\s+(\d{1,2})(?=[,.;:!?)”\"]|\s*$|\s+(?!(?:thành|người|hộ|năm|tháng|ngày|thôn|bản|xóm|xã|phường|đơn|ha|km|m2|tỷ"
    r"|triệu|nghìn|ngàn|lần(?!\s+lượt)|đồng|cán|tổ(?!\s+chức)|khu|tiểu|điểm|%|giờ|phút|chi|đảng|học|cụm|tuyến|con|việc)\b))"
)
_TOKEN = re.compile(r"(\S+?)([,.;:!?)”\"]*)(\s+|$)")
# A name is at most this long in characters: the reader never looks further.
_NAME_WINDOW = 80


def read_name(text: str, pos: int) -> tuple[str, int] | None:
    """A place name starting at pos: 1–4 capitalised syllables, or a number ("Phường 3")."""
    m = re.match(r"\s*:?\s*", text[pos:])
    start = pos + m.end()
    num = NUMBER_NAME.match(text, start)
    if num:
        return num.group(0), num.end()
    tokens = list(_TOKEN.finditer(text[start: start + _NAME_WINDOW]))
    words, end, closed = capitalised_run(tokens, _NAME_STOP, _NAME_STOP_IF_NEXT, 4)  # punctuation closes the name
    end += start
    if not words:
        return None
    dashed = None if closed else _dashed_name(text, start, end, words)
    if dashed:
        return dashed
    # "xã Hố Nai 3", "phường Tân Phong 2": a number closes the name when nothing counted follows it
    num = None if closed else _TRAILING_NUMBER.match(text, end)
    if num:
        return " ".join(words) + " " + num.group(1), num.end(1)
    return " ".join(words), end


_DASH = re.compile(r"\s*[-–]\s*")


def _dashed_name(text: str, start: int, end: int, words: list[str]) -> tuple[str, int] | None:
    """"Bà Rịa - Vũng Tàu", "phường Lang Biang - Đà Lạt": a name that goes on past a dash, when the
    gazetteer knows the whole name (a dash between a unit and its district, "Xã Đông Văn - huyện
    Đông Sơn", is a separator)."""
    dash = _DASH.match(text, end)
    if not dash:
        return None
    from pipelines.gazetteer import hyphenated_names  # the dataset, loaded on the first dash

    tokens = list(_TOKEN.finditer(text[dash.end(): dash.end() + _NAME_WINDOW]))
    more, more_end, _ = capitalised_run(tokens, _NAME_STOP, _NAME_STOP_IF_NEXT, 4)
    first = fold(" ".join(words))
    for k in range(len(more), 0, -1):
        if f"{first} - {fold(' '.join(more[:k]))}" in hyphenated_names():
            stop = dash.end() + tokens[k - 1].start(1) + len(more[k - 1])
            return text[start:stop], stop
    return None


# --- units -----------------------------------------------------------------------------------------
_UNIT_TYPES = alternation("unit_types")
_TYPE_RE = re.compile(rf"(?<![\wÀ-ỹ])(?<!thị )(?<!Thị )(?<!THỊ )({_UNIT_TYPES})(?![\wÀ-ỹ])", re.I)
_PLURAL_BEFORE = re.compile(r"(?:các|những|\d+|hai|ba|bốn|năm|sáu|bảy|tám|chín|mười)\s*$", re.I)
_LIST_SEPARATOR = re.compile(r"\s*(?:,|;|và|,\s*và)\s*(?!(?:" + _UNIT_TYPES + r")\b)", re.I)


def unit_name(unit: str) -> str:
    """"xã Trung Hạ" → "Trung Hạ", "thị trấn Quan Sơn" → "Quan Sơn": a mention without its type word."""
    m = _TYPE_RE.match(unit)
    return unit[m.end():].strip() if m else unit


def unit_mentions(text: str):
    """Every unit named in text: (position, "xã Name"), expanding lists after a plural type word.

    "các xã A, B và C" / "2 xã A và B" / "03 xã: A, B, C" list several names after one type word;
    a singular "xã A, Ban Dân vận …" does not continue (the comma ends the clause there).
    """
    for m in _TYPE_RE.finditer(text):
        kind = " ".join(m.group(1).lower().split())
        first = read_name(text, m.end())
        if not first:
            continue
        name, end = first
        yield m.start(), f"{kind} {name}"
        plural = bool(_PLURAL_BEFORE.search(text[max(0, m.start() - 12): m.start()]))
        while plural:
            sep = _LIST_SEPARATOR.match(text, end)
            if not sep:
                break
            nxt = read_name(text, sep.end())
            if not nxt:
                break
            name, end = nxt
            yield end - len(name), f"{kind} {name}"


# --- districts -------------------------------------------------------------------------------------
def _kinds(section: str) -> dict[str, str]:
    """Folded written form → the type word it stands for ("huyen uy" → "huyện", "tp." → "thành phố")."""
    return {fold(w): entry.get("kind", w.lower()) for entry in entries(section) for w in entry["words"]}


_DISTRICT_KINDS = _kinds("district_types")
# the party committee is listed first in the data: "Huyện ủy Quan Sơn" must not be read as "huyện" + "ủy"
_DISTRICT_RE = re.compile(rf"(?<![\wÀ-ỹ])(?P<kind>{alternation('district_types')})\s+", re.I)
# Names that follow "thành phố"/"huyện" in these texts without being a district.
_NOT_DISTRICT = {"Hồ", "Việt", "Nam"}


def _without_person(name: str, people: tuple[str, ...]) -> str:
    """"Phó Chủ tịch UBND huyện Lê Văn Tiến": the person named after a title is no district —
    the whole name, or its first syllables where the name reader stopped early, comes off."""
    for person in people:
        parts = person.split()
        for k in range(len(parts), 1, -1):
            head = " ".join(parts[:k])
            if name == head or name.endswith(" " + head):
                return name[: len(name) - len(head)].strip()
    return name


def district_mentions(text: str, people: tuple[str, ...] | None = None):
    """Every district named: (position, "huyện Name" | "thị xã Name" | "thành phố Name"). The people
    the text names (read by `pipelines.vn.people` unless given) are never a district's name."""
    if people is None:
        people = tuple(o["name"] for o in officials(text))
    for m in _DISTRICT_RE.finditer(text):
        got = read_name(text, m.end())
        name = _without_person(got[0], people) if got else ""
        if not name or NUMBER_NAME.fullmatch(name) or name.split()[0] in _NOT_DISTRICT:
            continue
        written = fold(" ".join(m.group("kind").split()))
        kind = _DISTRICT_KINDS.get(written, m.group("kind").lower())
        if kind == "thành phố" and _is_central_city(name):
            continue  # "thành phố Hải Phòng" is a province (province_mentions)
        if not _allowed("district_types", written, name):
            continue  # "H. Hải Lăng" is a district; "H. Minh Thư" a photographer
        yield m.start(), f"{kind} {name}"


# Type words that count only before some names (vocabulary.toml `only`): "known", a name the
# gazetteer knows for that type ("H. Hải Lăng", "T. Quảng Trị"); "central_cities", a city under the
# central government ("thành phố Hải Phòng" is a province, "thành phố Sơn La" a district).
_ONLY = {section: {fold(w): entry["only"] for entry in entries(section) if entry.get("only") for w in entry["words"]}
         for section in ("district_types", "province_types")}


def _allowed(section: str, written: str, name: str) -> bool:
    from pipelines.gazetteer import is_district_name, is_province_name

    only = _ONLY[section].get(written)
    if only == "central_cities":
        return _is_central_city(name)
    if only == "known":
        return is_district_name(name) if section == "district_types" else is_province_name(name)
    return True


def _is_central_city(name: str) -> bool:
    from pipelines.gazetteer import central_cities

    return fold(name) in central_cities()


# --- provinces -------------------------------------------------------------------------------------
# the party committee first: "Tỉnh ủy Đắk Lắk" must not be read as "tỉnh" + "ủy"
_PROVINCE_RE = re.compile(rf"(?<![\wÀ-ỹ])(?P<kind>{alternation('province_types')})\s+", re.I)


def province_mentions(text: str, people: tuple[str, ...] | None = None):
    """Every province named: (position, "Name") — "tỉnh Điện Biên", "Tỉnh ủy Sơn La", "UBND tỉnh Lai
    Châu"; never a person named after a title ("Phó Chủ tịch UBND tỉnh Lê Thị Hương")."""
    if people is None:
        people = tuple(o["name"] for o in officials(text))
    for m in _PROVINCE_RE.finditer(text):
        got = read_name(text, m.end())
        name = _without_person(got[0], people) if got else ""
        if not name or NUMBER_NAME.fullmatch(name):
            continue
        written = fold(" ".join(m.group("kind").split()))
        if not _allowed("province_types", written, name):
            continue  # "thành phố Sơn La": a district; "T. Hằng" a photographer
        yield m.start(), name
