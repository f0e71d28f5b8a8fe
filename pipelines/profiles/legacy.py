"""Legacy table-layout article pages (old ASP commune and district sites): read by the layout reader.

These templates have no class names worth the name, so the profile has no selectors: the page
goes to the layout reader of `pipelines.generic` (densest block of paragraphs, bold headline
before it, date line, byline and related list around it), which was built to read exactly this
soup, and the record is labelled "legacy". It is deliberately not detected from page markers:
`news.asp` links and <font> tags occur on any old site, so only a registry entry names it.
"""
import re

from .base import Profile


class Legacy(Profile):
    name = "legacy"
    markers = ()
    #: extraction by the layout reader (pipelines.generic), not by CSS selectors
    layout_profile = True
    # news.asp?id=17, tin.asp?ID=17, chitiet.asp?cat=2&id=17, news.php?newsid=17
    article_url_re = re.compile(r"\.(?:asp|aspx|php)\?(?:[^#]*&)?(?:id|newsid|nid|tinid)=\d+(?:&|$)", re.I)

    title_css = ()
    date_css = ()
    body_css = ()
