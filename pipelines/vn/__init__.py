"""Readers of Vietnamese facts: one reader per fact, shared by every stage that needs the fact.

Each module reads one kind of fact from text as reporters write it, and returns every mention it
finds, in text order, as written (NFC). Choosing *which* mention is the launch's (the event date
among the dates, the launching unit among the units named) is the job of `pipelines.structure`;
`pipelines.dedupe`, `pipelines.classify` and the extractors call the same readers, so two stages
never disagree about what a sentence says.

- `numbers`   — counts in digits or words ("15", "mười lăm", "hai mươi mốt")
- `dates`     — full dates, day-month with the year inferred, "d-m", times with SA/CH, page dates
- `places`    — units (xã/phường/thị trấn), districts and provinces with their type words
- `people`    — people with titles, both orders, introduced by "đồng chí", "Đ/c", "ông", "bà"
- `boards`    — the steering board's size
- `slogans`   — numbered slogans, known ones and unknown quoted phrases
- `documents` — document codes (86-KH/HU, 1612/QĐ-UBND)
- `credits`   — bylines and credits (author, source, CMS accounts)

The word lists live in `vocabulary.toml` beside these modules, each entry with example sentences
that `tests/test_vocabulary.py` reads with the entry's reader: adding a title or a slogan is a data
edit and an example.
"""
