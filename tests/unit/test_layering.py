"""The library never imports the web service: no module under matcher/ imports ``api``."""

from __future__ import annotations

import ast
from pathlib import Path

import matcher

SERVICE_PACKAGES = ("api",)


def imported_modules(path: Path) -> list[tuple[int, str]]:
    """(line, module) of every import statement in a file, at any depth (functions too)."""
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.append((node.lineno, node.module))
        elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute | ast.Name)
              and getattr(node.func, "attr", getattr(node.func, "id", "")) in (
                  "import_module", "__import__")
              and node.args and isinstance(node.args[0], ast.Constant)
              and isinstance(node.args[0].value, str)):
            found.append((node.lineno, node.args[0].value))
    return found


def service_imports(root: Path) -> list[str]:
    return [f"{path.relative_to(root.parent)}:{line}: {module}"
            for path in sorted(root.rglob("*.py"))
            for line, module in imported_modules(path)
            if module.split(".")[0] in SERVICE_PACKAGES]


def test_no_module_of_the_library_imports_the_service() -> None:
    root = Path(matcher.__file__).parent
    assert len(list(root.rglob("*.py"))) > 10  # the scan sees the library
    assert service_imports(root) == []


def test_the_scan_finds_every_form_of_import(tmp_path: Path) -> None:
    package = tmp_path / "lib"
    package.mkdir()
    (package / "a.py").write_text("import api\n")
    (package / "b.py").write_text("def f():\n    from api.store import Store\n")
    (package / "c.py").write_text("import importlib\nimportlib.import_module('api.server')\n")
    (package / "d.py").write_text("import apis\nfrom . import api\nfrom matcher import api_x\n")
    assert service_imports(package) == ["lib/a.py:1: api", "lib/b.py:2: api.store",
                                        "lib/c.py:2: api.server"]
