"""WordPress commune site article pages: /YYYY/MM/DD/slug/, `entry-content`, `<time datetime>`."""
import re

from .base import Profile


class WordPress(Profile):
    name = "wordpress"
    always_dated = True
    generators = ("wordpress",)
    markers = ("wp-content", "entry-content", "wp-sitemap")
    article_url_re = re.compile(r"^/\d{4}/\d{2}/\d{2}/[^/]+/?$")

    title_css = ("h1.entry-title", ".entry-title")
    date_css = ("time.entry-date", "time.published", ".entry-meta .published", "[itemprop=datePublished]", "time")
    date_attr = "datetime"
    body_css = ("div.entry-content",)
    author_css = (".author.vcard .fn", ".author.vcard a", ".byline .author")
    body_noise_css = (".sharedaddy", ".jp-relatedposts", ".wp-block-latest-posts")
