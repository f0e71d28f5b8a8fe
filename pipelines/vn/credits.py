"""Bylines and credits: who wrote an article (author) and which unit it credits (source).

`split_byline(lines)` reads credit lines ("Tác giả: Minh Thư", "Tin, ảnh: Lương Thị Hiền", "Kim
Chung (Trung tâm VHTT huyện …)", "Nguồn: Báo Nghệ An", "PV") into (author, source); a CMS account
("Văn phòng UBND xã", "admin") is nobody. The labels, reporter tags, credited-unit words and account
names are data (`vocabulary.toml`: author_labels, reporter_tags, credit_words, source_labels,
credited_units, account_names). `is_name` is the shape of a personal name as bylines print it.
"""
from __future__ import annotations

import re

from pipelines.vn.dates import parse_page_date, strip_dates
from pipelines.vn.letters import MIDDLE_NAMES
from pipelines.vn.vocabulary import alternation, words

# "Nguồn: X" always credits a unit; "Theo X" only when it stands alone ("(Theo Báo Thanh Hóa)",
# "Theo baothanhhoa.vn"), since body sentences also start with "Theo …".
SOURCE_PREFIX = re.compile(
    rf"^\(?\s*((?:{alternation('source_labels')})\s*:|theo\b(?=(?:[^,;.]|\.(?=\w)){{0,80}}\)?\.?$))\s*", re.I)
# Byline prefixes: "Tác giả:", "Viết bởi", "Bởi" (WordPress themes, often glued to the name: "BởiBùi
# Hoa"), reporter tags before a name ("PV Minh Hằng"), and the credits "Tin, ảnh:", "Bài và ảnh:",
# "Tin:", "Bài:" (those need the colon: "Bài …" and "Tin …" also begin ordinary sentences).
_CREDIT_WORDS = alternation("credit_words")
AUTHOR_PREFIX = re.compile(
    rf"^(?:(?:{alternation('author_labels')})(?:\s*:\s*|\s+|(?=[A-ZĐÀ-Ỹ]))"
    rf"|(?:{alternation('reporter_tags')})\s*:?\s+(?=[A-ZĐÀ-Ỹ][a-zà-ỹđ])"
    rf"|(?:{_CREDIT_WORDS})(?:\s*(?:,|và|-|–|&|\+)?\s*(?:{_CREDIT_WORDS}))?\s*:\s*)",
    re.I,
)
# Units credited in a byline, as opposed to a person's name.
UNIT_WORDS = re.compile(rf"\b(?:{alternation('credited_units')})(?![\wÀ-ỹ])", re.I)
# CMS account names and reporter abbreviations shown where a post has no real byline: no author.
_ACCOUNT_NAMES = {w.lower() for w in words("account_names")}


def is_account_name(name: str) -> bool:
    return " ".join(name.strip(" .:").lower().split()) in _ACCOUNT_NAMES


def is_name(text: str) -> bool:
    """A personal name as bylines print it: 2–5 capitalised syllables, nothing else ("Phạm Thúy",
    "Lò Thị Hương", "H'Hen Niê")."""
    words = text.split()
    return 2 <= len(words) <= 5 and all(_is_name_word(w) for w in words)


def _is_name_word(word: str) -> bool:
    """"Thúy", "Y", "H'Hen", "Kpă": a capital, then lower-case letters (parts joined by apostrophes)."""
    for part in re.split(r"['’]", word):
        if not part or not part.isalpha() or not part[0].isupper() or (len(part) > 1 and not part[1:].islower()):
            return False
    return True


# "Minh Hằng (Đài TT-TH huyện Như Xuân)", "Ngọc Anh - Văn phòng Huyện ủy Mai Châu": a person and the
# unit they write for. The name part must be a name; a unit may itself contain " - "
# ("Trung tâm Văn hóa - Thông tin và Truyền thông").
_NAME_UNIT = re.compile(r"^(?P<name>[^()\-–—,]+?)\s*(?:\((?P<u1>[^()]+)\)?|\s[-–—]\s*(?P<u2>.+)|,\s*(?P<u3>.+))$")


_POSTED_BY = re.compile(r"^(?:đăng bởi|người đăng|bởi|viết bởi)", re.I)
_NAME_SEPARATORS = re.compile(r"\s+[-–—&]\s+|\s*,\s*|\s+và\s+")


