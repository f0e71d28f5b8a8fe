"""Article facts a page prints as labelled pairs outside the article's own lines: an "article
information" box of `<dt>Tác giả</dt><dd>…</dd>` / `<th>Ngày đăng</th><td>…</td>` (sidebars of some
Liferay and VNPT portals). A fallback: the extractor takes what these say only where the article's
own head and foot said nothing."""
from __future__ import annotations

from .text import fold, one_line
from .vn.credits import UNIT_WORDS, is_account_name, is_name
from .vn.dates import parse_page_date

_AUTHOR_LABELS = {"tac gia", "nguoi viet", "but danh", "phong vien"}
_DATE_LABELS = {"ngay dang", "ngay dang tin", "ngay dang bai", "ngay xuat ban", "ngay phat hanh", "ngay viet"}


def labelled_meta(doc) -> dict:
    """{"author": …, "published_date": …} from the page's first labelled pairs (either may be absent)."""
    found: dict = {}
    for label_el in doc.xpath("//dt | //th"):
        value_el = label_el.getnext()
        if value_el is None or value_el.tag not in ("dd", "td"):
            continue
        label = fold(one_line(label_el.text_content())).rstrip(" :")
        value = one_line(value_el.text_content())
        if label in _AUTHOR_LABELS and "author" not in found:
            if is_name(value) and not UNIT_WORDS.search(value) and not is_account_name(value):
                found["author"] = value
        elif label in _DATE_LABELS and "published_date" not in found:
            date = parse_page_date(value)
            if date:
                found["published_date"] = date
    return found
