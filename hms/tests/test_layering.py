"""The import contracts of `make lint` (pyproject.toml [tool.importlinter]) hold, and catch a
violation: an app importing one above it, the toolkit importing an app, a view imported by
anything but its urls."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LINT = [str(Path(sys.executable).parent / "lint-imports"), "--no-cache"]
SKIP = shutil.ignore_patterns(".venv", "var", ".git", "node_modules", "staticfiles", "*.pyc")


def lint(where: Path) -> subprocess.CompletedProcess:
    return subprocess.run(LINT, cwd=where, capture_output=True, text=True, timeout=120)


def test_the_code_keeps_every_import_contract():
    result = lint(ROOT)
    assert result.returncode == 0, result.stdout[-2000:]


@pytest.mark.parametrize(
    ("path", "line", "broken"),
    [
        ("clinic/upward.py", "import scheduling.models\n", "Apps depend downward only"),
        ("hms/lib/knows_an_app.py", "import clinic.models\n", "The toolkit hms.lib imports no app"),
        ("records/reuse.py", "from scheduling import views\n", "Nothing imports a views module"),
        ("reports/settings_reader.py", "import hms.settings\n", "Apps use only hms.lib"),
    ],
)
def test_a_deliberate_violation_fails_the_lint(tmp_path, path, line, broken):
    copy = tmp_path / "hms-copy"
    shutil.copytree(ROOT, copy, ignore=SKIP)
    (copy / path).write_text(line)

    result = lint(copy)

    assert result.returncode != 0
    assert f"{broken}" in result.stdout and "BROKEN" in result.stdout
