"""The simulated portals: who they pretend to be and which CMS renders them.

Names, display names and platforms are fixed by the project (spiders and tests refer to them);
addresses, phone numbers and e-mails are invented and only fill the footers.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Portal:
    name: str  # the `portal` value of articles, e.g. "sim-quanson"
    platform: str  # "sharepoint" | "liferay" | "wordpress" | "legacy" | "generic" (server.RENDERERS)
    display_name: str  # what the site calls itself in headers and <title>
    address: str  # footer address
    phone: str
    email: str
    # tandan SharePoint: some portals link "/portal/pages/" in lower case (IIS does not care).
    pages_dir: str = "Pages"
    # Liferay asset publisher portlet instance id (12 chars, as Liferay generates them).
    instance_id: str = ""
    # The server.RENDERERS key when it is not `platform`: the opt-in sites of shapeless.py are
    # platform "generic" (no crawler module knows them) but each has a template of its own.
    renderer: str = ""


PORTALS: dict[str, Portal] = {
    p.name: p
    for p in (
        Portal(
            name="sim-quanson",
            platform="sharepoint",
            display_name="Cổng thông tin điện tử huyện Quan Sơn",
            address="Khu 1, thị trấn Sơn Lư, huyện Quan Sơn, tỉnh Thanh Hóa",
            phone="0237.3000.101",
            email="banbientap@quanson.sim",
        ),
        Portal(
            name="sim-samson",
            platform="sharepoint",
            display_name="Cổng thông tin điện tử thành phố Sầm Sơn",
            address="Số 02 đường Tây Sơn, phường Trường Sơn, thành phố Sầm Sơn, tỉnh Thanh Hóa",
            phone="0237.3000.202",
            email="banbientap@samson.sim",
            pages_dir="pages",
        ),
        Portal(
            name="sim-krongpac",
            platform="liferay",
            display_name="Cổng thông tin điện tử huyện Krông Pắc",
            address="Số 01 đường Giải Phóng, thị trấn Phước An, huyện Krông Pắc, tỉnh Đắk Lắk",
            phone="0262.3000.303",
            email="banbientap@krongpac.sim",
            instance_id="Kp7cXw2NqL9e",
        ),
        Portal(
            name="sim-dongvan",
            platform="wordpress",
            display_name="Xã Đông Văn - huyện Đông Sơn",
            address="Ủy ban nhân dân xã Đông Văn, huyện Đông Sơn, tỉnh Thanh Hóa",
            phone="0237.3000.404",
            email="ubnd@dongvan.sim",
        ),
        Portal(
            name="sim-quangchau",
            platform="legacy",
            display_name="Trang thông tin điện tử xã Quảng Châu",
            address="Ủy ban nhân dân xã Quảng Châu, thành phố Sầm Sơn, tỉnh Thanh Hóa",
            phone="0237.3000.505",
            email="ubndquangchau@samson.sim",
        ),
        Portal(
            name="sim-baothanhhoa",
            platform="generic",
            display_name="Báo Thanh Hóa điện tử",
            address="Số 248 đường Trần Phú, phường Ba Đình, thành phố Thanh Hóa, tỉnh Thanh Hóa",
            phone="0237.3000.606",
            email="toasoan@baothanhhoa.sim",
        ),
    )
}
