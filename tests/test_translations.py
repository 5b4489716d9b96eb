"""The Thai catalogue that is served is the one that is written: the committed django.mo holds exactly what
django.po compiles to. A merge that took one side's .mo (or a compilemessages that skipped a .mo newer than its
.po) once shipped English in the middle of Thai pages."""

import gettext
import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings

CATALOGUE = Path(settings.BASE_DIR) / "locale" / "th" / "LC_MESSAGES"


@pytest.mark.skipif(shutil.which("msgfmt") is None, reason="msgfmt (gettext) is missing")
def test_the_committed_mo_is_the_compiled_po(tmp_path: Path) -> None:
    fresh = tmp_path / "django.mo"
    subprocess.run(
        ["msgfmt", "--check-format", "-o", str(fresh), str(CATALOGUE / "django.po")],  # noqa: S607
        check=True,
    )
    with fresh.open("rb") as compiled, (CATALOGUE / "django.mo").open("rb") as committed:
        expected = gettext.GNUTranslations(compiled)._catalog
        served = gettext.GNUTranslations(committed)._catalog
    missing = sorted(str(k) for k in expected.keys() - served.keys())[:10]
    assert not missing, f"django.mo lacks these (run compilemessages after touching django.po): {missing}"
    changed = sorted(str(k) for k in expected if k in served and expected[k] != served[k])[:10]
    assert not changed, f"django.mo differs from django.po for: {changed}"
