"""Page profiles, one module per CMS family: where, on an article page, the title, date, lead, body
and byline are. `pipelines.extract` reads pages with them; `scrapers.platforms` adds to each the
crawling half (listings, feeds, pagination)."""
from __future__ import annotations

import re

from .base import Profile
from .generic import Generic
from .legacy import Legacy
from .liferay import Liferay
from .sharepoint import SharePoint
from .wordpress import WordPress

# Order matters for detection only; Legacy has no markers (chosen by registry entries, see its module).
PROFILES: dict[str, Profile] = {p.name: p for p in (SharePoint(), Liferay(), WordPress(), Legacy(), Generic())}


def get_profile(name: str | None) -> Profile:
    """The profile by name; unknown names get the generic fallback."""
    return PROFILES.get(name or "generic", PROFILES["generic"])


_GENERATOR = re.compile(r"<meta[^>]+name=[\"']generator[\"'][^>]+content=[\"']([^\"']+)", re.I)


def fingerprint(html_head: str, url: str = "") -> list[Profile]:
    """The known CMS families this page shows signs of, best first: each distinct marker in the
    source (class names, script names) counts one, a `<meta name="generator">` naming the CMS two,
    an article URL of the family's shape one more. Families with no sign are left out; the order of PROFILES breaks ties."""
    scored = []
    generator = " ".join(_GENERATOR.findall(html_head)).lower()
    for order, profile in enumerate(PROFILES.values()):
        if not profile.markers:
            continue
        score = sum(marker in html_head for marker in profile.markers)
        score += 2 * any(name in generator for name in profile.generators)
        if score and url and profile.is_article_url(url):
            score += 1
        if score:
            scored.append((-score, order, profile))
    return [profile for _score, _order, profile in sorted(scored, key=lambda t: t[:2])]
