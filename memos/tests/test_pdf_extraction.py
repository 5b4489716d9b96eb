"""Text extracted from the memo PDF equals the text as written, in the five extractors people's tools use.

poppler (``pdftotext``: evince, okular, most Linux tools), pypdf and pdfminer.six (Python pipelines, records
systems' indexers), pdf.js (Firefox and most web viewers; ``memos/tests/pdfjs_text.mjs`` with node and the
repository's ``node_modules/pdfjs-dist``) and MuPDF (``mutool draw -F txt``: SumatraPDF, zathura, PyMuPDF).

Each document is rendered once per module and read once per extractor. Comparison form: NFKC (SARA AM is
printed decomposed on purpose, and canonically equivalent mark orders are the same text), whitespace removed
(every extractor breaks lines its own way). Each expected string must appear exactly as often as the
document prints it: fewer is a wrong character, more is doubled text (MuPDF and /ActualText). No extractor
may return the invisible characters the renderer uses for line breaking (ZWSP, WORD JOINER, SOFT HYPHEN).

Missing tools: under CI (``CI=true``) the test fails with how to install them; locally it is skipped
(``bash scripts/lib.sh ensure_test_tools`` installs them).
"""

from __future__ import annotations

import html
import itertools
import os
import re
import shutil
import subprocess
import sys
import unicodedata
from collections.abc import Callable
from pathlib import Path

import pikepdf
import pytest

from memos.pdf import text_layer
from memos.pdf.document import MemoDocument, OpinionBlock, SignatureBlock, demo_document
from memos.pdf.render import render_html, render_memo

ROOT = Path(__file__).resolve().parents[2]
PDFJS_SCRIPT = Path(__file__).with_name("pdfjs_text.mjs")
PDFJS_MODULE = ROOT / "node_modules" / "pdfjs-dist" / "legacy" / "build" / "pdf.mjs"
INVISIBLE = {"\u200b": "ZERO WIDTH SPACE", "\u2060": "WORD JOINER", "\u00ad": "SOFT HYPHEN"}

#: Hard Thai: a below vowel with a tone mark (Laksaman swaps their glyphs), marks moved by GPOS, consonants
#: whose descender is cut for a below vowel, SARA AM with and without a tone mark, ฤๅ ฦๅ, Thai digits.
HARD_WORDS = (
    "ผู้",
    "อยู่",
    "ข้อมูล",
    "ปู่",
    "ญู",
    "ฐุ",
    "ฎุ",
    "ฏุ",
    "ที่",
    "ป้",
    "ฟ้",
    "ฝั่ง",
    "น้ำ",
    "ำ",
    "ฤๅ",
    "ฦๅ",
    "๐๑๒๓๔๕๖๗๘๙",
)
#: Paragraphs of the corpus memo: each hard word in running text, in both orders of first appearance (the
#: old ToUnicode map depended on which came first), and mixed Thai-English with ligature-prone Latin.
CORPUS_PARAGRAPHS = (
    "ข้อมูลของผู้อยู่อาศัย ผู้ใหญ่บ้านอยู่ที่ศาลา ปู่ย่าตายายอยู่ดูแลข้อมูลหมู่บ้าน",
    "ญูฐุฎุฏุ คำพิเศษ: ผู้ดูแลกฎหมาย ฎีกา บุญคุณ กุฏิ ปั้นป้ายฟ้าฝั่งน้ำ น้ำท่วมฝั่ง",
    "ฤๅษีและฦๅ ฤๅ ฦๅ ตัวเลขไทย ๐๑๒๓๔๕๖๗๘๙ และ 0123456789 ทำ ทำไม ที่นี่ จำนำ ค่ำคืน",
    "ระบบ e-Office ของ office@example.org ใช้ไฟล์ PDF/A-3b fficial flow สำหรับข้อมูลผู้ใช้งาน ๒๕๖๗",
    "เจ้าหน้าที่ผู้รับผิดชอบต้องกรอกข้อมูลให้ครบถ้วนทุกช่อง ก่อนวันที่ ๑๕ มกราคม พ.ศ. ๒๕๖๗ เวลา ๐๙.๓๐ น.",
)


