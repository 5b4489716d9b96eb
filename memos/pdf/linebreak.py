"""Thai line breaking for the memo PDF: where a line may end, and the markup that makes WeasyPrint obey.

WeasyPrint lets Pango break lines, and Pango breaks Thai with libthai's dictionary, which cannot be given the
organisation's own words and splits compounds an official would never split (หน่วย|งาน, ดำเนิน|งาน).
So the break opportunities are computed here (see docs/pdf-line-breaking.md for the measurements):

1. Word boundaries: libthai's (through Pango, which also applies UAX #14 to spaces, digits, Latin and
   punctuation), less those inside a word of a larger dictionary: consecutive libthai segments that make a
   word of PyThaiNLP's word list, of ``OFFICIAL_WORDS`` or of the memo's own names are merged back
   (หน่วย|งาน -> หน่วยงาน, หนอง|โสน -> หนองโสน). Measured against PyThaiNLP's newmm segmenter: fewer wrong
   breaks and 3-5x faster (docs/pdf-line-breaking.md, scripts/bench_linebreak.py).
2. Phrases that never split (``NOWRAP_RE``): person names with their title, organisation and unit names,
   dates, times with "น.", numbers with "/", document numbers; and the memo's ``keep_together`` names.
3. No runt: the last two words of each paragraph line stay together, so no line holds one short word.

The markup: what must not split goes in ``<span class="nw">`` (``white-space: nowrap``), which is also used
for every word inside which Pango, on the text as printed (SARA AM decomposed), would break; a zero-width
space (U+200B) adds each wanted opportunity that Pango would not find by itself (at a span's edge, between
two words Pango reads as one). U+2060 WORD JOINER is no use: Pango's Thai breaker ignores it. Pango draws no
glyph for U+200B, and the /ActualText of a run drops it (render._actual_text), so extracted text never
contains it.
"""

from __future__ import annotations

import bisect
import html
import re
from collections.abc import Iterable
from contextvars import ContextVar
from functools import lru_cache
from typing import Final

from django.utils.safestring import SafeString, mark_safe
from weasyprint.text.line_break import get_log_attrs

from core.thai import THAI_MONTHS, THAI_MONTHS_ABBR

__all__ = ["KEEP_TOGETHER", "NOWRAP_MAX", "NOWRAP_RE", "ZWSP", "break_opportunities", "nowrap", "rich"]

SARA_AM: Final = "\u0e33"
SARA_AM_DECOMPOSED: Final = "\u0e4d\u0e32"
ZWSP: Final = "\u200b"

