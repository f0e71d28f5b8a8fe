"""Gazetteer on vietnamadminunits: codes before and after 2025, coordinates, honest failures."""
from pipelines.gazetteer import resolve


def test_resolves_seed_communes_with_old_and_new_codes():
    place = resolve("xã Trung Thượng", "huyện Quan Sơn", "Thanh Hóa")
    assert place.status == "resolved"
    assert (place.unit_code, place.district_code, place.province_code) == ("14998", "387", "38")
    assert (place.new_unit, place.new_unit_code) == ("Xã Quan Sơn", "15016")
    assert 20 < place.latitude < 21 and 104 < place.longitude < 106
    ward = resolve("phường Quảng Tiến", "thành phố Sầm Sơn", "Thanh Hoá")  # tone placement folded
    assert ward.unit_code == "14842" and ward.new_unit == "Phường Sầm Sơn"


def test_unknown_names_are_flagged_not_guessed():
    assert resolve("xã Không Có Thật", "huyện Quan Sơn", "Thanh Hóa").status == "unresolved"
    # a real commune of another district must not be matched to a neighbour's name
    assert resolve("xã Trung Thượng", "huyện Krông Pắc", "Đắk Lắk").status == "unresolved"
    assert resolve(None, None, None).status == "unresolved"


def test_launch_rows_carry_gazetteer_columns(crawled):
    import sqlite_utils

    db = sqlite_utils.Database(crawled["db_path"])
    rows = list(db.query("select * from launches"))
    resolved = [r for r in rows if r["gazetteer_status"] == "resolved"]
    assert len(resolved) >= 0.9 * len(rows)
    assert all(r["unit_code"] and r["latitude"] and r["new_unit"] for r in resolved)
    assert all(r["unit"] for r in rows)  # unresolved names are kept as written


def test_province_of_a_unit_of_a_named_district():
    from pipelines.gazetteer import province_of

    assert province_of("xã Quài Cang", "huyện Tuần Giáo") == "Điện Biên"
    assert province_of("xã Quài Cang", None) is None  # a unit alone is too ambiguous
    assert province_of("xã Không Có", "huyện Tuần Giáo") is None


def test_one_spelling_per_place():
    from pipelines.gazetteer import district_of, district_spelling, province_spelling

    assert province_spelling("Thanh Hoá") == "Thanh Hóa" and province_spelling("Hoà Bình") == "Hòa Bình"
    assert district_spelling("huyện Quan Hoá", "Thanh Hóa") == "huyện Quan Hóa"
    assert district_spelling("huyện Quan Hoá") == "huyện Quan Hóa"       # one district of that name anywhere
    assert district_spelling("huyện Không Có", "Thanh Hóa") == "huyện Không Có"  # unknown: as written
    assert province_spelling("Xứ Lạ") == "Xứ Lạ"


def test_the_district_of_a_unit_only_when_one_district_of_the_province_has_it():
    from pipelines.gazetteer import district_of

    assert district_of("xã Quài Cang", "Điện Biên") == "huyện Tuần Giáo"
    assert district_of("xã Trung Thượng", "Thanh Hoá") == "huyện Quan Sơn"
    assert district_of("xã Quài Cang", None) is None
    assert district_of("phường Quài Cang", "Điện Biên") is None          # the type word must agree
