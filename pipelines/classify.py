"""Is this article a report of the launch of «Chính quyền thân thiện, vì Nhân dân phục vụ»?

Rule-based on purpose: the archive's users must be able to read why an article was kept, and the
vocabulary of these reports is small and formulaic ("Sáng ngày 17/3, … tổ chức hội nghị ra mắt và
tập huấn xây dựng mô hình “Chính quyền thân thiện, vì Nhân dân phục vụ” tại xã …").

How it decides
--------------
1. Everything is matched on folded text (no tone marks, đ→d, lower case, punctuation → spaces), so
   "Nhân dân"/"nhân dân", "thân thiện, vì"/"thân thiện vì", "Hoá"/"Hóa" all look the same.
2. Every "ra mắt" (and "triển khai xây dựng mô hình điểm") is read together with its object: what is
   launched? The model itself, its steering board ("Ban Chỉ đạo/Ban Điều hành mô hình"), a generic
   "mô hình" in an article about the model, another model ("Dân vận khéo"), or something else
   entirely (a Câu lạc bộ, a tổ hòa giải). Counted or planned launches ("đã có 12 xã ra mắt",
   "sẽ ra mắt") are mentions in passing, not the event.
3. Where the launch is said matters: the title and the lead carry the subject of a news report, so
   they weigh most; the next two paragraphs less; the rest of the body little.
4. Review meetings (sơ kết, tổng kết, đánh giá kết quả …) in the title or lead pull the score down:
   such reports routinely mention the launch they review.
5. The evidence is summed into a log-odds and squashed with a logistic, so launch_score is a graded
   confidence: > 0.8 for clear launches, < 0.2 for clear negatives; the decision threshold is 0.5.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

from pipelines.text import fold
from pipelines.vn.vocabulary import words

THRESHOLD = 0.5


@dataclass
class Classification:
    is_launch_report: bool
    launch_score: float
    reasons: list[str] = field(default_factory=list)


# --- folded vocabulary --------------------------------------------------------------------------
# The word lists are data (pipelines/vn/vocabulary.toml: other_models, other_objects, review_cues),
# folded here like the text they are matched on.


def _folded_alternation(section: str) -> str:
    folded = {" ".join(re.sub(r"[^a-z0-9]+", " ", fold(w)).split()) for w in words(section)}
    return "|".join(re.escape(w) for w in sorted(folded, key=len, reverse=True))


# The model's name in folded, punctuation-free form; either half identifies it in these reports.
MODEL_RE = re.compile(r"\bchinh quyen than thien\b|\bvi nhan dan phuc vu\b")
# Other models that share words or settings with ours; a launch of one of them is not ours.
OTHER_MODEL_RE = re.compile(rf"\b(?:{_folded_alternation('other_models')})\b")
LAUNCH_RE = re.compile(r"\bra mat\b")
# "Triển khai xây dựng mô hình điểm …" is how several districts name the launch conference itself.
PILOT_RE = re.compile(r"\btrien khai (?:xay dung|thuc hien) (?:mo hinh diem|diem mo hinh)\b")
# Without "điểm" the same phrase is often a district's planning meeting: weaker evidence.
ROLLOUT_RE = re.compile(r"\b(?:hoi nghi|le) trien khai (?:xay dung|thuc hien) mo hinh\b")
# The steering board of the model: its launch ("ra mắt Ban Điều hành mô hình …") is the launch.
BOARD_RE = re.compile(r"\b(ban chi dao|ban dieu hanh|bcd|bdh)\b")
MODEL_WORD_RE = re.compile(r"\bmo hinh\b")
# Things that are launched in the same communes and articles but are not the model.
OTHER_OBJECT_RE = re.compile(rf"\b(?:{_folded_alternation('other_objects')})\b")
# Words that may sit between "mô hình" and the model's name without naming another model.
_MODEL_FILLERS = {"diem", "thi", "dan", "van", "kieu", "mau", "moi", "cua", "xay", "dung", "nam"}
# Words that may follow a bare "mô hình" before the rest of the sentence ("mô hình điểm tại xã A").
_BARE_FILLERS = {"diem", "thi", "moi", "nay"}
# Words after a bare "mô hình" that show it is not followed by a name at all.
_FUNCTION_WORDS = {
    "tai", "o", "nam", "cua", "cho", "va", "tren", "voi", "nay", "do", "nhan", "nhiem", "vu",
    "trong", "den", "tu", "la", "da", "duoc", "se", "theo", "gom", "co",
}
# A count or a cumulative before "ra mắt": the sentence reports how many did it, not an event.
PASSING_RE = re.compile(
    r"\b(?:da co|den nay|luy ke|tong so|toan huyen co|toan tinh co|co tong|100)\b"
    r"|\b(?:\d+|hai|ba|bon|nam|sau|bay|tam|chin|muoi|nhieu|cac)(?: \d+)? (?:xa|phuong|thi tran|don vi|dia phuong|co so)"
    r"(?: \w+){0,3} da(?: to chuc)?$"
    # an anniversary or a retrospective: "Sau 1 năm ra mắt mô hình …", "Kể từ khi ra mắt …"
    r"|\bsau (?:\d+|mot|hai|ba|bon|nam|sau) (?:nam|thang)$|\b(?:ke tu khi|tu khi)$"
)
FUTURE_RE = re.compile(r"\b(?:se|du kien|chuan bi|ke hoach|tien toi|phan dau|san sang)\b")
# A count of units that have launched, up to 16 words before the launch: "toàn huyện đã có 8/14
# xã, thị trấn tổ chức ra mắt mô hình", "đến nay đã có 10/12 xã, thị trấn trên địa bàn huyện tổ
# chức ra mắt" (a review's tally, not the report of a launch).
COUNT_BEFORE_RE = re.compile(r"\bda co (?:\d+|hai|ba|bon|nam|sau|bay|tam|chin|muoi)\b")
# A plan, an announcement or a preparation that governs the launch phrase: "Kế hoạch tổ chức hội
# nghị ra mắt …", "tổng duyệt chương trình Lễ ra mắt …" (the cue words: vocabulary.toml plan_cues),
# "ban hành Kế hoạch số 35/KH-UBND về tổ chức hội nghị ra mắt …", "Thông báo về việc tổ chức lễ
# ra mắt …". Between the plan word and "ra mắt" only a document number, "về (việc)", "tổ chức"
# and the kind of meeting may stand, so "Theo kế hoạch, xã A đã tổ chức ra mắt" is not caught.
PLAN_BEFORE_RE = re.compile(
    rf"\b(?:{_folded_alternation('plan_cues')})(?: so)?"
    r"(?: \d+(?: \d{4})?(?: [a-z]{1,8}){1,3})?(?: (?:chuong trinh|cong tac))?(?: ve)?(?: viec)?"
    r"(?: (?:xay dung|thuc hien|trien khai)(?: va)?)?(?: (?:to chuc|tien hanh))?(?: (?:hoi nghi|le|buoi le))?$"
)
# A launch phrase followed, within its clause, by a future: "Hội nghị ra mắt mô hình ở các xã dự
# kiến tổ chức trong tháng 6", "Lễ ra mắt … sẽ được tổ chức vào 8h00 ngày 24/4".
FUTURE_AFTER_RE = re.compile(r"^(?:\w+ ){0,8}?(?:du kien|se duoc|se to chuc|se dien ra|se ra mat)\b")
# Teaching how to launch: "quy trình xây dựng và tổ chức ra mắt mô hình", "cách tổ chức lễ ra mắt",
# "hướng dẫn tổ chức ra mắt" — training courses and guides, not a launch.
HOWTO_BEFORE_RE = re.compile(
    r"\b(?:quy trinh|cach|ky nang|huong dan|kinh nghiem|chuyen de|nghiep vu)(?: (?:xay dung|chuan bi)(?: va)?)?"
    r"(?: (?:to chuc|tien hanh))?(?: (?:hoi nghi|le|buoi le))?$"
)
# A deadline after the launch phrase makes it an obligation, not an event: "các xã … tổ chức ra
# mắt mô hình trước ngày 30/6/2024", "chậm nhất trong quý II".
DEADLINE_AFTER_RE = re.compile(r"^(?:\w+ ){0,12}?(?:truoc|cham nhat(?: la)?(?: trong)?) (?:ngay|thang|quy|nam|\d)")
# "Hội nghị triển khai xây dựng mô hình" is a launch only for named units: held by a commune
# ("Đảng ủy xã A tổ chức hội nghị triển khai …") or for communes it names ("… tại xã A", "… ở 2
# xã A và B", "… của hai xã"). Spreading the plan "đến lãnh đạo 24 xã" is a district's planning
# meeting, and the communes launch later.
_UNIT_TARGET_AFTER = re.compile(
    r"\b(?:tai|o|cho|cua)(?: (?:cac|\d+|hai|ba|bon|nam|sau|bay|tam|chin|muoi))? (?:xa|phuong|thi tran)\b")
_UNIT_BEFORE = re.compile(r"\b(?:xa|phuong|thi tran)\b")
# Review meetings and summaries: they mention launches they look back on.
REVIEW_RE = re.compile(
    rf"\b(?:{_folded_alternation('review_cues')}|danh gia \d+ nam|sau \d+ nam|\d+ nam thuc hien)\b")
# Words that make a sentence about a launch the report of an event (an organised meeting).
EVENT_RE = re.compile(r"\b(to chuc|hoi nghi|le|buoi le|sang|chieu|ngay \d)\b")

# log-odds weights, one per kind of evidence and place (see the module docstring)
BIAS = -2.2
W_LAUNCH = {"title": 3.2, "lead": 2.4, "early": 1.4, "rest": 0.7}
GENERIC_FACTOR = 0.8     # a bare "ra mắt mô hình" in an article about the model
ROLLOUT_FACTOR = 0.5     # "hội nghị triển khai xây dựng mô hình": maybe the launch, maybe a plan
W_EVENT = 0.6            # the launch sentence describes an organised event
W_REVIEW_TITLE = -3.0
W_REVIEW_TITLE_WITH_LAUNCH = -1.0
W_REVIEW_LEAD = -1.2
W_OTHER_TITLE = -1.5     # the title launches something else
W_OTHER_MODEL_TITLE = -2.5
W_PASSING_ONLY = 0.3     # only counted / planned launches: a little evidence that the topic is near
W_LEAD_EVENT = 0.8       # a title launch whose lead reports an organised event without repeating "ra mắt"


def norm(text: str) -> str:
    """Folded text with punctuation turned into spaces: the form every pattern here is written in."""
    return " ".join(re.sub(r"[^a-z0-9]+", " ", fold(text)).split())


def split_paragraphs(body_text: str) -> list[str]:
    parts = re.split(r"\n\s*\n|\n", body_text or "")
    return [p.strip() for p in parts if p.strip()]


_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+|\s*;\s+(?=[A-ZĐ])")


def split_sentences(paragraph: str) -> list[str]:
    """Sentences of a paragraph. A dot only ends a sentence when a space follows ("UB.MTTQ" stays)."""
    return [s for s in _SENTENCE_END.split(paragraph) if s.strip()]


# --- reading one "ra mắt" ---------------------------------------------------------------------

MODEL, GENERIC, OTHER_MODEL, OTHER, PASSING = "model", "generic", "other-model", "other", "passing"
ROLLOUT = "rollout"  # "hội nghị triển khai xây dựng mô hình …": probably the launch conference


def _after_mo_hinh(tokens: list[str]) -> str:
    """What follows "mô hình": the model's name, another name, or nothing that names a model."""
    text = " ".join(tokens[:10])
    m = MODEL_RE.search(text)
    # the model's name within a few filler words ("mô hình điểm “Chính quyền thân thiện …”")
    if m and all(w in _MODEL_FILLERS or w.isdigit() for w in text[: m.start()].split()):
        return MODEL
    if OTHER_MODEL_RE.match(text):
        return OTHER_MODEL
    rest = [w for w in tokens if w not in _BARE_FILLERS]
    if not rest or rest[0] in _FUNCTION_WORDS or rest[0].isdigit():
        return GENERIC  # "ra mắt mô hình tại xã A": a bare "mô hình", judged by the article's topic
    return OTHER_MODEL  # "mô hình “Xóm đạo bình yên”": a name that is not ours