_D = "[0-9๐-๙]"
_TL = (
    "[\u0e01-\u0e2e\u0e30-\u0e3a\u0e40-\u0e45\u0e47-\u0e4e]"  # a Thai letter, vowel or mark (not ฯ ๆ digits)
)
_NOT_TL = r"(?![\u0e01-\u0e4e])"
_MONTHS = "|".join(re.escape(m) for m in sorted((*THAI_MONTHS, *THAI_MONTHS_ABBR), key=len, reverse=True))
#: Titles before a person's name: นาย นาง นางสาว ดร. ว่าที่ ร.ต. ผศ.ดร. พ.ต.อ. ...
_RANK = r"(?:(?:พล\.)?(?:[รพ]\.|จ\.ส\.|ส\.)[ตทอ]\.(?:[ตทอ]\.)?|ร้อย(?:ตรี|โท|เอก))(?:หญิง)?"
_TITLE = (
    rf"(?:ว่าที่\s?)?(?:{_RANK}\s?(?:นางสาว|นาง|นาย)?"
    r"|(?:(?:ศ|รศ|ผศ|นพ|พญ|ทพ|ทญ|ภก|ภญ)\.\s?)?(?:ดร\.\s?)?(?:นางสาว|นาง|นาย|ดร\.|น\.ส\.|ด\.ช\.|ด\.ญ\.))"
)
_ORG_PREFIX = (
    r"(?:องค์การบริหารส่วน(?:ตำบล|จังหวัด)|เทศบาล(?:ตำบล|เมือง|นคร)|อบต\.|อบจ\.|ทต\.|ทม\.|ทน\."
    r"|ที่ทำการปกครอง(?:อำเภอ|จังหวัด)|สำนักงานเขต|อำเภอ|จังหวัด|ตำบล)"
)
_UNIT = (
    r"(?:สำนัก(?:งาน)?ปลัด|กอง(?:คลัง|ช่าง|การศึกษา(?:\s?ศาสนาและวัฒนธรรม)?|สาธารณสุขและสิ่งแวดล้อม"
    r"|สวัสดิการสังคม|ส่งเสริมการเกษตร|การเจ้าหน้าที่|ยุทธศาสตร์และงบประมาณ|วิชาการและแผนงาน)"
    r"|หน่วยตรวจสอบภายใน|งาน(?:ธุรการ|การเงินและบัญชี|พัสดุ|ประชาสัมพันธ์|บริหารงานบุคคล|นโยบายและแผน"
    r"|ป้องกันและบรรเทาสาธารณภัย|กฎหมายและคดี|จัดเก็บรายได้|แผนที่ภาษี))"
)
_TIME = rf"{_D}{{1,2}}[.:]{_D}{{2}}"
#: Phrases a line must not split. Each alternative is short and bounded, so that no paragraph becomes one long
#: unbreakable run; a match longer than ``NOWRAP_MAX`` is not protected.
_WORD_PHRASES = (
    # นางสาวรุจภา โฉมประดิษฐ์, ว่าที่ ร.ต.สมชาย ใจดี; not นายกองค์การ..., นายกรัฐมนตรี, นายกเทศมนตรี
    rf"{_TITLE}(?!ก(?:องค์|รัฐ|เทศ|\s|$)){_TL}{{2,20}}\s{_TL}{{2,25}}{_NOT_TL}",
    rf"{_ORG_PREFIX}\s?{_TL}{{2,20}}{_NOT_TL}",  # องค์การบริหารส่วนตำบลหนองโสน, อบต.หนองโสน
    _ORG_PREFIX,  # the prefix alone when the name runs on without a space
    _UNIT,
)
_NUMBER_PHRASES = (
    rf"(?:วันที่\s?)?{_D}{{1,2}}\s*(?:{_MONTHS})\s*(?:พ\.ศ\.\s*)?{_D}{{2,4}}",  # ๕ ตุลาคม ๒๕๖๖, ๕ ต.ค. ๖๖
    rf"(?:{_MONTHS})\s*(?:พ\.ศ\.\s*)?{_D}{{4}}",  # ตุลาคม ๒๕๖๖
    rf"(?:พ\.ศ\.|ค\.ศ\.|ปีงบประมาณ|ปี)\s*{_D}{{4}}",  # พ.ศ. ๒๕๖๖
    rf"(?:เวลา\s?)?{_TIME}(?:\s?[-–]\s?{_TIME})?\s?(?:น\.|นาฬิกา)",  # เวลา ๐๙.๓๐ – ๑๒.๐๐ น.
    rf"(?:โทร(?:ศัพท์|สาร)?\.?\s*)?(?<![0-9๐-๙]){_D}{{1,3}}(?:-{_D}{{3,4}}){{1,3}}",  # โทร. ๐-๓๒๔๐-๐๐๕๒
    rf"(?:ที่\s|(?<![\u0e00-\u0e7f]))[ก-ฮ]{{2}}\s?{_D}{{2,5}}(?:\.{_D}+)*\s?/\s?(?:ว\s?)?{_D}+",  # มท ๐๘๑๐.๓/ว ๑๒๓๔
    rf"{_D}+(?:\s?/\s?{_D}+)+",  # ๑๗/๒๕๖๗, ๑๗ / ๒๕๖๗, ๑/๒/๓
)
#: How each phrase can begin: a quick test at each position before the alternatives are tried (3x faster).
_WORD_STARTS = (
    r"นา|ดร|ว่|[รพจส]\.|ร้|ศ\.|รศ|ผศ|นพ|พญ|ทพ|ทญ|ภก|ภญ|น\.|ด\.|พล|อง|เท|อบ|ท[ตมน]\.|ที่|สำ|อำ|จั|ตำ|กอ|หน|งา"
)
_MONTH_STARTS = "|".join(sorted({re.escape(m[:2]) for m in (*THAI_MONTHS, *THAI_MONTHS_ABBR)}))
_NUMBER_STARTS = rf"{_D}|วั|{_MONTH_STARTS}|พ\.|ค\.|ปี|เว|โท|ที่|[ก-ฮ]{{2}}\s?{_D}"
#: Phrases a line must not split. Each alternative is short and bounded, so that no paragraph becomes one long
#: unbreakable run; a match longer than ``NOWRAP_MAX`` is not protected.
NOWRAP_RE: Final = re.compile(
    f"(?={_NUMBER_STARTS}|{_WORD_STARTS})(?:{'|'.join((*_NUMBER_PHRASES, *_WORD_PHRASES))})"
)
#: The alternatives of NOWRAP_RE without a digit (a text without digits is searched with this one only).
_NOWRAP_WORDS_RE: Final = re.compile(f"(?={_WORD_STARTS})(?:{'|'.join(_WORD_PHRASES)})")
#: NOWRAP_RE without the quick test (for the test that proves the test changes nothing).
NOWRAP_SLOW_RE: Final = re.compile("|".join((*_NUMBER_PHRASES, *_WORD_PHRASES)))
_DIGIT_RE: Final = re.compile(_D)
_THAI_RE: Final = re.compile("[\u0e01-\u0e4e]")
NOWRAP_MAX: Final = 40
#: The longest phrase kept whole in a table cell.
NARROW_MAX: Final = 12
#: The longest last-two-words run joined by the no-runt rule.
RUNT_MAX: Final = 36
#: Proper names of the document being rendered (MemoDocument.keep_together), set for the length of a render.
KEEP_TOGETHER: ContextVar[tuple[str, ...]] = ContextVar("memoflow_pdf_keep_together", default=())

