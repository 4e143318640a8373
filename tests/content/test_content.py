"""The shipped chapter 1: structure, every code example's stated output, exercises and labs."""

from __future__ import annotations

import pytest

from tutor.course.examples import (
    ExampleResult,
    examples_in,
    run_example,
    run_table_checks,
    tables_in,
)
from tutor.course.exercise_schema import CodeExercise, HandExercise
from tutor.course.loader import Course, load_course
from tutor.course.schema import Callout, CodeExample, Definition, Formula, Prose, Section, Table

# One worker runs this module (every example and table row runs once in a module fixture):
# split across workers, each would pay for it.
pytestmark = pytest.mark.xdist_group("content-examples")

COURSE = load_course()
EXAMPLES = examples_in(COURSE)
MAX_CODE_LINE = 72

# Exercise N of the seed chapter, word for word.
SEED_STATEMENTS = {
    "1.ex1": "Draw vectors a=[1,2] and b=[3,0] on a grid. Compute their dot product and find the "
    "angle between them.",
    "1.ex2": "Compute L1, L2, and L∞ norms of v=[3,-4,0,5,-2]. Which is largest? Which smallest?",
    "1.ex3": "Normalize v=[1,1,1,1] to a unit vector. Verify its L2 norm is 1.",
    "1.ex4": "Compute cosine similarity between a=[1,0,1] and b=[0,1,1]. Interpret geometrically.",
    "1.ex5": "Project u=[4,3] onto the x-axis direction [1,0]. What is the perpendicular "
    "component?",
    "1.ex6": "By hand, compute AB where A=[[1,2],[3,4]] and B=[[5,6],[7,8]].",
    "1.ex7": "What is the rank of [[1,2,3],[2,4,6],[3,6,9]]? Why?",
    "1.ex8": "Show that (AB)ᵀ = BᵀAᵀ for 2×2 matrices A and B.",
    "1.ex9": "Prove that WᵀW is always symmetric.",
    "1.ex10": "For A=[[1,2],[3,4]] and B=[[5,0],[0,5]], compute both A⊙B and AB. What do you "
    "notice about AB?",
    "1.ex11": "Find eigenvalues of [[2,1],[1,2]] by solving det(A-λI)=0.",
    "1.ex12": "SVD-decompose the rank-1 matrix [[2,4],[1,2]] (hint: it has only one nonzero "
    "singular value).",
    "1.ex13": "Create a (100,4) matrix of random activations. Subtract the mean of each of the 4 "
    "columns in a single line of NumPy.",
    "1.ex14": "Embed 10 random “words” as 8-dimensional vectors. Build a cosine similarity "
    "matrix. Find the most similar pair.",
    "1.ex15": "Generate 500 points with covariance [[4,2],[2,1]]. Run PCA. Verify the first "
    "principal component aligns with [0.894, 0.447].",
    "1.ex16": "Compress a 256×256 random matrix with k=10,50. Report error and compression ratio.",
    "1.ex17": "Implement batched matrix multiply (B,N,M) × (B,M,K) → (B,N,K) using einsum. "
    "Verify against torch.bmm.",
    "1.ex18": "Create a random gradient tensor of shape (768, 3072). Compute its L2 norm. Clip it "
    "to max_norm=1.0 in one line.",
    "1.ex19": "Load any pretrained nn.Linear layer. Compute the SVD of its weight. Plot singular "
    "values. How many are needed to capture 90% of energy?",
    "1.ex20": "Implement the power iteration algorithm to find the largest eigenvalue of a 100×100 "
    "random symmetric matrix. Compare to np.linalg.eigvalsh.",
}

# Code Lab 1.N of the seed: its title and the section it belongs to.
SEED_LABS = {
    "1.lab1": ("Norm Profiling", "1.1"),
    "1.lab2": ("The Speed of Matrix Multiply", "1.3"),
    "1.lab3": ("PCA on Embeddings", "1.5"),
    "1.lab4": ("SVD Image Compression", "1.6"),
}

