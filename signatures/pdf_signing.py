"""PAdES signatures on the memo's PDF: reserved fields, the writer's certification, each step's signature with
its visible block, and long-term validation on completion (docs/adr/0007-pdf-signatures.md).

Pure building blocks over bytes: no database, no settings. The callers (the step services, the render worker)
choose the signer (signatures.keystore), the timestamper (signatures.tsa.configured_timestamper) and the
appearance (signatures.appearance.render_block). Every function returns the whole new PDF; signatures and
the archive timestamp are incremental updates, so each signature keeps covering everything before it.
"""

import asyncio
import binascii
import io
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from pyhanko.pdf_utils import layout
from pyhanko.pdf_utils.content import PdfContent
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.pdf_utils.writer import BasePdfFileWriter
from pyhanko.sign import fields, signers
from pyhanko.sign.fields import MDPPerm, SigFieldSpec, SigSeedSubFilter
from pyhanko.sign.timestamps import TimeStamper
from pyhanko.sign.validation.dss import DocumentSecurityStore, collect_validation_info
from pyhanko.sign.validation.pdf_embedded import EmbeddedPdfSignature
from pyhanko.stamp import StaticStampStyle
from pyhanko_certvalidator import ValidationContext

#: Chooses the validation context of one signature (signatures.signing.pdf_finish).
ContextFor = Callable[[EmbeddedPdfSignature], ValidationContext]
ARCHIVE_TIMESTAMP_FIELD = "archive-timestamp"
SEAL_FIELD = "organisation-seal"  # also signatures.verification.SEAL_FIELD_NAME
# A signature's /Contents is reserved at this many hex digits: the CMS with the signer's chain and a timestamp
# token with the TSA's (RSA-3072 certificates) is ~8.5 KB, 17 K digits; pyHanko's own estimate signs twice.
SIGNATURE_BYTES_RESERVED = 32 * 1024


@dataclass(frozen=True)
class FieldSpec:
    """A reserved signature field: `name` ("step-3"), the 0-based page, and the box (x1, y1, x2, y2) in PDF
    points from the page's bottom-left corner (integers: pyHanko's stamps need them)."""

    name: str
    page: int
    box: tuple[int, int, int, int]

    @property
    def width(self) -> int:
        return self.box[2] - self.box[0]

    @property
    def height(self) -> int:
        return self.box[3] - self.box[1]


class _Writer(IncrementalPdfFileWriter):
    """An incremental writer that leaves the document's metadata as it is. pyHanko's own update appends
    itself to the Info dictionary's /Producer but writes only itself into the XMP's pdf:Producer, and dates
    /ModDate and xmp:ModifyDate from two readings of the clock: either breaks PDF/A's rule that the two
    agree (docs/pdfa.md). The memo's dates are its own (memos.pdf.pdfa.finish); each signature carries its
    signing time and timestamp."""

    def _update_meta(self) -> None:
        return


class AlreadySigned(ValueError):
    """Fields are reserved before the first signature: adding one later breaks the certification."""


def _reader(pdf: bytes) -> PdfFileReader:
    return PdfFileReader(io.BytesIO(pdf))


def reserve_signature_fields(pdf: bytes, specs: list[FieldSpec]) -> bytes:
    """The PDF with an empty signature field per spec, in one incremental update, before any signature."""
    if _reader(pdf).embedded_signatures:
        raise AlreadySigned("the PDF is signed already: its fields were reserved before")
    names = [spec.name for spec in specs]
    if len(set(names)) != len(names):
        raise ValueError(f"field names repeat: {names}")
    writer = _Writer(io.BytesIO(pdf))
    for spec in specs:
        fields.append_signature_field(
            writer, SigFieldSpec(sig_field_name=spec.name, on_page=spec.page, box=spec.box)
        )
    out = io.BytesIO()
    writer.write(out)  # type: ignore[no-untyped-call]
    return out.getvalue()


