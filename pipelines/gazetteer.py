"""Gazetteer: launch places → administrative codes and coordinates, before and after 2025.

Backed by `vietnamadminunits` (pre-2025 "legacy" units with codes and coordinates, and the
old → 1 July 2025 conversion). A name is accepted only when the dataset's unit has the same name
(diacritics and "Hoá/Hóa" folded): the library's parser is forgiving, and a forgiving match to a
neighbouring commune would be worse than none. Unresolvable names are kept as written and flagged.
"""
from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from functools import lru_cache

from pipelines.text import fold

_TYPE_WORDS = re.compile(r"^(xã|phường|thị trấn|huyện|thị xã|thành phố|tỉnh)\s+", re.I)


@dataclass(frozen=True)
class Place:
    status: str  # "resolved" | "unresolved"
    unit_code: str | None = None  # pre-2025 commune code
    unit_name: str | None = None  # the dataset's name, e.g. "Xã Trung Thượng"
    district_code: str | None = None
    province_code: str | None = None
    new_unit: str | None = None  # the 2025 unit it became
    new_unit_code: str | None = None
    latitude: float | None = None
    longitude: float | None = None

    def as_columns(self) -> dict:
        return {f"gazetteer_{k}" if k == "status" else k: v for k, v in asdict(self).items()}


def short_name(name: str) -> str:
    return _TYPE_WORDS.sub("", name.strip())


@lru_cache(maxsize=4096)
def resolve(unit: str | None, district: str | None, province: str | None) -> Place:
    if not unit:
        return Place("unresolved")
    from vietnamadminunits import convert_address, parse_address

    parts = [unit.strip()[:1].upper() + unit.strip()[1:]]
    if district:
        parts.append(district.strip()[:1].upper() + district.strip()[1:])
    if province:
        parts.append(f"Tỉnh {short_name(province)}" if not province.lower().startswith(("tỉnh", "thành phố")) else province)
    address = ", ".join(parts)
    try:
        old = parse_address(address, mode="LEGACY")
    except Exception:  # noqa: BLE001 - the library raises plain exceptions on names it cannot parse
        return Place("unresolved")
    if not old.ward or fold(short_name(old.ward)) != fold(short_name(unit)):
        return Place("unresolved")
    new_unit = new_code = None
    try:
        new = convert_address(address)
        new_unit, new_code = new.ward, new.ward_code
    except Exception:  # noqa: BLE001 - conversion is a bonus; the legacy code stands alone
        pass
    return Place("resolved", unit_code=old.ward_code, unit_name=old.ward, district_code=old.district_code,
                 province_code=old.province_code, new_unit=new_unit, new_unit_code=new_code,
                 latitude=old.latitude, longitude=old.longitude)


@lru_cache(maxsize=4096)
def province_of(unit: str | None, district: str | None) -> str | None:
    """The province (name without "Tỉnh"/"Thành phố") holding this unit of this district, when the
    dataset knows the pair exactly; None otherwise (a unit alone is too ambiguous to place)."""
    if not unit or not district:
        return None
    from vietnamadminunits import parse_address

    address = f"{unit.strip()[:1].upper() + unit.strip()[1:]}, {district.strip()[:1].upper() + district.strip()[1:]}"
    try:
        found = parse_address(address, mode="LEGACY")
    except Exception:  # noqa: BLE001 - the library raises plain exceptions on names it cannot parse
        return None
    if not found.ward or not found.district or not found.province:
        return None
    if fold(short_name(found.ward)) != fold(short_name(unit)) or fold(short_name(found.district)) != fold(short_name(district)):
        return None
    return re.sub(r"^(?:Tỉnh|Thành phố)\s+", "", found.province)


@lru_cache(maxsize=1)
def province_names() -> dict[str, str]:
    """Folded short name → short name of every province, before and after 2025 ("thanh hoa" → "Thanh Hóa")."""
    names = {row[0] for table in ("admin_units_legacy", "admin_units")
             for row in _dataset(f"select distinct provinceShort from {table}")}
    return {fold(name): name for name in names if name}


@lru_cache(maxsize=1)
def central_cities() -> frozenset[str]:
    """Folded names of the cities under the central government (Hà Nội, Hải Phòng, Đà Nẵng, Cần Thơ,
    Hồ Chí Minh, Huế since 2025): provinces, though written "thành phố X" like a district."""
    return frozenset(fold(row[1]) for table in ("admin_units_legacy", "admin_units")
                     for row in _dataset(f"select distinct province, provinceShort from {table}")
                     if row[0] and row[0].startswith("Thành phố"))


