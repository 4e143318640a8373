"""Chapter 1 Code Labs: graders accept the solutions and name typical mistakes; timing verdicts and
detectors; the offline data sources (GPT-2 cache reader, stand-ins, generated image)."""

from __future__ import annotations

import json
import re
import struct
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from tests.content.test_code_exercises import SOLUTIONS
from tutor.course.loader import Chapter


@pytest.fixture(scope="module")
def labs(chapter: Chapter) -> Any:
    """The trusted labs module, as the chapter loader imports it."""
    return chapter.module("labs")


@pytest.fixture(scope="module")
def data(labs: Any) -> Any:
    return labs.data


def test_each_lab_has_three_wrong_solutions_and_entries_in_its_steps(chapter: Chapter) -> None:
    for lab in chapter.labs:
        assert len(list((SOLUTIONS / lab.id).glob("wrong_*.py"))) >= 3, lab.id
        assert lab.entry and lab.grader.startswith("labs.grade_")
        assert all(
            f"def {name}(" in lab.starter and f"def {name}(" in lab.solution for name in lab.entry
        )


def test_a_step_called_a_challenge_is_optional(chapter: Chapter) -> None:
    """The README and Lab 1.3 say a challenge never decides whether a lab is solved: a step titled
    "Challenge" whose functions are required would fail a learner who took the title at its word."""
    for lab in chapter.labs:
        for step in lab.steps:
            if step.title.lower().startswith("challenge") and step.entry:
                assert step.challenge, (
                    f"{lab.id}: {step.title!r} is required but called a challenge"
                )


CPU_CASES = [
    (0.05, 0.05, True, "1.00×"),
    (0.2, 0.05, True, ""),
    (50.0, 0.05, False, "milliseconds"),
    (0.9, 0.05, False, "total over all repetitions"),
    (0.001, 0.05, False, "impossibly fast"),
    (-1.0, 0.05, False, "positive number of seconds"),
    (None, 0.05, False, "positive number of seconds"),
]


@pytest.mark.parametrize(("learner", "trusted", "ok", "fragment"), CPU_CASES)
def test_cpu_timing_verdicts(
    labs: Any, learner: float | None, trusted: float, ok: bool, fragment: str
) -> None:
    verdict, text = labs.judge_cpu_time(1024, learner, trusted)
    assert verdict is ok
    assert fragment in text


def _cpu_check(
    labs: Any, monkeypatch: pytest.MonkeyPatch, answers: list[Any], trusted: float
) -> tuple[Any, list[str]]:
    """Lab 1.2's CPU timing test with the learner's timer answering `answers` in turn and the
    trusted timer `trusted` seconds; also what ran, in order."""
    from checkers.grading.calls import KernelRun, Outcome

    ran: list[str] = []

    def learner(harness: Any, function: str, args: tuple[Any, ...], kwargs: Any) -> Outcome:
        ran.append(f"{function}{args}")
        answer = answers.pop(0)
        if isinstance(answer, str):
            return Outcome(error=answer, kind="error")
        return Outcome(answer, "", "number", "float")

    def trusted_run(harness: Any, **run: Any) -> KernelRun:
        assert not run["load_learner"], "the trusted timer never shares a kernel with learner code"
        ran.extend(f"trusted{args}" for _, args in run["calls"])
        return KernelRun([trusted])

    monkeypatch.setattr(labs, "invoke", learner)
    monkeypatch.setattr(labs.calls, "fresh_kernel_run", trusted_run)
    return labs.cpu_timing_test(object()), ran