class _PdfPageFromBytes(PdfContent):
    """The first page of a PDF held in memory, as a form XObject (pyHanko's ImportedPdfPage reads a file)."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        super().__init__()

    def render(self) -> bytes:
        writer: BasePdfFileWriter = self._ensure_writer
        xobject = writer.import_page_as_xobject(_reader(self.data), page_ix=0)
        name = "/Import" + binascii.hexlify(uuid.uuid4().bytes).decode()
        self.resources.xobject[name] = xobject
        x1, y1, x2, y2 = xobject.get_object()["/BBox"]
        self.box = layout.BoxConstraints(width=abs(x1 - x2), height=abs(y1 - y2))
        return name.encode() + b" Do"


def _stamp_style(appearance_pdf: bytes | None) -> StaticStampStyle | None:
    """The block's page, edge to edge: no border, no margin, opaque (the style's defaults are 3, 5 and 0.6).
    A new style for each signature: the content object is bound to one writer."""
    if appearance_pdf is None:
        return None
    return StaticStampStyle(
        background=_PdfPageFromBytes(appearance_pdf),
        border_width=0,
        background_opacity=1.0,
        background_layout=layout.SimpleBoxLayoutRule(
            x_align=layout.AxisAlignment.ALIGN_MID,
            y_align=layout.AxisAlignment.ALIGN_MID,
            margins=layout.Margins(0, 0, 0, 0),
            inner_content_scaling=layout.InnerScaling.STRETCH_TO_FIT,
        ),
    )


def _sign(
    pdf: bytes,
    *,
    meta: signers.PdfSignatureMetadata,
    signer: signers.Signer,
    appearance_pdf: bytes | None,
    timestamper: TimeStamper | None,
) -> bytes:
    if meta.field_name in [s.field_name for s in _reader(pdf).embedded_signatures]:
        raise AlreadySigned(f"field {meta.field_name!r} is signed already")
    pdf_signer = signers.PdfSigner(
        meta, signer=signer, timestamper=timestamper, stamp_style=_stamp_style(appearance_pdf)
    )
    out = io.BytesIO()
    pdf_signer.sign_pdf(
        _Writer(io.BytesIO(pdf)),
        existing_fields_only=meta.field_name != SEAL_FIELD,
        bytes_reserved=SIGNATURE_BYTES_RESERVED,
        output=out,
    )
    return out.getvalue()


def certify(
    pdf: bytes,
    field: str,
    signer: signers.Signer,
    *,
    appearance_pdf: bytes | None = None,
    timestamper: TimeStamper | None = None,
    reason: str = "",
    location: str = "",
    docmdp: MDPPerm = MDPPerm.FILL_FORMS,
) -> bytes:
    """The writer's certification signature in `field` (reserved): DocMDP `docmdp` — FILL_FORMS (P=2)
    lets the later steps sign their reserved fields and forbids any other change; NO_CHANGES (P=1) would
    forbid the later signatures too."""
    meta = signers.PdfSignatureMetadata(
        field_name=field,
        certify=True,
        docmdp_permissions=docmdp,
        reason=reason or None,
        location=location or None,
        subfilter=SigSeedSubFilter.PADES,
        md_algorithm="sha256",
    )
    return _sign(pdf, meta=meta, signer=signer, appearance_pdf=appearance_pdf, timestamper=timestamper)


def sign_field(
    pdf: bytes,
    field: str,
    signer: signers.Signer,
    *,
    appearance_pdf: bytes | None = None,
    timestamper: TimeStamper | None = None,
    reason: str = "",
    location: str = "",
) -> bytes:
    """A step's approval signature in its reserved `field`, as an incremental update."""
    meta = signers.PdfSignatureMetadata(
        field_name=field,
        reason=reason or None,
        location=location or None,
        subfilter=SigSeedSubFilter.PADES,
        md_algorithm="sha256",
    )
    return _sign(pdf, meta=meta, signer=signer, appearance_pdf=appearance_pdf, timestamper=timestamper)


