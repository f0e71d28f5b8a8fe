"""One writer per archive: an advisory lock beside the database file.

Two crawls (or a crawl and an import) writing one archive would each keep their own near-duplicate
index, so stories would be wrong, and race on new rows. Every writer — the CLI's crawl, recover,
import-warc, reprocess and demo, and the Scrapy store pipeline of a bare `scrapy crawl` — takes
`<db>.lock` with flock(2) before its first write and keeps it until it ends (the kernel drops it
with the process, kill -9 included); a second writer gets one clear line instead. Readers
(Datasette, exports) never take it: SQLite's WAL serves them.
"""
from __future__ import annotations

import fcntl
import os
from datetime import datetime, timezone
from pathlib import Path

_HELD: dict[str, int] = {}


class ArchiveBusy(RuntimeError):
    """Another process is writing this archive."""


def hold_writer(db_path: str | Path) -> bool:
    """Take the archive's writer lock for this process, or raise ArchiveBusy. True when taken now,
    False when this process already held it."""
    path = Path(db_path).resolve()
    key = str(path)
    if key in _HELD:
        return False
    lock = path.with_name(path.name + ".lock")
    fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        holder = os.pread(fd, 200, 0).decode("utf-8", "replace").strip() or "another process"
        os.close(fd)
        raise ArchiveBusy(f"{path} is being written by {holder}; wait for it to finish, or use another --db") from None
    os.ftruncate(fd, 0)
    os.pwrite(fd, f"thanthien pid {os.getpid()} since {datetime.now(timezone.utc):%Y-%m-%d %H:%M:%S} UTC".encode(), 0)
    _HELD[key] = fd
    return True


def release_writer(db_path: str | Path) -> None:
    fd = _HELD.pop(str(Path(db_path).resolve()), None)
    if fd is not None:
        os.close(fd)  # closing the descriptor releases the flock
