"""WordPress commune sites: /YYYY/MM/DD/slug/, /feed/ RSS and /wp-sitemap.xml."""
from pipelines.profiles import wordpress

from .base import Platform


class WordPress(wordpress.WordPress, Platform):
    default_listing_paths = ("/",)
    feeds = ("/feed/", "/wp-sitemap.xml")
    listing_link_css = "h2.entry-title a, h3.entry-title a, .entry-title a, article a[rel=bookmark]"
    pagination_css = "a.page-numbers, .nav-links a, a.next"
