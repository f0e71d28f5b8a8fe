"""Liferay asset publisher (Đắk Lắk and its districts, many ministries).

Article pages: `pipelines/profiles/liferay.py`. Listings paginate through portlet parameters
(…_cur=N); every asset publisher has an RSS feed at /-/asset_publisher/{id}/rss.
"""
from pipelines.profiles import liferay

from .base import Platform


class Liferay(liferay.Liferay, Platform):
    default_listing_paths = ("/web/guest/tin-tuc",)
    listing_link_css = (
        ".asset-abstract a, .asset-title a, .taglib-asset-summary a, a[href*='/-/asset_publisher/'],"
        " a[href^='/-/'], .news-list a"
    )
    pagination_css = "a[href*='_cur='], .pagination a, .lfr-pagination-buttons a"

    def feed_urls(self, base_url, rss_paths=()):
        return [base_url + p for p in rss_paths]
