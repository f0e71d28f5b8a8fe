"""Scrapy contracts of the portal spider (`scrapy check portal`), registered in SPIDER_CONTRACTS.

The spider's callbacks carry their contracts in their docstrings. Their `@url` pages are the bundled
simulator's on the demo's fixed ports (127.0.0.1:18401 sim-quanson, 18402 sim-samson, 18403
sim-krongpac, 18404 sim-dongvan, 18405 sim-quangchau, 18406 sim-baothanhhoa), so serve it first:

    python -m portalsim --port-base 18401 &
    scrapy check portal            # -v lists every contract, -l only the callbacks that have some

Two contracts of our own, beside Scrapy's @url, @returns and @scrapes:

    @portal NAME [BASE_URL]    the portal (registry name) the callback works for, served at BASE_URL
                               (default: the origin of the @url page): the spider gets that portal's
                               platform profile and an empty archive just before the callback runs
    @page_kind KIND            pipelines.pagekind judges the page `article`, `listing` or `other`

`scrapy check` runs one spider for every callback with contracts, so the spider is made without a
portal (PortalSpider allows that only under `scrapy check`) and @portal sets one per callback.
"""
from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from scrapy.contracts import Contract
from scrapy.exceptions import ContractFail


class PortalContract(Contract):
    """@portal NAME [BASE_URL]: check the callback as the spider of this portal.

    Before the callback runs: the registry entry NAME, moved to BASE_URL, becomes the spider's portal
    (its platform profile decides article-shaped URLs, listing links and pagination), with nothing
    archived yet, so the outcome does not depend on a local archive. Fails if the page did not come
    from that portal's host."""

    name = "portal"

    def __init__(self, method, *args: Any):
        super().__init__(method, *args)
        if not 1 <= len(self.args) <= 2 or not self.args[0]:
            raise ValueError(f"@portal NAME [BASE_URL], got {' '.join(self.args)!r}")
        self.spider = method.__self__
        self.portal_name = self.args[0]
        self.base_url = self.args[1].rstrip("/") if len(self.args) == 2 else None

    def adjust_request_args(self, args: dict[str, Any]) -> dict[str, Any]:
        if self.base_url is None:
            if not args.get("url"):
                raise ValueError("@portal without BASE_URL must follow the @url line")
            parts = urlsplit(args["url"])
            self.base_url = f"{parts.scheme}://{parts.netloc}"
        # StayOnPortalMiddleware: one spider fetches the pages of every callback's portal
        netlocs = getattr(self.spider, "contract_netlocs", set())
        netlocs.add(urlsplit(self.base_url).netloc.lower())
        self.spider.contract_netlocs = netlocs
        self.spider.allowed_netlocs = set(netlocs)
        return args

    def pre_process(self, response) -> None:
        from portalsim.portals import REGISTRY_PATH  # the contracts' pages are the simulator's
        from scrapers.registry import add_registry, get_portal

        add_registry(REGISTRY_PATH)
        spider = self.spider
        spider.use_portal(get_portal(self.portal_name).with_base_url(self.base_url))
        spider.allowed_netlocs = set(getattr(spider, "contract_netlocs", ())) | spider.allowed_netlocs
        spider.use_archive_state(None)  # nothing archived: the outcome does not depend on a local archive
        if not spider.on_portal(response.url):
            raise ContractFail(f"{response.url} is not on {self.portal_name} ({self.base_url})")


class PageKindContract(Contract):
    """@page_kind article|listing|other: what pipelines.pagekind makes of the page."""

    name = "page_kind"
    KINDS = ("article", "listing", "other")

    def __init__(self, method, *args: Any):
        super().__init__(method, *args)
        if len(self.args) != 1 or self.args[0] not in self.KINDS:
            raise ValueError(f"@page_kind takes one of {', '.join(self.KINDS)}, got {' '.join(self.args)!r}")

    def pre_process(self, response) -> None:
        from pipelines.pagekind import page_kind

        if not hasattr(response, "selector"):
            raise ContractFail(f"{response.url} is not a text page")
        judged = page_kind(response.selector.root)
        if judged.kind != self.args[0]:
            raise ContractFail(f"{response.url} judged {judged.kind}, expected {self.args[0]} ({judged})")
