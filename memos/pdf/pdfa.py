"""The archived memo as an honest PDF/A-3b: uploaded PDFs normalised, the catalogue and metadata put right.

WeasyPrint writes the memo's own pages as PDF/A-3b. Two things then break the claim (docs/pdfa.md):

- an uploaded PDF's pages are appended as they are, and may use a font that is not embedded (a plain
  ``/Type1 /Helvetica``), device CMYK colour or other things PDF/A forbids. ``Normaliser`` runs each uploaded
  PDF, already defanged, through Ghostscript's PDF/A-3 output (which embeds or substitutes every font and
  converts colour to RGB) before its pages are appended, and defangs the result again (the defang guarantees
  stay the last word on what is copied). When Ghostscript is missing, fails, times out or loses a page, the
  upload's defanged pages are appended unconverted and the reason is kept: the memo is then NOT labelled PDF/A.
- WeasyPrint 70 lists memo.json twice in the catalogue's ``/AF`` and writes no dates; pypdf rewrites the
  file. ``finish`` lists each attachment once, writes CreationDate and ModDate (the memo's completion time)
  in the Info dictionary and the XMP alike, writes the XMP from the Info dictionary, and removes the PDF/A
  identification when the document does not conform (a font left unembedded, or a normalisation failure).

Ghostscript runs in the render's child process (``memos.pdf.isolation``), within a share of the render's
time limit (``GS_SHARE``); the child's process group is killed with it, so an unfinished ``gs`` never outlives
a killed render.
"""

from __future__ import annotations

import io
import logging
import subprocess
import tempfile
import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Final
from xml.sax.saxutils import escape
from zoneinfo import ZoneInfo

from pypdf import PdfReader, PdfWriter
from pypdf import __version__ as PYPDF_VERSION
from pypdf.generic import (
    ArrayObject,
    ByteStringObject,
    DecodedStreamObject,
    DictionaryObject,
    IndirectObject,
    NameObject,
    PdfObject,
    TextStringObject,
)

from memos.pdf.defang import append_defanged_pages

logger = logging.getLogger(__name__)

#: The Ghostscript executable (Debian package ``ghostscript``); a test points it elsewhere.
GHOSTSCRIPT = "gs"
#: PDF/A-3 output; features PDF/A forbids are dropped (policy 1) rather than the output silently becoming
#: plain PDF; colour to RGB (the memo's output intent is sRGB); pages keep the orientation they have.
GS_ARGS: Final = (
    "-dPDFA=3",
    "-dPDFACompatibilityPolicy=1",
    "-sColorConversionStrategy=RGB",
    "-dAutoRotatePages=/None",
    "-dNOPAUSE",
    "-dBATCH",
    "-dSAFER",
    "-dQUIET",
    "-sDEVICE=pdfwrite",
)
#: Share of ``MEMOFLOW_PDF_RENDER_TIMEOUT`` that Ghostscript may spend on all of a memo's uploaded PDFs.
GS_SHARE: Final = 0.5
#: Share of the limit kept for what follows Ghostscript (appending pages, ``finish``, writing the file).
AFTER_SHARE: Final = 0.1
#: What the memo's own pages and the XMP are dated in.
BANGKOK: Final = ZoneInfo("Asia/Bangkok")
#: memo.json is the source the memo's pages are rendered from (ISO 32000-2, 14.13, AFRelationship).
RELATIONSHIP: Final = "/Source"
FONT_FILES: Final = ("/FontFile", "/FontFile2", "/FontFile3")


def ghostscript_budget(limit: float, *, spent: float) -> float:
    """Seconds Ghostscript may take in a render limited to ``limit`` seconds that has run ``spent``: half the
    limit, and never so much that the render would be killed before it ends (a slow WeasyPrint leaves less:
    the memo is then archived without the label rather than not at all)."""
    return max(0.0, min(limit * GS_SHARE, limit * (1 - AFTER_SHARE) - spent))