def _object_after(tokens: list[str]) -> str | None:
    """Kind of the thing launched, read from the words after "ra mắt" (None: nothing there)."""
    text = " ".join(tokens)
    hits = []
    for kind, rx in (("mo hinh", MODEL_WORD_RE), ("board", BOARD_RE), ("other", OTHER_OBJECT_RE)):
        m = rx.search(text)
        if m:
            hits.append((m.start(), kind, m))
    if OTHER_MODEL_RE.search(text):
        m = OTHER_MODEL_RE.search(text)
        hits.append((m.start(), "other-model", m))
    direct_model = MODEL_RE.search(text)
    if direct_model and direct_model.start() <= 2:
        return MODEL  # "ra mắt “Chính quyền thân thiện …”"
    if not hits:
        return MODEL if direct_model else None
    _, kind, m = min(hits, key=lambda h: h[0])
    following = text[m.end():].split()
    if kind == "mo hinh":
        return _after_mo_hinh(following)
    if kind == "board":
        # "Ban Điều hành mô hình …": judge by the model named after it, if any
        sub = " ".join(following)
        mm = MODEL_WORD_RE.search(sub)
        if mm and mm.start() <= 8:
            return _after_mo_hinh(sub[mm.end():].split())
        return MODEL if MODEL_RE.search(sub) else GENERIC
    if kind == "other-model":
        return OTHER_MODEL
    return OTHER


