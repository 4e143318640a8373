"""Run the course's code examples and table checks in subprocesses; compare what they print."""

from __future__ import annotations

import difflib
import importlib.util
import json
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from tutor.course.loader import Course, locate
from tutor.course.schema import CodeExample, Table

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


def missing_requirements(example: CodeExample | Table) -> list[str]:
    """Packages the example needs that this interpreter cannot import."""
    return [name for name in example.requires if importlib.util.find_spec(name) is None]


def _python(source: str) -> subprocess.CompletedProcess[str]:
    """Run `source` in a fresh, isolated interpreter (TimeoutExpired past EXAMPLE_TIMEOUT_S)."""
    env = {**os.environ, "PYTHONHASHSEED": "0", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
    return subprocess.run(
        [sys.executable, "-I", "-c", source],
        capture_output=True,
        text=True,
        timeout=EXAMPLE_TIMEOUT_S,
        env=env,
        stdin=subprocess.DEVNULL,
    )


def run_example(example: CodeExample, where: str) -> ExampleResult:
    """Run one example with this interpreter; `failed` if it errors or prints something else."""
    missing = missing_requirements(example)
    if missing:
        return ExampleResult(where, "skipped", f"needs {', '.join(missing)}, not installed")
    try:
        done = _python(example.source)
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
        for name, section in zip(chapter.meta.sections, chapter.sections, strict=False):
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


_TABLE_RUNNER = """
import json, sys
setup, checks = json.loads({payload!r})
names = {{"__name__": "__table__"}}
exec(compile(setup, "<setup>", "exec"), names)
for number, check in enumerate(checks):
    try:
        exec(compile(check, "<row>", "exec"), dict(names))
    except BaseException as exc:
        print(json.dumps([number, f"{{type(exc).__name__}}: {{exc}}".strip()]))
"""


def run_table_checks(table: Table, rows: list[str]) -> list[ExampleResult]:
    """Run a table's setup and each row's check in one subprocess; one result per row.

    `rows` are the rows' locations (`file:line`); a row that raises is `failed` with the error."""
    missing = missing_requirements(table)
    if missing:
        why = f"needs {', '.join(missing)}, not installed"
        return [ExampleResult(where, "skipped", why) for where in rows]
    payload = json.dumps([table.setup, table.checks])
    try:
        done = _python(_TABLE_RUNNER.format(payload=payload))
    except subprocess.TimeoutExpired:
        why = f"the checks did not finish in {EXAMPLE_TIMEOUT_S:.0f} s"
        return [ExampleResult(where, "failed", why) for where in rows]
    if done.returncode != 0:
        tail = done.stderr.strip().splitlines()[-1:] or ["(no message)"]
        why = f"the table's setup failed: {tail[0]}"
        return [ExampleResult(where, "failed", why) for where in rows]
    failures: dict[int, str] = {}
    for line in done.stdout.splitlines():
        try:
            number, message = json.loads(line)
        except (ValueError, TypeError):
            continue  # a check that prints is allowed; only the runner's lines are JSON pairs
        failures[int(number)] = message
    return [
        ExampleResult(where, "failed", failures[i]) if i in failures else ExampleResult(where, "ok")
        for i, where in enumerate(rows)
    ]


def tables_in(course: Course) -> list[tuple[Table, list[str]]]:
    """Every table with checks, each with its rows' locations `file:line (ID 'title' row N)`."""
    found: list[tuple[Table, list[str]]] = []
    for chapter in course.chapters:
        for name, section in zip(chapter.meta.sections, chapter.sections, strict=False):
            for index, block in enumerate(section.blocks):
                if isinstance(block, Table) and block.checks:
                    path = chapter.folder / name
                    rows = [
                        f"{locate(path, ('blocks', index, 'rows', r))} "
                        f"({section.id} {block.title!r} row {r + 1})"
                        for r in range(len(block.rows))
                    ]
                    found.append((block, rows))
    return found


def run_all_tables(course: Course, workers: int = 2) -> list[ExampleResult]:
    """Run every table's row checks, a table per subprocess, in reading order."""
    jobs = tables_in(course)
    with ThreadPoolExecutor(max_workers=workers) as pool:
        return [
            result
            for results in pool.map(lambda job: run_table_checks(*job), jobs)
            for result in results
        ]


def run_all_figures(course: Course) -> list[ExampleResult]:
    """Compute and draw every figure at a few widths, in reading order; one result per figure."""
    from tutor.course.schema import Figure
    from tutor.figures import check_figure

    results: list[ExampleResult] = []
    for chapter in course.chapters:
        for name, section in zip(chapter.meta.sections, chapter.sections, strict=False):
            for index, block in enumerate(section.blocks):
                if isinstance(block, Figure):
                    place = locate(chapter.folder / name, ("blocks", index))
                    where = f"{place} ({section.id} {block.title!r})"
                    problems = check_figure(block)
                    status = "failed" if problems else "ok"
                    results.append(ExampleResult(where, status, "; ".join(problems)))
    return results