def several_names(line: str) -> list[str] | None:
    """"Thanh Thủy - Hồng Nhung", "Lan Anh, Minh Đức", "A và B": two or more people, else None."""
    parts = [p.strip(" .") for p in _NAME_SEPARATORS.split(line.strip())]
    if len(parts) >= 2 and all(is_name(p) and not UNIT_WORDS.search(p) for p in parts):
        return parts
    return None


def split_name_unit(line: str) -> tuple[str, str] | None:
    m = _NAME_UNIT.match(line.strip())
    if not m:
        return None
    name, unit = m.group("name").strip(" ."), (m.group("u1") or m.group("u2") or m.group("u3") or "").strip(" .")
    if is_name(name) and unit and (UNIT_WORDS.search(unit) or not is_name(unit)):
        return name, unit
    return None


# verbs of saying: a line with one reports someone's words, it does not credit the article
_SPEECH = re.compile(r"\b(?:cho biết|chia sẻ|phát biểu|khẳng định|bày tỏ|nhấn mạnh|nói)\b", re.I)


def is_speech(line: str) -> bool:
    return bool(_SPEECH.search(line))


# Buttons printed on a byline's line: "Vi Thị Hoa In trang Gửi email", "… | Chia sẻ | Lượt xem: 120".
_BYLINE_TOOLS = re.compile(r"\s*(?:[|·•]\s*)?(?:in trang|in bài|bản in|gửi email|gửi bài|chia sẻ|lượt xem\b.*|print|e-?mail|share)\s*$", re.I)


def without_tools(line: str) -> str:
    previous = None
    while previous != line:
        previous, line = line, _BYLINE_TOOLS.sub("", line)
    return line


_NAMES_UNIT = re.compile(r"^(.+?)\s*\(([^()]+)\)$")
_META_SEPARATOR = re.compile(r"\s+[/|·•]\s+|\s*[|·•]\s*")
# a second credit label inside a credit line ("Tin: X - Ảnh: Y", "Bài: X; ảnh: Y")
# (a dash between spaces or a semicolon: "Tin, ảnh: X" is one credit of two words)
_INNER_CREDIT = re.compile(rf"(?:\s+[-–]\s+|\s*;\s*)(?=(?:{_CREDIT_WORDS})\s*:)"
                           # and a source label run into the line ("Tin: Hà Trang Nguồn: Văn phòng …")
                           rf"|\s+(?=(?:{alternation('source_labels')})\s*:)", re.I)
# fields of a meta line that credit nobody
_OTHER_LABEL = re.compile(r"^(?:chuyên mục|danh mục|lượt xem|lượt đọc|cập nhật|ngày đăng|cỡ chữ|in bài|chia sẻ"
                          r"|[\d.,]+\s*(?:lượt|views?|bình luận))\b", re.I)


def _name_before_label(text: str) -> str:
    """"Nông Thu Huyền Tin hoạt động": a credited name run into the next field of a meta line (the
    category's link) ends before a capital that opens lower-case words; a unit is left whole."""
    parts = text.split()
    if UNIT_WORDS.search(text):
        return text
    for i in range(2, len(parts) - 1):
        if (parts[i][:1].isupper() and parts[i + 1][:1].islower() and parts[i + 1] not in _JOINING
                and parts[i - 1] not in MIDDLE_NAMES and is_name(" ".join(parts[:i]))):
            return " ".join(parts[:i])
    return text


_JOINING = {"và", "cùng", "với"}   # "Lường Thị Hà và Cầm Văn Dũng": two people, not a name and a label


def _byline_parts(lines: list[str]) -> list[tuple[str, bool]]:
    """The credits of byline lines, each with whether it continues the line before it."""
    # a meta line holds several fields: "Tác giả: Thanh Tâm / 29/03/2023 / Chuyên mục: Tin hoạt động"
    lines = [part for line in lines for part in _META_SEPARATOR.split(line)
             if part.strip() and not _OTHER_LABEL.match(part.strip())]
    # a meta line's date is no name: "Đăng vào 11 Tháng Ba, 2024bởi admin" → "bởi admin"
    lines = [strip_dates(line) if parse_page_date(line) else line for line in lines]
    # one credit line, two credits: "Tin: Thu Hằng - Ảnh: Văn Toàn" names both people of the byline
    return [(part, i > 0) for line in lines for i, part in enumerate(_INNER_CREDIT.split(line)) if part.strip()]


