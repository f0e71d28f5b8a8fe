"""Captures kept as WARC: every response the crawler receives, with its request, in gzip WARC files.

Files live under the archive directory (`warc/`), one or more per crawl run, rotated at a size
limit. Each record is a gzip member flushed to disk before its `captures` row is committed, so
the index never points past what is on disk; after a kill, `repair` cuts a file back to the end
of its last indexed record and every file reads cleanly to the end.
"""
from __future__ import annotations

import hashlib
import io
import os
import re
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

DEFAULT_MAX_BYTES = 100 * 1024 * 1024
# Hop-by-hop and transport headers: the WARC keeps the body as Scrapy received it (decoded), so
# these would describe bytes that are not there.
_DROP_HEADERS = {"content-encoding", "transfer-encoding", "content-length", "connection", "keep-alive"}
_SAFE_NAME = re.compile(r"[^A-Za-z0-9_.-]+")


@dataclass
class StoredRecord:
    warc_path: str  # relative to the archive directory
    offset: int
    length: int
    sha256: str


def safe_name(text: str) -> str:
    """A file-name part from untrusted text (a portal name, a URL): no separators, no dots first."""
    return _SAFE_NAME.sub("-", text).strip(".-")[:80] or "x"


class WarcStore:
    def __init__(self, archive_dir: Path, prefix: str, max_bytes: int = DEFAULT_MAX_BYTES):
        self.archive_dir = Path(archive_dir)
        self.warc_dir = self.archive_dir / "warc"
        self.prefix = safe_name(prefix)
        self.max_bytes = max_bytes
        self._file = None
        self._path: Path | None = None
        self._seq = 0

    def _open_next(self) -> None:
        self.close()
        self.warc_dir.mkdir(parents=True, exist_ok=True)
        stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S")
        while True:
            self._seq += 1
            path = self.warc_dir / f"{self.prefix}-{stamp}-{self._seq:05d}.warc.gz"
            if not path.exists():
                break
        self._path = path
        self._file = open(path, "ab")

    def write(self, url: str, status: int, reason: str, headers: list[tuple[str, str]], body: bytes,
              request_method: str = "GET", request_headers: list[tuple[str, str]] | None = None,
              warc_date: str | None = None, extra_warc_headers: dict | None = None) -> StoredRecord:
        if self._file is None or self._file.tell() >= self.max_bytes:
            self._open_next()
        writer = WARCWriter(self._file, gzip=True)
        http_headers = StatusAndHeaders(f"{status} {reason or 'OK'}",
                                        [(k, v) for k, v in headers if k.lower() not in _DROP_HEADERS] +
                                        [("Content-Length", str(len(body)))], protocol="HTTP/1.1")
        warc_headers = {"WARC-Date": warc_date} if warc_date else {}
        warc_headers.update(extra_warc_headers or {})
        response = writer.create_warc_record(url, "response", payload=io.BytesIO(body), http_headers=http_headers,
                                             warc_headers_dict=warc_headers)
        path = urlsplit_path(url)
        request = writer.create_warc_record(
            url, "request", payload=io.BytesIO(b""),
            http_headers=StatusAndHeaders(f"{request_method} {path} HTTP/1.1", request_headers or [], is_http_request=True),
        )
        offset = self._file.tell()
        try:
            writer.write_request_response_pair(request, response)
            self._file.flush()
            os.fsync(self._file.fileno())
        except OSError:
            # a failed write (disk full) must not leave half a record for the next one to follow:
            # cut the file back to where this record began, then let the caller stop
            self._cut_back(offset)
            raise
        return StoredRecord(
            warc_path=str(self._path.relative_to(self.archive_dir)), offset=offset,
            length=self._file.tell() - offset, sha256=hashlib.sha256(body).hexdigest(),
        )

    def _cut_back(self, offset: int) -> None:
        old, self._file = self._file, None
        try:
            old.close()  # drops what the buffer still holds (or writes it: it is cut below)
        except OSError:
            pass
        try:
            os.truncate(self._path, offset)
        except OSError:
            pass  # repair_file cuts the tail on the next run
        self._file = open(self._path, "ab")

    def close(self) -> None:
        if self._file is not None:
            try:
                self._file.close()
            except OSError:
                pass  # the buffer was already written and fsynced record by record
            self._file = None


def urlsplit_path(url: str) -> str:
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    return (parts.path or "/") + (f"?{parts.query}" if parts.query else "")