def _object_before(tokens: list[str]) -> str | None:
    """"Ban Điều hành mô hình “…” ra mắt": the subject before the verb is what is launched."""
    text = " ".join(tokens)
    if OTHER_MODEL_RE.search(text) and not MODEL_RE.search(text):
        return OTHER_MODEL
    if MODEL_RE.search(text) and (BOARD_RE.search(text) or MODEL_WORD_RE.search(text)):
        return MODEL
    if BOARD_RE.search(text) or MODEL_WORD_RE.search(text):
        return GENERIC
    return None


def launch_mentions(sentence: str) -> list[str]:
    """Kinds of every launch phrase in a sentence: MODEL, GENERIC, OTHER_MODEL, OTHER or PASSING."""
    n = norm(sentence)
    kinds = []
    for m in LAUNCH_RE.finditer(n):
        before = n[: m.start()].split()[-12:]
        after = n[m.end():].split()[:16]
        near_before = " ".join(before[-8:])
        if (PASSING_RE.search(near_before) or FUTURE_RE.search(" ".join(before[-3:]))
                or COUNT_BEFORE_RE.search(" ".join(n[: m.start()].split()[-16:]))
                or PLAN_BEFORE_RE.search(" ".join(before)) or HOWTO_BEFORE_RE.search(" ".join(before))
                or DEADLINE_AFTER_RE.search(" ".join(after)) or FUTURE_AFTER_RE.search(" ".join(after))):
            kinds.append(PASSING)
            continue
        kind = _object_after(after)
        if kind in (None, GENERIC):
            # nothing (or only a bare "mô hình") after the verb: the subject before it may name the
            # model ("Ban Điều hành mô hình “…” ra mắt, nhận nhiệm vụ")
            subject = _object_before(before)
            kind = MODEL if subject == MODEL else (kind or subject)
        if kind is not None:
            kinds.append(kind)
    for rx, kind in ((PILOT_RE, MODEL), (ROLLOUT_RE, ROLLOUT)):
        for m in rx.finditer(n):
            following = n[m.end():].split()
            if kind == MODEL:
                kinds.append(_after_mo_hinh(following))
            elif _after_mo_hinh(following) not in (MODEL, GENERIC):
                kinds.append(OTHER_MODEL)
            elif _UNIT_TARGET_AFTER.search(" ".join(following[:24])) or _UNIT_BEFORE.search(n[: m.start()]):
                kinds.append(ROLLOUT)
            else:
                kinds.append(PASSING)  # a district's planning meeting: the launches come later
    return kinds