# Words each section must teach (a topic missing from the syllabus fails here).
SECTION_TOPICS = {
    "1.1": ["scalar", "vector", "‖v‖₁", "‖v‖₂", "‖v‖∞", "unit vector", "cosine"],
    "1.2": ["dot product", "‖a‖₂ ‖b‖₂ cos θ", "projection", "attention", "√d"],
    "1.3": [
        "Wx",
        "composition",
        "transpose",
        "Gram",
        "identity",
        "rank",
        "LoRA",
        "589,824",
        "12,288",
    ],
    "1.4": ["Hadamard", "outer product", "broadcasting", "keepdims"],
    "1.5": ["eigenvector", "eigenvalue", "det(A − λI)", "PCA", "covariance"],
    "1.6": ["A = UΣVᵀ", "Eckart–Young", "stable rank", "effective rank", "spectral norm", "90 %"],
    "1.7": [
        "(B, T, D)",
        "heads",
        "reshape",
        "permute",
        "squeeze",
        "unsqueeze",
        "contiguous",
        "einsum",
        "bhid,bhjd->bhij",
    ],
    "1.8": ["Operations reference", "Shape cheat sheet", "1.ex1", "Lab 1.4"],
}


def _text_of(section: Section) -> str:
    parts: list[str] = [section.title, section.summary]
    for block in section.blocks:
        if isinstance(block, (Prose, Definition, Callout)):
            parts.append(
                getattr(block, "term", "") + " " + getattr(block, "title", "") + " " + block.text
            )
        elif isinstance(block, Formula):
            parts += [block.label, block.text, block.gloss]
        elif isinstance(block, CodeExample):
            parts += [block.title, block.source]
        elif isinstance(block, Table):
            parts += [block.title, *block.columns, *(cell for row in block.rows for cell in row)]
    return "\n".join(parts)


@pytest.fixture(scope="module")
def example_results() -> dict[str, ExampleResult]:
    """Run every example once per session, two at a time."""
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(lambda job: run_example(*job), EXAMPLES))
    return {result.where: result for result in results}


def test_the_course_has_sections_1_1_to_1_8_in_order() -> None:
    assert [chapter.number for chapter in COURSE.chapters] == [1]
    assert [section.id for section in COURSE.sections()] == [f"1.{n}" for n in range(1, 9)]


@pytest.mark.parametrize("section", COURSE.sections(), ids=lambda s: s.id)
def test_each_section_has_a_formula_or_definition_and_a_callout(section: Section) -> None:
    kinds = {type(block) for block in section.blocks}
    assert kinds & {Definition, Formula}, f"{section.id} has no definition or formula"
    assert Callout in kinds, f"{section.id} has no callout"
    if section.id == "1.8":
        assert sum(isinstance(block, Table) for block in section.blocks) >= 2
    else:
        assert CodeExample in kinds, f"{section.id} has no code example"


@pytest.mark.parametrize("section", COURSE.sections(), ids=lambda s: s.id)
def test_each_section_covers_its_syllabus(section: Section) -> None:
    text = _text_of(section).lower()
    missing = [topic for topic in SECTION_TOPICS[section.id] if topic.lower() not in text]
    assert not missing, f"{section.id} never mentions {missing}"


def test_every_callout_tone_is_used() -> None:
    tones = {
        block.tone for s in COURSE.sections() for block in s.blocks if isinstance(block, Callout)
    }
    assert {"ml", "intuition", "warning"} <= tones


def test_1_8_holds_the_reference_card_and_the_shape_cheat_sheet() -> None:
    _, section = COURSE.find("1.8")
    assert isinstance(section, Section)
    titles = [block.title for block in section.blocks if isinstance(block, Table)]
    assert titles[0].startswith("Operations reference")
    assert titles[1].startswith("Shape cheat sheet")


def test_formulas_are_unicode_not_latex() -> None:
    latex = [
        f"{s.id} {b.label}"
        for s in COURSE.sections()
        for b in s.blocks
        if isinstance(b, Formula) and ("\\" in b.text or "^{" in b.text or "_{" in b.text)
    ]
    assert not latex