def corpus_document() -> MemoDocument:
    """A memo whose every printed string is in ``corpus_strings()``: the hard words in running text, in the
    subject, a name, a position, an opinion and a decision's text."""
    return MemoDocument(
        organisation_short_name="อบต.หนองโสน",
        department="งานข้อมูลผู้สูงอายุ สำนักปลัด โทร. ๐-๓๒๔๐-๐๐๕๒",
        number="พบ ๓๒๘๐๑/๑๒๓",
        date=None,
        subject="ขอปรับปรุงข้อมูลผู้อยู่อาศัยหมู่ที่ ๓ ฝั่งน้ำ",
        addressee="นายกองค์การบริหารส่วนตำบลหนองโสน",
        enclosure_titles=[],
        paragraphs=list(CORPUS_PARAGRAPHS),
        signatures=[SignatureBlock(name="นางสาวปู่ญู ฟ้าฝั่ง", position="ผู้ช่วยเจ้าหน้าที่ข้อมูล")],
        opinions=[
            OpinionBlock(
                label="ความเห็นปลัด อบต.หนองโสน",
                role="opinion",
                text="เห็นควรให้ผู้อยู่อาศัยตรวจข้อมูลที่ศาลาหมู่บ้าน",
                signature=SignatureBlock(name="นายฐุฏุ ฎุมูล", position="ปลัดผู้อยู่เวร"),
            ),
            OpinionBlock(
                label="ข้อสั่งการนายก อบต.หนองโสน",
                role="decision",
                decision="other",
                decision_text="มอบผู้ใหญ่บ้านดำเนินการ",
            ),
        ],
    )


def corpus_strings() -> list[str]:
    doc = corpus_document()
    strings = [doc.department, doc.subject, doc.addressee, *doc.paragraphs]
    for sig in [*doc.signatures, *(o.signature for o in doc.opinions if o.signature)]:
        strings += [sig.name, sig.position]
    strings += [o.text for o in doc.opinions if o.text] + [o.decision_text for o in doc.opinions]
    return strings


def printed_text(doc: MemoDocument) -> str:
    """Everything the document prints, in the comparison form: the text of the HTML body WeasyPrint renders
    (labels, tables and signatures included; page numbers are CSS counters, not text)."""
    body = render_html(doc).partition("</head>")[2]
    text = html.unescape(re.sub(r"<[^>]*>", " ", body))
    for char in INVISIBLE:
        text = text.replace(char, "")
    return squash(text)


def demo_strings() -> list[str]:
    doc = demo_document()
    strings = [doc.department, doc.number, doc.subject, doc.addressee, *doc.enclosure_titles, *doc.paragraphs]
    for sig in [*doc.signatures, *(o.signature for o in doc.opinions if o.signature)]:
        strings += [sig.name, sig.position] + [s for s in (sig.capacity_line, sig.extra_line) if s]
    for op in doc.opinions:
        strings += [op.label, *op.text.split("\n")]
    return [s for s in strings if s]


# --- extractors -------------------------------------------------------------------------------------------


