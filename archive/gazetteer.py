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
    import os
    import sqlite3

    import vietnamadminunits

    path = os.path.join(os.path.dirname(vietnamadminunits.__file__), "data", "dataset.db")
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as conn:
        names = {row[0] for table in ("admin_units_legacy", "admin_units")
                 for row in conn.execute(f"select distinct provinceShort from {table}")}
    return {fold(name): name for name in names if name}
