"""Platform by fingerprint: the page says which profile reads it; the registry is only a prior."""
import json

from pipelines.extract import extract_record
from scrapers.registry import portal_of
from scrapers.platforms import fingerprint

from .conftest import FIXTURES


def test_generator_meta_and_class_names_name_the_family():
    assert [p.name for p in fingerprint('<meta name="generator" content="WordPress 6.4.2"><p>')] == ["wordpress"]
    assert [p.name for p in fingerprint('<div class="journal-content-article">')] == ["liferay"]
    # any SharePoint has ms-rtestate-field: that alone is not the tandan template
    assert fingerprint('<div class="ms-rtestate-field">') == []


def test_a_portal_that_changed_cms_is_read_by_the_profile_of_its_pages():
    page = FIXTURES / "pages" / "krongpac-launch.html"
    expected = json.loads(page.with_suffix(".expected.json").read_text(encoding="utf-8"))
    # the registry says quanson is a tandan SharePoint portal; this page is Liferay
    record = extract_record(page.read_bytes(), "https://quanson.thanhhoa.gov.vn/-/xa-hoa-an-ra-mat", portal=portal_of("", "quanson"))
    assert record["platform"] == "liferay" and record["portal"] == "quanson"
    assert (record["title"], record["published_date"], record["body_text"]) == (
        expected["title"], expected["published_date"], expected["body_text"])


def test_a_profile_reads_the_sapo_before_its_body_and_the_byline_after_it():
    from .fixtures.handwritten import PARAGRAPHS, TITLE

    body = "".join(f"<p>{p}</p>" for p in PARAGRAPHS[1:])
    html = (f"<html><head><meta charset=utf-8></head><body><div class=asset-full-content><h3 class=header-title>{TITLE}</h3>"
            "<span class=metadata-publish-date>22/03/2024 09:05</span>"
            f"<div class=news-sapo><strong>{PARAGRAPHS[0]}</strong></div><div class=journal-content-article>{body}</div>"
            "<div class=news-author style='text-align:right'><strong>Tác giả: Minh Thư</strong></div>"
            "<div class=news-source><em>Nguồn: Báo Lai Châu</em></div></div></body></html>").encode()
    record = extract_record(html, "https://laichau.gov.vn/-/details/52417/tam-uong-so-ket")
    assert record["platform"] == "liferay"
    assert record["body_text"].split("\n\n") == PARAGRAPHS
    assert (record["author"], record["source"]) == ("Minh Thư", "Báo Lai Châu")