def squash(text: str) -> str:
    """The comparison form: NFKC, without whitespace (line breaks differ between extractors)."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


def _require(what: str, present: bool, how: str) -> None:
    if present:
        return
    message = f"{what} is missing: {how} (or run `bash scripts/lib.sh ensure_test_tools`)"
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail(f"CI: {message}")
    pytest.skip(message)


def _run(args: list[str]) -> str:
    return subprocess.run(args, check=True, capture_output=True, timeout=120).stdout.decode("utf-8")


def extract_poppler(path: Path) -> str:
    _require("pdftotext", shutil.which("pdftotext") is not None, "apt-get install poppler-utils")
    return _run(["pdftotext", "-enc", "UTF-8", str(path), "-"])


def extract_poppler_layout(path: Path) -> str:
    _require("pdftotext", shutil.which("pdftotext") is not None, "apt-get install poppler-utils")
    return _run(["pdftotext", "-layout", "-enc", "UTF-8", str(path), "-"])


def extract_pypdf(path: Path) -> str:
    from pypdf import PdfReader

    return "\n".join(page.extract_text() for page in PdfReader(path).pages)


def extract_pdfminer(path: Path) -> str:
    """pdfminer.six in reading order (``boxes_flow=None``: text boxes top to bottom, then left to right)."""
    from pdfminer.high_level import extract_text
    from pdfminer.layout import LAParams

    return str(extract_text(path, laparams=LAParams(boxes_flow=None)))


def extract_pdfminer_default(path: Path) -> str:
    """pdfminer.six as ``pdf2txt.py`` runs it (``boxes_flow=0.5``). Its layout analysis makes each line a box
    of its own (the official line pitch is twice the font size) and orders short lines (a paragraph's last
    line) by a mix of position and distance, so lines can come out of order: checked line by line."""
    from pdfminer.high_level import extract_text

    return str(extract_text(path))


def extract_pdfjs(path: Path) -> str:
    node = shutil.which("node")
    _require("node", node is not None, "apt-get install nodejs")
    _require("pdfjs-dist", PDFJS_MODULE.is_file(), "npm ci --no-audit --no-fund --ignore-scripts")
    assert node is not None
    return _run([node, str(PDFJS_SCRIPT), str(path)])


def extract_mutool(path: Path) -> str:
    mutool = shutil.which("mutool")
    _require("mutool", mutool is not None, "apt-get install mupdf-tools")
    assert mutool is not None
    return _run([mutool, "draw", "-q", "-F", "txt", "-o", "-", str(path)])


EXTRACTORS: dict[str, Callable[[Path], str]] = {
    "pdftotext": extract_poppler,
    "pdftotext-layout": extract_poppler_layout,
    "pypdf": extract_pypdf,
    "pdfminer": extract_pdfminer,
    "pdfminer-default": extract_pdfminer_default,
    "pdfjs": extract_pdfjs,
    "mutool": extract_mutool,
}


# --- fixtures ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def pdfs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("extraction")
    out = {}
    for name, doc in (("demo", demo_document()), ("corpus", corpus_document())):
        path = folder / f"{name}.pdf"
        path.write_bytes(render_memo(doc))
        out[name] = path
    return out


_TEXTS: dict[tuple[str, str], str] = {}


def extracted(pdfs: dict[str, Path], document: str, extractor: str) -> str:
    key = (str(pdfs[document]), extractor)
    if key not in _TEXTS:
        _TEXTS[key] = EXTRACTORS[extractor](pdfs[document])
    return _TEXTS[key]


def _mismatches(text: str, strings: list[str], printed: str) -> list[str]:
    """Each of ``strings`` as often in ``text`` as in ``printed`` (both in the comparison form)."""
    got = squash(text)
    problems = []
    for form in sorted({squash(s) for s in strings if s.strip()}):
        want = printed.count(form)
        have = got.count(form)
        if have != want:
            problems.append(f"{form!r}: printed {want}x, extracted {have}x")
    return problems


#: Known failures, expected strictly (a fix makes them XPASS, which fails: then remove the entry). See the
#: limits in docs/pdf-text.md.
_PDFMINER_LINE_ORDER = (
    "pdfminer's default layout analysis (boxes_flow=0.5) makes each line a box and puts the short last line "
    "of a corpus paragraph (จํานํา ค่ําคืน) between the two lines of the next one, splitting สําหรับข้อมูล|"
    "ผู้ใช้งาน: the characters and lines are right, the order is pdfminer's"
)
KNOWN_FAILURES: dict[tuple[str, str, str], str] = {
    ("runs", "corpus", "pdfminer-default"): _PDFMINER_LINE_ORDER,
}


def known_failure(request: pytest.FixtureRequest, check: str, document: str, extractor: str) -> None:
    reason = KNOWN_FAILURES.get((check, document, extractor))
    if reason:
        request.applymarker(pytest.mark.xfail(strict=True, reason=f"{extractor}: {reason}"))


# --- tests ------------------------------------------------------------------------------------------------


def test_text_layer_is_installed() -> None:
    """A WeasyPrint upgrade turns the corrections off: look at docs/pdf-text.md before accepting it."""
    assert text_layer.INSTALLED


IN_ORDER = sorted(set(EXTRACTORS) - {"pdfminer-default"})
PAGE_NUMBER = re.compile(r"^\s*-\s*[0-9๐-๙]+\s*-\s*$")


@pytest.mark.parametrize("extractor", IN_ORDER)
@pytest.mark.parametrize("document", ["demo", "corpus"])
def test_every_string_extracts_as_written(
    request: pytest.FixtureRequest, pdfs: dict[str, Path], document: str, extractor: str
) -> None:
    known_failure(request, "strings", document, extractor)
    doc, strings = (
        (demo_document(), demo_strings()) if document == "demo" else (corpus_document(), corpus_strings())
    )
    problems = _mismatches(extracted(pdfs, document, extractor), strings, printed_text(doc))
    assert not problems, f"{extractor} on the {document} memo:\n" + "\n".join(problems)


@pytest.mark.parametrize("document", ["demo", "corpus"])
def test_pdfminer_default_lines_are_printed_text(pdfs: dict[str, Path], document: str) -> None:
    """pdfminer's default layout analysis may order lines its own way; each line is still printed text."""
    printed = printed_text(demo_document() if document == "demo" else corpus_document())
    lines = extracted(pdfs, document, "pdfminer-default").splitlines()
    wrong = [
        line for line in lines if line.strip() and not PAGE_NUMBER.match(line) and squash(line) not in printed
    ]
    assert not wrong, "pdfminer lines that are not printed text:\n" + "\n".join(wrong)


