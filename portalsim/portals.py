"""The simulated portals: who they pretend to be and which CMS renders them (`portals.toml`).

Names, display names and platforms are fixed by the project (spiders and tests refer to them);
addresses, phone numbers and e-mails are invented and only fill the footers.
"""
from __future__ import annotations

import tomllib
from dataclasses import dataclass, fields
from pathlib import Path


@dataclass(frozen=True)
class Portal:
    name: str  # the `portal` value of articles, e.g. "sim-quanson"
    platform: str  # "sharepoint" | "liferay" | "wordpress" | "legacy" | "generic" (server.RENDERERS)
    display_name: str  # what the site calls itself in headers and <title>
    address: str  # footer address
    phone: str
    email: str
    # tandan SharePoint: some portals link "/portal/pages/" in lower case (IIS does not care).
    pages_dir: str = "Pages"
    # Liferay asset publisher portlet instance id (12 chars, as Liferay generates them).
    instance_id: str = ""
    # The server.RENDERERS key when it is not `platform`: the opt-in sites of shapeless.py are
    # platform "generic" (no crawler module knows them) but each has a template of its own.
    renderer: str = ""


#: The simulator's one portal list: each entry is both a registry entry (scrapers.registry reads
#: the same file) and the identity of the site the simulator renders.
REGISTRY_PATH = Path(__file__).with_name("portals.toml")


def _load(path: Path) -> dict[str, Portal]:
    keys = {f.name for f in fields(Portal)}
    entries = tomllib.loads(path.read_text(encoding="utf-8"))["portal"]
    return {e["name"]: Portal(**{k: v for k, v in e.items() if k in keys}) for e in entries}


PORTALS: dict[str, Portal] = _load(REGISTRY_PATH)


def registry_portals() -> dict:
    """The simulator's portals as registry entries (scrapers.registry.Portal, `simulated` true),
    for a caller to merge into the registry it crawls or lists."""
    from scrapers.registry import load_registry

    return load_registry(REGISTRY_PATH)