@lru_cache(maxsize=1)
def hyphenated_names() -> frozenset[str]:
    """Folded names of the places whose name holds a dash ("Bà Rịa - Vũng Tàu", "Phan Rang - Tháp
    Chàm", the 2025 wards "Lang Biang - Đà Lạt" …), spaced as "a - b"."""
    names = {row[0] for sql in ("select distinct provinceShort from admin_units_legacy",
                                "select distinct districtShort from admin_units_legacy",
                                "select distinct wardShort from admin_units_legacy",
                                "select distinct wardShort from admin_units")
             for row in _dataset(sql)}
    return frozenset(" - ".join(fold(part) for part in re.split(r"\s*[-–]\s*", name))
                     for name in names if name and re.search(r"\s[-–]\s", name))


def _dataset(sql: str) -> list[tuple]:
    """Rows of the dataset `vietnamadminunits` ships (read-only)."""
    import os
    import sqlite3

    import vietnamadminunits

    path = os.path.join(os.path.dirname(vietnamadminunits.__file__), "data", "dataset.db")
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as conn:
        return conn.execute(sql).fetchall()


# --- one spelling per place ---------------------------------------------------------------------
def _key(name: str) -> str:
    """The dataset's key of a short name: folded, letters and digits only ("Quan Hoá" → "quanhoa")."""
    return re.sub(r"[^a-z0-9]", "", fold(short_name(name)))


@lru_cache(maxsize=1)
def _legacy_units() -> list[tuple[str, str, str, str, str, str, str, str]]:
    """(province, province key, district, district key, district type, ward key, ward type) of every
    pre-2025 ward, from the dataset `vietnamadminunits` ships."""
    return _dataset("select provinceShort, provinceShortKey, districtShort, districtShortKey, districtType, wardShortKey, "
                    "wardType from admin_units_legacy")


@lru_cache(maxsize=1)
def _by_district() -> dict[str, list[tuple]]:
    """The legacy units by district key (a lookup, not a scan of 10,000 rows per call)."""
    index: dict[str, list[tuple]] = {}
    for row in _legacy_units():
        index.setdefault(row[3], []).append(row)
    return index


@lru_cache(maxsize=1)
def _by_ward() -> dict[tuple[str, str], list[tuple]]:
    """The legacy units by (ward key, province key)."""
    index: dict[tuple[str, str], list[tuple]] = {}
    for row in _legacy_units():
        index.setdefault((row[5], row[1]), []).append(row)
    return index


@lru_cache(maxsize=1)
def _place_keys() -> frozenset[str]:
    return frozenset(key for row in _legacy_units() for key in (row[1], row[3], row[5]))


def is_place_name(name: str) -> bool:
    """A pre-2025 province, district or ward is called this ("Châu Thành A", "Lý Văn Lâm")."""
    return bool(name) and _key(name) in _place_keys()


def is_district_name(name: str) -> bool:
    """A pre-2025 district is called this ("Hải Lăng", "Phan Rang - Tháp Chàm")."""
    return bool(name) and _key(name) in _by_district()


def is_province_name(name: str) -> bool:
    """A province is called this, before or after 2025."""
    return bool(name) and fold(short_name(name)) in province_names()


def _type_word(name: str) -> str:
    m = _TYPE_WORDS.match(name.strip())
    return m.group(1).lower() if m else ""


def province_spelling(province: str | None) -> str | None:
    """The province's name as the dataset spells it ("Thanh Hoá" → "Thanh Hóa"); as given when unknown."""
    if not province:
        return province
    return province_names().get(fold(short_name(province)), province)


def district_spelling(district: str | None, province: str | None = None) -> str | None:
    """"huyện Quan Hoá" → "huyện Quan Hóa": the dataset's spelling of the district's name (in the
    province when known; otherwise only when every district of that name is spelt alike), the type
    word as given. As given when the dataset does not know it."""
    if not district:
        return district
    dkey, pkey = _key(district), _key(province) if province else None
    names = {row[2] for row in _by_district().get(dkey, ()) if pkey is None or row[1] == pkey}
    if len(names) != 1:
        return district
    kind = _type_word(district)
    return f"{kind} {names.pop()}" if kind else names.pop()


def district_of(unit: str | None, province: str | None) -> str | None:
    """The district ("huyện Tuần Giáo") holding this unit in this province, when exactly one does;
    None otherwise (a name shared by communes of two districts says nothing)."""
    if not unit or not province:
        return None
    wkey, pkey, wtype = _key(unit), _key(province), _type_word(unit)
    found = {(row[4], row[2]) for row in _by_ward().get((wkey, pkey), ())
             if not wtype or row[6].lower() == wtype}
    if len(found) != 1:
        return None
    kind, name = found.pop()
    return f"{kind.lower()} {name}"
