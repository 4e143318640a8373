"""`tutor check` and `tutor show` for hand exercises: exit codes, JSON contract, recording."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tutor.cli import main


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_correct_answer_exits_0_with_the_json_contract(
    tutor_env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = _run(capsys, "check", "1.ex11", "--answer", "3, 1", "--json")
    assert code == 0
    data = json.loads(out)
    assert set(data) == {
        "id",
        "variant",
        "correct",
        "parts",
        "tests",
        "feedback",
        "rating",
        "due",
        "rating_name",
        "attempt",
        "showing",
        "attempt_in_showing",
        "schedule_changed",
        "was_due",
        "lapse",
        "leech",
        "next_review",
    }
    assert data["id"] == "1.ex11" and data["variant"] == 0 and data["correct"] is True
    assert data["parts"] == [
        {"name": "eigenvalues", "correct": True, "feedback": "", "read_as": "3, 1"}
    ]
    assert data["tests"] == []
    assert data["rating"] == 3 and data["rating_name"] == "Good"
    assert data["showing"] == data["attempt"] and data["attempt_in_showing"] == 1
    assert data["schedule_changed"] is True and data["was_due"] is True
    assert data["due"].startswith("20")


def test_wrong_answer_exits_1_with_feedback(
    tutor_env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = _run(
        capsys,
        "check",
        "1.ex1",
        "--answer",
        "3",
        "--answer",
        "63.43",
        "--answer",
        "a = [1, 2], b = [3, 0]",
        "--json",
        "--no-record",
    )
    assert code == 1
    data = json.loads(out)
    assert "rating" not in data and "due" not in data
    assert [part["correct"] for part in data["parts"]] == [True, False, True]
    assert "add the unit" in data["parts"][1]["feedback"]


def test_unreadable_answer_exits_2(tutor_env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, "check", "1.ex6", "--answer", "[[1,2],[3,4]", "--no-record")
    assert code == 2
    assert "Could not read your answer" in out


def test_wrong_number_of_answers_names_the_parts(
    tutor_env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = _run(capsys, "check", "1.ex2", "--answer", "14")
    assert code == 2
    assert "5 parts (l1, l2, linf, largest, smallest)" in err


def test_variant_answers_are_checked_against_the_variant(
    tutor_env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = _run(capsys, "show", "1.ex10", "--variant", "4", "--json")
    assert code == 0
    shown = json.loads(out)
    assert shown["variant"] == 4 and [p["name"] for p in shown["parts"]] == [
        "hadamard",
        "product",
        "c",
    ]
    a, b = shown["params"]["A"], shown["params"]["B"]
    assert shown["prompt"].startswith(f"For A={json.dumps(a).replace(' ', '')}")
    product = [[sum(a[i][k] * b[k][j] for k in range(2)) for j in range(2)] for i in range(2)]
    hadamard = [[a[i][j] * b[i][j] for j in range(2)] for i in range(2)]
    code, out, _ = _run(
        capsys,
        "check",
        "1.ex10",
        "--variant",
        "4",
        "--answer",
        json.dumps(hadamard),
        "--answer",
        json.dumps(product),
        "--answer",
        str(b[0][0]),
        "--json",
        "--no-record",
    )
    assert code == 0, out
    code, _, _ = _run(
        capsys,
        "check",
        "1.ex10",
        "--answer",
        json.dumps(hadamard),
        "--answer",
        json.dumps(product),
        "--answer",
        str(b[0][0]),
        "--no-record",
    )
    assert code == 1


def test_show_variant_zero_is_the_chapter_statement(
    tutor_env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = _run(capsys, "show", "1.ex11", "--json")
    assert code == 0
    data = json.loads(out)
    assert data["prompt"] == "Find eigenvalues of [[2,1],[1,2]] by solving det(A-λI)=0."
    assert data["params"] == {"A": [[2, 1], [1, 2]]}


def test_text_output_shows_read_as_rating_and_solution(
    tutor_env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = _run(
        capsys, "check", "1.ex12", "--answer", "5", "--answer", "[2,1]/√5", "--answer", "[1,2]/√5"
    )
    assert code == 0
    assert "✓ u1: read as [2, 1]/√5" in out
    assert "Rated" in out and "Worked solution" in out


def test_a_file_is_refused_for_a_hand_exercise(
    tutor_env: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "x.py"
    path.write_text("x = 1\n")
    code, _, err = _run(capsys, "check", "1.ex1", "--file", str(path))
    assert code == 2 and "--answer" in err


def test_show_lists_a_labs_required_functions_and_its_optional_challenge(
    tutor_env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = _run(capsys, "show", "1.lab3")
    assert code == 0
    assert "Write: pca_2d, explained_variance" in out and "Optional challenge: pca_2d_power" in out
    code, out, _ = _run(capsys, "show", "1.lab3", "--json")
    assert json.loads(out)["entry"] == ["pca_2d", "explained_variance"]


@pytest.mark.parametrize(
    ("exercise", "answers", "message"),
    [
        ("1.ex7", ["a/a"], "unknown symbol a"),
        ("1.ex6", ["[[1,2],[3,4]]·[[5,6],[7,8]]"], "only restates the question"),
        (
            "1.ex1",
            ["3", "acos 1/√5", "a = [1, 2], b = [3, 0]"],
            "put brackets around what acos applies to",
        ),
        ("1.ex2", ["14", "sqrt(54)", "5", "the first one", "L∞"], "answer with one of"),
    ],
)
def test_letters_words_and_restatements_exit_2_and_record_nothing(
    tutor_env: Path,
    capsys: pytest.CaptureFixture[str],
    exercise: str,
    answers: list[str],
    message: str,
) -> None:
    argv = ["check", exercise]
    for answer in answers:
        argv += ["--answer", answer]
    code, out, _ = _run(capsys, *argv)
    assert code == 2
    assert message in out
    assert "Rated" not in out
    code, out, _ = _run(capsys, "stats", "--json")
    assert code == 0 and json.loads(out)["attempts"] == 0


def test_rounding_policy_at_the_cli(tutor_env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(
        capsys,
        "check",
        "1.ex12",
        "--answer",
        "5.004",
        "--answer",
        "[0.894, 0.447]",
        "--answer",
        "[0.447, 0.894]",
        "--no-record",
    )
    assert code == 1
    assert "Close — check the rounding" in out
    assert "(Numbers: exact, or a decimal correctly rounded to ≥ 3 significant figures.)" in out
    code, _, _ = _run(
        capsys,
        "check",
        "1.ex1",
        "--answer",
        "3",
        "--answer",
        "1.11",
        "--answer",
        "a = [1, 2], b = [3, 0]",
        "--no-record",
    )
    assert code == 0


def test_show_states_the_policy(tutor_env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, "show", "1.ex2", "--json")
    assert code == 0
    policies = [part["policy"] for part in json.loads(out)["parts"]]
    assert policies[:3] == [policies[0]] * 3 and policies[0] and policies[3:] == ["", ""]


@pytest.mark.parametrize(
    ("item", "text"),
    [
        ("1.ex8", "A = [[a,b],[c,d]] and B = [[e,f],[g,h]]"),
        ("1.ex1", "or type a = [x, y], b = [x, y]"),
        ("1.ex6", "([[p, q], [r, s]] or [p q; r s], with numbers)"),
    ],
)
def test_show_prints_bracketed_prompt_text_as_written(
    tutor_env: Path, capsys: pytest.CaptureFixture[str], item: str, text: str
) -> None:
    """Brackets in a prompt are the maths the learner needs (1.ex8's A and B), not Rich markup."""
    code, out, _ = _run(capsys, "show", item)
    assert code == 0
    assert text in " ".join(out.split())


def test_show_wraps_a_numbered_part_under_its_own_text(
    tutor_env: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A long part prompt continues under its text, so the numbers stand out at 80 columns."""
    monkeypatch.setenv("COLUMNS", "80")
    code, out, _ = _run(capsys, "show", "1.ex1")
    assert code == 0
    lines = out.splitlines()
    third = next(i for i, line in enumerate(lines) if line.startswith("  3. Draw a and b"))
    assert lines[third + 1].startswith("     ") and lines[third + 1].strip().startswith("vector")
