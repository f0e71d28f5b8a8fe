"""Legacy table-layout sites: the old ASP commune and district pages (2000s–2010s).

What they look like: articles at `news.asp?id=N` (also `tin.asp?id=`, `chitiet.asp?ID=`, `…&id=N`
after a category), listings at `news.asp?cat=N` paginated with `&page=N`; the page is a layout
<table>, the headline a `<font size=3><b>` run, the date a "(Cập nhật: dd/mm/yyyy)" line, the body
<p align=justify><font>… or <br>-separated runs inside one <font>, the byline a right-aligned
paragraph, a "Các tin khác:" list in the same cell; served as windows-1258 whatever the header or
the <meta> says (`pipelines.text.decode_body` handles that). The article page is read by the
layout reader (`pipelines/profiles/legacy.py` says why).

The module is used when a registry entry says `platform = "legacy"`. It is deliberately not
detected from page markers: `news.asp` links and <font> tags occur on any old site (and on
captures of hosts the registry lists under another platform), so for unregistered sites the
generic fallback, which reads the same layout, stays in charge.
"""
from pipelines.profiles import legacy

from .base import Platform


class Legacy(legacy.Legacy, Platform):
    default_listing_paths = ("/news.asp", "/default.asp")
    listing_link_css = (
        "a[href*='.asp?id='], a[href*='.asp?ID='], a[href*='.asp?Id='], a[href*='&id='], a[href*='&ID='],"
        " a[href*='newsid='], a[href*='NewsID=']"
    )
    pagination_css = "a[href*='page='], a[href*='Page='], a[href*='trang='], a[href*='PageIndex=']"
