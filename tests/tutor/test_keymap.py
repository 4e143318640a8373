"""Keys remapped by binding ID from the settings file's `[keymap]` table, and the IDs themselves."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import pytest
from rich.console import Console
from textual.widgets import Static

from tests.fakes import until
from tutor.keymap import binding_ids, declared_bindings, unknown_ids
from tutor.settings import Settings, SettingsError, load_settings


def test_every_binding_id_names_one_binding() -> None:
    """A subclass may re-declare its base's binding (same ID, same action, e.g. to hide it from the
    footer); two different bindings never share an ID, or remapping one would move the other."""
    owners: dict[str, list[tuple[type, str]]] = defaultdict(list)
    for cls, binding in declared_bindings():
        assert binding.id, (
            f"{cls.__name__} binds {binding.key} without an ID: it cannot be remapped"
        )
        owners[binding.id].append((cls, binding.action))
    shared = {
        binding_id: [f"{cls.__name__}.{action}" for cls, action in found]
        for binding_id, found in owners.items()
        if len({action for _, action in found}) > 1
        or not all(issubclass(cls, found[0][0]) or issubclass(found[0][0], cls) for cls, _ in found)
    }
    assert shared == {}


def test_the_keymap_table_is_read_from_the_settings_file(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text('theme = "nord"\n[keymap]\nhome-stats = "x"\ncode-check = "ctrl+k, f10"\n')
    settings = load_settings(config_file=config, environ={})
    assert settings.keymap == {"home-stats": "x", "code-check": "ctrl+k,f10"}
    assert settings.theme == "nord"


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        ('keymap = "x"\n', "keymap must be a table"),
        ("[keymap]\nhome-stats = 3\n", "keys must be a string"),
        ('[keymap]\nhome-stats = "ctrl+ x"\n', "is not a key list"),
        ('[keymap]\nhome-stats = "x,"\n', "is not a key list"),
        ('[keymap.home]\nstats = "x"\n', "needs keys, not a table"),
    ],
)
def test_a_bad_keymap_is_named(tmp_path: Path, toml: str, message: str) -> None:
    config = tmp_path / "config.toml"
    config.write_text(toml, encoding="utf-8")
    with pytest.raises(SettingsError, match=message):
        load_settings(config_file=config, environ={})


def test_unknown_ids_are_found() -> None:
    assert {"home-stats", "code-check", "repl-run", "reader-block-run"} <= binding_ids()
    assert unknown_ids({"home-statz": "x", "home-stats": "y"}) == ["home-statz"]


async def test_a_remapped_key_acts_shows_in_help_and_the_old_key_does_not(
    tutor_env: Path, mini_course: Path
) -> None:
    from tutor.app import TutorApp

    settings = Settings(data_dir=tutor_env, cursor_blink=False, keymap={"home-stats": "x"})
    app = TutorApp(settings, content_dir=mini_course)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("s")
        await pilot.pause()
        assert type(app.screen).__name__ == "HomeScreen", "s no longer opens the stats"
        await pilot.press("question_mark")
        await pilot.pause()
        console = Console(width=80, record=True)
        for group in app.screen.query(".help-group").results(Static):
            console.print(group.content)
        home_rows = console.export_text().split("Home (this screen)")[1].split("\n\n")[0]
        assert any(
            line.split()[:1] == ["x"] and "retention" in line for line in home_rows.splitlines()
        )
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("x")
        await pilot.pause()
        assert type(app.screen).__name__ == "StatsScreen"


async def test_an_unknown_id_in_the_keymap_is_reported(tutor_env: Path, mini_course: Path) -> None:
    from tutor.app import TutorApp

    settings = Settings(data_dir=tutor_env, cursor_blink=False, keymap={"home-statz": "x"})
    app = TutorApp(settings, content_dir=mini_course)
    async with app.run_test(size=(80, 24)) as pilot:
        await until(
            pilot,
            lambda: any("home-statz" in note.message for note in app._notifications),
            "the keymap warning",
        )
        await app.workers.wait_for_complete()
        await pilot.pause()
        messages = [notification.message for notification in app._notifications]
        assert any("home-statz" in message for message in messages)
