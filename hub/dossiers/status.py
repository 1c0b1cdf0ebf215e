"""What a dossier's status means to a citizen: words (vi, en), timeliness, what to do next.

Statuses are numbered as the national public service portal numbers them (1-10). The words here
are the hub's answer on the wire (``status_vi``/``status_en``, ``next_vi``/``next_en``);
appliances may show their own translations keyed by the number.
"""

from __future__ import annotations

import datetime as dt
import unicodedata

# number -> (vi, en)
STATUS_WORDS: dict[int, tuple[str, str]] = {
    1: ("Mới đăng ký", "Newly registered"),
    2: ("Được tiếp nhận", "Received"),
    3: ("Không được tiếp nhận", "Not accepted"),
    4: ("Đang xử lý", "Being processed"),
    5: ("Yêu cầu bổ sung giấy tờ", "Additional documents requested"),
    6: ("Yêu cầu thực hiện nghĩa vụ tài chính", "Fees or taxes to be paid"),
    7: ("Công dân yêu cầu rút hồ sơ", "Withdrawn at the applicant's request"),
    8: ("Dừng xử lý", "Processing stopped"),
    9: ("Đã xử lý xong", "Processed, result ready"),
    10: ("Đã trả kết quả", "Result returned"),
}

# number -> (vi, en): the one thing the citizen should do now.
NEXT_STEPS: dict[int, tuple[str, str]] = {
    1: (
        "Hồ sơ đã đăng ký trực tuyến, đang chờ cán bộ kiểm tra. Ông/bà chưa cần làm gì thêm.",
        "Registered online and waiting to be checked by a clerk. Nothing to do yet.",
    ),
    2: (
        "Hồ sơ đã được tiếp nhận. Vui lòng chờ đến ngày hẹn trả ghi trên giấy tiếp nhận.",
        "Your dossier was received. Please wait for the appointment date on your receipt.",
    ),
    3: (
        "Hồ sơ không được tiếp nhận. Vui lòng liên hệ quầy tiếp nhận để biết lý do.",
        "Your dossier was not accepted. Please ask at the reception counter for the reason.",
    ),
    4: (
        "Hồ sơ đang được xử lý. Vui lòng chờ đến ngày hẹn trả.",
        "Your dossier is being processed. Please wait for the appointment date.",
    ),
    5: (
        "Cần bổ sung giấy tờ: mang giấy tờ được yêu cầu và giấy tiếp nhận đến quầy.",
        "Documents are missing: bring the requested documents and your receipt to the counter.",
    ),
    6: (
        "Cần nộp phí, lệ phí hoặc thuế: nộp tại quầy hoặc trực tuyến theo thông báo.",
        "Fees or taxes are due: pay at the counter or online as notified.",
    ),
    7: (
        "Hồ sơ đã được rút theo yêu cầu của ông/bà. Không cần làm gì thêm.",
        "The dossier was withdrawn at your request. Nothing more to do.",
    ),
    8: (
        "Hồ sơ đã dừng xử lý. Vui lòng liên hệ quầy tiếp nhận để biết lý do.",
        "Processing has stopped. Please ask at the reception counter for the reason.",
    ),
    9: (
        "Đã có kết quả: đến quầy trả kết quả, mang theo giấy tiếp nhận và giấy tờ tùy thân.",
        "The result is ready: come to the counter with your receipt and an ID document.",
    ),
    10: (
        "Kết quả đã được trả. Không cần làm gì thêm.",
        "The result has already been handed over. Nothing more to do.",
    ),
}

TIMELINESS_WORDS: dict[str, tuple[str, str]] = {
    "early": ("Trước hạn", "Ahead of schedule"),
    "on_time": ("Đúng hạn", "On time"),
    "overdue": ("Quá hạn", "Overdue"),
}

# Statuses after which the dossier's clock no longer matters (not accepted, withdrawn, stopped).
_NO_DEADLINE = frozenset({3, 7, 8})


def status_words(status: int) -> tuple[str, str]:
    """(vi, en) words for a status number; unknown numbers get a neutral phrase."""
    return STATUS_WORDS.get(status, ("Không rõ trạng thái", "Unknown status"))


def next_step(status: int) -> tuple[str, str]:
    """(vi, en) advice for a status number."""
    return NEXT_STEPS.get(
        status,
        ("Vui lòng liên hệ quầy tiếp nhận.", "Please ask at the reception counter."),
    )


def timeliness(
    status: int,
    due_at: dt.datetime | None,
    finished_at: dt.datetime | None,
    now: dt.datetime,
) -> str | None:
    """``early``, ``on_time`` or ``overdue``; None when there is no deadline to compare with.

    A finished dossier compares its finish day with the due day (finished before the due day is
    trước hạn, on it đúng hạn, after it quá hạn); an unfinished one is quá hạn once the due
    moment has passed and đúng hạn until then.
    """
    if due_at is None or status in _NO_DEADLINE:
        return None
    if finished_at is not None:
        finish_day = finished_at.astimezone(due_at.tzinfo).date()
        if finish_day < due_at.date():
            return "early"
        return "on_time" if finish_day == due_at.date() else "overdue"
    return "overdue" if now > due_at else "on_time"


def mask_name(name: str | None) -> str | None:
    """ "Nguyễn Văn An" -> "Nguyễn V** A*": the family name whole, then initials.

    Enough for a citizen to recognise their own dossier at a public kiosk, not enough to learn
    who filed it.
    """
    if not name:
        return None
    words = unicodedata.normalize("NFC", " ".join(str(name).split())).split(" ")
    if not words or not words[0]:
        return None
    masked = [words[0]] + [w[0] + "*" * (len(w) - 1) for w in words[1:]]
    if len(words) == 1:
        masked = [words[0][0] + "*" * (len(words[0]) - 1)]
    return " ".join(masked)