@dataclass
class ReadRecord:
    url: str
    status: int
    headers: dict
    body: bytes
    warc_date: str | None
    warc_headers: dict


def read_record(archive_dir: Path, warc_path: str, offset: int) -> ReadRecord:
    """The response record at `offset` (a request record written first is skipped)."""
    path = (Path(archive_dir) / warc_path).resolve()
    if Path(archive_dir).resolve() not in path.parents:
        raise ValueError(f"capture path {warc_path!r} is outside the archive directory")
    with open(path, "rb") as fh:
        fh.seek(offset)
        for record in ArchiveIterator(fh):
            if record.rec_type == "response":
                return to_read_record(record)
    raise ValueError(f"no response record at {warc_path}:{offset}")


# A response body larger than this is not read into memory: no article page comes near it (the
# crawler cuts pages at DOWNLOAD_MAXSIZE, 10 MB), and a 1 GB record must not take 3 GB of RAM.
MAX_RECORD_BYTES = 20 * 1024 * 1024


class RecordTooLarge(ValueError):
    """A record's body is over MAX_RECORD_BYTES; it was read through and dropped."""


def to_read_record(record, max_bytes: int = MAX_RECORD_BYTES) -> ReadRecord:
    status = int(record.http_headers.get_statuscode() or 0) if record.http_headers else 0
    headers = dict(record.http_headers.headers) if record.http_headers else {}
    stream = record.content_stream()
    body = stream.read(max_bytes + 1)
    if len(body) > max_bytes:
        while stream.read(1 << 20):  # read through the rest, chunk by chunk, keeping nothing
            pass
        raise RecordTooLarge(f"a record of more than {max_bytes:,} bytes")
    return ReadRecord(
        url=record.rec_headers.get_header("WARC-Target-URI"), status=status, headers=headers,
        body=body, warc_date=record.rec_headers.get_header("WARC-Date"),
        warc_headers=dict(record.rec_headers.headers),
    )


def repair(path: Path, good_end: int) -> bool:
    """Cut a WARC file back to `good_end` (the end of its last indexed record). True if it was cut."""
    if path.exists() and path.stat().st_size > good_end:
        with open(path, "r+b") as fh:
            fh.truncate(good_end)
        return True
    return False


def complete_gzip_end(path: Path) -> tuple[bool, int]:
    """Walk the file's gzip members: (every byte belongs to a complete member, end of the last
    complete member). A damaged stretch in the middle (a write that failed, then later records)
    is skipped to the next complete member, so records after it count. warcio stops quietly at
    some truncations; this does not."""
    ok, last_end = True, 0
    for start, end in _members(path):
        if end is None:
            ok = False
        else:
            last_end = end
    return ok and last_end == path.stat().st_size, last_end


def _members(path: Path):
    """(start, end) of each gzip member in file order; (start, None) for a damaged stretch. The
    file is mapped, not read, and each member is fed to zlib in chunks: memory stays bounded
    whatever the file's size."""
    import mmap

    if path.stat().st_size == 0:
        return
    with open(path, "rb") as fh, mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as data:
        pos = 0
        while pos < len(data):
            end = _member_end(data, pos)
            if end is not None:
                yield pos, end
                pos = end
                continue
            yield pos, None
            # the next gzip header that starts a complete member
            nxt = data.find(b"\x1f\x8b\x08", pos + 1)
            while nxt != -1 and _member_end(data, nxt) is None:
                nxt = data.find(b"\x1f\x8b\x08", nxt + 1)
            if nxt == -1:
                return
            pos = nxt


_CHUNK = 1 << 16


def _member_end(data, pos: int) -> int | None:
    import zlib

    decompressor = zlib.decompressobj(31)
    i = pos
    while i < len(data):
        chunk = data[i: i + _CHUNK]
        try:
            # at most _CHUNK of output at a time: a chunk of compressed zeros holds ~64 MB
            decompressor.decompress(chunk, _CHUNK)
            while decompressor.unconsumed_tail and not decompressor.eof:
                decompressor.decompress(decompressor.unconsumed_tail, _CHUNK)
        except zlib.error:
            return None
        if decompressor.eof:
            return i + len(chunk) - len(decompressor.unused_data)
        i += len(chunk)
    return None


def repair_file(path: Path) -> bool:
    """Cut what follows the file's last complete record (a kill may leave half a gzip member at
    the end). Complete records after a damaged stretch stay: their captures point at them.
    Returns True when something was cut."""
    ok, good_end = complete_gzip_end(path)
    return False if ok else repair(path, good_end)
