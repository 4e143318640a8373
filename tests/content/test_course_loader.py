"""Course folders: errors with file and line, `tutor validate`, a second chapter, the wheel."""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tutor.cli import main
from tutor.course.loader import ContentError, load_course

REPO = Path(__file__).resolve().parents[2]
CHAPTER_2 = REPO / "tests" / "fixtures" / "course" / "ch2"

CHAPTER_YAML = """\
number: 1
title: A tiny chapter
sections:
  - sections/1.1.yaml
exercises:
  - exercises.yaml
"""

SECTION_YAML = """\
id: "1.1"
title: Vectors
summary: Arrows with a length.
blocks:
  - kind: prose
    text: A vector is an arrow.
  - kind: formula
    text: ‖v‖₂ = √(Σᵢ vᵢ²)
  - kind: callout
    tone: intuition
    title: Length
    text: Pythagoras in n dimensions.
  - kind: code
    title: A norm
    source: |
      print(sum(x * x for x in [3, 4]) ** 0.5)
    output: |
      5.0
"""

EXERCISES_YAML = """\
exercises:
  - id: 1.ex1
    kind: hand
    title: Norm
    section: "1.1"
    statement: Compute the L2 norm of [3, 4].
    answers: reference.ex1
    parts:
      - name: norm
        prompt: The L2 norm
        test: value
    hints:
      - Square, add, take the root.
      - √(9 + 16).
"""

REFERENCE_PY = """\
def ex1(params):
    return {"answers": {"norm": 5}}
"""

LABS_YAML = """\
labs:
  - id: 1.lab1
    title: Timing
    section: "1.1"
    statement: Time a norm.
    steps:
      - title: Time it
        text: Use timeit.
"""


def _write_course(root: Path, broken: dict[str, tuple[str, str]] | None = None) -> Path:
    """A valid one-chapter course under `root`; `broken[file] = (old, new)` edits one file."""
    files = {
        "chapter.yaml": CHAPTER_YAML,
        "sections/1.1.yaml": SECTION_YAML,
        "exercises.yaml": EXERCISES_YAML,
        "labs.yaml": LABS_YAML,
        "reference.py": REFERENCE_PY,
    }
    for name, (old, new) in (broken or {}).items():
        assert old in files[name], f"fixture text {old!r} not in {name}"
        files[name] = files[name].replace(old, new)
    for name, text in files.items():
        path = root / "ch1" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def test_a_valid_fixture_loads(tmp_path: Path) -> None:
    course = load_course(_write_course(tmp_path))
    assert course.ids() == ["1.1", "1.ex1", "1.lab1"]


# (file to break, old text, new text, line the error must name, words it must contain)
BROKEN = [
    pytest.param(
        "sections/1.1.yaml",
        "    text: A vector is an arrow.",
        "    text: A vector: an arrow.",
        6,
        "invalid YAML: mapping values are not allowed",
        id="yaml-syntax-error",
    ),
    pytest.param(
        "sections/1.1.yaml",
        "    title: Length\n",
        "    title: Length\n    colour: blue\n",
        12,
        "unknown key 'colour'",
        id="unknown-key",
    ),
    pytest.param(
        "sections/1.1.yaml",
        "    title: Length\n",
        "",
        9,
        "required key 'title' is missing",
        id="missing-key",
    ),
    pytest.param(
        "sections/1.1.yaml",
        "    tone: intuition",
        "    tone: 3",
        10,
        "blocks[2].tone",
        id="wrong-type",
    ),
    pytest.param(
        "sections/1.1.yaml",
        "    tone: intuition",
        "    tone: joke",
        10,
        "blocks[2].tone",
        id="value-not-allowed",
    ),
    pytest.param(
        "exercises.yaml",
        'section: "1.1"',
        'section: "1.9"',
        5,
        "names section 1.9, which does not exist",
        id="exercise-names-missing-section",
    ),
    pytest.param(
        "labs.yaml",
        'section: "1.1"',
        'section: "1.4"',
        4,
        "1.lab1 names section 1.4",
        id="lab-names-missing-section",
    ),
    pytest.param(
        "exercises.yaml",
        "id: 1.ex1",
        "id: 2.ex1",
        2,
        "2.ex1 does not belong to chapter 1",
        id="exercise-of-another-chapter",
    ),
    pytest.param(
        "chapter.yaml",
        "number: 1",
        "number: one",
        1,
        "number",
        id="chapter-number-not-int",
    ),
]


@pytest.mark.parametrize("file,old,new,line,words", BROKEN)
def test_content_errors_name_the_file_and_line(
    tmp_path: Path, file: str, old: str, new: str, line: int, words: str
) -> None:
    _write_course(tmp_path, {file: (old, new)})
    with pytest.raises(ContentError) as caught:
        load_course(tmp_path)
    path = tmp_path / "ch1" / file
    assert len(caught.value.problems) == 1
    problem = caught.value.problems[0]
    assert problem.startswith(f"{path}:{line}: "), problem
    assert words in problem