class Normaliser:
    """Normalise a render's uploaded PDFs within one time budget; ``failures`` says why any was not."""

    def __init__(self, *, budget: float) -> None:
        self.deadline = time.monotonic() + budget
        self.failures: list[str] = []

    def __call__(self, content: bytes, *, label: str = "") -> bytes:
        """The PDF to append for the uploaded ``content``: Ghostscript's PDF/A rendition of its defanged pages,
        or, when that fails, the defanged pages as they are (and a failure recorded)."""
        defanged = _defanged(content)
        try:
            return self._ghostscript(defanged)
        except NormaliseFailed as failure:
            reason = f"{label or 'uploaded PDF'}: {failure}"
            self.failures.append(reason)
            logger.warning("Archived PDF not labelled PDF/A: %s", reason)
            return defanged

    def _ghostscript(self, content: bytes) -> bytes:
        remaining = self.deadline - time.monotonic()
        if remaining <= 0:
            raise NormaliseFailed("no time left for Ghostscript within the render's time limit")
        with tempfile.TemporaryDirectory(prefix="memoflow-pdfa-") as directory:
            source, target = Path(directory) / "in.pdf", Path(directory) / "out.pdf"
            source.write_bytes(content)
            command = [GHOSTSCRIPT, *GS_ARGS, f"-sOutputFile={target}", str(source)]
            try:
                result = subprocess.run(  # noqa: S603  # our own arguments; the upload is a file
                    command, capture_output=True, timeout=remaining, check=False
                )
            except FileNotFoundError as error:
                raise NormaliseFailed(f"Ghostscript is not installed ({GHOSTSCRIPT})") from error
            except subprocess.TimeoutExpired as error:
                raise NormaliseFailed(f"Ghostscript took longer than {remaining:.1f} s") from error
            if result.returncode != 0 or not target.exists():
                detail = result.stderr.decode("utf-8", "replace").strip()[-300:]
                raise NormaliseFailed(f"Ghostscript failed (exit code {result.returncode}): {detail}")
            output = target.read_bytes()
        before, after = _page_count(content), _page_count(output)
        if before != after:
            raise NormaliseFailed(f"Ghostscript returned {after} pages of {before}")
        return output


class NormaliseFailed(Exception):
    pass


def _defanged(content: bytes) -> bytes:
    writer = PdfWriter()
    append_defanged_pages(writer, content)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _page_count(content: bytes) -> int:
    try:
        return len(PdfReader(io.BytesIO(content), strict=False).pages)
    except Exception:  # unreadable output counts as no pages
        return -1


# Fonts ---------------------------------------------------------------------------------------------------


def _resolved(value: PdfObject | None) -> PdfObject | None:
    return value.get_object() if isinstance(value, IndirectObject) else value


def _fonts(resources: PdfObject | None, seen: set[int]) -> Iterator[DictionaryObject]:
    """Every font dictionary reachable from ``resources``: its /Font entries, the resources of its form
    XObjects, Type 3 glyphs, patterns and annotation-free tiling cells, recursively (each object once)."""
    resources = _resolved(resources)
    if not isinstance(resources, DictionaryObject) or id(resources) in seen:
        return
    seen.add(id(resources))
    fonts = _resolved(resources.get("/Font"))
    if isinstance(fonts, DictionaryObject):
        for font in fonts.values():
            font = _resolved(font)
            if isinstance(font, DictionaryObject):
                yield font
                yield from _fonts(font.get("/Resources"), seen)  # a Type 3 font's glyphs
    for key in ("/XObject", "/Pattern"):
        group = _resolved(resources.get(key))
        if isinstance(group, DictionaryObject):
            for item in group.values():
                item = _resolved(item)
                if isinstance(item, DictionaryObject):
                    yield from _fonts(item.get("/Resources"), seen)


def _embedded(font: DictionaryObject) -> bool:
    """A font's glyphs are in the file: its descriptor has a font file; a Type 0 font's descendant's does;
    a Type 3 font is its glyph procedures."""
    subtype = font.get("/Subtype")
    if subtype == "/Type3":
        return True
    if subtype == "/Type0":
        descendants = _resolved(font.get("/DescendantFonts"))
        return isinstance(descendants, ArrayObject) and all(
            isinstance(_resolved(d), DictionaryObject) and _embedded(_resolved(d))  # type: ignore[arg-type]
            for d in descendants
        )
    descriptor = _resolved(font.get("/FontDescriptor"))
    return isinstance(descriptor, DictionaryObject) and any(key in descriptor for key in FONT_FILES)


def unembedded_fonts(reader: PdfReader | PdfWriter) -> list[str]:
    """The /BaseFont of every font used on a page (or in what its page draws) that is not embedded."""
    missing = []
    seen: set[int] = set()
    for page in reader.pages:
        for font in _fonts(page.get("/Resources"), seen):
            if not _embedded(font):
                missing.append(str(font.get("/BaseFont", "?")))
    return sorted(set(missing))