# --- scoring ------------------------------------------------------------------------------------


def _segments(title: str, body_text: str) -> list[tuple[str, str]]:
    paragraphs = split_paragraphs(body_text)
    segs = [("title", title or "")]
    if paragraphs:
        segs.append(("lead", paragraphs[0]))
    segs += [("early", p) for p in paragraphs[1:3]]
    segs += [("rest", p) for p in paragraphs[3:]]
    return segs


def _launch_evidence(place: str, text: str, about_model: bool) -> tuple[float, str | None, set[str]]:
    """Best launch evidence found in one segment: (log-odds, reason, kinds seen)."""
    best, reason, seen = 0.0, None, set()
    for sentence in split_sentences(text) or [text]:
        kinds = launch_mentions(sentence)
        seen.update(kinds)
        for kind in kinds:
            factor = {MODEL: 1.0, ROLLOUT: ROLLOUT_FACTOR}.get(kind)
            if kind == GENERIC and (about_model or MODEL_RE.search(norm(sentence))):
                factor = GENERIC_FACTOR
            if not factor:
                continue
            weight = W_LAUNCH[place] * factor
            if place != "title" and EVENT_RE.search(norm(sentence)):
                weight += W_EVENT
            if weight > best:
                best = weight
                reason = f"{place}: launch of the model ({kind}) in “{_short(sentence)}” (+{weight:.1f})"
    return best, reason, seen