def test_a_right_cpu_timer_is_called_once_before_the_trusted_timer(
    labs: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    result, ran = _cpu_check(labs, monkeypatch, [0.014], 0.013)
    assert result.passed and "1.08×" in result.message
    n = labs.CPU_N
    assert ran == [
        f"time_matmul({n},)",
        f"trusted({n}, 'cpu', {labs.CPU_TRUSTED_REPS}, {labs.CPU_TRUSTED_WARMUP})",
    ]


@pytest.mark.parametrize(
    ("answers", "ok", "fragment", "calls"),
    [
        ([0.5, 0.015], True, "1.15×", 2),  # a disturbed first run: the second answer counts
        ([0.5, 0.4], False, "total over all repetitions", 2),  # 25 runs summed, twice
        ([14.0, 13.5], False, "milliseconds", 2),
        ([2e-7], False, "impossibly fast", 1),  # the multiply outside the timed region
        ([-0.01], False, "positive number of seconds", 1),
        ([None], False, "positive number of seconds", 1),
        (["NameError: torch is not defined"], False, "NameError", 1),
        ([0.5, "TimeoutError: took too long"], False, "TimeoutError", 2),
    ],
)
def test_wrong_cpu_timers_are_caught_with_one_call_or_two(
    labs: Any,
    monkeypatch: pytest.MonkeyPatch,
    answers: list[Any],
    ok: bool,
    fragment: str,
    calls: int,
) -> None:
    result, ran = _cpu_check(labs, monkeypatch, list(answers), 0.013)
    assert result.passed is ok and fragment in result.message, result
    learner_calls = [call for call in ran if call.startswith("time_matmul")]
    assert len(learner_calls) == calls, ran
    if calls == 2:
        assert ran[1].startswith("trusted"), "the second call is made after the trusted run"


CUDA_CASES = [
    # learner seconds, trusted seconds, busy at return, first call: expected verdicts by test name
    (
        {2048: 4e-4, 4096: 3.1e-3},
        {2048: 3.5e-4, 4096: 2.8e-3},
        False,
        4e-4,
        {"synchronize": True, "n=2048": True, "n=4096": True},
        "close to steady state",
    ),
    (
        {2048: 1.2e-5, 4096: 1.3e-5},
        {2048: 3.5e-4, 4096: 2.8e-3},
        True,
        2e-5,
        {"synchronize": False, "n=2048": False, "n=4096": False},
        "torch.cuda.synchronize()",
    ),
    (
        {2048: 4e-4, 4096: 3.1e-3},
        {2048: 3.5e-4, 4096: 2.8e-3},
        False,
        0.45,
        {"synchronize": True, "warm-up": True},
        "included CUDA/cuBLAS start-up",
    ),
    (
        {2048: 4e-3, 4096: 3e-2},
        {2048: 3.5e-4, 4096: 2.8e-3},
        False,
        4e-3,
        {"n=2048": False},
        "too slow",
    ),
]


@pytest.mark.parametrize(
    ("learner", "trusted", "busy", "first", "verdicts", "fragment"), CUDA_CASES
)
def test_cuda_timing_detectors(
    labs: Any,
    learner: dict[int, float],
    trusted: dict[int, float],
    busy: bool,
    first: float,
    verdicts: dict[str, bool],
    fragment: str,
) -> None:
    rows = labs.judge_cuda_times(learner, trusted, busy, first)
    for key, expected in verdicts.items():
        row = next(r for r in rows if key in r[0])
        assert row[1] is expected, row
    assert any(fragment in text for _, _, text in rows), rows


def test_every_lab_declares_a_plan_whose_steps_emit_declared_rows(chapter: Chapter) -> None:
    from checkers.grading.measure import LabInputs

    for lab in chapter.labs:
        assert lab.measure is not None, lab.id
        inputs = chapter.reference(lab.measure.inputs)() if lab.measure.inputs else LabInputs()
        steps = chapter.reference(lab.measure.plan)(inputs)
        declared = {result.rows for result in lab.measure.results}
        assert steps and all(step.title and step.work > 0 for step in steps), lab.id
        emitted = set()
        for step in steps:
            compile(step.code, step.title, "exec")
            emitted |= {
                block
                for block in declared
                if f"'{block}'" in step.code or f'"{block}"' in step.code
            }
        assert emitted == declared, (lab.id, declared - emitted)


def test_row_lines_need_the_runs_nonce_and_are_bounded() -> None:
    from checkers.grading.measure import MAX_ROW_CHARS, parse_row

    row = parse_row('@@lab abc {"table": "x", "v": NaN}', "abc")
    assert row is not None and row["table"] == "x"
    assert parse_row('@@lab abc {"table": "x"}', "other") is None, (
        "a learner's print cannot forge a row"
    )
    assert parse_row("@@lab abc not json", "abc") is None
    assert parse_row('@@lab abc ["table"]', "abc") is None
    assert parse_row('@@lab abc {"table": 3}', "abc") is None
    assert parse_row("@@lab abc " + "[" * 100000, "abc") is None
    assert parse_row('@@lab abc {"table": "x", "s": "' + "a" * MAX_ROW_CHARS + '"}', "abc") is None
    assert parse_row("print output", "abc") is None


def test_lab_texts_match_the_data_in_use(chapter: Chapter) -> None:
    """Lab 1.3 names both samples and how k = 100 is handled; Lab 1.4 says why k stops at 96."""
    labs = chapter.module("measurements")
    pca = next(lab for lab in chapter.labs if lab.id == "1.lab3")
    text = " ".join(step.text for step in pca.steps)
    assert "5,000 × 768" in text and "3,000 × 64" in text and "only 64 components" in text
    assert labs.explained_ks(3000, 64) == [1, 2, 10, 50, 64]
    assert labs.explained_ks(5000, 768) == [1, 2, 10, 50, 100]
    inputs = labs.inputs_lab3()
    rows, dims = inputs.arrays["E"].shape
    assert f"{rows}×{dims}" in inputs.source
    assert ("not 100" in inputs.source) == (dims < 100)
    svd = next(lab for lab in chapter.labs if lab.id == "1.lab4")
    assert "the last k is 96" in " ".join(step.text for step in svd.steps)
    assert labs.error_ks(96, 128) == [1, 2, 5, 10, 20, 50, 96]
    assert labs.error_ks(200, 300) == [1, 2, 5, 10, 20, 50, 100, 200]
    assert "k stops there" in labs.inputs_lab4().source


def _write_safetensors(path: Path, tensors: dict[str, np.ndarray]) -> None:
    header: dict[str, Any] = {}
    blobs, offset = [], 0
    for name, array in tensors.items():
        raw = np.ascontiguousarray(array, dtype="<f4").tobytes()
        header[name] = {
            "dtype": "F32",
            "shape": list(array.shape),
            "data_offsets": [offset, offset + len(raw)],
        }
        blobs.append(raw)
        offset += len(raw)
    text = json.dumps(header).encode()
    path.write_bytes(struct.pack("<Q", len(text)) + text + b"".join(blobs))


def test_gpt2_is_read_from_a_local_cache_without_downloading(data: Any, tmp_path: Path) -> None:
    snapshot = tmp_path / "hub" / "models--gpt2" / "snapshots" / "abc123"
    snapshot.mkdir(parents=True)
    weight = np.arange(12, dtype=np.float32).reshape(3, 4)
    _write_safetensors(
        snapshot / "model.safetensors", {"wte.weight": weight, "h.0.mlp.c_fc.weight": weight.T}
    )
    found = data.find_gpt2([tmp_path / "hub"])
    assert found == snapshot / "model.safetensors"
    assert np.array_equal(
        data.read_safetensor(found, ("transformer.wte.weight", "wte.weight")), weight
    )
    with pytest.raises(KeyError):
        data.read_safetensor(found, ("lm_head.weight",))
    assert data.find_gpt2([tmp_path / "empty"]) is None


def test_stand_ins_are_deterministic_and_say_so(data: Any) -> None:
    weight, source = data.linear_weight()
    if not source.real:
        assert np.array_equal(weight, data.stand_in_weight())
        assert "no GPT-2" in source.detail
        s = np.linalg.svd(weight, compute_uv=False)
        assert s[0] / s[-1] > 10  # a decaying spectrum, like trained layers
    table, words, source = data.embeddings()
    assert len(words) == 100 and table.shape[0] >= 100
    image = data.test_image()
    assert image.shape == (96, 128) and 0 <= image.min() and image.max() <= 1
    assert np.array_equal(image, data.test_image.__wrapped__())


def test_cached_gpt2_weights_are_used_and_named(
    data: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    snapshot = tmp_path / "hub" / "models--openai-community--gpt2" / "snapshots" / "rev"
    snapshot.mkdir(parents=True)
    rng = np.random.default_rng(0)
    wte, layer = rng.standard_normal((300, 8)), rng.standard_normal((8, 32))
    _write_safetensors(
        snapshot / "model.safetensors", {"wte.weight": wte, "h.0.mlp.c_fc.weight": layer}
    )
    (snapshot / "vocab.json").write_text(
        json.dumps({"Ġthe": 5, "Ġof": 7, "hello": 1}), encoding="utf-8"
    )
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "hub"))
    data.linear_weight.cache_clear()
    data.embeddings.cache_clear()
    try:
        weight, source = data.linear_weight()
        assert source.real and "GPT-2" in source.label and weight.shape == (8, 32)
        table, words, source = data.embeddings()
        assert source.real and words == ["the", "of"] and table.shape == (300, 8)
        assert np.allclose(table[:2], wte[[5, 7]], atol=1e-6)
    finally:
        data.linear_weight.cache_clear()
        data.embeddings.cache_clear()


