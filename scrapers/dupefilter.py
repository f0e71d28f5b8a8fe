"""Never fetch one article twice in a run because its URL was spelled two ways.

Scrapy's dupefilter (and JOBDIR's requests.seen) key requests by their fingerprint; ours is taken
over thanthien's canonical URL (host case, www., tracking and portlet-state parameters,
SharePoint's /portal/pages/ vs /portal/Pages/) instead of the URL as written.
"""
import hashlib

from pipelines.urls import canonicalize_url


class CanonicalURLFingerprinter:
    @classmethod
    def from_crawler(cls, crawler):
        return cls()

    def fingerprint(self, request) -> bytes:
        key = request.method.encode() + b" " + canonicalize_url(request.url).encode("utf-8") + b" " + (request.body or b"")
        return hashlib.sha1(key).digest()
