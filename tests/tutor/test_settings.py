"""Settings: defaults, the TOML file, TUTOR_* variables and flags, in that order of precedence."""

from __future__ import annotations

from pathlib import Path

import pytest

from tutor.settings import SettingsError, load_settings


def test_defaults_without_file_or_environment(tmp_path: Path) -> None:
    settings = load_settings(config_file=tmp_path / "none.toml", environ={})
    assert settings.theme == "textual-dark"
    assert settings.desired_retention == 0.9
    assert settings.day_starts_hour == 4
    assert settings.db_path.name == "progress.sqlite3"


def test_file_then_environment_then_flags(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text(
        'theme = "nord"\nnew_per_day = 5\n[kernel]\npython = "/opt/cuda-env/bin/python"\n',
        encoding="utf-8",
    )
    from_file = load_settings(config_file=config, environ={})
    assert (from_file.theme, from_file.new_per_day) == ("nord", 5)
    assert from_file.kernel_python == "/opt/cuda-env/bin/python"

    env = {"TUTOR_THEME": "ansi-dark", "TUTOR_DATA_DIR": str(tmp_path / "env")}
    from_env = load_settings(config_file=config, environ=env)
    assert from_env.theme == "ansi-dark"
    assert from_env.data_dir == tmp_path / "env"

    from_flag = load_settings(config_file=config, environ=env, data_dir=str(tmp_path / "flag"))
    assert from_flag.data_dir == tmp_path / "flag"


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        ('theme = "neon"\n', "theme 'neon' is not one of"),
        ("desired_retention = 1.5\n", "desired_retention must be between"),
        ('new_per_day = "many"\n', "setting 'new_per_day'"),
        ("colour = 1\n", "unknown setting 'colour'"),
        ("theme = \n", "cannot read settings"),
        ("cursor_blink = 3\n", "expected true or false"),
    ],
)
def test_bad_settings_are_named(tmp_path: Path, toml: str, message: str) -> None:
    config = tmp_path / "config.toml"
    config.write_text(toml, encoding="utf-8")
    with pytest.raises(SettingsError, match=message):
        load_settings(config_file=config, environ={})


def test_bad_environment_value_names_the_variable(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match="TUTOR_DAY_STARTS_HOUR"):
        load_settings(config_file=tmp_path / "none.toml", environ={"TUTOR_DAY_STARTS_HOUR": "four"})


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        ("[kernel]\ntimeout = nan\n", "kernel_timeout must be a finite number"),
        ("[kernel]\ntimeout = inf\n", "kernel_timeout must be a finite number"),
        ("[kernel]\ntimeout = 0\n", "kernel.timeout must be between"),
        ("[kernel]\ntimeout = 1e9\n", "kernel.timeout must be between"),
        ("[kernel]\nmemory_mb = 10\n", "kernel.memory_mb must be 0"),
        ("[kernel]\nmemory_mb = -1\n", "kernel.memory_mb must be 0"),
        ('[kernel]\nisolation = "off"\n', "kernel.isolation must be one of strict, relaxed, none"),
        ("desired_retention = nan\n", "desired_retention must be a finite number"),
        ("new_per_day = 100000000\n", "daily limits are far too large"),
    ],
)
def test_kernel_settings_must_be_finite_and_in_range(
    tmp_path: Path, toml: str, message: str
) -> None:
    config = tmp_path / "config.toml"
    config.write_text(toml, encoding="utf-8")
    with pytest.raises(SettingsError, match=message):
        load_settings(config_file=config, environ={})


def test_a_nan_timeout_from_the_environment_is_refused(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match="finite"):
        load_settings(config_file=tmp_path / "none.toml", environ={"TUTOR_KERNEL_TIMEOUT": "nan"})


def test_isolation_is_strict_unless_the_learner_opts_in(tmp_path: Path) -> None:
    assert (
        load_settings(config_file=tmp_path / "none.toml", environ={}).kernel_isolation == "strict"
    )
    relaxed = load_settings(
        config_file=tmp_path / "none.toml", environ={"TUTOR_KERNEL_ISOLATION": "relaxed"}
    )
    assert relaxed.kernel_isolation == "relaxed"