# The catalogue and metadata ------------------------------------------------------------------------------


def pdf_date(when: datetime) -> str:
    """D:YYYYMMDDHHmmSS+07'00' in Bangkok time (PDF 32000-1, 7.9.4)."""
    local = when.astimezone(BANGKOK)
    offset = local.strftime("%z")
    return f"D:{local:%Y%m%d%H%M%S}{offset[:3]}'{offset[3:]}'"


def xmp_date(when: datetime) -> str:
    """The same instant as ``pdf_date`` in XMP's ISO 8601 form."""
    return when.astimezone(BANGKOK).isoformat(timespec="seconds")


def xmp_packet(
    *,
    title: str,
    creator: str,
    producer: str,
    when: datetime,
    pdfa: bool,
    subject: str = "",
    keywords: str = "",
    creator_tool: str = "",
) -> bytes:
    """The document's XMP, each property the Info entry's twin (ISO 19005-3, 6.6.2.3.1): dc:title (Title),
    dc:creator (Author), dc:description (Subject), pdf:Keywords, pdf:Producer, xmp:CreatorTool (Creator),
    the dates; and the PDF/A identification only when ``pdfa``."""
    date = xmp_date(when)
    identification = (
        '  <rdf:Description rdf:about="" xmlns:pdfaid="http://www.aiim.org/pdfa/ns/id/">\n'
        "   <pdfaid:part>3</pdfaid:part>\n   <pdfaid:conformance>B</pdfaid:conformance>\n"
        "  </rdf:Description>\n"
        if pdfa
        else ""
    )
    creator_xml = (
        f"   <dc:creator><rdf:Seq><rdf:li>{escape(creator)}</rdf:li></rdf:Seq></dc:creator>\n"
        if creator
        else ""
    )
    if subject:
        creator_xml += (
            f'   <dc:description><rdf:Alt><rdf:li xml:lang="x-default">{escape(subject)}</rdf:li></rdf:Alt>'
            "</dc:description>\n"
        )
    keywords_xml = f"   <pdf:Keywords>{escape(keywords)}</pdf:Keywords>\n" if keywords else ""
    tool_xml = f"   <xmp:CreatorTool>{escape(creator_tool)}</xmp:CreatorTool>\n" if creator_tool else ""
    text = (
        '<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>\n'
        '<x:xmpmeta xmlns:x="adobe:ns:meta/">\n'
        ' <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">\n'
        f"{identification}"
        '  <rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/">\n'
        "   <dc:format>application/pdf</dc:format>\n"
        f'   <dc:title><rdf:Alt><rdf:li xml:lang="x-default">{escape(title)}</rdf:li></rdf:Alt></dc:title>\n'
        f"{creator_xml}"
        "  </rdf:Description>\n"
        '  <rdf:Description rdf:about="" xmlns:pdf="http://ns.adobe.com/pdf/1.3/">\n'
        f"   <pdf:Producer>{escape(producer)}</pdf:Producer>\n"
        f"{keywords_xml}"
        "  </rdf:Description>\n"
        '  <rdf:Description rdf:about="" xmlns:xmp="http://ns.adobe.com/xap/1.0/">\n'
        f"   <xmp:CreateDate>{date}</xmp:CreateDate>\n"
        f"   <xmp:ModifyDate>{date}</xmp:ModifyDate>\n"
        f"   <xmp:MetadataDate>{date}</xmp:MetadataDate>\n"
        f"{tool_xml}"
        "  </rdf:Description>\n"
        " </rdf:RDF>\n"
        "</x:xmpmeta>\n"
        '<?xpacket end="r"?>'
    )
    return text.encode("utf-8")


