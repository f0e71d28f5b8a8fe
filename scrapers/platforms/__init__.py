"""Platforms, one module per CMS family: where a portal lists its articles (listings, feeds,
pagination), on top of the family's page profile (`pipelines.profiles`: where, on an article page,
the title, date, lead, body and byline are). The crawler uses the discovery half;
`pipelines.extract.extract_record` reads pages with the profiles."""
from __future__ import annotations

from pipelines import profiles

from .base import Platform
from .generic import Generic
from .legacy import Legacy
from .liferay import Liferay
from .sharepoint import SharePoint
from .wordpress import WordPress

# The same names and order as pipelines.profiles.PROFILES (order matters for detection only).
PLATFORMS: dict[str, Platform] = {p.name: p for p in (SharePoint(), Liferay(), WordPress(), Legacy(), Generic())}
assert list(PLATFORMS) == list(profiles.PROFILES)


def get_platform(name: str | None) -> Platform:
    """The platform module by name; unknown names get the generic fallback."""
    return PLATFORMS.get(name or "generic", PLATFORMS["generic"])


def fingerprint(html_head: str, url: str = "") -> list[Platform]:
    """The platforms of the families this page shows signs of, best first (`pipelines.profiles.fingerprint`)."""
    return [PLATFORMS[profile.name] for profile in profiles.fingerprint(html_head, url)]


def detect_platform(html_head: str, url: str = "") -> Platform:
    """Recognise a known CMS by its markers in the page source (the generic fallback when none)."""
    found = fingerprint(html_head, url)
    return found[0] if found else PLATFORMS["generic"]
