"""Breaking Vietnamese into lines where a reader expects the break.

Vietnamese writes a space between syllables, not between words: "hộ tịch" (civil status) is one
word of two syllables, and a break between "hộ" and "tịch" reads as a mistake. So lines break
between words, known compounds of the reception's vocabulary staying whole, and between phrases
first: a phrase ("Tư pháp hộ tịch") that fits on a line of its own goes there whole rather than
being split after whatever came before it. Phrases end after a comma, semicolon or colon and
before a conjunction ("và", "hoặc"); a dash or slash binds the words on either side.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable


# Words of two or three syllables in service, procedure and ticket texts. Lower case, NFC.
def _entries(text: str) -> frozenset[str]:
    return frozenset(entry.strip() for entry in text.split("|"))


COMPOUNDS = _entries(
    """
    tư pháp|hộ tịch|chứng thực|công chứng|đất đai|xây dựng|kinh doanh|đầu tư|lao động|
    thương binh|xã hội|hộ kinh doanh|doanh nghiệp|đăng ký|giấy phép|giấy tờ|tài nguyên|
    môi trường|giao thông|vận tải|văn hóa|thể thao|du lịch|y tế|giáo dục|đào tạo|nông nghiệp|
    phát triển|nông thôn|công thương|nội vụ|tài chính|kế hoạch|thủ tục|hành chính|dịch vụ|
    người có công|bảo trợ|trẻ em|thông tin|truyền thông|khoa học|công nghệ|quy hoạch|
    kiến trúc|cư trú|căn cước|khai sinh|khai tử|kết hôn|nhận con|nuôi con nuôi|hộ khẩu|
    tiếp nhận|trả kết quả|kết quả|một cửa|ưu tiên|số thứ tự|thứ tự|của bạn|người chờ|
    thời gian|dự kiến|theo dõi|hệ thống|sự cố|vui lòng|hoạt động|trở lại|ngoại tuyến|
    giữ phiếu|được gọi|được cấp|chờ đến|quét mã|bảo hiểm|xã hội hóa|tôn giáo|dân tộc|
    thi đua|khen thưởng|thanh tra|khiếu nại|tố cáo|tiếp công dân|công dân|an toàn|
    thực phẩm|phòng cháy|chữa cháy|ủy ban|nhân dân|bộ phận|huyện|thị xã|thành phố|
    cải chính|bổ sung|thay đổi|quốc tịch|lý lịch|sở hữu|nhà ở|quyền sử dụng|
    sử dụng đất|biến động|cấp đổi|cấp lại|chuyển nhượng|thế chấp|bồi thường|giải phóng|
    mặt bằng|trật tự|đô thị|chính sách|việc làm|trợ cấp|mai táng|hưu trí|người cao tuổi|
    khuyết tật|hộ nghèo|cận nghèo|lĩnh vực|hồ sơ|hướng dẫn|giải quyết|liên thông|bản sao|
    trích lục|xác nhận|chứng nhận|nước ngoài|yếu tố|điện tử|trực tuyến|cấp phép|phê duyệt|
    thẩm định|hợp đồng|di chúc|thừa kế|tài sản|công trình|nhà nước|địa chính|đo đạc
    """
)
_LONGEST = max(len(c.split()) for c in COMPOUNDS)
# Names of fields and offices that stay on one line whenever that line can hold them.
GROUPS = _entries(
    """
    tư pháp hộ tịch|tư pháp – hộ tịch|hộ tịch, chứng thực|đất đai, xây dựng|
    lao động, thương binh và xã hội|lao động – thương binh và xã hội|
    tài nguyên và môi trường|kế hoạch và đầu tư|văn hóa, thể thao và du lịch|
    giao thông vận tải|nông nghiệp và phát triển nông thôn|thông tin và truyền thông|
    khoa học và công nghệ|bộ phận tiếp nhận và trả kết quả|ủy ban nhân dân|thủ tục hành chính|
    giấy chứng nhận quyền sử dụng đất|tiếp nhận và trả kết quả
    """
)
_PHRASE_END = (",", ";", ":", ".")
_CONJUNCTIONS = frozenset({"và", "hoặc", "hay"})
_BINDERS = frozenset({"–", "—", "-", "/", "&"})

Measure = Callable[[str], float]  # a line's width


def _key(syllable: str) -> str:
    return unicodedata.normalize("NFC", syllable.strip(",;:.()\"'")).lower()


def words(phrase: str) -> list[str]:
    """The words of ``phrase``: syllables of a known compound joined, binders joining both sides
    and a conjunction joining the word after it."""
    bound: list[str] = []
    for word in _compounds(phrase):
        last = bound[-1].split()[-1] if bound else ""
        # "và" never ends a line: it starts the words it joins
        if bound and (word in _BINDERS or last in _BINDERS or _key(last) in _CONJUNCTIONS):
            bound[-1] = f"{bound[-1]} {word}"
        else:
            bound.append(word)
    return bound


def _compounds(phrase: str) -> list[str]:
    """The syllables of ``phrase``, those of each known compound joined."""
    syllables = phrase.split()
    out: list[str] = []
    i = 0
    while i < len(syllables):
        for n in range(min(_LONGEST, len(syllables) - i), 0, -1):
            chunk = syllables[i : i + n]
            # a compound never runs across a comma: "đất đai, xây dựng" is two words
            if n == 1 or (
                " ".join(_key(s) for s in chunk) in COMPOUNDS
                and not any(s.endswith(_PHRASE_END) for s in chunk[:-1])
            ):
                out.append(" ".join(chunk))
                i += n
                break
    return out


# What a break costs, besides the white it leaves: after a comma or before "và" nothing, between
# two words a little, inside a field's name (see GROUPS) a lot, inside a word it never happens.
PHRASE_BREAK, WORD_BREAK, GROUP_BREAK = 0.0, 10.0, 200.0


def _clings(word: str) -> bool:
    """True for a word that belongs with the word after it (a conjunction, a dash)."""
    return word in _BINDERS or _key(word) in _CONJUNCTIONS


def _gap_costs(tokens: list[str]) -> list[float]:
    """The cost of breaking before each token (the first one's is 0)."""
    costs = [0.0] * len(tokens)
    for i in range(1, len(tokens)):
        after_phrase = tokens[i - 1].endswith(_PHRASE_END)
        before_conjunction = _key(tokens[i].split()[0]) in _CONJUNCTIONS
        costs[i] = PHRASE_BREAK if after_phrase or before_conjunction else WORD_BREAK
        if _clings(tokens[i - 1].split()[-1]):  # "và" or a dash left at the end of a line
            costs[i] = GROUP_BREAK / 4
    keys = [" ".join(_key(s) for s in token.split()) for token in tokens]
    for i in range(len(tokens)):
        for j in range(i + 2, len(tokens) + 1):
            if " ".join(keys[i:j]) in GROUPS:
                for k in range(i + 1, j):
                    costs[k] = max(costs[k], GROUP_BREAK)
    return costs


def break_lines(text: str, measure: Measure, room: float) -> list[str]:
    """Lines of ``text`` no wider than ``room`` (as ``measure`` says), broken where a
    Vietnamese reader expects.

    The breaks are chosen together (least total cost over the paragraph: the white left at the
    end of each line but the last, plus what each break costs), so a field's name goes whole to
    the next line rather than leaving a stump behind. A word longer than a line is split between
    its syllables.
    """
    lines: list[str] = []
    for paragraph in unicodedata.normalize("NFC", text).splitlines() or [""]:
        tokens: list[str] = []
        for token in words(paragraph):  # what is longer than a line comes apart: words first
            for word in [token] if measure(token) <= room else _compounds(token):
                tokens += [word] if measure(word) <= room else word.split()
        lines += _best_breaks(tokens, measure, room) if tokens else [""]
    return lines


def _best_breaks(tokens: list[str], measure: Measure, room: float) -> list[str]:
    n = len(tokens)
    gaps = _gap_costs(tokens)
    best: list[tuple[float, int]] = [(0.0, 0)] + [(float("inf"), 0)] * n
    for end in range(1, n + 1):
        for start in range(end - 1, -1, -1):
            width = measure(" ".join(tokens[start:end]))
            if end - start > 1 and width > room:
                break
            # the white a line leaves at its end, squared (the last line may be short)
            slack = 0.0 if end == n else 100.0 * (max(room - width, 0) / room) ** 2
            cost = best[start][0] + slack + gaps[start]
            if cost < best[end][0]:
                best[end] = (cost, start)
    lines, end = [], n
    while end > 0:
        start = best[end][1]
        lines.append(" ".join(tokens[start:end]))
        end = start
    return lines[::-1]
