"""Platform by fingerprint: the page says which profile reads it; the registry is only a prior."""
import json

from pipelines.extract import extract_record
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
    record = extract_record(page.read_bytes(), "https://quanson.thanhhoa.gov.vn/-/xa-hoa-an-ra-mat", portal="quanson")
    assert record["platform"] == "liferay" and record["portal"] == "quanson"
    assert (record["title"], record["published_date"], record["body_text"]) == (
        expected["title"], expected["published_date"], expected["body_text"])