@pytest.mark.parametrize("extractor", sorted(EXTRACTORS))
def test_hard_thai_words_extract_as_written(
    request: pytest.FixtureRequest, pdfs: dict[str, Path], extractor: str
) -> None:
    """Each hard word as often as the corpus memo prints it, and never its known corruptions."""
    known_failure(request, "hard", "corpus", extractor)
    text = extracted(pdfs, "corpus", extractor)
    printed = printed_text(corpus_document())
    assert all(squash(word) in printed for word in HARD_WORDS), "the corpus memo prints every hard word"
    problems = _mismatches(text, list(HARD_WORDS), printed)
    text = squash(text)
    for wrong in ("ผ้่", "อย่่", "ข้อม่ล"):
        if squash(wrong) in text:
            problems.append(f"{wrong!r} extracted")
    assert not problems, f"{extractor}:\n" + "\n".join(problems)


def _joined_lines(text: str) -> str:
    """NFKC ``text`` with each line stripped and the lines joined: line breaks (and -layout's indentation)
    gone, spaces inside a line kept."""
    lines = unicodedata.normalize("NFKC", text).replace("\f", "\n").splitlines()
    return "".join(line.strip() for line in lines)


@pytest.mark.parametrize("extractor", sorted(EXTRACTORS))
@pytest.mark.parametrize("document", ["demo", "corpus"])
def test_no_space_inside_a_word(
    request: pytest.FixtureRequest, pdfs: dict[str, Path], document: str, extractor: str
) -> None:
    """Line breaks aside, no extractor puts a space where the text has none ("ฝั่ งน้ ํา" is not found by a
    search): every space-free run of the printed strings is found whole. Marks moved left by the font end
    their glyph box short of the next letter, which reads as a gap."""
    known_failure(request, "runs", document, extractor)
    strings = demo_strings() if document == "demo" else corpus_strings()
    text = _joined_lines(extracted(pdfs, document, extractor))
    runs = {run for string in strings for run in unicodedata.normalize("NFKC", string).split()}
    broken = sorted(run for run in runs if run not in text)
    assert not broken, f"{extractor} splits {len(broken)} of {len(runs)} runs: {broken[:8]}"


def _flexible(text: str) -> str:
    """A pattern for ``text`` that allows a line break between any two of its characters."""
    return "\n?".join(re.escape(char) for char in text)


@pytest.mark.parametrize("extractor", IN_ORDER)
@pytest.mark.parametrize("document", ["demo", "corpus"])
def test_spaces_between_words_are_kept(
    request: pytest.FixtureRequest, pdfs: dict[str, Path], document: str, extractor: str
) -> None:
    """Where the text has a space, the extractor has a space or a line break: a word ending in a mark ("ธ์")
    must not run into the next ("งานประชาสัมพันธ์สำนักปลัด")."""
    known_failure(request, "spaces", document, extractor)
    _doc, strings = (
        (demo_document(), demo_strings()) if document == "demo" else (corpus_document(), corpus_strings())
    )
    text = unicodedata.normalize("NFKC", extracted(pdfs, document, extractor)).replace("\f", "\n")
    missing = set()
    for string in strings:
        words = unicodedata.normalize("NFKC", string).split()
        for left, right in itertools.pairwise(words):
            pattern = _flexible(left[-4:]) + r"[ \n]+" + _flexible(right[:4])
            if not re.search(pattern, text):
                missing.add(f"{left[-4:]} {right[:4]}")
    assert not missing, f"{extractor}: no space in {sorted(missing)}"


