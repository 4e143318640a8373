"""The tutor's settings: one typed object from a TOML file, overridden by environment variables.

Read before the first paint, so it uses the standard library only (pydantic costs ~250 ms here).
"""

from __future__ import annotations

import math
import os
import sys
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from types import ModuleType
from typing import Any

from tutor import APP_NAME

THEMES = (
    "textual-dark",
    "textual-light",
    "ansi-dark",
    "ansi-light",
    "nord",
    "gruvbox",
    "dracula",
    "tokyo-night",
    "monokai",
    "solarized-light",
)


class SettingsError(ValueError):
    """A settings file or variable that cannot be used; the message says which and why."""


@dataclass(frozen=True)
class Settings:
    """Everything a user can configure. File: `config.toml` in the config dir; env: `TUTOR_*`."""

    data_dir: Path = field(default_factory=lambda: default_data_dir())
    """Where progress, drafts and caches live (`TUTOR_DATA_DIR`, `--data-dir`)."""
    theme: str = "textual-dark"
    """Textual theme; `ansi-dark` uses the terminal's own colours (`TUTOR_THEME`)."""
    kernel_python: str = ""
    """Interpreter for the code kernel, e.g. a CUDA torch venv; empty means this one
    (`TUTOR_KERNEL_PYTHON`)."""
    kernel_timeout: float = 10.0
    """Seconds one code cell may run before it is interrupted (`TUTOR_KERNEL_TIMEOUT`)."""
    kernel_memory_mb: int = 4096
    """Address-space limit of the CPU kernel in MiB, 0 for none (`TUTOR_KERNEL_MEMORY_MB`)."""
    kernel_isolation: str = "strict"
    """`strict` runs code only when every sandbox layer holds; `relaxed` runs it with what this
    machine allows and says what is missing each time (`TUTOR_KERNEL_ISOLATION`)."""
    desired_retention: float = 0.9
    """FSRS target probability of recall at review time (`TUTOR_DESIRED_RETENTION`)."""
    new_per_day: int = 10
    """New exercises introduced per day in review sessions (`TUTOR_NEW_PER_DAY`)."""
    reviews_per_day: int = 100
    """Reviews per day at most (`TUTOR_REVIEWS_PER_DAY`)."""
    day_starts_hour: int = 4
    """Local hour at which a new study day begins (`TUTOR_DAY_STARTS_HOUR`)."""
    fuzz: bool = False
    """Spread review intervals by a few percent, seeded per card, so items learned together do not
    stay bunched (`TUTOR_FUZZ`)."""
    cursor_blink: bool = True
    """Blinking cursors; turn off over slow SSH links (`TUTOR_CURSOR_BLINK`)."""
    editor: str = ""
    """Command for editing code outside the app; empty means `$VISUAL`, then `$EDITOR`, then vi."""
    keymap: dict[str, str] = field(default_factory=dict, hash=False)
    """Binding ID → keys (`"f10"`, `"ctrl+k,f10"`), from the file's `[keymap]` table only."""

    @property
    def db_path(self) -> Path:
        """The SQLite progress file."""
        return self.data_dir / "progress.sqlite3"

    @property
    def drafts_dir(self) -> Path:
        """Where code drafts are autosaved."""
        return self.data_dir / "drafts"


def default_data_dir() -> Path:
    """The platform's user data dir for the tutor."""
    from platformdirs import user_data_path

    return user_data_path(APP_NAME, appauthor=False)


def default_config_file() -> Path:
    """The platform's config file location (`TUTOR_CONFIG` overrides)."""
    override = os.environ.get("TUTOR_CONFIG")
    if override:
        return Path(override).expanduser()
    from platformdirs import user_config_path

    return user_config_path(APP_NAME, appauthor=False) / "config.toml"


_KEYS = {f.name: f for f in fields(Settings) if f.name != "keymap"}
_FILE_ALIASES = {
    "kernel.python": "kernel_python",
    "kernel.timeout": "kernel_timeout",
    "kernel.memory_mb": "kernel_memory_mb",
    "kernel.isolation": "kernel_isolation",
}
ISOLATIONS = ("strict", "relaxed", "none")
TIMEOUT_RANGE = (0.1, 3600.0)
MEMORY_RANGE_MB = (256, 1024 * 1024)


def _coerce(name: str, raw: Any, origin: str) -> Any:
    kind = _KEYS[name].type
    try:
        if kind == "Path":
            return Path(str(raw)).expanduser()
        if kind == "bool":
            if isinstance(raw, bool):
                return raw
            text = str(raw).strip().lower()
            if text in {"1", "true", "yes", "on"}:
                return True
            if text in {"0", "false", "no", "off"}:
                return False
            raise ValueError(f"expected true or false, got {raw!r}")
        if kind == "int":
            if isinstance(raw, bool):
                raise ValueError("expected a whole number")
            return int(raw)
        if kind == "float":
            return float(raw)
        return str(raw)
    except (TypeError, ValueError) as exc:
        raise SettingsError(f"{origin}: setting {name!r}: {exc}") from exc


