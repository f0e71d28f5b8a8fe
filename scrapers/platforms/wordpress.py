"""WordPress commune sites: /YYYY/MM/DD/slug/, /feed/ RSS and /wp-sitemap.xml."""
import re

from .base import Platform


class WordPress(Platform):
    name = "wordpress"
    always_dated = True
    generators = ("wordpress",)
    markers = ("wp-content", "entry-content", "wp-sitemap")
    default_listing_paths = ("/",)
    feeds = ("/feed/", "/wp-sitemap.xml")
    listing_link_css = "h2.entry-title a, h3.entry-title a, .entry-title a, article a[rel=bookmark]"
    pagination_css = "a.page-numbers, .nav-links a, a.next"
    article_url_re = re.compile(r"^/\d{4}/\d{2}/\d{2}/[^/]+/?$")

    title_css = ("h1.entry-title", ".entry-title")
    date_css = ("time.entry-date", "time.published", ".entry-meta .published", "[itemprop=datePublished]", "time")
    date_attr = "datetime"
    body_css = ("div.entry-content",)
    author_css = (".author.vcard .fn", ".author.vcard a", ".byline .author")
    body_noise_css = (".sharedaddy", ".jp-relatedposts", ".wp-block-latest-posts")
