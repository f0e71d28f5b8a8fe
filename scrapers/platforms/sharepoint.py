"""tandan SharePoint 2013: the district portals of Thanh Hóa ({district}.thanhhoa.gov.vn).

Article URLs: /portal/Pages/{Y}-{M}-{D}/{Ascii-Slug}{random}.aspx (the page profile:
`pipelines/profiles/sharepoint.py`). No RSS, no sitemap: discovery is by listing pages paginated
with ?PageIndex=N.
"""
from pipelines.profiles import sharepoint

from .base import Platform


class SharePoint(sharepoint.SharePoint, Platform):
    default_listing_paths = ("/portal/Pages/Tin-tuc-su-kien.aspx",)
    listing_link_css = ".channel-news-title a"
    pagination_css = "a[href*='PageIndex='], span.CurrentPage ~ a"
    # the Wayback CDX (scrapers/spiders/wayback.py): every article under Pages/, listings under KenhTin/
    index_article_prefixes = ("/portal/Pages/",)
    index_listing_prefixes = ("/portal/KenhTin/",)
