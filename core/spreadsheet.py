"""Cells of the CSV files people open in a spreadsheet (the register, the audit log)."""

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(cell: str) -> str:
    """A cell that starts like a formula is written as text (CSV injection): a subject such as "=1+1", or a
    browser's name sent by whoever failed to sign in (the audit log keeps it) such as '=HYPERLINK(…)'."""
    return f"'{cell}" if cell[:1] in FORMULA_STARTS else cell