@pytest.mark.parametrize("extractor", ["pypdf", "pdfjs", "mutool"])
def test_mark_order_is_the_written_order(pdfs: dict[str, Path], extractor: str) -> None:
    """Without normalisation: a below vowel before its tone mark, as typed (a plain search finds "ผู้")."""
    text = extracted(pdfs, "corpus", extractor)
    assert text.count("ผู้") == printed_text(corpus_document()).count("ผู้")


def test_to_unicode_is_the_glyphs_own_character(tmp_path: Path) -> None:
    """A glyph first drawn in a merged cluster (composed SARA AM: NIKHAHIT and SARA AA in one cluster) maps to
    its own character, not to "" or the whole cluster: "นา" after "ทำ" does not extract as "นำ"."""
    import weasyprint

    html_text = "<p style='font-family: Laksaman'>ทำ นา ทำนา</p>"
    with text_layer.active():
        pdf = weasyprint.HTML(string=html_text).write_pdf()
    path = tmp_path / "merged.pdf"
    path.write_bytes(pdf)
    assert squash(extract_pypdf(path)) == squash("ทำ นา ทำนา")


# --- /ActualText spells what the glyphs spell ----------------------------------------------------------------


def _to_unicode(font: pikepdf.Dictionary) -> dict[int, str]:
    """Glyph code -> text, from a font's ToUnicode CMap (WeasyPrint writes bfchar entries only)."""
    cmap = font.get("/ToUnicode")
    if cmap is None:
        return {}
    data = cmap.read_bytes().decode("latin-1")
    return {
        int(code, 16): bytes.fromhex(text).decode("utf-16-be")
        for code, text in re.findall(r"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]*)>", data.split("beginbfchar", 1)[-1])
    }


def actual_text_spans(pdf_path: Path) -> list[tuple[str, str]]:
    """(ActualText, the text its glyphs spell through ToUnicode) for each /ActualText span on every page."""
    spans = []
    with pikepdf.open(pdf_path) as pdf:
        for page in pdf.pages:
            fonts = page.resources.get("/Font", pikepdf.Dictionary())
            maps = {str(name): _to_unicode(font) for name, font in fonts.items()}
            current: dict[int, str] = {}
            stack: list[list[str]] = []
            for instruction in pikepdf.parse_content_stream(page):
                if not isinstance(instruction, pikepdf.ContentStreamInstruction):
                    continue  # an inline image
                operands, op = instruction.operands, str(instruction.operator)
                if (
                    op == "BDC"
                    and isinstance(operands[1], pikepdf.Dictionary)
                    and "/ActualText" in operands[1]
                ):
                    stack.append([str(operands[1].ActualText)])
                elif op == "EMC" and stack:
                    actual, *glyphs = stack.pop()
                    spans.append((actual, "".join(glyphs)))
                elif op == "Tf":
                    current = maps.get(str(operands[0]), {})
                elif op in ("TJ", "Tj") and stack:
                    items = operands[0] if op == "TJ" else [operands[0]]
                    for item in items:
                        if isinstance(item, pikepdf.String):
                            raw = bytes(item)
                            codes = [int.from_bytes(raw[i : i + 2], "big") for i in range(0, len(raw), 2)]
                            stack[-1].extend(current.get(code, "\ufffd") for code in codes)
    return spans


@pytest.mark.parametrize("document", ["demo", "corpus"])
def test_actual_text_spells_what_the_glyphs_spell(pdfs: dict[str, Path], document: str) -> None:
    """MuPDF (1.22+) keeps the glyphs' text where a span's /ActualText agrees with it and replaces the rest,
    doubling text where they differ ("สำนักปลัดนักปลัด": a composed SARA AM against its two glyphs). So the
    two must agree everywhere; poppler reads the ActualText, the others the glyphs, and all read the same."""
    spans = actual_text_spans(pdfs[document])
    assert len(spans) > 20
    differ = [(actual, glyphs) for actual, glyphs in spans if actual != glyphs]
    assert not differ, f"{len(differ)} of {len(spans)} spans differ, e.g. {differ[:3]}"


if __name__ == "__main__":  # pragma: no cover - exploration: python memos/tests/test_pdf_extraction.py FILE
    for name, fn in EXTRACTORS.items():
        print(f"== {name}\n{fn(Path(sys.argv[1]))}")