_SPACES: Final = frozenset(" \t\n\r\u00a0")
_THAI_WORD_CHARS: Final = frozenset(chr(c) for c in range(0x0E01, 0x0E4F)) - {"\u0e2f", "\u0e46"}


def _pango_breaks(text: str) -> set[int]:
    """Indexes ``i`` where Pango allows a line break before ``text[i]`` (libthai inside Thai runs)."""
    if len(text) < 2:
        return set()
    attrs = get_log_attrs(text, "th")
    return {i for i in range(1, len(text)) if attrs[i].is_line_break}


# --- libthai's segments, merged back into the words of a dictionary -------------------------------------


def warm_up() -> None:
    """Load PyThaiNLP's word list (about 0.1 s), once per process."""
    _word_set()


_ORG_NAME_RE: Final = re.compile(rf"{_ORG_PREFIX}\s?({_TL}{{2,20}}){_NOT_TL}")


def _dictionary_words(name: str) -> list[str]:
    """A proper name's words for the dictionary: each spaced part, and a place name after its prefix
    (หนองโสน in องค์การบริหารส่วนตำบลหนองโสน and อบต.หนองโสน)."""
    parts = [p for p in name.split() if not p.isascii()]
    return parts + [m.group(1) for m in _ORG_NAME_RE.finditer(name)]


#: Compounds of Thai local government that PyThaiNLP's word list lacks (units and offices are in NOWRAP_RE).
OFFICIAL_WORDS: Final = frozenset(
    (
        "เบิกจ่าย",
        "ผู้มีส่วนได้ส่วนเสีย",
        "ข้าราชการส่วนท้องถิ่น",
        "พนักงานส่วนตำบล",
        "พนักงานจ้าง",
        "ราชการส่วนท้องถิ่น",
        "ปีงบประมาณ",
        "ข้อบัญญัติ",
        "เทศบัญญัติ",
        "ศูนย์พัฒนาเด็กเล็ก",
        "หนังสือสั่งการ",
        "ผู้ใหญ่บ้าน",
        "กำนัน",
    )
)
#: The longest run of libthai segments merged back into one dictionary word.
_MAX_MERGE: Final = 6


