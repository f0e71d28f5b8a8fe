"""Launch classifier: clear launches, hard negatives, graded scores, and the two real seed reports."""
from pathlib import Path

import pytest

from pipelines.classify import Classification, classify, launch_mentions

SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"
MODEL = "“Chính quyền thân thiện, vì Nhân dân phục vụ”"


def _seed(name):
    if not SEEDS.is_dir():
        pytest.skip(f"seed folder {SEEDS} not present")
    path = SEEDS / name
    if not path.exists():
        pytest.skip(f"seed {name} not present")
    title, body = path.read_text(encoding="utf-8").split("\n", 1)
    return title.strip(), body


# --- clear launches -------------------------------------------------------------------------------

@pytest.mark.parametrize(
    "title, body",
    [
        (
            f"Ra mắt và tập huấn mô hình {MODEL} tại xã Trung Thượng",
            f"Sáng ngày 17/3, Ban Dân vận Huyện ủy tổ chức hội nghị ra mắt và tập huấn mô hình {MODEL} tại xã Trung Thượng.",
        ),
        (
            "Lễ ra mắt mô hình chính quyền thân thiện vì nhân dân phục vụ ở xã Đông Văn",
            "Chiều 21/8, xã Đông Văn tổ chức lễ ra mắt mô hình. Ban Điều hành gồm 9 thành viên.",
        ),
        (
            f"Phường Quảng Tiến tổ chức hội nghị ra mắt mô hình {MODEL}",
            "Chiều ngày 17/11, Đảng ủy phường phối hợp tổ chức hội nghị ra mắt mô hình tại phường Quảng Tiến.",
        ),
        (
            f"Ra mắt Ban Điều hành mô hình {MODEL} xã Ea Phê",
            "Ngày 26/9/2024, UBND xã Ea Phê tổ chức hội nghị công bố quyết định thành lập Ban Điều hành.",
        ),
        (
            f"Triển khai xây dựng mô hình điểm {MODEL} tại xã Tam Lư",
            f"Sáng 5/4, Ban Dân vận Huyện ủy triển khai xây dựng mô hình điểm {MODEL} tại xã Tam Lư.",
        ),
        (
            # CHINH QUYEN in capitals, no comma, "nhân dân" in lower case
            "XÃ SƠN HÀ RA MẮT MÔ HÌNH “CHÍNH QUYỀN THÂN THIỆN VÌ NHÂN DÂN PHỤC VỤ”",
            "Sáng 5/4, xã Sơn Hà tổ chức lễ ra mắt mô hình “Chính quyền thân thiện vì nhân dân phục vụ”.",
        ),
    ],
)
def test_clear_launches_score_high(title, body):
    c = classify(title, body)
    assert isinstance(c, Classification)
    assert c.is_launch_report
    assert c.launch_score > 0.8, c.reasons
    assert c.reasons


def test_launch_told_only_in_the_lead_is_still_a_launch():
    c = classify(
        "Xã Đông Văn: gần dân, hiểu dân, phục vụ dân",
        f"Sáng 5/4, xã Đông Văn tổ chức lễ ra mắt mô hình {MODEL}.\n\nCán bộ xã cam kết thực hiện “4 xin”.",
    )
    assert c.is_launch_report
    assert 0.5 <= c.launch_score <= 0.95


def test_board_launch_after_its_subject_counts():
    # "Ban Điều hành mô hình … ra mắt": the subject before the verb is what is launched
    assert launch_mentions(f"Ban Điều hành mô hình {MODEL} ra mắt, nhận nhiệm vụ.") == ["model"]


# --- hard negatives -------------------------------------------------------------------------------

