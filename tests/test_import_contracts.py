"""The layers' import contracts (DESIGN §1), read from the source: every import statement counts,
those inside functions and `TYPE_CHECKING` blocks too."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def imports(path: Path) -> set[str]:
    """Every module an import statement in `path` names (relative imports resolved)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    package = ".".join(path.relative_to(ROOT).with_suffix("").parts[:-1])
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                base = ".".join(parts[: len(parts) - node.level + 1] + ([base] if base else []))
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)
    return found


def sources(*folders: str) -> list[Path]:
    """The Python files under `folders` (relative to the repository root)."""
    return sorted(path for folder in folders for path in (ROOT / folder).rglob("*.py"))


def violations(paths: list[Path], forbidden: tuple[str, ...]) -> list[str]:
    """`file: module` for each import of a forbidden module or of anything inside one."""
    return [
        f"{path.relative_to(ROOT)}: {name}"
        for path in paths
        for name in sorted(imports(path))
        if any(name == banned or name.startswith(banned + ".") for banned in forbidden)
    ]


@pytest.mark.parametrize(
    ("folder", "forbidden"),
    [
        ("checkers", ("tutor", "textual", "progress")),
        ("progress", ("tutor", "textual", "checkers")),
        ("tutor/screens", ("tutor.app", "progress.store", "sqlite3", "checkers.kernel")),
        (
            "tutor/widgets",
            ("tutor.app", "tutor.screens", "progress.store", "sqlite3", "checkers.kernel"),
        ),
        ("tutor/session.py", ("tutor.app", "tutor.screens", "tutor.widgets", "textual")),
    ],
)
def test_layers_import_only_what_they_may(folder: str, forbidden: tuple[str, ...]) -> None:
    target = ROOT / folder
    paths = [target] if target.is_file() else sources(folder)
    assert paths, f"nothing found under {folder}"
    assert violations(paths, forbidden) == []


def test_screens_and_widgets_reach_services_only_through_the_session() -> None:
    """No casting the app, no asking it what it has, no silencing the type checker to reach it."""
    bad = []
    for path in sources("tutor/screens", "tutor/widgets"):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            reaches = (
                "hasattr(self.app" in line
                or 'cast("TutorApp"' in line
                or "getattr(self.app" in line
            )
            silenced = "self.app." in line and "type: ignore" in line
            if reaches or silenced:
                bad.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert bad == []


def test_the_contract_reader_sees_nested_and_type_only_imports() -> None:
    """The checks above would pass vacuously if `imports` missed nested imports."""
    sample = ROOT / "tutor" / "screens" / "home.py"
    found = imports(sample)
    assert "tutor.session" in found and "textual.binding.Binding" in found
    nested = ROOT / "tutor" / "session.py"
    assert "progress.store.QueueItem" in imports(nested), "a TYPE_CHECKING import is counted"
    assert "tutor.recording.open_store" in imports(nested), "an import inside a method is counted"
