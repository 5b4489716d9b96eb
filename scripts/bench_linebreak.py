"""Measurement (not a test): Thai word-break engines for the memo PDF, libthai (Pango) against PyThaiNLP newmm.

    .venv/bin/python scripts/bench_linebreak.py            # correctness on the hard cases, speed on the demo
    .venv/bin/python scripts/bench_linebreak.py --demo     # also list where the two engines differ on the demo

Correctness: each hard case is written with "|" at the boundaries a line may break at; the text between two
bars is one word a line must not split. An engine is scored on the break opportunities it offers between two
Thai letters: *wrong* = inside a word (a line could end there: the visible error), *missed* = a boundary it
does not offer (only costs a looser line). Both engines get the memo's own names (keep_together), as the
renderer gives them: libthai cannot take them (Pango has no API for a custom dictionary), newmm can.

Speed: ``break_opportunities`` over every text of the demo memo (header, paragraphs, opinions, table cells),
and ``render_html`` (all of this module's markup) with each engine.
"""

from __future__ import annotations

import argparse
import functools
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
os.environ.setdefault("DATABASE_URL", "sqlite:////tmp/memoflow-bench-linebreak.sqlite3")

NAMES = ("องค์การบริหารส่วนตำบลหนองโสน", "อบต.หนองโสน", "งานประชาสัมพันธ์", "สำนักปลัด")
HARD_CASES = [
    "ใน|การ|ดำเนินงาน|ของ|หน่วยงาน|ภาครัฐ",
    "เจ้าหน้าที่|ทุก|คน",
    "ประชาสัมพันธ์|ผ่าน|ทาง|เว็บไซต์",
    "งบประมาณ|รายจ่าย|ประจำปี",
    "ตำบล|หนองโสน|อำเภอ|เมือง|จังหวัด|เพชรบุรี",
    "คณะกรรมการ|ตรวจรับ|พัสดุ",
    "การ|ประชุม|สภา|องค์การบริหารส่วนตำบล|หนองโสน",
    "ขอ|อนุมัติ|เบิกจ่าย|เงิน",
    "ผู้อำนวยการ|กองคลัง",
    "ปลัด|องค์การบริหารส่วนตำบล|หนองโสน",
    "นักทรัพยากรบุคคล|ชำนาญการ",
    "ระบบ|สารสนเทศ|ภูมิศาสตร์",
    "ประกาศ|เสียงตามสาย|ออก|หอกระจายข่าว",
    "ผู้มีส่วนได้ส่วนเสีย|ภายนอก",
    "การ|ทุจริต|และ|ประพฤติมิชอบ",
    "เบี้ยยังชีพ|ผู้สูงอายุ",
    "ภาษี|ที่ดิน|และ|สิ่งปลูกสร้าง",
    "กำจัด|ขยะมูลฝอย",
    "ก่อสร้าง|ถนน|คอนกรีต|เสริมเหล็ก",
    "ป้องกัน|โรคไข้เลือดออก",
    "ศึกษา|ดูงาน",
    "ข้าราชการ|ส่วนท้องถิ่น",
    "ทาง|เพจ|อบต.หนองโสน",
    "งานประชาสัมพันธ์|สำนักปลัด",
    "ได้|แต่งตั้ง|คณะกรรมการ|ดำเนินการ",
    "จึง|เรียน|มา|เพื่อ|โปรด|ทราบ",
    "เพื่อ|โปรด|พิจารณา|อนุมัติ",
    "ตาม|ระเบียบ|กระทรวงมหาดไทย",
    "ว่าด้วย|การ|รับ|เงิน|การ|เบิกจ่าย|เงิน",
    "ความ|เสี่ยง|ที่|จะ|เกิด|การ|ทุจริต",
]


_NO_BREAK_BEFORE = frozenset(
    "\u0e2f\u0e30\u0e31\u0e32\u0e33\u0e34\u0e35\u0e36\u0e37\u0e38\u0e39\u0e3a"
) | frozenset(chr(c) for c in range(0x0E45, 0x0E4F))


@functools.lru_cache(maxsize=1)
def _trie(names: tuple[str, ...]):  # type: ignore[no-untyped-def]
    from pythainlp.corpus.common import thai_words
    from pythainlp.util import dict_trie

    from memos.pdf.linebreak import OFFICIAL_WORDS, _own_words

    return dict_trie(thai_words() | OFFICIAL_WORDS | _own_words(names))


