"""The fallback for sites no platform module knows: follow same-host links (the spider judges each
page by its content; URL shapes below only raise a link's priority), and let the layout reader (`pipelines.generic`: densest block of paragraphs, the headline
before it, date, lead and byline around it) find the article."""
import re

from .base import Platform


class Generic(Platform):
    name = "generic"
    default_listing_paths = ("/",)
    listing_link_css = ""
    # common pagination shapes: only a priority hint, the content of the page decides what it is
    pagination_css = ("a[rel=next], .pagination a, .pager a, .paging a, a[href*='page='], a[href*='/page/'],"
                      " a[href*='trang-'], a[href*='PageIndex=']")
    # Dated paths, news-like ids and slugs with several words: what article URLs tend to look like.
    article_url_re = re.compile(
        r"(/\d{4}[/-]\d{1,2}[/-]\d{1,2}/|[?&](id|newsid|ID|ItemID)=\d+|/[a-z0-9]+(-[a-z0-9]+){4,}(\.html?|\.aspx|/)?$|\d{5,}\.html?$)",
        re.I,
    )
    title_css = ("h1",)
    date_css = ()
