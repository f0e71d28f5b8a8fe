"""The portal registry (`scrapers/portals.toml`): portals are data, one entry a portal."""
from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlsplit

REGISTRY_PATH = Path(__file__).with_name("portals.toml")
STATUSES = {"live", "closed", "unknown"}
#: `platform = "unknown"`: no page of the portal seen yet; read with the generic profile like any
#: name `scrapers.platforms` does not know (`get_platform` falls back).
UNKNOWN_PLATFORM = "unknown"


class RegistryError(ValueError):
    """The registry file is malformed, or a portal name is unknown."""


@dataclass(frozen=True)
class Portal:
    name: str
    base_url: str
    platform: str
    title: str = ""
    province: str | None = None
    district: str | None = None
    district_code: str | None = None
    listing_paths: tuple[str, ...] = ()
    status: str = "unknown"
    verified: bool = False
    simulated: bool = False
    extra: dict = field(default_factory=dict, compare=False, hash=False)

    @property
    def netloc(self) -> str:
        return urlsplit(self.base_url).netloc.lower()

    def with_base_url(self, base_url: str) -> "Portal":
        """The same portal served elsewhere (the simulator's port, a mirror)."""
        return replace(self, base_url=base_url.rstrip("/"))

    def as_row(self) -> dict:
        return {
            "name": self.name,
            "title": self.title,
            "base_url": self.base_url,
            "platform": self.platform,
            "province": self.province,
            "district": self.district,
            "district_code": self.district_code,
            "status": self.status,
            "verified": int(self.verified),
            "simulated": int(self.simulated),
        }


_KNOWN_KEYS = {f for f in Portal.__dataclass_fields__ if f != "extra"}


def load_registry(path: Path | str = REGISTRY_PATH) -> dict[str, Portal]:
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise RegistryError(f"cannot read portal registry {path}: {exc}") from exc
    portals: dict[str, Portal] = {}
    for i, entry in enumerate(data.get("portal", []), 1):
        missing = {"name", "base_url", "platform"} - entry.keys()
        if missing:
            raise RegistryError(f"{path}: portal #{i} lacks {', '.join(sorted(missing))}")
        if entry["name"] in portals:
            raise RegistryError(f"{path}: duplicate portal name {entry['name']!r}")
        status = entry.get("status", "unknown")
        if status not in STATUSES:
            raise RegistryError(f"{path}: portal {entry['name']!r} has status {status!r}; use one of {sorted(STATUSES)}")
        if entry["platform"] not in _platform_names():
            raise RegistryError(f"{path}: portal {entry['name']!r} has platform {entry['platform']!r}; "
                                f"use one of {sorted(_platform_names())}")
        known = {k: v for k, v in entry.items() if k in _KNOWN_KEYS}
        known["listing_paths"] = tuple(known.get("listing_paths", ()))
        known["base_url"] = known["base_url"].rstrip("/")
        portals[entry["name"]] = Portal(**known, extra={k: v for k, v in entry.items() if k not in _KNOWN_KEYS})
    return portals


def _platform_names() -> set[str]:
    from scrapers.platforms import PLATFORMS  # imported late: platforms never need the registry

    return set(PLATFORMS) | {UNKNOWN_PLATFORM}


# Portals a caller merged into this process's registry (add_registry): the production file holds
# only real portals, and the CLI adds the portal simulator's (portalsim/portals.toml) for the
# commands that name them; a bare `scrapy crawl` adds THANTHIEN_EXTRA_REGISTRIES.
_ADDED: dict[str, Portal] = {}


@lru_cache(maxsize=1)
def default_registry() -> dict[str, Portal]:
    """The production registry (`scrapers/portals.toml`) and the portals added to it in this process."""
    return {**load_registry(REGISTRY_PATH), **_ADDED}


def add_registry(path: Path | str) -> None:
    """Merge a registry file's portals into default_registry() for the rest of this process
    (again with the same file: nothing changes). A name the registry holds from another file is refused."""
    portals = load_registry(path)
    clash = sorted(name for name, portal in portals.items()
                   if name in default_registry() and default_registry()[name] != portal)
    if clash:
        raise RegistryError(f"{path}: portal names already in the registry: {', '.join(clash)}")
    _ADDED.update(portals)
    default_registry.cache_clear()


def get_portal(name: str, registry: dict[str, Portal] | None = None) -> Portal:
    registry = registry if registry is not None else default_registry()
    try:
        return registry[name]
    except KeyError:
        raise RegistryError(f"unknown portal {name!r}; `thanthien portals` lists them") from None


def portal_for_url(url: str, registry: dict[str, Portal] | None = None) -> Portal | None:
    """The registry portal whose host serves this URL (www. and case ignored), if any."""
    host = urlsplit(url).netloc.lower().removeprefix("www.")
    for portal in (registry if registry is not None else default_registry()).values():
        if not portal.simulated and portal.netloc.removeprefix("www.") == host:
            return portal
    return None


def portal_of(url: str, portal: "Portal | str | None" = None) -> Portal | None:
    """The portal context a page of `url` is read with (`pipelines.extract.extract_record(portal=…)`):
    the entry given, or the registry entry of that name, else the entry whose host serves the URL."""
    if isinstance(portal, Portal):
        return portal
    registry = default_registry()
    if portal and portal in registry:
        return registry[portal]
    return portal_for_url(url, registry)


def _province_key(name: str | None) -> str:
    from pipelines.text import fold

    return fold(re.sub(r"^\s*(?:tỉnh|thành phố)\s+", "", name or "", flags=re.I))


def in_province(province: str, registry: dict[str, Portal] | None = None) -> list[Portal]:
    """The portals of a province, named with or without diacritics or "tỉnh" ("son la", "Tỉnh Sơn La")."""
    key = _province_key(province)
    return [p for p in (registry if registry is not None else default_registry()).values()
            if p.province and _province_key(p.province) == key]


def counts_by_province(portals) -> dict[str, int]:
    """Portals per province, in the order the provinces first appear."""
    counts: dict[str, int] = {}
    for portal in portals:
        counts[portal.province or "—"] = counts.get(portal.province or "—", 0) + 1
    return counts
