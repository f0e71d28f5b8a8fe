"""The national registry: former district portals of eight provinces, every one a real pre-2025
unit of the gazetteer, with a well-formed host of its province's (guessed) pattern."""
from __future__ import annotations

import re
import tomllib
from urllib.parse import urlsplit

import pytest

from pipelines.gazetteer import province_names
from pipelines.text import fold
from scrapers import registry_build
from scrapers.platforms import get_platform
from scrapers.registry import REGISTRY_PATH, RegistryError, counts_by_province, default_registry, in_province, load_registry

from .conftest import thanthien

REAL = [p for p in default_registry().values() if not p.simulated]
_LABEL = re.compile(r"^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$")


def test_the_registry_loads_and_covers_at_least_six_provinces():
    counts = counts_by_province(REAL)
    assert len(counts) >= 6
    assert counts == {"Thanh Hóa": 27, "Sơn La": 12, "Hòa Bình": 10, "Điện Biên": 10, "Nghệ An": 21,
                      "Đồng Nai": 11, "Lai Châu": 8, "Hà Giang": 11}
    assert all(p.title and p.district and p.district_code for p in REAL)


def test_names_are_unique_ascii():
    raw = [e["name"] for e in tomllib.loads(REGISTRY_PATH.read_text(encoding="utf-8"))["portal"]]
    assert len(raw) == len(set(raw)) == len(load_registry(REGISTRY_PATH))  # the production file alone
    assert all(re.fullmatch(r"[a-z0-9-]+", name) for name in raw)


def test_hosts_are_well_formed_and_follow_their_province_pattern():
    hosts = set()
    for portal in REAL:
        parts = urlsplit(portal.base_url)
        assert parts.scheme == "https" and parts.path == "" and not parts.query and parts.port is None, portal
        labels = parts.hostname.split(".")
        assert parts.netloc == parts.hostname and all(_LABEL.match(label) for label in labels), portal.base_url
        pattern = registry_build.PROVINCES[portal.province]
        assert re.fullmatch(re.escape(pattern).replace(r"\{host\}", r"[a-z0-9]+"), portal.base_url), portal.base_url
        assert labels[0].endswith(portal.name.split("-")[0]), portal.base_url  # the district's key
        hosts.add(parts.hostname)
    assert len(hosts) == len(REAL)


def test_every_province_and_district_resolves_in_the_gazetteer():
    from vietnamadminunits import parse_address

    provinces = set(province_names().values())
    hand_added = {(p, f"{kind} {short}"): (code, into) for p, short, kind, code, into in registry_build.HAND_ADDED}
    for portal in default_registry().values():
        assert portal.province in provinces, portal  # spelt as the gazetteer spells it
        if not portal.district:
            continue
        found = parse_address(f"{portal.district[:1].upper() + portal.district[1:]}, Tỉnh {portal.province}", mode="LEGACY")
        assert found.short_province == portal.province, portal
        if (portal.province, portal.district) in hand_added:  # merged away: the gazetteer maps it to its successor
            code, into = hand_added[(portal.province, portal.district)]
            assert portal.district_code == code and fold(f"{found.district_type} {found.short_district}") == fold(into)
            continue
        assert fold(f"{found.district_type} {found.short_district}") == fold(portal.district), portal
        if portal.district_code:
            assert found.district_code == portal.district_code, portal


def test_generated_entries_are_unverified_unknowns():
    generated = [p for p in REAL if p.province in registry_build.GENERATED]
    assert len(generated) == 83
    assert all(p.status == "unknown" and not p.verified and p.platform == "unknown" for p in generated)
    assert {p.name for p in REAL if p.verified} == {"quanson", "samson"}
    assert get_platform("unknown").name == "generic"  # read with the generic profile


def test_the_generated_block_is_current():
    assert registry_build.main(["--check"]) == 0


def test_the_rule_gives_the_hand_made_thanh_hoa_entries():
    made = {e["name"]: (e["base_url"], e["district"], e["district_code"]) for e in registry_build.entries("Thanh Hóa")}
    registered = {p.name: (p.base_url, p.district, p.district_code) for p in REAL if p.province == "Thanh Hóa"}
    assert made == registered


def test_unknown_platform_names_are_refused(tmp_path):
    path = tmp_path / "portals.toml"
    path.write_text('[[portal]]\nname = "x"\nbase_url = "https://x.example.gov.vn"\nplatform = "sharepiont"\n', encoding="utf-8")
    with pytest.raises(RegistryError, match="platform 'sharepiont'"):
        load_registry(path)


def test_province_is_matched_folded():
    assert len(in_province("son la")) == len(in_province("Tỉnh Sơn La")) == 12
    assert {p.name for p in in_province("thanh hoa")} >= {"quanson", "sim-quanson"}


def test_portals_command_by_province():
    out = thanthien("portals", "--province", "dien bien").stdout.splitlines()
    listed = [line for line in out if line.endswith(".dienbien.gov.vn")]
    assert len(listed) == 10 and all(" Điện Biên " in line for line in listed)
    assert any(line.split()[:2] == ["Điện", "Biên"] and line.split()[2] == "10" for line in out)
    bad = thanthien("portals", "--province", "Atlantis", check=False)
    assert bad.returncode == 1 and "provinces: Thanh Hóa, Sơn La" in bad.stderr
