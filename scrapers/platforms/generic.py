"""The fallback for sites no platform module knows: follow same-host links (the spider judges each
page by its content; URL shapes below only raise a link's priority), and let the layout reader (`pipelines.generic`: densest block of paragraphs, the headline
before it, date, lead and byline around it) find the article."""
from pipelines.profiles import generic

from .base import Platform


class Generic(generic.Generic, Platform):
    default_listing_paths = ("/",)
    listing_link_css = ""
    # common pagination shapes: only a priority hint, the content of the page decides what it is
    pagination_css = ("a[rel=next], .pagination a, .pager a, .paging a, a[href*='page='], a[href*='/page/'],"
                      " a[href*='trang-'], a[href*='PageIndex=']")