def _attachments_once(writer: PdfWriter, when: datetime) -> None:
    """The catalogue's /AF lists each file of the /EmbeddedFiles name tree once (WeasyPrint 70 lists each
    twice), with its relationship; the embedded files are dated like the document."""
    root = writer.root_object
    names = _resolved(root.get("/Names"))
    tree = _resolved(names.get("/EmbeddedFiles")) if isinstance(names, DictionaryObject) else None
    entries = _resolved(tree.get("/Names")) if isinstance(tree, DictionaryObject) else None
    specs: list[PdfObject] = []
    if isinstance(entries, ArrayObject):
        for value in list(entries)[1::2]:
            if isinstance(value, IndirectObject) and all(
                not (isinstance(s, IndirectObject) and s.idnum == value.idnum) for s in specs
            ):
                specs.append(value)
    if not specs:
        root.pop(NameObject("/AF"), None)
        return
    for spec in specs:
        spec_dict = _resolved(spec)
        assert isinstance(spec_dict, DictionaryObject)
        spec_dict[NameObject("/AFRelationship")] = NameObject(RELATIONSHIP)
        files = _resolved(spec_dict.get("/EF"))
        stream = _resolved(files.get("/F")) if isinstance(files, DictionaryObject) else None
        params = _resolved(stream.get("/Params")) if isinstance(stream, DictionaryObject) else None
        if isinstance(params, DictionaryObject):
            params[NameObject("/CreationDate")] = TextStringObject(pdf_date(when))
            params[NameObject("/ModDate")] = TextStringObject(pdf_date(when))
    root[NameObject("/AF")] = ArrayObject(specs)


def labelled_pdfa(content: bytes) -> bool:
    """Whether the PDF's XMP identifies it as PDF/A (what ``finish`` wrote, or took away)."""
    try:
        metadata = PdfReader(io.BytesIO(content)).root_object.get("/Metadata")
        xmp = metadata.get_object().get_data() if metadata is not None else b""
    except Exception:  # an unreadable file is not labelled anything
        return False
    return b"pdfaid:part" in xmp


def producer_name(info_producer: str, *, ghostscript: bool) -> str:
    """The Info /Producer and pdf:Producer: what wrote the file, WeasyPrint's name first."""
    parts = [info_producer or "WeasyPrint", f"pypdf {PYPDF_VERSION}"]
    if ghostscript:
        parts.append("Ghostscript (enclosures)")
    return "; ".join(parts)


def finish(
    content: bytes,
    *,
    when: datetime,
    identifier: bytes,
    failures: list[str],
    ghostscript: bool = False,
) -> tuple[bytes, list[str]]:
    """The archived PDF with its catalogue and metadata put right, and the reasons it is not PDF/A (empty
    when it is labelled PDF/A-3b): ``failures`` from the normalisation, plus any font left unembedded.

    ``when`` dates the document; ``identifier`` (16 bytes, e.g. from the document key) is the file's /ID in
    place of WeasyPrint's random one, so the same memo renders to the same bytes."""
    reader = PdfReader(io.BytesIO(content))
    writer = PdfWriter(clone_from=reader)
    writer.pdf_header = "%PDF-1.7"  # PDF/A-3 is based on PDF 1.7 (pypdf may have lowered the header)
    writer._ID = ArrayObject([ByteStringObject(identifier), ByteStringObject(identifier)])
    reasons = list(failures)
    missing = unembedded_fonts(writer)
    if missing:
        reasons.append(f"fonts not embedded: {', '.join(missing)}")
        logger.warning("Archived PDF not labelled PDF/A: fonts not embedded: %s", ", ".join(missing))
    info = {key: str(value) for key, value in (reader.metadata or {}).items()}
    fields = {key: info.get(key, "") for key in ("/Title", "/Author", "/Subject", "/Keywords", "/Creator")}
    fields["/Producer"] = producer_name(info.get("/Producer", ""), ghostscript=ghostscript)
    fields["/CreationDate"] = fields["/ModDate"] = pdf_date(when)
    writer._info = DictionaryObject()  # emptied: the Info dictionary holds only what the XMP repeats
    writer.add_metadata({key: value for key, value in fields.items() if value})
    _attachments_once(writer, when)
    metadata = DecodedStreamObject()  # not compressed: a reader finds the packet by scanning the file
    metadata.set_data(
        xmp_packet(
            title=fields["/Title"],
            creator=fields["/Author"],
            producer=fields["/Producer"],
            when=when,
            pdfa=not reasons,
            subject=fields["/Subject"],
            keywords=fields["/Keywords"],
            creator_tool=fields["/Creator"],
        )
    )
    metadata[NameObject("/Type")] = NameObject("/Metadata")
    metadata[NameObject("/Subtype")] = NameObject("/XML")
    writer.root_object[NameObject("/Metadata")] = writer._add_object(metadata)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue(), reasons
