"""tandan SharePoint 2013 article pages (the district portals of Thanh Hóa): title, date, body, byline.

Article URLs: /portal/Pages/{Y}-{M}-{D}/{Ascii-Slug}{random}.aspx with month/day NOT zero-padded
and the path's case varying by host (/portal/pages/).
"""
import re

from .base import Profile


class SharePoint(Profile):
    name = "sharepoint"
    always_dated = True
    # tandan's own class names; `ms-rtestate-field` alone is any SharePoint (provincial Party portals too)
    markers = ("tandan-p-article-news-title", "tandan-span-date-publish", "channel-news-title")
    article_url_re = re.compile(r"/portal/pages/\d{4}-\d{1,2}-\d{1,2}/[^/?]+\.aspx$", re.I)

    title_css = ("p.tandan-p-article-news-title", ".tandan-p-article-news-title")
    title_suffix_re = re.compile(r"\s+-\s+CỔNG THÔNG TIN.*$", re.I)
    date_css = ("span.tandan-span-date-publish", ".tandan-span-date-publish")
    author_css = (".tandan-span-author", ".tandan-p-article-author")
    lead_css = ("p.tandan-p-article-news-summary",)
    body_css = ("div#ctl00_PlaceHolderMain_ctl03__ControlWrapper_RichHtmlField", "div.ms-rtestate-field")
    body_noise_css = (".tandan-div-article-other", ".td-tags")