def newmm_breaks(text: str, words: tuple[str, ...]) -> set[int]:
    """PyThaiNLP newmm (same dictionary as the "dictionary" engine) between two Thai letters, Pango elsewhere."""
    from pythainlp.tokenize.newmm import segment

    from memos.pdf.linebreak import _pango_breaks

    cuts, position = set(), 0
    for token in segment(text, custom_dict=_trie(words)):
        position += len(token)
        cuts.add(position)
    pango = _pango_breaks(text)
    return {
        i
        for i in range(1, len(text))
        if (i in cuts and text[i] not in _NO_BREAK_BEFORE if _thai_pair(text, i) else i in pango)
    }


def breaks(text: str, engine: str) -> set[int]:
    from memos.pdf.linebreak import break_opportunities

    if engine == "newmm":
        return newmm_breaks(text, NAMES)
    return break_opportunities(text, engine=engine, words=NAMES)


def _thai_pair(text: str, i: int) -> bool:
    from memos.pdf.linebreak import _THAI_WORD_CHARS

    return text[i - 1] in _THAI_WORD_CHARS and text[i] in _THAI_WORD_CHARS


def score(engine: str) -> tuple[int, int, int, list[str]]:
    """(wrong, missed, gold boundaries, the cases with a wrong break shown with the engine's bars)."""
    wrong = missed = total = 0
    shown = []
    for case in HARD_CASES:
        text = case.replace("|", "")
        gold, position = set(), 0
        for part in case.split("|")[:-1]:
            position += len(part)
            gold.add(position)
        offered = {b for b in breaks(text, engine) if _thai_pair(text, b)}
        gold = {b for b in gold if _thai_pair(text, b)}
        total += len(gold)
        bad = offered - gold
        wrong += len(bad)
        missed += len(gold - offered)
        if bad:
            shown.append("".join(("|" if i in offered else "") + c for i, c in enumerate(text)))
    return wrong, missed, total, shown


def demo_texts() -> list[str]:
    from memos.pdf.document import demo_document

    doc = demo_document()
    texts = [doc.department, doc.number, doc.subject, doc.addressee, *doc.enclosure_titles, *doc.paragraphs]
    texts += [o.text for o in doc.opinions] + [o.label for o in doc.opinions]
    for table in doc.tables:
        texts += [*table.title_lines, *table.columns, *(cell for row in table.rows for cell in row)]
    return [t for t in texts if t]


def set_engine(engine: str) -> None:
    """The renderer's engine for render_html (the default of ``linebreak.rich``)."""
    from memos.pdf import linebreak

    defaults = linebreak.rich.__kwdefaults__
    assert defaults is not None
    defaults["engine"] = engine


def timing(fn, n: int) -> float:  # type: ignore[no-untyped-def]
    fn()
    samples = []
    for _ in range(n):
        started = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - started)
    return statistics.median(samples)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=20)
    parser.add_argument("--demo", action="store_true", help="list the demo words where the engines differ")
    args = parser.parse_args()
    import django

    django.setup()
    from memos.pdf import linebreak
    from memos.pdf.document import demo_document
    from memos.pdf.render import render_html

    started = time.perf_counter()
    linebreak.warm_up()
    _trie(NAMES)
    print(f"PyThaiNLP word list + newmm trie (once per process): {time.perf_counter() - started:.3f}s")
    texts = demo_texts()
    chars = sum(len(t) for t in texts)
    doc = demo_document()
    for engine in ("libthai", "dictionary", "newmm"):
        wrong, missed, total, shown = score(engine)
        seconds = timing(lambda engine=engine: [breaks(t, engine) for t in texts], args.n)
        if engine == "newmm":
            html = "n/a (not an engine of the renderer)"
        else:
            set_engine(engine)
            html = f"{timing(lambda: render_html(doc), args.n) * 1000:.1f} ms"
        print(
            f"{engine:8} hard cases: {wrong} breaks inside a word, {missed} of {total} boundaries missed; "
            f"demo ({len(texts)} texts, {chars} chars): breaks {seconds * 1000:.1f} ms, "
            f"render_html {html}"
        )
        for line in shown:
            print("           ", line)
    set_engine("dictionary")
    if args.demo:
        for text in texts:
            a = breaks(text, "libthai")
            b = breaks(text, "dictionary")
            for i in sorted(a ^ b):
                side = "libthai only" if i in a else "dictionary only"
                print(f"{side:13} {text[max(0, i - 12) : i]}|{text[i : i + 12]}")


if __name__ == "__main__":
    main()