@pytest.mark.parametrize(
    "title, body",
    [
        (  # a review meeting mentions the launch it looks back on
            f"Hội nghị sơ kết 1 năm thực hiện mô hình {MODEL}",
            f"Sáng 5/4, huyện Quan Sơn tổ chức hội nghị sơ kết 1 năm thực hiện mô hình {MODEL}. "
            "Năm 2022, xã Trung Thượng đã ra mắt mô hình.",
        ),
        (
            f"Tổng kết 3 năm xây dựng mô hình {MODEL}",
            "Chiều 21/8, Ban Dân vận Huyện ủy tổ chức tổng kết. Từ khi ra mắt mô hình, các xã đã có nhiều chuyển biến.",
        ),
        (
            f"Đánh giá kết quả thực hiện mô hình {MODEL} năm 2023",
            "Ngày 12/12, Ban Dân vận Thành ủy đánh giá kết quả thực hiện mô hình tại 7 phường.",
        ),
        (  # another model
            "Ra mắt mô hình “Dân vận khéo” tại xã Tam Lư",
            f"Sáng 5/4, xã Tam Lư ra mắt mô hình “Dân vận khéo”.\n\nXã cũng đang thực hiện mô hình {MODEL}.",
        ),
        (
            "Xã Ea Phê ra mắt mô hình “Bản làng thân thiện”",
            f"Sáng 5/4, xã Ea Phê tổ chức ra mắt mô hình “Bản làng thân thiện”, gắn với mô hình {MODEL}.",
        ),
        (
            "Ra mắt mô hình “Công dân số” tại phường Quảng Tiến",
            f"Chiều 21/8, phường Quảng Tiến ra mắt mô hình “Công dân số”. Phường đã xây dựng mô hình {MODEL}.",
        ),
        (  # an annual summary that counts launches in passing
            "Huyện Quan Sơn: công tác dân vận năm 2023",
            f"Năm 2023, toàn huyện đã có 12 xã ra mắt mô hình {MODEL}; 100% xã thực hiện Quy chế dân chủ.",
        ),
        (
            "Công tác dân vận chính quyền năm 2023",
            f"Trong năm, 12 xã đã ra mắt mô hình {MODEL}.",
        ),
        (  # "ra mắt" of something else in an article that mentions the model elsewhere
            "Xã Sơn Hà ra mắt Câu lạc bộ dân ca",
            f"Chiều 21/8, xã Sơn Hà ra mắt Câu lạc bộ dân ca.\n\nXã đang thực hiện mô hình {MODEL}.",
        ),
        (
            "Ra mắt tổ hòa giải ở cơ sở thôn Bản Lát",
            f"Sáng 5/4, thôn Bản Lát ra mắt tổ hòa giải.\n\nĐây là một nội dung của mô hình {MODEL}.",
        ),
        (  # a planned launch is not a launch report
            "Xã Ea Phê sẽ ra mắt mô hình chính quyền thân thiện",
            "Theo kế hoạch, xã sẽ ra mắt mô hình vào tháng 5.",
        ),
        (  # the model is never named
            "Ra mắt mô hình “Chính quyền điện tử” tại xã A",
            "Sáng 5/4, xã A ra mắt mô hình chính quyền điện tử.",
        ),
    ],
)
def test_hard_negatives_score_low(title, body):
    c = classify(title, body)
    assert not c.is_launch_report
    assert c.launch_score < 0.2, c.reasons


def test_launch_only_deep_in_the_body_is_ambiguous_not_a_launch():
    body = "\n\n".join(
        [
            "Năm 2023, công tác dân vận của huyện có nhiều chuyển biến.",
            "Các cấp ủy quan tâm lãnh đạo.",
            "Mặt trận và các đoàn thể tích cực tham gia.",
            f"Trong tháng 5, xã Trung Hạ ra mắt mô hình {MODEL}.",
        ]
    )
    c = classify("Công tác dân vận năm 2023", body)
    assert not c.is_launch_report
    assert 0.05 < c.launch_score < 0.5


def test_score_orders_evidence():
    clear = classify(f"Ra mắt mô hình {MODEL} tại xã A", f"Sáng 5/4, xã A tổ chức lễ ra mắt mô hình {MODEL}.")
    lead_only = classify("Xã A gần dân", f"Sáng 5/4, xã A tổ chức lễ ra mắt mô hình {MODEL}.")
    review = classify(f"Sơ kết mô hình {MODEL}", f"Sáng 5/4, xã A sơ kết mô hình {MODEL}.")
    assert clear.launch_score > lead_only.launch_score > review.launch_score


def test_empty_input():
    c = classify("", "")
    assert not c.is_launch_report and c.launch_score < 0.2


# --- the real seeds -------------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["seed-quanson-trung-thuong.txt", "seed-samson-quang-tien.txt"])
def test_seeds_are_launches(name):
    title, body = _seed(name)
    c = classify(title, body)
    assert c.is_launch_report
    assert c.launch_score > 0.8


def test_anniversary_of_a_launch_is_not_a_launch():
    c = classify(
        "Xã Đông Văn: 1 năm thực hiện mô hình Chính quyền thân thiện",
        f"Sau 1 năm ra mắt mô hình {MODEL}, xã Đông Văn đã có nhiều chuyển biến.",
    )
    assert not c.is_launch_report and c.launch_score < 0.2
    assert launch_mentions(f"Sau 1 năm ra mắt mô hình {MODEL}") == ["passing"]


def test_launch_together_with_a_review_in_the_title_is_still_a_launch():
    c = classify(
        f"Hội nghị ra mắt mô hình điểm {MODEL} và sơ kết công tác dân vận 6 tháng",
        "Sáng 10/7, Đảng ủy thị trấn Sơn Lư tổ chức hội nghị ra mắt mô hình điểm và sơ kết công tác dân vận.",
    )
    assert c.is_launch_report and c.launch_score > 0.8


# --- plans, announcements and planning meetings (not launches) ------------------------------------