def split_byline(lines: list[str]) -> tuple[str | None, str | None]:
    """(author, source) from byline lines. A person is the author; a unit is the source; "Name
    (Unit)" and "Name - Unit" are both; CMS accounts and "PV" are nobody."""
    author = source = None
    for line, continued in _byline_parts(lines):
        if continued and author and AUTHOR_PREFIX.match(line.strip()):
            person = line.strip()[AUTHOR_PREFIX.match(line.strip()).end():].strip(" .")
            if is_name(person) and not is_account_name(person) and person not in author:
                author = f"{author}, {person}"
            continue
        line = without_tools(line.strip())
        if line.startswith("(") and line.endswith(")"):
            line = line[1:-1].strip()
        line = line.strip(" .")
        if not line:
            continue
        if SOURCE_PREFIX.match(line):
            source = source or SOURCE_PREFIX.sub("", line).strip(" .)") or None
            continue
        prefixed = AUTHOR_PREFIX.match(line)
        if prefixed:
            line = _name_before_label(line[prefixed.end():].strip(" ."))
        if not line or is_account_name(line):
            continue
        names = several_names(line)
        if names:
            author = author or ", ".join(names)
            continue
        group = _NAMES_UNIT.match(line)
        if group and several_names(group.group(1)):
            # "Hoàng Thị Lan, Y Khuê Niê (Trung tâm VHTT&TT huyện Krông Pắc)": the people, then their unit
            author = author or ", ".join(several_names(group.group(1)))
            if not is_account_name(group.group(2)):
                source = source or group.group(2).strip()
            continue
        team = _NAME_UNIT.match(line)
        if team and is_account_name(team.group("name").strip(" .")):
            # "Nhóm PV - Trung tâm VH-TT huyện Hương Khê": no person, the unit credited
            source = source or (team.group("u1") or team.group("u2") or team.group("u3") or "").strip(" .") or None
            continue
        if prefixed and UNIT_WORDS.match(line):
            # "Tin, ảnh: Trung tâm VHTT huyện …" credits a unit; "Đăng bởi: Văn phòng UBND xã" is the
            # office's CMS account, neither author nor a credit
            if not _POSTED_BY.match(prefixed.group(0)):
                source = source or line
            continue
        pair = split_name_unit(line)
        if pair:
            author = author or pair[0]
            if not is_account_name(pair[1]):  # "Hoàng Yến (CTV)": a contributor, no unit
                source = source or pair[1]
        elif prefixed or (author is None and not UNIT_WORDS.search(line)):
            author = author or line
        elif source is None:
            source = line
    return author, source


def read_credit(line: str) -> tuple[str | None, str | None] | None:
    """(author, source) when a line on its own credits the article — prefixed ("Tác giả:", "Tin, ảnh:",
    "Nguồn:", "PV …"), a CMS account, a bare personal name or a name with its unit — else None (a
    sentence)."""
    text = without_tools(" ".join((line or "").split()))
    bare = text.strip("()").strip(" .")
    if not bare or len(bare) > 120:
        return None
    prefixed = AUTHOR_PREFIX.match(bare)
    if prefixed and (len(bare[prefixed.end():].split()) > 8 or re.search(r"[,;]\s+\w+\s+\w+\s+\w+.*[,;]|\.\s", bare[prefixed.end():])):
        return None  # "Bởi vì người dân …, xã đã …": a sentence that begins like a credit
    if not (prefixed or SOURCE_PREFIX.match(bare) or is_account_name(bare) or is_name(bare)
            or several_names(bare) or split_name_unit(bare)):
        return None
    if SOURCE_PREFIX.match(bare) and len(SOURCE_PREFIX.sub("", bare).split()) > 12:
        return None
    return split_byline([text])


def is_credit_label(line: str) -> bool:
    """A labelled credit line, wherever it stands ("Tin, ảnh: …", "Ảnh: …", "Nguồn: …")."""
    bare = (line or "").strip().lstrip("(").strip()
    labelled = AUTHOR_PREFIX.match(bare) or (SOURCE_PREFIX.match(bare) and not bare.lower().startswith("theo"))
    return bool(labelled) and read_credit(line) is not None


def is_credit_line(line: str) -> bool:
    """A line that credits the article when it closes it: any credit `read_credit` reads, or a
    credited unit alone ("Trung tâm VHTTTT&DL huyện Quan Sơn", "Báo Thanh Hóa")."""
    if read_credit(line) is not None:
        return True
    bare = " ".join((line or "").split()).strip("() ")
    # a unit's name: short, no sentence end, no count ("Ban Chỉ đạo gồm 15 thành viên." is a sentence)
    return (len(bare.split()) <= 12 and not re.search(r"[.!?;:]|\d", bare)
            and UNIT_WORDS.match(bare) is not None)
