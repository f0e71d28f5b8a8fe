"""Seconds to extract one page as it grows (issue 13, "bounded work per page").

    python bench/page_size.py            # 0.25 MB … 30 MB, three kinds of large page
    python bench/page_size.py --max 8    # stop at 8 MB

Three kinds of page that real portals serve: a long article (thousands of paragraphs), an article
whose photos are inlined as base64 `data:` URIs, and a template that never closes its tags (one
`<div>` per paragraph, left open). Each is timed through `extract_record`, the function the crawler,
`thanthien extract` and `reprocess` share. Work should grow linearly: the last column is seconds
per MB, which stays flat when it does.
"""
from __future__ import annotations

import argparse
import base64
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

from pipelines.extract import NotAnArticle, extract_record  # noqa: E402

TITLE = "Phường Hải Hòa ra mắt mô hình “Chính quyền thân thiện, vì Nhân dân phục vụ”"
SENTENCE = ("Sáng 12/4, UBND phường Hải Hòa tổ chức lễ ra mắt mô hình “Chính quyền thân thiện, vì Nhân "
            "dân phục vụ” với sự tham dự của đồng chí Lê Văn Tiến, Trưởng Ban Dân vận Thị ủy. ")


def long_article(size: int) -> str:
    para = "<p>" + SENTENCE * 4 + "</p>\n"
    return _page("".join([para] * max(1, size // len(para.encode()))))


def inline_images(size: int) -> str:
    picture = base64.b64encode(os.urandom(187_500)).decode()  # 250 KB of base64 a photo
    body = "".join(f'<p>{SENTENCE * 3}</p>\n<figure><img src="data:image/jpeg;base64,{picture}">'
                   f"<figcaption>Ảnh {i}</figcaption></figure>\n" for i in range(max(1, size // 250_000)))
    return _page(body)


def unclosed_divs(size: int) -> str:
    para = "<div class=\"row\"><p>" + SENTENCE * 4 + "</p>\n"
    return _page("".join([para] * max(1, size // len(para.encode()))))


def _page(body: str) -> str:
    return (f"<!doctype html><html><head><meta charset=utf-8><title>{TITLE}</title></head><body>"
            f"<div id=content><h1>{TITLE}</h1><p class=date>12/04/2023</p>{body}</div></body></html>")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--max", type=float, default=30, help="largest page, MB (default 30)")
    args = ap.parse_args(argv)
    sizes = [s for s in (0.25, 1, 2, 4, 8, 16, 30) if s <= args.max]
    extract_record(long_article(10_000).encode(), "http://127.0.0.1:8000/tin/warm.html")  # imports, gazetteer
    print(f"{'kind':<16}{'MB':>7}{'seconds':>10}{'body chars':>12}{'s/MB':>8}")
    for kind in (long_article, inline_images, unclosed_divs):
        for mb in sizes:
            html = kind(int(mb * 1_000_000)).encode()
            start = time.perf_counter()
            try:
                body = len(extract_record(html, "http://127.0.0.1:8000/tin/hai-hoa.html")["body_text"])
            except NotAnArticle:
                body = 0
            took = time.perf_counter() - start
            size = len(html) / 1e6
            print(f"{kind.__name__:<16}{size:>7.2f}{took:>10.2f}{body:>12,}{took / size:>8.2f}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
