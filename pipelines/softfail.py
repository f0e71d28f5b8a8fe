"""Soft failures: a 200 page that is really an error (empty, or "Không tìm thấy trang" in the chrome).

A module of its own, on bytes and `pipelines.text` alone: the retry middleware
(`scrapers/middlewares.py`) asks it of every response, and the item pipelines of every page not
stored, without loading the extraction stack.
"""
from __future__ import annotations

import re

from .text import decode_body

_SOFT_404_MARKERS = ("không tìm thấy", "khong tim thay", "page not found", "trang không tồn tại", "404 not found",
                     "lỗi 404", "error 404")


def soft_failure(body: bytes) -> str | None:
    """"empty" or "soft404" for a 200 page that is really a failure, else None.

    Portals answer missing pages with status 200 and a "Không tìm thấy trang" page in their chrome;
    only the title and the first heading are read, so an article that quotes the phrase is not hit.
    """
    if not body.strip():
        return "empty"
    heads = [body[:60_000].decode("utf-8", "ignore").lower()]
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        # not UTF-8 (a windows-1258 legacy page, or a cut one): also read it as decode_body does
        heads.append(decode_body(body)[0][:60_000].lower())
    for head in heads:
        title = re.search(r"<title[^>]*>(.*?)</title>", head, re.S)
        if title and re.match(r"\s*(lỗi|404|error)\b", title.group(1)):
            return "soft404"
        spots = re.findall(r"<title[^>]*>(.*?)</title>|<h[12][^>]*>(.*?)</h[12]>"
                           r"|class=\"[^\"]*(?:error|alert|not-?found|404)[^\"]*\"[^>]*>(.*?)<", head, re.S)
        text = " ".join(" ".join(groups) for groups in spots)
        if any(marker in text for marker in _SOFT_404_MARKERS):
            return "soft404"
    return None