@lru_cache(maxsize=1)
def _word_set() -> frozenset[str]:
    from pythainlp.corpus.common import thai_words

    return frozenset(thai_words()) | OFFICIAL_WORDS


def _dictionary_breaks(text: str, pango: set[int], words: Iterable[str]) -> set[int]:
    """Pango's breaks less those inside a dictionary word: consecutive libthai segments (between two Thai
    letters) whose concatenation is a word are merged back, longest first (หน่วย|งาน, ดำเนิน|งาน, หนอง|โสน)."""
    known = _word_set()
    own = _own_words(tuple(words))
    cuts = [0, *sorted(pango), len(text)]
    thai = [
        0 < c < len(text) and text[c - 1] in _THAI_WORD_CHARS and text[c] in _THAI_WORD_CHARS for c in cuts
    ]
    out = set(pango)
    i, last = 0, len(cuts) - 1
    while i < last - 1:
        # j: the end of a candidate word, as long as every cut inside it is between two Thai letters
        top = i + 1
        while top < last and top - i < _MAX_MERGE and thai[top]:
            top += 1
        for j in range(top, i + 1, -1):
            word = text[cuts[i] : cuts[j]].rstrip()
            if word in known or word in own:
                out.difference_update(cuts[i + 1 : j])
                i = j - 1
                break
        i += 1
    return out


@lru_cache(maxsize=64)
def _own_words(names: tuple[str, ...]) -> frozenset[str]:
    return frozenset(part for name in names for part in _dictionary_words(name))


def break_opportunities(
    text: str, *, engine: str = "dictionary", words: Iterable[str] = (), pango: set[int] | None = None
) -> set[int]:
    """Indexes ``i`` where a line may break before ``text[i]`` (composed text, before protection).

    ``engine``: "dictionary" (the default): libthai's breaks, less those inside a word of PyThaiNLP's word
    list, ``OFFICIAL_WORDS`` or ``words``; "libthai": Pango alone. ``pango``: Pango's breaks, if known."""
    if pango is None:
        pango = _pango_breaks(text)
    if engine == "libthai" or not _THAI_RE.search(text):
        return pango
    if engine != "dictionary":
        raise ValueError(f"unknown word-break engine {engine!r}")
    return _dictionary_breaks(text, pango, words)


# --- protection -------------------------------------------------------------------------------------


