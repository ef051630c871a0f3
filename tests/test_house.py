"""The house holds together: every module of letters_app imports at top level, whatever is
imported first, and no module imports another of letters_app inside a function to dodge a
cycle."""

import ast
import os
import pkgutil
import subprocess
import sys
from pathlib import Path

import pytest

import letters_app

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = Path(letters_app.__file__).parent
APPS = PACKAGE / "apps.py"
MODULES = sorted(
    info.name for info in pkgutil.walk_packages(letters_app.__path__, prefix="letters_app.")
)


# Where a process starts (web, worker, admin), and the modules that import many others: each is
# imported first, in its own interpreter. All of them in one interpreter per order would take
# over a minute.
FIRST = [
    "letters_app.admin",
    "letters_app.cache",
    "letters_app.emails",
    "letters_app.models",
    "letters_app.selectors",
    "letters_app.services.deliveries",
    "letters_app.services.signatures",
    "letters_app.tasks",
    "letters_app.urls",
]


def imports_in_a_fresh_interpreter(modules: list[str]) -> subprocess.CompletedProcess:
    """Set Django up, then import `modules` in that order, in a new Python process."""
    imports = "".join(f"importlib.import_module({m!r})\n" for m in modules)
    code = "import django, importlib\ndjango.setup()\n" + imports
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "letters_app.settings"}
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True,
        timeout=120,
    )  # fmt: skip


@pytest.mark.parametrize("module", FIRST)
def test_a_module_imports_first_in_a_fresh_interpreter(module):
    result = imports_in_a_fresh_interpreter([module])
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("order", ["walk", "reversed"])
def test_every_module_imports_at_top_level_in_either_order(order):
    # The migrations too.
    result = imports_in_a_fresh_interpreter(MODULES if order == "walk" else MODULES[::-1])
    assert result.returncode == 0, result.stderr


def imports_inside_functions(path: Path) -> list[str]:
    """`file:line` of each import of a letters_app module inside a function or method body."""
    found = []

    def visit(node: ast.AST, in_function: bool) -> None:
        for child in ast.iter_child_nodes(node):
            if in_function and isinstance(child, ast.Import | ast.ImportFrom):
                names = [child.module or ""] if isinstance(child, ast.ImportFrom) else []
                names += [alias.name for alias in getattr(child, "names", [])]
                relative = isinstance(child, ast.ImportFrom) and child.level > 0
                if relative or any(n.split(".")[0] == "letters_app" for n in names):
                    found.append(f"{path.relative_to(ROOT)}:{child.lineno}")
            if isinstance(child, ast.FunctionDef) and child.name == "ready" and path == APPS:
                continue  # AppConfig.ready: where Django registers what runs at start (the tasks)
            inside = in_function or isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef)
            visit(child, inside)

    visit(ast.parse(path.read_text(), filename=str(path)), False)
    return found


def test_no_module_imports_letters_app_inside_a_function():
    # Third-party libraries heavy to load (WeasyPrint, openpyxl) may be imported where they are
    # used; a module of the app is imported at the top, where a cycle shows at once.
    offenders = [
        where for path in sorted(PACKAGE.rglob("*.py")) for where in imports_inside_functions(path)
    ]
    assert offenders == [], "\n".join(["letters_app imported inside a function:", *offenders])