def _validate(settings: Settings) -> Settings:
    for item in fields(Settings):
        value = getattr(settings, item.name)
        if isinstance(value, float) and not math.isfinite(value):
            raise SettingsError(f"{item.name} must be a finite number, not {value!r}")
    if settings.theme not in THEMES:
        raise SettingsError(f"theme {settings.theme!r} is not one of: {', '.join(THEMES)}")
    if not 0.7 <= settings.desired_retention <= 0.99:
        raise SettingsError("desired_retention must be between 0.7 and 0.99")
    if not 0 <= settings.day_starts_hour <= 23:
        raise SettingsError("day_starts_hour must be an hour from 0 to 23")
    if settings.new_per_day < 0 or settings.reviews_per_day < 0:
        raise SettingsError("daily limits cannot be negative")
    low, high = TIMEOUT_RANGE
    if not low <= settings.kernel_timeout <= high:
        raise SettingsError(
            f"kernel.timeout must be between {low:g} and {high:g} seconds, not "
            f"{settings.kernel_timeout!r}"
        )
    low_mb, high_mb = MEMORY_RANGE_MB
    if settings.kernel_memory_mb != 0 and not low_mb <= settings.kernel_memory_mb <= high_mb:
        raise SettingsError(
            f"kernel.memory_mb must be 0 (no limit) or between {low_mb} and {high_mb} MiB, "
            f"not {settings.kernel_memory_mb}"
        )
    if settings.kernel_isolation not in ISOLATIONS:
        raise SettingsError(
            f"kernel.isolation must be one of {', '.join(ISOLATIONS)}, "
            f"not {settings.kernel_isolation!r}"
        )
    if settings.new_per_day > 10_000 or settings.reviews_per_day > 100_000:
        raise SettingsError(
            "daily limits are far too large (at most 10000 new and 100000 reviews a day)"
        )
    return settings


def _keymap(table: Any, origin: str) -> dict[str, str]:
    """The `[keymap]` table: binding IDs to comma-separated keys, each key one word."""
    if not isinstance(table, dict):
        raise SettingsError(f"{origin}: keymap must be a table of binding IDs, e.g. [keymap]")
    keymap: dict[str, str] = {}
    for binding_id, keys in table.items():
        if isinstance(keys, dict):
            raise SettingsError(f"{origin}: keymap: {binding_id!r} needs keys, not a table")
        if not isinstance(keys, str):
            raise SettingsError(
                f'{origin}: keymap.{binding_id}: keys must be a string like "ctrl+k"'
            )
        parts = [part.strip() for part in keys.split(",")]
        if not all(parts) or any(" " in part for part in parts):
            raise SettingsError(
                f'{origin}: keymap.{binding_id}: {keys!r} is not a key list like "ctrl+k,f10"'
            )
        keymap[binding_id] = ",".join(parts)
    return keymap


def _toml() -> ModuleType:
    """The TOML parser, imported only when a config file exists (it is ~3 ms of start-up)."""
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - exercised on 3.10 only
        import tomli as tomllib
    return tomllib


def _flatten(table: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    flat: dict[str, Any] = {}
    for key, value in table.items():
        dotted = f"{prefix}{key}"
        if isinstance(value, dict):
            flat.update(_flatten(value, dotted + "."))
        else:
            flat[dotted] = value
    return flat


def load_settings(
    config_file: Path | None = None, environ: dict[str, str] | None = None, **overrides: Any
) -> Settings:
    """Defaults, then the TOML file, then `TUTOR_*` variables, then explicit overrides (CLI
    flags)."""
    env = os.environ if environ is None else environ
    path = config_file or default_config_file()
    values: dict[str, Any] = {}
    if path.is_file():
        toml = _toml()
        try:
            table = toml.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, toml.TOMLDecodeError) as exc:
            raise SettingsError(f"{path}: cannot read settings: {exc}") from exc
        if "keymap" in table:
            values["keymap"] = _keymap(table.pop("keymap"), str(path))
        for key, raw in _flatten(table).items():
            name = _FILE_ALIASES.get(key, key.replace(".", "_"))
            if name not in _KEYS:
                raise SettingsError(f"{path}: unknown setting {key!r}")
            values[name] = _coerce(name, raw, str(path))
    for name in _KEYS:
        var = f"TUTOR_{name.upper()}"
        if env.get(var, "") != "":
            values[name] = _coerce(name, env[var], var)
    for name, raw in overrides.items():
        if raw is not None:
            values[name] = _coerce(name, raw, f"--{name.replace('_', '-')}")
    return _validate(replace(Settings(), **values))
