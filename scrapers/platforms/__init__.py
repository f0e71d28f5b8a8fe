"""Page profiles, one module per CMS family. A platform knows where a portal lists its articles
and where, on an article page, the title, date, lead, body and byline are. The crawler uses the
discovery half; `pipelines.extract.extract_record` uses the extraction half."""
from __future__ import annotations

import re

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


_GENERATOR = re.compile(r"<meta[^>]+name=[\"']generator[\"'][^>]+content=[\"']([^\"']+)", re.I)


def fingerprint(html_head: str, url: str = "") -> list[Platform]:
    """The known CMS families this page shows signs of, best first: each distinct marker in the
    source (class names, script names) counts one, a `<meta name="generator">` naming the CMS two,
    an article URL of the family's shape one more. Families with no sign are left out; the order of PLATFORMS breaks ties."""
    scored = []
    generator = " ".join(_GENERATOR.findall(html_head)).lower()
    for order, platform in enumerate(PLATFORMS.values()):
        if not platform.markers:
            continue
        score = sum(marker in html_head for marker in platform.markers)
        score += 2 * any(name in generator for name in platform.generators)
        if score and url and platform.is_article_url(url):
            score += 1
        if score:
            scored.append((-score, order, platform))
    return [platform for _score, _order, platform in sorted(scored, key=lambda t: t[:2])]


def detect_platform(html_head: str, url: str = "") -> Platform:
    """Recognise a known CMS by its markers in the page source (the generic fallback when none)."""
    found = fingerprint(html_head, url)
    return found[0] if found else PLATFORMS["generic"]
