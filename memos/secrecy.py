"""ชั้นความลับ: how a memo's class (memos.models.Secrecy) is printed and checked.

The class is written on the memo like its urgency (editable while draft or returned) and printed, per
ระเบียบว่าด้วยการรักษาความลับของทางราชการ, at the top and bottom centre of every page of its PDF
(memos.pdf.overlay) and of the documents printed from it, the certificate of completion and the history
(workflow.pdf_documents.secrecy_mark), beside the urgency on its page and as a badge in the lists and the register.
"""

from typing import Final

from django.utils.translation import gettext_lazy as _

from memos.models import Secrecy

#: The words stamped on the document for each class; "" = not classified, nothing printed.
SECRECY_STAMP: Final = {
    Secrecy.NONE: "",
    Secrecy.CONFIDENTIAL: "ลับ",
    Secrecy.SECRET: "ลับมาก",
    Secrecy.TOP_SECRET: "ลับที่สุด",
}

_STAMP_BY_VALUE: Final[dict[str, str]] = {str(k.value): v for k, v in SECRECY_STAMP.items()}

#: The error for a value that is not a class (the form, the API and the service say the same).
UNKNOWN_SECRECY: Final = _("Choose the secrecy: empty (not classified), confidential, secret or top_secret.")


def secrecy_stamp(value: str) -> str:
    """ "ลับมาก" for "secret"; "" for an unclassified memo (or a value that is not a class)."""
    return _STAMP_BY_VALUE.get(value, "")