@pytest.mark.parametrize(
    "example,where", EXAMPLES, ids=[where.split("(", 1)[1][:-1] for _, where in EXAMPLES]
)
def test_example_fits_an_80_column_screen_and_states_its_output(
    example: CodeExample, where: str
) -> None:
    long = [line for line in example.source.splitlines() if len(line) > MAX_CODE_LINE]
    assert not long, f"{where}: lines over {MAX_CODE_LINE} characters: {long}"
    assert example.output, f"{where}: no stated output"
    if "import torch" in example.source:
        assert example.requires == ["torch"], f"{where}: imports torch without requires: [torch]"
    if "random" in example.source:
        assert "default_rng(" in example.source or "manual_seed(" in example.source, (
            f"{where}: unseeded"
        )


@pytest.mark.slow
@pytest.mark.parametrize(
    "example,where", EXAMPLES, ids=[where.split("(", 1)[1][:-1] for _, where in EXAMPLES]
)
def test_example_prints_exactly_its_stated_output(
    example_results: dict[str, ExampleResult], example: CodeExample, where: str
) -> None:
    result = example_results[where]
    assert result.status == "ok", f"{where}: {result.status}: {result.message}"


@pytest.mark.parametrize("section", COURSE.sections(), ids=lambda s: s.id)
def test_decimals_in_the_text_are_printed_by_an_example(section: Section) -> None:
    """A computed value quoted in prose must come from a run, so it is checked with the example."""
    import re

    printed = " ".join(b.output or "" for b in section.blocks if isinstance(b, CodeExample))
    section_ids = {s.id for s in COURSE.sections()}
    unbacked = [
        number
        for block in section.blocks
        if isinstance(block, (Prose, Callout, Definition))
        for number in re.findall(r"[−-]?\d+\.\d+", block.text)
        if number not in section_ids and number.replace("−", "-") not in printed
    ]
    assert not unbacked, f"{section.id} states {unbacked}, which no example prints"


def test_example_locations_are_unique() -> None:
    wheres = [where for _, where in EXAMPLES]
    assert len(wheres) == len(set(wheres))
    assert len(EXAMPLES) >= 25


def _exercises(course: Course) -> dict[str, HandExercise | CodeExercise]:
    return {exercise.id: exercise for chapter in course.chapters for exercise in chapter.exercises}


def test_all_twenty_exercises_exist_in_order() -> None:
    assert list(_exercises(COURSE)) == [f"1.ex{n}" for n in range(1, 21)]


@pytest.mark.parametrize("exercise_id,statement", SEED_STATEMENTS.items())
def test_exercise_statement_is_the_seeds(exercise_id: str, statement: str) -> None:
    exercise = _exercises(COURSE)[exercise_id]
    assert exercise.statement == statement
    assert COURSE.find(exercise.section)[1].id == exercise.section


@pytest.mark.parametrize("number", range(1, 21))
def test_first_twelve_exercises_are_by_hand_the_rest_code(number: int) -> None:
    exercise = _exercises(COURSE)[f"1.ex{number}"]
    assert isinstance(exercise, HandExercise if number <= 12 else CodeExercise)


@pytest.mark.parametrize("lab_id,expected", SEED_LABS.items())
def test_the_four_code_labs_exist_under_their_sections(
    lab_id: str, expected: tuple[str, str]
) -> None:
    chapter, lab = COURSE.find(lab_id)
    assert (lab.title, lab.section) == expected
    assert lab in chapter.items_in(expected[1])


def test_there_are_exactly_four_labs() -> None:
    assert [lab.id for lab in COURSE.chapters[0].labs] == [f"1.lab{n}" for n in range(1, 5)]


TABLES = tables_in(COURSE)
TABLE_ROWS = [(table, where) for table, rows in TABLES for where in rows]


