"""Republished copies: the same launch report on a second portal, edited the way portals edit.

A district report is routinely re-posted by another portal of the province ("Tin trong tỉnh"),
with a place prefix on the title, a rewritten lead, another byline and photo captions, and the
original credited as "Theo …". Dedupe must fold each copy into its original's story; the copies'
ground truth carries `story` = the original's key.
"""
from __future__ import annotations

import copy
from datetime import datetime, timedelta

# (original key, portal that republishes it, title prefix, new lead, credited source, author, days later)
COPIES = (
    ("quanson-na-meo-2023", "sim-samson", "Quan Sơn: ",
     "Ngày 5/4, xã Na Mèo, huyện Quan Sơn tổ chức lễ ra mắt mô hình “Chính quyền thân thiện, vì Nhân dân phục vụ”.",
     "Cổng TTĐT huyện Quan Sơn", "Thu Hà", 2),
    ("quanson-son-lu-2024", "sim-samson", "Tin trong tỉnh - ", None, "Trung tâm VHTTTT&DL huyện Quan Sơn", "Minh Anh", 1),
    ("samson-quang-hung-2023", "sim-quanson", "Sầm Sơn: ",
     "Ngày 14/3, xã Quảng Hùng, thành phố Sầm Sơn ra mắt mô hình “Chính quyền thân thiện, vì Nhân dân phục vụ”.",
     "Ban Dân vận Thành ủy Sầm Sơn", "Lê Hằng", 3),
    ("dongvan-rung-thong-2024", "sim-quanson", "Đông Sơn: ", None, "Cổng TTĐT xã Đông Văn", "Kim Chung", 2),
)


def republished_copies(articles: list[dict]) -> list[dict]:
    by_key = {a["key"]: a for a in articles}
    out = []
    for key, portal, prefix, lead, source, author, days in COPIES:
        original = by_key.get(key)
        if original is None:
            continue
        clone = copy.deepcopy(original)
        published = datetime.strptime(original["published"], "%Y-%m-%d %H:%M") + timedelta(days=days, hours=1)
        clone.update(
            key=f"{key}-copy-{portal.removeprefix('sim-')}",
            story=key,
            portal=portal,
            title=prefix + original["title"],
            published=published.strftime("%Y-%m-%d %H:%M"),
            lead=lead if lead is not None else original["lead"],
            author=author,
            source=source,
            images=[{"after": image["after"], "caption": None} for image in original["images"][:1]],
            tags=["Tin trong tỉnh"],
        )
        out.append(clone)
    return out
