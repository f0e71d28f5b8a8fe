"""import-warc on a WARC another tool wrote, where the registry is wrong about the pages it holds.

The WARC is written here with warcio the way a generic archiver does (request + response records,
no thanthien headers). Its pages come from the simulator but are filed under hosts of the real
registry: a Liferay portal's articles under quanson.thanhhoa.gov.vn (registered as SharePoint: the
portal "changed CMS"), legacy `news.asp?id=` pages under samson.thanhhoa.gov.vn (SharePoint too), and
articles with shapeless URLs (`/a/h01.html`) on an unregistered host. Listings and static pages
ride along. Every article must be imported, under the profile that really reads it; nothing else.
"""
import io
import urllib.request

import sqlite_utils
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from portalsim import SHAPELESS
from portalsim.server import Simulator

from .conftest import thanthien

REHOME = {  # simulator portal → (host it is filed under, expected platform of its articles)
    "sim-krongpac": ("https://quanson.thanhhoa.gov.vn", "liferay"),
    "sim-quangchau": ("https://samson.thanhhoa.gov.vn", "generic"),
    "sim-shorturl": ("https://thoxuan-news.example.vn", "generic"),
}
PER_SITE = 3


def fetch(url: str) -> tuple[bytes, str]:
    with urllib.request.urlopen(url) as response:
        return response.read(), response.headers.get("Content-Type", "text/html")


def write_foreign_warc(path, pages) -> None:
    with open(path, "wb") as fh:
        writer = WARCWriter(fh, gzip=True)
        for url, body, content_type in pages:
            request = writer.create_warc_record(url, "request", payload=io.BytesIO(b"GET / HTTP/1.1\r\n\r\n"))
            writer.write_record(request)
            headers = StatusAndHeaders("200 OK", [("Content-Type", content_type)], protocol="HTTP/1.1")
            writer.write_record(writer.create_warc_record(url, "response", payload=io.BytesIO(body), http_headers=headers))


def test_import_of_a_foreign_warc_with_a_wrong_registry_takes_every_article(tmp_path):
    pages, expected = [], {}
    with Simulator(extra_portals=SHAPELESS) as sim:
        truth = sim.ground_truth()
        for portal, (host, platform) in REHOME.items():
            base = sim.base_urls[portal]
            for want in [t for t in truth if t["portal"] == portal][:PER_SITE]:
                body, content_type = fetch(want["url"])
                url = host + want["url"][len(base):]
                pages.append((url, body, content_type))
                expected[url] = (want["title"], want["published_date"], platform)
            for path in ("/", "/robots.txt"):  # a home/listing page and a non-HTML record
                body, content_type = fetch(base + path)
                pages.append((host + path, body, content_type))
        static = sim.base_urls["sim-shorturl"] + "/a/t01.html"  # an "introduction" page, no article
        pages.append((REHOME["sim-shorturl"][0] + "/a/t01.html", *fetch(static)))
    warc = tmp_path / "other-tool.warc.gz"
    write_foreign_warc(warc, pages)
    db_path = tmp_path / "archive" / "t.db"
    result = thanthien("import-warc", warc, "--db", db_path)
    db = sqlite_utils.Database(db_path)
    stored = {r["url"]: (r["title"], r["published_date"], r["platform"]) for r in db["articles"].rows}
    assert stored == expected, result.stdout
    assert len(stored) == 3 * PER_SITE
