"""Page profiles, one module per CMS family. A platform knows where a portal lists its articles
and where, on an article page, the title, date, lead, body and byline are. The crawler uses the
discovery half; `pipelines.extract.extract_record` uses the extraction half."""
from __future__ import annotations

from .base import Platform
from .generic import Generic
from .legacy import Legacy
from .liferay import Liferay
from .sharepoint import SharePoint
from .wordpress import WordPress

# Order matters for detection only; Legacy has no markers (chosen by registry entries, see its module).
PLATFORMS: dict[str, Platform] = {p.name: p for p in (SharePoint(), Liferay(), WordPress(), Legacy(), Generic())}


def get_platform(name: str | None) -> Platform:
    """The platform module by name; unknown names get the generic fallback."""
    return PLATFORMS.get(name or "generic", PLATFORMS["generic"])


def detect_platform(html_head: str) -> Platform:
    """Recognise a known CMS by its markers in the page source (for pages of unregistered sites)."""
    for platform in PLATFORMS.values():
        if platform.markers and any(marker in html_head for marker in platform.markers):
            return platform
    return PLATFORMS["generic"]
