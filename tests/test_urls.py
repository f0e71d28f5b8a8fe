"""URL canonicalization: one key per article however the portal or a link spells its URL."""
import pytest

from pipelines.urls import canonicalize_url


@pytest.mark.parametrize("a,b", [
    ("HTTPS://WWW.Quanson.ThanhHoa.gov.vn:443/portal/pages/2023-3-17/Ra-Mat.aspx#top",
     "https://quanson.thanhhoa.gov.vn/portal/Pages/2023-3-17/Ra-Mat.aspx"),
    ("http://xadongvan.gov.vn:80/2023/03/17/ra-mat/?utm_source=fb&fbclid=abc",
     "http://xadongvan.gov.vn/2023/03/17/ra-mat"),
    ("https://krongpac.daklak.gov.vn/-/ra-mat-mo-hinh?p_p_state=normal&p_p_mode=view"
     "&_com_liferay_asset_publisher_web_portlet_AssetPublisherPortlet_INSTANCE_x_cur=2",
     "https://krongpac.daklak.gov.vn/-/ra-mat-mo-hinh"),
    ("http://a.gov.vn/news.asp?id=5&b=2", "http://a.gov.vn/news.asp?b=2&id=5"),
])
def test_spellings_of_one_url_canonicalize_alike(a, b):
    assert canonicalize_url(a) == canonicalize_url(b)


def test_listing_pagination_is_kept():
    """_cur pages a Liferay listing: dropping it there would make page 2 a duplicate of page 1."""
    one = "https://krongpac.daklak.gov.vn/web/guest/tin-tuc?p_p_id=X&_X_cur=1"
    two = "https://krongpac.daklak.gov.vn/web/guest/tin-tuc?p_p_id=X&_X_cur=2"
    assert canonicalize_url(one) != canonicalize_url(two)
    assert canonicalize_url("http://h/portal/Pages/Tin.aspx?PageIndex=2") != canonicalize_url("http://h/portal/Pages/Tin.aspx")


def test_other_hosts_and_ports_stay_apart():
    assert canonicalize_url("http://127.0.0.1:8001/a") != canonicalize_url("http://127.0.0.1:8002/a")
    assert canonicalize_url("http://quanson.thanhhoa.gov.vn/a") != canonicalize_url("http://samson.thanhhoa.gov.vn/a")
