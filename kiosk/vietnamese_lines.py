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
    khuyết tật|hộ nghèo|cận nghèo
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
    khoa học và công nghệ|bộ phận tiếp nhận và trả kết quả|ủy ban nhân dân
    """
)
_PHRASE_END = (",", ";", ":", ".")
_CONJUNCTIONS = frozenset({"và", "hoặc", "hay"})
_BINDERS = frozenset({"–", "—", "-", "/", "&"})

Fits = Callable[[str], bool]


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


def _grouped(tokens: list[str], fits: Fits) -> list[str]:
    """``tokens`` with each known group (see :data:`GROUPS`) made one token where it fits."""
    out: list[str] = []
    i = 0
    while i < len(tokens):
        for n in range(len(tokens) - i, 1, -1):
            group = " ".join(tokens[i : i + n])
            if " ".join(_key(s) for s in group.split()) in GROUPS and fits(group.rstrip(",;:.")):
                out.append(group)
                i += n
                break
        else:
            out.append(tokens[i])
            i += 1
    return out


def phrases(tokens: list[str]) -> list[list[str]]:
    """``tokens`` cut into phrases: after , ; : . and before a conjunction."""
    out: list[list[str]] = []
    current: list[str] = []
    for token in tokens:
        if current and _key(token.split()[0]) in _CONJUNCTIONS:
            out.append(current)
            current = []
        current.append(token)
        if token.endswith(_PHRASE_END):
            out.append(current)
            current = []
    if current:
        out.append(current)
    return out


def break_lines(text: str, fits: Fits) -> list[str]:
    """Lines of ``text``, each one that ``fits`` (a word longer than a line stands alone)."""
    lines: list[str] = []
    for paragraph in unicodedata.normalize("NFC", text).splitlines() or [""]:
        line = ""
        for phrase in phrases(_grouped(words(paragraph), fits)):
            whole = " ".join(phrase)
            joined = f"{line} {whole}".strip()
            if fits(joined):
                line = joined
                continue
            if line and fits(whole):  # the phrase whole on a line of its own
                lines.append(line)
                line = whole
                continue
            pieces: list[str] = []
            for token in phrase:  # a token too long for a line falls back to its words
                pieces += [token] if fits(token) else _compounds(token)
            for i, piece in enumerate(pieces):
                joined = f"{line} {piece}".strip()
                if line and _clings(piece) and i + 1 < len(pieces):
                    pair = f"{piece} {pieces[i + 1]}"
                    if not fits(f"{joined} {pieces[i + 1]}") and fits(pair):
                        # "và" or a dash goes down with what follows, when they fit together
                        lines.append(line)
                        line = piece
                        continue
                if line and not fits(joined):
                    lines.append(line)
                    line = piece
                else:
                    line = joined
        lines.append(line)
    return lines


def _clings(word: str) -> bool:
    """True for a word that belongs with the word after it (a conjunction, a dash)."""
    return word in _BINDERS or _key(word) in _CONJUNCTIONS
