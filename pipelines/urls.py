"""URL canonicalization: one key per article, whatever host case, port, fragment or tracking noise."""
from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

_DROP_PARAMS = re.compile(r"^(utm_.*|fbclid|gclid|zarsrc|_ga|sessionid|jsessionid|phpsessid|aspxerrorpath)$", re.I)
# Liferay portlet state: noise on an article URL (/-/slug), but _cur is the page number of a listing.
_PORTLET_PARAMS = re.compile(r"^(p_p_.*|.*_redirect|.*_cur|.*_delta)$", re.I)
_DEFAULT_PORTS = {"http": "80", "https": "443"}
_SHAREPOINT_PAGES = re.compile(r"^/portal/pages/", re.I)
# Liferay shows one web content under its friendly URL /-/{url-title} and under every asset
# publisher's /…/-/asset_publisher/{instance}/content/{url-title}: one article, one key.
_LIFERAY_CONTENT = re.compile(r"^/.*?/-/asset_publisher/[^/]+/content/([^/]+)$")


def canonicalize_url(url: str) -> str:
    """Scheme/host lower case, no www., no default port, no fragment, no tracking or portlet-state
    parameters, SharePoint's /portal/pages/ spelled /portal/Pages/, Liferay's asset-publisher form of an
    article as its friendly URL, no trailing slash but the root's."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower() or "http"
    host = (parts.hostname or "").lower().removeprefix("www.")
    port = f":{parts.port}" if parts.port and str(parts.port) != _DEFAULT_PORTS.get(scheme) else ""
    path = re.sub(r"/{2,}", "/", parts.path or "/")
    path = _SHAREPOINT_PAGES.sub("/portal/Pages/", path)
    if len(path) > 1:
        path = path.rstrip("/")
    path = _LIFERAY_CONTENT.sub(r"/-/\1", path)
    is_liferay_article = "/-/" in path
    query = urlencode(sorted(
        (k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
        if not _DROP_PARAMS.match(k) and not (is_liferay_article and _PORTLET_PARAMS.match(k))
    ))
    return urlunsplit((scheme, host + port, path, query, ""))