def seal(
    pdf: bytes,
    signer: signers.Signer,
    *,
    timestamper: TimeStamper | None = None,
    validation_context: ValidationContext | None = None,
    reason: str = "",
    location: str = "",
) -> bytes:
    """An invisible signature by the organisation's seal over the whole of `pdf`, in a new field SEAL_FIELD
    (PAdES B-B; B-T with a `timestamper`). With a `validation_context` (which must not fetch) the seal's own
    certificates and CRLs go into the document security store too (B-LT), so that it validates without
    memoflow: what a document the organisation issues itself (the certificate of completion) carries."""
    meta = signers.PdfSignatureMetadata(
        field_name=SEAL_FIELD,
        reason=reason or None,
        location=location or None,
        subfilter=SigSeedSubFilter.PADES,
        md_algorithm="sha256",
    )
    sealed = _sign(pdf, meta=meta, signer=signer, appearance_pdf=None, timestamper=timestamper)
    if validation_context is None:
        return sealed
    # The seal's validation data in an update of ours (pyHanko's own would rewrite the metadata: _Writer).
    return _add_validation_data(sealed, validation_context)


def finish_ltv(
    pdf: bytes,
    *,
    validation_context: ValidationContext,
    timestamper: TimeStamper | None,
    seal_signer: signers.Signer | None = None,
    context_for: ContextFor | None = None,
    include_timestamps: bool = True,
) -> bytes:
    """On completion: every signature's certificates and CRLs (from `validation_context`, which must not
    fetch) into the document security store, then either a document timestamp (PAdES B-LTA: the archive can
    be re-timestamped before the TSA's certificate expires) or, without a TSA, an invisible signature by the
    organisation's seal over everything (B-LT with the seal's own validation data): see ADR 0007."""
    pdf = _add_validation_data(
        pdf, validation_context, context_for=context_for, include_timestamps=include_timestamps
    )
    if timestamper is not None:
        out = io.BytesIO()
        signers.PdfTimeStamper(timestamper, field_name=ARCHIVE_TIMESTAMP_FIELD).timestamp_pdf(
            _Writer(io.BytesIO(pdf)),
            "sha256",
            # No context: pyHanko would add the timestamp's own validation data in one more revision of its
            # own writer (metadata and all); the TSA's path and CRL are in the store already, from the
            # signatures' timestamps, which the same TSA issued.
            validation_context=None,
            output=out,
        )
        return out.getvalue()
    if seal_signer is None:
        raise ValueError("without a timestamp authority the organisation's seal closes the archive")
    # No validation data embedded after the seal (pyHanko would write one more revision with its own metadata):
    # its certificate is in its signature and the CA's CRL that covers it is in the store already.
    return seal(pdf, seal_signer)


def signing_moment(embedded: EmbeddedPdfSignature) -> datetime | None:
    """When the signature was made: its timestamp token's time (proven), else the time the signer wrote."""
    for attribute in embedded.signer_info["unsigned_attrs"] or []:
        if attribute["type"].native == "signature_time_stamp_token":
            token = attribute["values"][0]["content"]
            return token["encap_content_info"]["content"].parsed["gen_time"].native  # type: ignore[no-any-return]
    return embedded.self_reported_timestamp


def _add_validation_data(
    pdf: bytes,
    validation_context: ValidationContext,
    *,
    context_for: ContextFor | None = None,
    include_timestamps: bool = True,
) -> bytes:
    """Every signature's certificate paths and revocation data in the document security store, in one
    incremental update (pyHanko's add_validation_info does one per signature, each with its own metadata
    update). `context_for` chooses a signature's context (e.g. at its signing time, for a key retired since);
    `include_timestamps` False leaves out the timestamp tokens' paths (an independent TSA's, which chain to
    another root and whose revocation data is not ours to embed without fetching)."""
    embedded_signatures = _reader(pdf).embedded_signatures
    if not embedded_signatures:
        return pdf
    writer = _Writer(io.BytesIO(pdf))
    for embedded in embedded_signatures:
        context = context_for(embedded) if context_for is not None else validation_context
        paths = asyncio.run(collect_validation_info(embedded, context, skip_timestamp=not include_timestamps))
        DocumentSecurityStore.supply_dss_in_writer(
            writer,
            embedded.pkcs7_content.hex().encode("ascii"),
            validation_context=context,
            paths=paths,
        )
    out = io.BytesIO()
    writer.write(out)  # type: ignore[no-untyped-call]
    return out.getvalue()
