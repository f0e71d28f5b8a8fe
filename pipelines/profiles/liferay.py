"""Liferay asset publisher article pages (Đắk Lắk and its districts, many ministries).

Articles at /-/{slug}, /{page}/-/asset_publisher/{id}/content/{slug} or /-/details/{id}/{slug};
slugs drop đ/Đ entirely ("Đắk Lắk" → "-ak-lak").
"""
import re

from .base import Profile


class Liferay(Profile):
    name = "liferay"
    always_dated = True
    generators = ("liferay",)
    markers = ("journal-content-article", "asset_publisher", "Liferay.")
    # /-/slug and …/asset_publisher/{id}/content/slug are articles; …/asset_publisher/{id}/rss is not.
    article_url_re = re.compile(r"(^/-/(?!asset_publisher/)[^/?]+/?$|/-/asset_publisher/[^/]+/content/[^/?]+|/-/details/)", re.I)

    title_css = (".asset-full-content .header-title", "h1.header-title", "h3.header-title", ".asset-title", "h1.title", "h1")
    date_css = (".metadata-publish-date", ".date-created", ".asset-metadata .metadata-entry")
    lead_css = (".asset-summary", ".journal-content-article .sapo")
    body_css = ("div.journal-content-article",)
    author_css = (".asset-full-content .metadata-author", ".metadata-author", ".asset-author")
    body_noise_css = (".asset-links", ".related-assets", ".taglib-social-bookmarks")
