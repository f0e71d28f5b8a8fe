"""The simulator serves the same bytes as the recorded digests (tests/sim/served_pages.txt): the
demo's archive and the extraction tests depend on every page, so a change of the simulator's code
or data that changes a page must be meant. When it is: `python tests/sim/page_digest.py --summary
> tests/sim/served_pages.txt` (and `python tests/sim/page_digest.py` before and after shows which pages)."""
from __future__ import annotations

from pathlib import Path

from .page_digest import served_pages, summary

RECORDED = Path(__file__).with_name("served_pages.txt")


def test_every_served_page_is_as_recorded():
    now = summary(served_pages())
    recorded = RECORDED.read_text(encoding="utf-8").splitlines()
    changed = sorted(set(now) ^ set(recorded))
    assert not changed, "pages changed (set-up/portal, pages, digest):\n" + "\n".join(changed)