def _merge(ranges: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(ranges):
        if merged and start < merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def _phrases(text: str, limit: int = NOWRAP_MAX) -> list[tuple[int, int]]:
    pattern = NOWRAP_RE if _DIGIT_RE.search(text) else _NOWRAP_WORDS_RE  # most texts have no digit: faster
    ranges = [m.span() for m in pattern.finditer(text) if len(m.group()) <= limit]
    for name in (n for n in KEEP_TOGETHER.get() if len(n) <= limit):
        start = text.find(name)
        while start != -1:
            ranges.append((start, start + len(name)))
            start = text.find(name, start + len(name))
    return ranges


def _runts(text: str, breaks: list[int], protected: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """For each line of ``text`` (a paragraph; pre-line keeps its newlines), the range of its last two words,
    so that the paragraph's last line never holds one word alone."""
    out = []
    inside = {i for start, end in protected for i in range(start + 1, end)}
    usable = [b for b in breaks if b not in inside]
    line_start = 0
    for line in text.split("\n"):
        line_end = line_start + len(line.rstrip())
        cuts = [b for b in usable[bisect.bisect_right(usable, line_start) :] if b < line_end]
        if len(cuts) >= 2 and line_end - cuts[-2] <= RUNT_MAX:
            out.append((cuts[-2], line_end))
        elif len(cuts) == 1 and line_end - line_start <= RUNT_MAX:
            out.append((line_start, line_end))
        line_start += len(line) + 1
    return out


def _decomposed_index(text: str) -> list[int]:
    """``index[i]``: the position of ``text[i]`` once SARA AM is decomposed (one more character per SARA AM)."""
    if SARA_AM not in text:
        return list(range(len(text) + 1))
    index: list[int] = []
    shift = 0
    for i, char in enumerate(text):
        index.append(i + shift)
        if char == SARA_AM:
            shift += 1
    index.append(len(text) + shift)
    return index


def _unbreakable(text: str, breaks: list[int], printed: set[int], index: list[int]) -> list[tuple[int, int]]:
    """Words (between two wanted opportunities) inside which Pango, on the text as printed (``printed``: its
    breaks, at the decomposed positions ``index``), would break."""
    wanted = {index[b] for b in breaks}
    unwanted = sorted(p for p in printed if p not in wanted)
    out = []
    bounds = [0, *breaks, len(text)]
    for p in unwanted:
        i = bisect.bisect_right(index, p) - 1
        k = bisect.bisect_right(bounds, i) - 1
        start, end = bounds[k], bounds[min(k + 1, len(bounds) - 1)]
        while end > start and text[end - 1] in _SPACES:
            end -= 1
        if end > start:
            out.append((start, end))
    return out


def _escape(text: str) -> str:
    return html.escape(text.replace(SARA_AM, SARA_AM_DECOMPOSED))


def rich(text: str, *, phrases: bool = True, runt: bool = False, engine: str = "dictionary") -> SafeString:
    """Escaped ``text``, SARA AM decomposed, marked up so that lines break only at word boundaries and never
    inside a protected phrase (``phrases``: names, dates, times, numbers) nor before a paragraph's last two
    words (``runt``)."""
    if not text:
        return mark_safe("")
    names = KEEP_TOGETHER.get()
    pango = _pango_breaks(text)
    # Table cells (not ``phrases``) keep libthai's breaks: each merged word would be one more nowrap span, and
    # spans cost WeasyPrint's table layout dearly (the demo's table: 281 spans, +60% render time, measured).
    breaks = sorted(
        break_opportunities(text, engine=engine if phrases else "libthai", words=names, pango=pango)
    )
    index = _decomposed_index(text)
    printed = _pango_breaks(text.replace(SARA_AM, SARA_AM_DECOMPOSED)) if SARA_AM in text else pango
    # In narrow table cells (not ``phrases``) only short phrases are kept whole, so nothing overflows a column.
    protected = _phrases(text, NOWRAP_MAX if phrases else NARROW_MAX)
    if runt:
        protected += _runts(text, breaks, _merge(protected))
    words = _unbreakable(text, breaks, printed, index)
    if not phrases:  # a word longer than a narrow column may break where Pango breaks it
        words = [(start, end) for start, end in words if end - start <= NARROW_MAX]
    protected = _merge([*protected, *words])
    inside = {i for start, end in protected for i in range(start + 1, end)}
    # Opportunities Pango will not find by itself: at a span's edge, at a word boundary libthai does not know.
    edges = {s for s, _ in protected} | {e for _, e in protected}
    zwsp = sorted(
        b
        for b in breaks
        if b not in inside
        and text[b - 1] not in _SPACES
        and text[b] not in _SPACES
        and (b in edges or index[b] not in printed)
    )
    out: list[str] = []
    last = 0
    z = 0
    for start, end in [*protected, (len(text), len(text))]:
        while z < len(zwsp) and zwsp[z] <= start:
            out.append(_escape(text[last : zwsp[z]]))
            out.append(ZWSP)
            last = zwsp[z]
            z += 1
        out.append(_escape(text[last:start]))
        if start < end:
            out.append(f'<span class="nw">{_escape(text[start:end])}</span>')
        last = end
    return mark_safe("".join(out))  # noqa: S308 - every piece is escaped above


def nowrap(text: str) -> SafeString:
    """``text`` kept on one line (short phrases only: a date, a name)."""
    return mark_safe(f'<span class="nw">{_escape(text)}</span>')  # noqa: S308