@pytest.mark.parametrize(
    "title, body",
    [
        (  # the plan for a launch conference: the plan governs "ra mắt"
            f"Kế hoạch tổ chức hội nghị ra mắt mô hình {MODEL} năm 2024",
            f"Ngày 1/3/2024, UBND xã A ban hành Kế hoạch số 35/KH-UBND về tổ chức hội nghị ra mắt mô hình {MODEL} năm 2024."
            "\n\nTheo kế hoạch, hội nghị dự kiến được tổ chức vào ngày 15/3/2024 tại hội trường UBND xã.",
        ),
        (  # an announcement of the ceremony
            f"Thông báo về việc tổ chức lễ ra mắt mô hình {MODEL}",
            f"UBND xã B thông báo về việc tổ chức lễ ra mắt mô hình {MODEL} vào sáng thứ Hai tuần tới.",
        ),
        (  # a training course that teaches how to organise the launch
            "Tập huấn nghiệp vụ công tác dân vận chính quyền năm 2024",
            "Ngày 18/3, Ban Dân vận Tỉnh ủy tổ chức lớp tập huấn cho cán bộ cấp xã.\n\nHọc viên được truyền đạt các "
            f"chuyên đề: kỹ năng tiếp công dân; quy trình xây dựng và tổ chức ra mắt mô hình {MODEL}.",
        ),
        (  # a district's planning meeting: communes will launch before a deadline
            f"Huyện C: Hội nghị triển khai xây dựng mô hình {MODEL} giai đoạn 2024 - 2025",
            f"Ngày 12/1, Ban Thường vụ Huyện ủy C tổ chức hội nghị triển khai xây dựng mô hình {MODEL} giai đoạn "
            "2024 - 2025 đến lãnh đạo 24 xã, thị trấn.\n\nCác xã được chọn phải thành lập Ban Chỉ đạo và tổ chức "
            "ra mắt mô hình trước ngày 30/6/2024.",
        ),
        (  # readiness: the ceremony is still to come
            f"Huyện E sẵn sàng ra mắt mô hình {MODEL} tại 4 xã",
            f"Chiều 9/8, đoàn công tác kiểm tra công tác chuẩn bị ra mắt mô hình {MODEL} tại huyện E."
            "\n\nLễ ra mắt dự kiến tổ chức trong hai ngày 15 và 16/8/2024.",
        ),
        (  # a tally far before the launch phrase
            f"Huyện M: 10/12 xã, thị trấn đã ra mắt mô hình {MODEL}",
            f"Theo Ban Dân vận Huyện ủy M, đến nay đã có 10/12 xã, thị trấn trên địa bàn huyện tổ chức ra mắt mô hình {MODEL}.",
        ),
        (  # a review's tally of the communes that launched, under a headline that reads like a launch
            f"Huyện G: 8 xã, thị trấn ra mắt mô hình {MODEL}",
            f"Chiều 2/10, Ban Thường vụ Huyện ủy G tổ chức hội nghị sơ kết 1 năm xây dựng mô hình {MODEL}."
            "\n\nTheo báo cáo, sau 1 năm triển khai, toàn huyện đã có 8/14 xã, thị trấn tổ chức ra mắt mô hình.",
        ),
    ],
)
def test_plans_and_planning_meetings_are_not_launches(title, body):
    c = classify(title, body)
    assert not c.is_launch_report, c.reasons
    assert c.launch_score < 0.5


def test_a_report_of_several_communes_launching_is_not_a_tally():
    c = classify(f"Hai xã ra mắt mô hình {MODEL}",
                 f"Sáng 12/4, xã H và xã K tổ chức hội nghị ra mắt mô hình {MODEL}; hai xã đã có nhiều cách làm hay.")
    assert c.is_launch_report, c.reasons


def test_plan_words_far_from_the_launch_do_not_block_it():
    # "Theo kế hoạch" names the plan the launch follows; the launch itself happened
    c = classify(
        f"Xã D ra mắt mô hình {MODEL}",
        f"Thực hiện Kế hoạch số 120-KH/HU, sáng 5/4, Đảng ủy xã D tổ chức hội nghị ra mắt mô hình {MODEL}.",
    )
    assert c.is_launch_report and c.launch_score > 0.8


def test_a_rollout_conference_for_named_communes_is_a_launch():
    for title in (
        f"Hội nghị triển khai xây dựng mô hình {MODEL} ở 2 xã Đông Yên và Đông Minh",
        f"Đảng ủy xã Đông Yên: Hội nghị triển khai xây dựng mô hình {MODEL}",
    ):
        assert "rollout" in launch_mentions(title), title
    assert launch_mentions(f"Hội nghị triển khai xây dựng mô hình {MODEL} đến lãnh đạo 24 xã") == ["passing"]
