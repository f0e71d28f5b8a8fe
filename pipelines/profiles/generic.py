"""The fallback profile for templates no module knows: the layout reader (`pipelines.generic`) finds the article."""
import re

from .base import Profile


class Generic(Profile):
    name = "generic"
    # Dated paths, news-like ids and slugs with several words: what article URLs tend to look like.
    article_url_re = re.compile(
        r"(/\d{4}[/-]\d{1,2}[/-]\d{1,2}/|[?&](id|newsid|ID|ItemID)=\d+|/[a-z0-9]+(-[a-z0-9]+){4,}(\.html?|\.aspx|/)?$|\d{5,}\.html?$)",
        re.I,
    )
    title_css = ("h1",)
    date_css = ()