def test_every_table_checks_every_row() -> None:
    tables = [(s.id, b) for s in COURSE.sections() for b in s.blocks if isinstance(b, Table)]
    unchecked = [f"{sid} {t.title!r}" for sid, t in tables if len(t.checks) != len(t.rows)]
    assert not unchecked
    reference = [t for sid, t in tables if sid == "1.8"]
    assert len(reference) == 2 and all(t.code_column for t in reference)


@pytest.fixture(scope="module")
def table_results() -> dict[str, ExampleResult]:
    """Run every table's row checks once per module."""
    return {r.where: r for table, rows in TABLES for r in run_table_checks(table, rows)}


@pytest.mark.parametrize("where", [w for _, w in TABLE_ROWS], ids=lambda w: w.split("(", 1)[1][:-1])
def test_table_row_holds(table_results: dict[str, ExampleResult], where: str) -> None:
    result = table_results[where]
    assert result.status == "ok", f"{where}: {result.message}"


def test_a_wrong_row_fails_with_its_location_and_error() -> None:
    table = Table(
        title="t",
        columns=["code", "result"],
        rows=[["1 + 1", "2"], ["2 * 2", "5"]],
        code_column="code",
        checks=["assert 1 + 1 == 2", "assert 2 * 2 == 5, 'not 5'"],
    )
    ok, wrong = run_table_checks(table, ["f.yaml:3", "f.yaml:4"])
    assert ok.status == "ok"
    assert (wrong.status, wrong.where, wrong.message) == (
        "failed",
        "f.yaml:4",
        "AssertionError: not 5",
    )


def test_a_table_row_whose_check_does_not_run_its_code_is_a_schema_error() -> None:
    import msgspec

    with pytest.raises(
        msgspec.ValidationError, match="row 1's check does not run its code 'a @ b'"
    ):
        msgspec.convert(
            {
                "kind": "table",
                "title": "t",
                "columns": ["code"],
                "rows": [["a @ b"]],
                "code_column": "code",
                "checks": ["assert a.dot(b) == 1"],
            },
            Table,
        )


def test_reference_card_fixes_the_audited_rows() -> None:
    _, section = COURSE.find("1.8")
    assert isinstance(section, Section)
    cells = {cell for b in section.blocks if isinstance(b, Table) for row in b.rows for cell in row}
    assert "F.cosine_similarity(a, b, dim=0)" in cells and "torch.dot(a, b)" in cells
    assert "(m,k),(k,),(k,n), k = min(m,n)" in cells
    wrong = next(
        r
        for b in section.blocks
        if isinstance(b, Table)
        for r in b.rows
        if r[0] == "X / la.norm(X, 1, keepdims=True)"
    )
    assert "wrong" in wrong[2]
    assert "checks them exactly" not in _text_of(section)


def _executed_code(course: Course) -> str:
    """Every line of code the tests run: examples and table checks."""
    parts: list[str] = []
    for s in course.sections():
        for b in s.blocks:
            if isinstance(b, CodeExample):
                parts.append(b.source)
            elif isinstance(b, Table):
                parts += [b.setup, *b.checks]
    return "\n".join(parts)


def _is_code_line(span: str) -> bool:
    """An inline span that is runnable Python doing something: a call with arguments or an operator
    (API names such as `torch.linalg.svd`, keywords and maths with ‖ ‖ are not code lines)."""
    import ast

    try:
        tree = ast.parse(span, mode="eval")
    except SyntaxError:
        return False
    return any(
        isinstance(node, ast.BinOp) or (isinstance(node, ast.Call) and (node.args or node.keywords))
        for node in ast.walk(tree)
    )


def test_every_inline_code_line_in_the_text_is_run_by_an_example_or_table() -> None:
    import re

    executed = _executed_code(COURSE)
    unrun = [
        f"{s.id}: {span}"
        for s in COURSE.sections()
        for b in s.blocks
        if isinstance(b, (Prose, Callout, Definition))
        for span in re.findall(r"`([^`\n]+)`", b.text)
        if _is_code_line(span) and span not in executed
    ]
    assert not unrun, f"inline code that no example or table runs: {unrun}"