@pytest.mark.skipif(
    any(Path("/dev").glob("nvidia[0-9]*")), reason="this machine has an NVIDIA driver"
)
def test_without_a_gpu_the_cuda_checks_are_skipped_not_failed(labs: Any) -> None:
    rows = labs._cuda_tests(harness=None)
    assert [(row.name, row.status, row.passed) for row in rows] == [
        ("CUDA timing", "skipped", False)
    ]
    assert "no CUDA device" in rows[0].message


def test_show_says_which_data_a_lab_uses(
    tutor_env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from tutor.cli import main

    assert main(["show", "1.lab3"]) == 0
    shown = " ".join(capsys.readouterr().out.split())
    assert re.search(
        r"Data in use: (GPT-2 token embeddings|stand-in embeddings) \(.*\d+×\d+", shown
    ), shown
    assert main(["show", "1.lab4"]) == 0
    shown = " ".join(capsys.readouterr().out.split())
    assert "Data in use: a generated 96×128 greyscale test card" in shown


@pytest.mark.slow
@pytest.mark.skipif(
    any(Path("/dev").glob("nvidia[0-9]*")), reason="this machine has an NVIDIA driver"
)
def test_check_of_lab2_without_cuda_reads_skip_in_text_and_json(
    tutor_env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from tutor.cli import main

    good = str(SOLUTIONS / "1.lab2" / "good.py")
    assert main(["check", "1.lab2", "--file", good, "--no-record"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert "SKIP  CUDA timing" in lines and not any("PASS  CUDA" in line for line in lines)
    assert main(["check", "1.lab2", "--file", good, "--no-record", "--json"]) == 0
    tests = json.loads(capsys.readouterr().out)["tests"]
    cuda = [test for test in tests if test["name"] == "CUDA timing"]
    assert cuda == [{**cuda[0], "status": "skipped", "passed": None}]
    assert all(test["status"] == "passed" for test in tests if test["name"] != "CUDA timing")


def test_a_lab_screen_warms_the_very_kernels_a_check_and_f4_take(
    chapter: Chapter, tutor_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import checkers.kernel
    from checkers.grading.calls import trusted_config
    from tutor.practice import lab as practice
    from tutor.practice.code import kernel_config
    from tutor.settings import load_settings

    warmed: list[Any] = []
    monkeypatch.setattr(checkers.kernel, "prewarm", warmed.append)
    settings = load_settings(config_file=tutor_env / "none.toml")
    item = next(lab for lab in chapter.labs if lab.id == "1.lab2")
    practice.prewarm(settings, item)
    grading = kernel_config(settings, torch=True, standby=False)
    import checkers.grading
    from checkers.grading import GradeReport
    from tutor.practice.code import grade_file

    used: list[Any] = []

    def fake_grade(*args: Any, config: Any, **kwargs: Any) -> GradeReport:
        used.append(config)
        return GradeReport([])

    monkeypatch.setattr(checkers.grading, "grade", fake_grade)
    grade_file(chapter, item, SOLUTIONS / "1.lab2" / "good.py", settings)
    assert used == [grading], "the app's check of a lab takes the warmed config, starting no spare"
    assert warmed[:2] == [grading, trusted_config(grading)], "the check and its trusted timer"
    assert practice.measure_config(settings, item) in warmed, "F4"
    assert len(set(warmed)) == len(warmed), "one spare per config"
    if not any(Path("/dev").glob("nvidia[0-9]*")):
        assert len(warmed) == 2, "without CUDA, F4 takes the check's spare: no third kernel"
