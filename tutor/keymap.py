"""Every binding ID the tutor defines, so a keymap in the settings file can be checked against them.

Imported only when the learner's settings have a keymap (or by tests): it imports every screen.
"""

from __future__ import annotations

import importlib
import inspect
from collections.abc import Iterator, Mapping

from textual.binding import Binding
from textual.dom import DOMNode


def binding_modules() -> list[str]:
    """The app and every screen and widget module: where bindings are declared."""
    import pkgutil

    import tutor.screens
    import tutor.widgets

    found = ["tutor.app"]
    for package in (tutor.screens, tutor.widgets):
        found += [
            f"{package.__name__}.{info.name}" for info in pkgutil.iter_modules(package.__path__)
        ]
    return found


def declared_bindings() -> Iterator[tuple[type[DOMNode], Binding]]:
    """(class, binding) for each binding a tutor screen, widget or the app declares itself."""
    for module_name in binding_modules():
        module = importlib.import_module(module_name)
        for cls in vars(module).values():
            if (
                not (inspect.isclass(cls) and issubclass(cls, DOMNode))
                or cls.__module__ != module_name
            ):
                continue
            for binding in Binding.make_bindings(cls.__dict__.get("BINDINGS", [])):
                yield cls, binding


def binding_ids() -> set[str]:
    """Every binding ID a keymap may name."""
    return {binding.id for _, binding in declared_bindings() if binding.id}


def unknown_ids(keymap: Mapping[str, str]) -> list[str]:
    """The keymap's IDs that no binding has (typos, or bindings that were renamed)."""
    known = binding_ids()
    return sorted(binding_id for binding_id in keymap if binding_id not in known)