def test_a_missing_content_folder_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ContentError, match="no such content folder"):
        load_course(tmp_path / "nowhere")


def test_problems_in_several_files_are_all_reported(tmp_path: Path) -> None:
    _write_course(
        tmp_path,
        {
            "sections/1.1.yaml": ("    tone: intuition", "    tone: joke"),
            "labs.yaml": ("    steps:", "    stairs:"),
        },
    )
    with pytest.raises(ContentError) as caught:
        load_course(tmp_path)
    assert [p.split(":")[0] for p in caught.value.problems] == [
        str(tmp_path / "ch1" / "sections" / "1.1.yaml"),
        str(tmp_path / "ch1" / "labs.yaml"),
    ]


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Keep the CLI's settings and data away from the real user folders."""
    monkeypatch.setenv("TUTOR_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    return tmp_path / "data"


def test_validate_accepts_a_valid_folder(
    tmp_path: Path, data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status = main(["validate", str(_write_course(tmp_path / "course"))])
    out = capsys.readouterr().out
    assert status == 0
    assert "1 examples: 1 ok, 0 failed, 0 skipped" in out


VALIDATE_FAILURES = [
    pytest.param("      5.0\n", "      5\n", "-5\n+5.0", id="wrong-stated-output"),
    pytest.param(
        "print(sum(x * x for x in [3, 4]) ** 0.5)",
        "print(undefined_name)",
        "NameError",
        id="example-raises",
    ),
]


@pytest.mark.parametrize("old,new,says", VALIDATE_FAILURES)
def test_validate_fails_on_a_broken_example_and_names_file_and_line(
    tmp_path: Path,
    data_dir: Path,
    capsys: pytest.CaptureFixture[str],
    old: str,
    new: str,
    says: str,
) -> None:
    root = _write_course(tmp_path / "course", {"sections/1.1.yaml": (old, new)})
    status = main(["validate", str(root)])
    err = capsys.readouterr().err
    assert status == 1
    assert f"FAIL {root / 'ch1' / 'sections' / '1.1.yaml'}:13 (1.1 'A norm')" in err
    assert says in err


def test_validate_reports_schema_problems_with_file_and_line(
    tmp_path: Path, data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = _write_course(
        tmp_path / "course", {"sections/1.1.yaml": ("    tone: intuition", "    tone: joke")}
    )
    assert main(["validate", str(root)]) == 1
    assert f"{root / 'ch1' / 'sections' / '1.1.yaml'}:10:" in capsys.readouterr().err


def test_a_second_chapter_is_just_another_folder(tmp_path: Path) -> None:
    shutil.copytree(
        REPO / "content" / "ch1", tmp_path / "ch1", ignore=shutil.ignore_patterns("__pycache__")
    )
    shutil.copytree(CHAPTER_2, tmp_path / "ch2")
    course = load_course(tmp_path)
    assert [chapter.number for chapter in course.chapters] == [1, 2]
    assert [s.id for s in course.sections()][-2:] == ["1.8", "2.1"]
    chapter, exercise = course.find("2.ex1")
    assert chapter.number == 2 and exercise.section == "2.1"
    assert [item.id for item in chapter.items_in("2.1")] == ["2.lab1", "2.ex1", "2.ex2"]
    assert course.ids()[-4:] == ["2.1", "2.ex1", "2.ex2", "2.lab1"]


def test_the_second_chapter_fixture_validates(
    tmp_path: Path, data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    shutil.copytree(CHAPTER_2, tmp_path / "course" / "ch2")
    assert main(["validate", str(tmp_path / "course")]) == 0
    assert "1 chapter(s), 4 items; 1 examples: 1 ok" in capsys.readouterr().out


def test_the_wheel_ships_the_course_data(tmp_path: Path) -> None:
    source = tmp_path / "src"
    source.mkdir()
    # Build from a copy: an in-tree build would write build/ into the working tree.
    for name in ["pyproject.toml", "README.md", "tutor", "checkers", "progress", "content"]:
        if (REPO / name).is_dir():
            shutil.copytree(
                REPO / name, source / name, ignore=shutil.ignore_patterns("__pycache__")
            )
        elif (REPO / name).is_file():
            shutil.copy2(REPO / name, source / name)
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            ".",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(tmp_path),
        ],
        cwd=source,
        check=True,
        capture_output=True,
    )
    (wheel,) = tmp_path.glob("*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    expected = {
        "content/ch1/chapter.yaml",
        "content/ch1/hand_exercises.yaml",
        "content/ch1/code_exercises.yaml",
        "content/ch1/labs.yaml",
        *(f"content/ch1/sections/1.{n}.yaml" for n in range(1, 9)),
    }
    assert expected <= names, sorted(expected - names)
