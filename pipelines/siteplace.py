"""Where a site is: the district and province its own identity names (site name, footer address).

The record's district and province come from the article's text first; when the text is silent a
reader still knows where a district portal is from its name ("Cổng thông tin điện tử huyện Tuần
Giáo") and its footer ("Địa chỉ: …, huyện Tuần Giáo, tỉnh Điện Biên"). Only those places are read:
the <title>, og:site_name, and the page's footer or address lines — never the article, whose other
places are not the site's.
"""
from __future__ import annotations

import re
from collections import Counter

from pipelines.gazetteer import province_names
from pipelines.text import fold
from pipelines.vn.places import district_mentions, province_mentions

from .pagekind import FOOTER_LINE

_NAME = r"[A-ZĐÀ-Ỹ][\wÀ-ỹ'’]*(?:\s+[A-ZĐÀ-Ỹ0-9][\wÀ-ỹ'’]*){0,3}"
# words that end a place name in an address line ("tỉnh Thanh Hóa Email", "huyện Quan Sơn Điện thoại")
_STOP = re.compile(r"\s+(?:Điện|Email|E-mail|Fax|Tel|ĐT|Website|Giấy|Chịu|Trưởng|Tổng|Phó|Cơ|Ghi|Bản|Địa|Số)\b.*$")
_OUTLET = re.compile(rf"\bBáo\s+(?:điện tử\s+)?({_NAME})")
_FOOTER_XPATH = ("//footer | //*[contains(translate(@class,'FOOTER','footer'),'footer')]"
                 " | //*[contains(translate(@id,'FOOTER','footer'),'footer')]")


def identity_texts(doc) -> list[str]:
    """The texts that say what and where the site is."""
    texts = [t for t in doc.xpath("//title/text() | //meta[@property='og:site_name']/@content")]
    for el in doc.xpath(_FOOTER_XPATH):
        texts.append(_text(el))
    for el in doc.xpath("//body//*[not(*) or self::p or self::div or self::td]"):
        if FOOTER_LINE.match(" ".join((el.text or "").split())):
            texts.append(_text(el))
    return texts


def _text(el) -> str:
    """The element's text with its lines apart ("…tỉnh Thanh Hóa<br>Điện thoại" is two lines)."""
    return " | ".join(" ".join(t.split()) for t in el.itertext() if t.strip())


def _clean(name: str) -> str:
    return _STOP.sub("", name).strip(" .,;-")


def site_place(doc) -> tuple[str | None, str | None]:
    """(district with its type word, province without "tỉnh") named by the site's identity, each the
    most frequent there, or None."""
    districts, provinces = Counter(), Counter()
    texts = identity_texts(doc)
    for text in texts:
        # the article's readers of places (pipelines.vn.places), on the site's own lines; no person
        # is named there, so none is looked for
        for _, name in province_mentions(text, people=()):
            provinces[_clean(name)] += 1
        for _, name in district_mentions(text, people=()):
            districts[_clean(name)] += 1
    if not provinces:
        # a provincial newspaper names its province: "Báo Thanh Hóa", "Báo Điện Biên Phủ" (Điện Biên's)
        for text in texts:
            for m in _OUTLET.finditer(text):
                words = _clean(m.group(1)).split()
                name = next(filter(None, (province_names().get(fold(" ".join(words[:k])))
                                          for k in range(len(words), 0, -1))), None)
                if name:
                    provinces[name] += 1
    province = provinces.most_common(1)[0][0] if provinces else None
    district = districts.most_common(1)[0][0] if districts else None
    return district or None, province or None
