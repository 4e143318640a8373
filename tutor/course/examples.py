"""Run the course's code examples in subprocesses and compare their stdout with the stated one."""

from __future__ import annotations

import difflib
import importlib.util
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from tutor.course.loader import Course, locate
from tutor.course.schema import CodeExample

EXAMPLE_TIMEOUT_S = 120.0


@dataclass(frozen=True)
class ExampleResult:
    """What happened when one example ran."""

    where: str
    """Section ID and example title."""
    status: str
    """`ok`, `failed` or `skipped`."""
    message: str = ""


def _normalise(text: str) -> str:
    return "\n".join(line.rstrip() for line in text.strip("\n").splitlines())


def missing_requirements(example: CodeExample) -> list[str]:
    """Packages the example needs that this interpreter cannot import."""
    return [name for name in example.requires if importlib.util.find_spec(name) is None]


def run_example(example: CodeExample, where: str) -> ExampleResult:
    """Run one example with this interpreter; `failed` if it errors or prints something else."""
    missing = missing_requirements(example)
    if missing:
        return ExampleResult(where, "skipped", f"needs {', '.join(missing)}, not installed")
    env = {**os.environ, "PYTHONHASHSEED": "0", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
    try:
        done = subprocess.run(
            [sys.executable, "-I", "-c", example.source],
            capture_output=True,
            text=True,
            timeout=EXAMPLE_TIMEOUT_S,
            env=env,
            stdin=subprocess.DEVNULL,
        )
    except subprocess.TimeoutExpired:
        return ExampleResult(where, "failed", f"did not finish in {EXAMPLE_TIMEOUT_S:.0f} s")
    if done.returncode != 0:
        tail = done.stderr.strip().splitlines()[-1:] or ["(no message)"]
        return ExampleResult(where, "failed", f"exited with status {done.returncode}: {tail[0]}")
    if example.output is not None and _normalise(done.stdout) != _normalise(example.output):
        return ExampleResult(
            where,
            "failed",
            "printed something other than its stated output:\n"
            + _diff(example.output, done.stdout),
        )
    return ExampleResult(where, "ok")


def _diff(stated: str, printed: str) -> str:
    """A unified diff of the stated output against what was printed, line by line."""
    lines = difflib.unified_diff(
        _normalise(stated).splitlines(),
        _normalise(printed).splitlines(),
        "stated",
        "printed",
        lineterm="",
    )
    return "\n".join(lines)


def examples_in(course: Course) -> list[tuple[CodeExample, str]]:
    """Every code example in reading order, each with where it is: `file:line (ID 'title')`."""
    found: list[tuple[CodeExample, str]] = []
    for chapter in course.chapters:
        for name, section in zip(chapter.meta.sections, chapter.sections):
            for index, block in enumerate(section.blocks):
                if isinstance(block, CodeExample):
                    place = locate(chapter.folder / name, ("blocks", index))
                    found.append((block, f"{place} ({section.id} {block.title!r})"))
    return found


def run_all_examples(course: Course, workers: int = 2) -> list[ExampleResult]:
    """Run every example of every section, a few at a time, in reading order."""
    jobs = examples_in(course)
    with ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(lambda job: run_example(*job), jobs))
