"""The house's dependency rules (pyproject.toml `[tool.importlinter]`, run by `make lint`) hold on the real tree,
and each one fails when a module breaks it: a copy of the packages gets one deliberately wrong import."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("config", "core", "org", "memos", "workflow", "signatures", "notifications", "webhooks")
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def lint_imports(cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-logo", "--no-cache"],
        cwd=cwd,
        env={"PYTHONPATH": str(cwd), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.fixture(scope="module")
def tree_copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The packages' Python files and the real pyproject.toml (its contracts), nothing else."""
    copy = tmp_path_factory.mktemp("tree")
    shutil.copy(ROOT / "pyproject.toml", copy / "pyproject.toml")

    def not_python(directory: str, names: list[str]) -> list[str]:
        return [n for n in names if not n.endswith(".py") and not (Path(directory) / n).is_dir()]

    for package in PACKAGES:
        shutil.copytree(ROOT / package, copy / package, ignore=not_python)
    assert lint_imports(copy).returncode == 0, "the copy starts clean"
    return copy


def test_the_real_tree_keeps_every_contract() -> None:
    result = lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "BROKEN" not in result.stdout
    assert "Contracts: 4 kept, 0 broken." in result.stdout


@pytest.mark.parametrize(
    ("module", "line", "contract"),
    [
        ("core/violation.py", "from workflow import selectors", "core imports no app"),
        ("core/violation.py", "import org.models", "core imports no app"),
        ("org/violation.py", "from memos.models import Memo", "org imports only core"),
        (
            "memos/pdf/violation.py",
            "from workflow.models import RouteStep",
            "memos and signatures never import",
        ),
        ("signatures/violation.py", "import workflow.services", "memos and signatures never import"),
        ("workflow/violation.py", "from config import urls", "config above workflow"),
        ("notifications/violation.py", "from workflow import notify", "config above workflow"),
        ("webhooks/violation.py", "from workflow import selectors", "config above workflow"),
        ("webhooks/violation.py", "from notifications.services import notify", "config above workflow"),
    ],
)
def test_a_deliberate_violation_fails_the_check(
    tree_copy: Path, module: str, line: str, contract: str
) -> None:
    path = tree_copy / module
    path.write_text(f"{line}\n")
    try:
        result = lint_imports(tree_copy)
    finally:
        path.unlink()
    assert result.returncode != 0
    # The report wraps long names at 80 columns: the broken contracts' section, as one line.
    broken = " ".join(result.stdout.partition("Broken contracts")[2].split())
    assert contract in broken, result.stdout
    assert module.removesuffix(".py").replace("/", ".") in result.stdout