def _short(text: str, n: int = 90) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[: n - 1] + "…"


def _sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x))


def _evidence_by_place(segs, about_model: bool):
    """(kinds of launch phrase, best launch weight, its reason) for each place of the article."""
    kinds_by_place: dict[str, set[str]] = {}
    reason_by_place: dict[str, str] = {}
    launch_by_place: dict[str, float] = {}
    for place, text in segs:
        weight, reason, kinds = _launch_evidence(place, text, about_model)
        kinds_by_place.setdefault(place, set()).update(kinds)
        # One piece of evidence per place: a body repeating "ra mắt" ten times is not ten times surer.
        if weight > launch_by_place.get(place, 0.0):
            launch_by_place[place] = weight
            reason_by_place[place] = reason
    return kinds_by_place, launch_by_place, reason_by_place


def classify(title: str, body_text: str) -> Classification:
    title, body_text = title or "", body_text or ""
    all_text = norm(title + "\n" + body_text)
    if not MODEL_RE.search(all_text):
        # Without the model's name anywhere, the article cannot be about its launch.
        return Classification(False, 0.02, ["the model «Chính quyền thân thiện» is never named"])

    segs = _segments(title, body_text)
    top = norm(" ".join(text for place, text in segs if place in ("title", "lead")))
    about_model = bool(MODEL_RE.search(top))
    score, reasons = BIAS, [f"bias {BIAS:+.1f}"]
    kinds_by_place, launch_by_place, reason_by_place = _evidence_by_place(segs, about_model)
    for place in ("title", "lead", "early", "rest"):
        if launch_by_place.get(place):
            score += launch_by_place[place]
            reasons.append(reason_by_place[place])

    title_n = norm(title)
    title_launch = launch_by_place.get("title", 0.0) > 0
    lead_launch = launch_by_place.get("lead", 0.0) > 0
    lead_n = norm(next((t for p, t in segs if p == "lead"), ""))
    if title_launch and not lead_launch and EVENT_RE.search(lead_n) and not REVIEW_RE.search(lead_n):
        score += W_LEAD_EVENT
        reasons.append(f"lead: reports the event the title names (+{W_LEAD_EVENT:.1f})")
    review = REVIEW_RE.search(title_n)
    if review:
        # "Sơ kết 1 năm ra mắt …", "Kiểm tra việc ra mắt …": a review word before the launch governs it
        launch_at = LAUNCH_RE.search(title_n)
        governs = launch_at is not None and review.start() < launch_at.start()
        w = W_REVIEW_TITLE_WITH_LAUNCH if title_launch and not governs else W_REVIEW_TITLE
        score += w
        reasons.append(f"title: review/summary wording “{REVIEW_RE.search(title_n).group(0)}” ({w:+.1f})")
    if REVIEW_RE.search(lead_n) and not lead_launch:
        score += W_REVIEW_LEAD
        reasons.append(f"lead: review/summary wording “{REVIEW_RE.search(lead_n).group(0)}” ({W_REVIEW_LEAD:+.1f})")
    title_kinds = kinds_by_place.get("title", set())
    if not title_launch and OTHER_MODEL in title_kinds:
        score += W_OTHER_MODEL_TITLE
        reasons.append(f"title: launch of another model ({W_OTHER_MODEL_TITLE:+.1f})")
    elif not title_launch and OTHER_MODEL_RE.search(title_n) and not MODEL_RE.search(title_n):
        score += W_OTHER_MODEL_TITLE
        reasons.append(f"title: about another model ({W_OTHER_MODEL_TITLE:+.1f})")
    elif not title_launch and OTHER in title_kinds:
        score += W_OTHER_TITLE
        reasons.append(f"title: launch of something other than the model ({W_OTHER_TITLE:+.1f})")
    if not any(launch_by_place.values()):
        if any(PASSING in k for k in kinds_by_place.values()):
            score += W_PASSING_ONLY
            reasons.append(f"only counted or planned launches (+{W_PASSING_ONLY:.1f})")
        else:
            reasons.append("no launch of the model is reported")

    p = round(_sigmoid(score), 3)
    return Classification(p >= THRESHOLD, p, reasons)
