"""Chapter 1 pen-and-paper exercises: variant generators, answers and worked solutions (trusted
code).

Pure Python (fractions, math, random) so the app can build an exercise's prompt and solution without
loading sympy. Every expected answer is computed here from the parameters, in the answer language.
Each `exN(params)` returns {"answers": {part: value}, "options": {part: {...}}, "solution": text},
plus "fields" when the statement template needs words derived from the numbers.
"""

from __future__ import annotations

import math
import random
from fractions import Fraction
from itertools import product
from typing import Any

Vector = list[int]
Matrix = list[list[int]]

# Formatting ---------------------------------------------------------------------------------------


def fmt(value: Any) -> str:
    """A parameter as the chapter prints it: [1,2], [[1,2],[3,4]], 5."""
    if isinstance(value, list):
        return "[" + ",".join(fmt(item) for item in value) + "]"
    return str(value)


def frac(value: Fraction | int) -> str:
    """3, -1/2 (answer language and display alike)."""
    value = Fraction(value)
    return (
        str(value.numerator) if value.denominator == 1 else f"{value.numerator}/{value.denominator}"
    )


def split_square(n: int) -> tuple[int, int]:
    """n = k²·m with m square-free: returns (k, m)."""
    k, m = 1, n
    factor = 2
    while factor * factor <= m:
        while m % (factor * factor) == 0:
            m //= factor * factor
            k *= factor
        factor += 1
    return k, m


def root(n: int) -> str:
    """√n simplified for display: 3√6, 5, √2."""
    k, m = split_square(n)
    if m == 1:
        return str(k)
    return f"√{m}" if k == 1 else f"{k}√{m}"


def over_root(numerator: Fraction, n: int) -> tuple[str, str]:
    """numerator/√n simplified: (answer-language text, display text)."""
    k, m = split_square(n)
    value = Fraction(numerator) / k
    if m == 1:
        return frac(value), frac(value)
    if value.numerator == 0:
        return "0", "0"
    text = f"({frac(value)})/sqrt({m})"
    top = "" if abs(value.numerator) == 1 else str(abs(value.numerator))
    sign = "-" if value < 0 else ""
    shown = (
        f"{sign}{top or '1'}/√{m}"
        if value.denominator == 1
        else f"{sign}{top or '1'}/({value.denominator}√{m})"
    )
    return text, shown


def term(value: int) -> str:
    """A factor in a worked sum: negatives in brackets, e.g. (−2)."""
    return f"({value})" if value < 0 else str(value)


def quadratic(trace: int, det: int) -> str:
    """λ² − (trace)λ + det, written with tidy signs."""
    text = "λ²"
    if trace:
        text += f" {'−' if trace > 0 else '+'} {'' if abs(trace) == 1 else abs(trace)}λ"
    if det:
        text += f" {'+' if det > 0 else '−'} {abs(det)}"
    return text


def dot(a: Vector, b: Vector) -> int:
    return sum(x * y for x, y in zip(a, b, strict=False))


def matmul(a: Matrix, b: Matrix) -> Matrix:
    return [
        [sum(a[i][k] * b[k][j] for k in range(len(b))) for j in range(len(b[0]))]
        for i in range(len(a))
    ]


def transpose(a: Matrix) -> Matrix:
    return [list(row) for row in zip(*a, strict=False)]


def degrees(radians: float) -> str:
    return f"{math.degrees(radians):.2f}°"


def _nonzero(rng: random.Random, low: int, high: int) -> int:
    return rng.choice([n for n in range(low, high + 1) if n != 0])


def _vector(rng: random.Random, size: int, low: int = -4, high: int = 4) -> Vector:
    return [rng.randint(low, high) for _ in range(size)]


# What to recheck when no known slip explains a wrong answer: the method, never a value.
RECHECK: dict[str, dict[str, str]] = {
    "ex1": {
        "dot": "Multiply matching entries and add: a·b = a₁b₁ + a₂b₂.",
        "angle": "Recompute cos θ = a·b / (‖a‖‖b‖) with ‖a‖ = "
        "√(a₁² + a₂²), then θ = arccos(cos θ).",
    },
    "ex2": {
        "l1": "L1 adds the absolute values of all the entries: recheck the sum.",
        "l2": "L2 is √(sum of the squares of all the entries): recheck the squares and their sum.",
        "linf": "L∞ is the largest absolute value among the entries.",
    },
    "ex3": {
        "unit": "Divide every entry by ‖v‖ = √(sum of the squares).",
        "norm": "Dividing v by its own length gives a vector of length exactly 1.",
    },
    "ex4": {
        "cosine": "cos θ = a·b / (‖a‖‖b‖): recheck a·b and both norms.",
        "angle": "θ = arccos(cos θ) of the cosine you found (in degrees with °, or radians).",
    },
    "ex5": {
        "projection": "proj = (u·d)/(d·d) · d: recheck u·d and d·d.",
        "perpendicular": "The perpendicular part is u − proj, entry by entry.",
    },
    "ex6": {"product": "Entry (i,j) of AB is row i of A times column j of B."},
    "ex7": {"rank": "Row-reduce and count the nonzero rows left."},
    "ex10": {
        "hadamard": "(A⊙B)ᵢⱼ = AᵢⱼBᵢⱼ: multiply matching entries.",
        "product": "Entry (i,j) of AB is row i of A times column j of B.",
        "c": "B is a multiple of the identity: compare AB with A entry by entry.",
    },
    "ex11": {"eigenvalues": "Solve λ² − (trace)λ + det = 0 with the quadratic formula."},
    "ex12": {
        "sigma1": "σ₁ = √(the nonzero eigenvalue of AᵀA); for rank 1 "
        "that eigenvalue is the trace of AᵀA.",
        "u1": "u₁ = A v₁ / σ₁: a unit vector along A's columns.",
        "v1": "v₁ is the unit vector along A's rows.",
    },
}


def _rechecked(name: str, worked: dict[str, Any]) -> dict[str, Any]:
    """Add each part's recheck advice (shown when no known slip explains a wrong answer)."""
    options = worked.setdefault("options", {})
    for part, text in RECHECK.get(name, {}).items():
        options[part] = {**options.get(part, {}), "recheck": text}
    return worked


# Exercise 1: dot product and angle
# ------------------------------------------------------------------


def ex1_params(rng: random.Random) -> dict[str, Any]:
    while True:
        a, b = _vector(rng, 2), _vector(rng, 2)
        if any(a) and any(b) and a[0] * b[1] != a[1] * b[0]:
            return {"a": a, "b": b}


def ex1(params: dict[str, Any]) -> dict[str, Any]:
    a, b = params["a"], params["b"]
    d = dot(a, b)
    cross = a[0] * b[1] + a[1] * b[0]
    na, nb = dot(a, a), dot(b, b)
    cosine_text, cosine_shown = over_root(Fraction(d), na * nb)
    theta = math.acos(d / math.sqrt(na * nb))
    solution = (
        f"Draw a as the arrow from the origin to the point ({a[0]}, {a[1]}), b to ({b[0]}, "
        f"{b[1]}).\n"
        f"a·b = {term(a[0])}·{term(b[0])} + {term(a[1])}·{term(b[1])} = {d}.\n"
        f"‖a‖ = {root(na)}, ‖b‖ = {root(nb)}.\n"
        f"cos θ = a·b / (‖a‖‖b‖) = {d} / ({root(na)}·{root(nb)}) = {cosine_shown} ≈ "
        f"{d / math.sqrt(na * nb):.4f}.\n"
        f"θ = arccos({cosine_shown}) ≈ {degrees(theta)} ({theta:.4f} rad)."
    )
    dot_mistakes = (
        [[cross, "That pairs the wrong entries: multiply matching ones, a₁b₁ + a₂b₂."]]
        if cross != d
        else []
    )
    dot_mistakes.append(
        [
            f"sqrt({na * nb})",
            "That is ‖a‖‖b‖, the product of the lengths; the dot product "
            "adds matching products a₁b₁ + a₂b₂.",
        ]
    )
    angle_mistakes = [
        [
            f"acos({frac(Fraction(d, na * nb))})",
            "You divided by ‖a‖²‖b‖²: the norms are square roots of the sums of squares.",
        ]
    ]
    for n in sorted({na, nb}):
        # One norm only (a·b/‖a‖) or one squared norm (a·b/‖a‖²): only where arccos is defined.
        if d * d <= n:
            angle_mistakes.append(
                [
                    f"acos({over_root(Fraction(d), n)[0]})",
                    "You divided by only one of the "
                    "norms; cos θ = a·b / (‖a‖‖b‖) uses both lengths.",
                ]
            )
        if abs(d) <= n:
            angle_mistakes.append(
                [
                    f"acos({frac(Fraction(d, n))})",
                    "You divided by one squared norm; "
                    "cos θ = a·b / (‖a‖‖b‖) uses both lengths, each a square root.",
                ]
            )
    return _rechecked(
        "ex1",
        {
            "answers": {
                "dot": d,
                "angle": f"acos({cosine_text})",
                "drawing": f"a = [{a[0]}, {a[1]}], b = [{b[0]}, {b[1]}]",
            },
            "options": {"dot": {"mistakes": dot_mistakes}, "angle": {"mistakes": angle_mistakes}},
            "solution": solution,
        },
    )


# Exercise 2: norms ------------------------------------------------------------------------------


def ex2_params(rng: random.Random) -> dict[str, Any]:
    while True:
        v = _vector(rng, 5, -6, 6)
        if sum(1 for x in v if x) >= 2:
            return {"v": v}


def ex2(params: dict[str, Any]) -> dict[str, Any]:
    v = params["v"]
    l1 = sum(abs(x) for x in v)
    squares = sum(x * x for x in v)
    linf = max(abs(x) for x in v)
    solution = (
        f"L1 = {' + '.join(str(abs(x)) for x in v)} = {l1}.\n"
        f"L2 = √({' + '.join(str(x * x) for x in v)}) = √{squares}"
        f"{'' if root(squares) == f'√{squares}' else ' = ' + root(squares)} ≈ "
        f"{math.sqrt(squares):.4f}.\n"
        f"L∞ = max |vᵢ| = {linf}.\n"
        "Largest: L1; smallest: L∞. For any vector L∞ ≤ L2 ≤ L1, with equality only when at "
        "most one "
        f"entry is nonzero."
    )
    return _rechecked(
        "ex2",
        {
            "answers": {
                "l1": l1,
                "l2": f"sqrt({squares})",
                "linf": linf,
                "largest": "L1",
                "smallest": "L∞",
            },
            "options": {
                "l1": {"mistakes": _norm_mistakes("l1", v)},
                "l2": {"mistakes": _norm_mistakes("l2", v)},
                "linf": {"mistakes": _norm_mistakes("linf", v)},
            },
            "solution": solution,
        },
    )


def _norm_mistakes(name: str, v: Vector) -> list[list[Any]]:
    """The other norms' values (confusing norms) and the usual slips, for the part `name`."""
    squares = sum(x * x for x in v)
    l1 = sum(abs(x) for x in v)
    values = {
        "l1": l1,
        "l2": f"sqrt({squares})",
        "linf": max(abs(x) for x in v),
    }
    labels = {
        "l1": "the L1 norm (the sum of |vᵢ|)",
        "l2": "the L2 norm (the root of the sum of squares)",
        "linf": "the L∞ norm (the largest |vᵢ|)",
    }
    wanted = {
        "l1": "L1 adds the absolute values.",
        "l2": "L2 is √(sum of squares).",
        "linf": "L∞ is the largest absolute value.",
    }
    mistakes: list[list[Any]] = [
        [values[other], f"That is {labels[other]}; {wanted[name]}"]
        for other in values
        if other != name and str(values[other]) != str(values[name])
    ]
    if name == "l1" and sum(v) != values["l1"]:
        mistakes.append([sum(v), "Norms add absolute values: |vᵢ|, not vᵢ."])
    if name == "linf" and max(v) != values["linf"]:
        mistakes.append([max(v), "L∞ is the largest absolute value |vᵢ|, not the largest entry."])
    if name == "linf":
        mistakes += [
            [abs(x), "That is the absolute value of one entry, but not the largest one."]
            for x in sorted({abs(x) for x in v})
            if x != values["linf"]
        ]
    for x in sorted({abs(x) for x in v if x}):
        # A sum that left one entry out.
        if name == "l1":
            mistakes.append(
                [
                    l1 - x,
                    f"You left an entry out: L1 adds |vᵢ| over all {len(v)} entries.",
                ]
            )
        if name == "l2":
            mistakes.append(
                [
                    f"sqrt({squares - x * x})",
                    f"You left an entry out: L2 adds the squares of all {len(v)} entries.",
                ]
            )
    if name == "l2":
        mistakes.append([squares, "That is ‖v‖², the sum of squares; take its square root."])
        mistakes.append(
            [
                f"sqrt({sum(v) ** 2})" if sum(v) else 0,
                "Square each entry first, then add: (sum of entries)² is not the sum of squares.",
            ]
        )
    return mistakes


# Exercise 3: unit vector
# ------------------------------------------------------------------------------

_INTEGER_NORM_VECTORS = [
    list(v)
    for v in product(range(-4, 5), repeat=4)
    if sum(1 for x in v if x) >= 2
    and math.isqrt(sum(x * x for x in v)) ** 2 == sum(x * x for x in v)
]


def ex3_params(rng: random.Random) -> dict[str, Any]:
    return {"v": rng.choice(_INTEGER_NORM_VECTORS)}


def ex3(params: dict[str, Any]) -> dict[str, Any]:
    v = params["v"]
    squares = sum(x * x for x in v)
    parts = [over_root(Fraction(x), squares) for x in v]
    unit = "[" + ", ".join(text for text, _ in parts) + "]"
    shown = "[" + ", ".join(text for _, text in parts) + "]"
    solution = (
        f"‖v‖ = √({' + '.join(str(x * x) for x in v)}) = {root(squares)}.\n"
        f"v/‖v‖ = {shown}.\n"
        f"Check: ‖v/‖v‖‖² = ({' + '.join(str(x * x) for x in v)})/{squares} = 1, so its L2 "
        "norm is 1."
    )
    return _rechecked(
        "ex3",
        {
            "answers": {"unit": unit, "norm": 1},
            "options": {
                "unit": {
                    "compute": "normalise",
                    "mistakes": [
                        [f"{fmt(v)}/{squares}", "You divided by ‖v‖²; divide by ‖v‖."],
                        [
                            f"{fmt(v)}/{sum(abs(x) for x in v)}",
                            "You divided by the L1 norm (the sum of |vᵢ|); a unit vector "
                            "in L2 divides by √(sum of squares).",
                        ],
                    ],
                },
                "norm": {
                    "mistakes": [
                        [
                            over_root(Fraction(1), squares)[0],
                            "That is 1/‖v‖, the factor you scaled v by; "
                            "the question asks for the length of the result.",
                        ],
                        [
                            f"sqrt({squares})",
                            "That is ‖v‖, the norm of v itself; the unit vector has norm 1.",
                        ],
                        [
                            squares,
                            "That is ‖v‖², the squared norm of v itself; the unit vector has "
                            "norm 1.",
                        ],
                    ]
                    if squares != 1
                    else []
                },
            },
            "solution": solution,
        },
    )


# Exercise 4: cosine similarity
# ---------------------------------------------------------------------


def ex4_params(rng: random.Random) -> dict[str, Any]:
    while True:
        a, b = _vector(rng, 3, -2, 2), _vector(rng, 3, -2, 2)
        if any(a) and any(b) and dot(a, a) * dot(b, b) != dot(a, b) ** 2:
            return {"a": a, "b": b}


def ex4(params: dict[str, Any]) -> dict[str, Any]:
    a, b = params["a"], params["b"]
    d, na, nb = dot(a, b), dot(a, a), dot(b, b)
    text, shown = over_root(Fraction(d), na * nb)
    cosine = d / math.sqrt(na * nb)
    theta = math.acos(cosine)
    meaning = (
        "positive: the vectors point broadly the same way"
        if cosine > 0
        else "zero: the vectors are perpendicular (orthogonal)"
        if d == 0
        else "negative: the vectors point broadly in opposite directions"
    )
    solution = (
        f"a·b = {d}, ‖a‖ = {root(na)}, ‖b‖ = {root(nb)}.\n"
        f"cos θ = {d} / ({root(na)}·{root(nb)}) = {shown} ≈ {cosine:.4f}.\n"
        f"Geometrically the angle between them is θ = arccos({shown}) ≈ {degrees(theta)}; the "
        "cosine is "
        f"{meaning}. Cosine similarity ignores length and measures only direction."
    )
    return _rechecked(
        "ex4",
        {
            "answers": {"cosine": text, "angle": f"acos({text})"},
            "options": {"cosine": {"mistakes": _cosine_mistakes(d, na, nb)}},
            "solution": solution,
        },
    )


def _cosine_mistakes(d: int, na: int, nb: int) -> list[list[Any]]:
    """Slips in a·b / (‖a‖‖b‖): the bare dot product, one norm only, squared norms."""
    if not d:
        return []
    mistakes: list[list[Any]] = [[d, "That is the dot product; divide by ‖a‖‖b‖."]]
    for n in sorted({na, nb}):
        mistakes.append(
            [
                over_root(Fraction(d), n)[0],
                "You divided by only one of the norms; divide by ‖a‖‖b‖, both lengths.",
            ]
        )
    mistakes.append(
        [
            frac(Fraction(d, na * nb)),
            "You divided by ‖a‖²‖b‖²: the norms are square roots of the sums of squares.",
        ]
    )
    return mistakes


# Exercise 5: projection
# -------------------------------------------------------------------------------

_DIRECTIONS = [[1, 0], [0, 1], [1, 1], [1, 2], [2, 1], [1, -1], [3, 1], [1, 3]]


def ex5_params(rng: random.Random) -> dict[str, Any]:
    while True:
        u, d = _vector(rng, 2, -5, 6), rng.choice(_DIRECTIONS)
        if any(u) and dot(u, d) != 0 and u[0] * d[1] != u[1] * d[0]:
            return {"u": u, "d": d}


def ex5(params: dict[str, Any]) -> dict[str, Any]:
    u, d = params["u"], params["d"]
    ud, dd = dot(u, d), dot(d, d)
    scale = Fraction(ud, dd)
    projection = [scale * x for x in d]
    perpendicular = [Fraction(x) - p for x, p in zip(u, projection, strict=False)]
    vec = lambda values: "[" + ", ".join(frac(x) for x in values) + "]"  # noqa: E731
    solution = (
        f"proj = (u·d)/(d·d) · d = {ud}/{dd} · {fmt(d)} = {vec(projection)}.\n"
        f"perpendicular = u − proj = {fmt(u)} − {vec(projection)} = {vec(perpendicular)}.\n"
        "Check: proj·perp = "
        f"{frac(sum(p * q for p, q in zip(projection, perpendicular, strict=False)))} "
        "(perpendicular), "
        f"and proj + perp = u."
    )
    names = {(1, 0): "x-axis direction", (0, 1): "y-axis direction"}
    shared = [[fmt(u), "That is u itself; the projection keeps only the part of u along d."]]
    return _rechecked(
        "ex5",
        {
            "fields": {"direction": names.get((d[0], d[1]), "direction")},
            "answers": {"projection": vec(projection), "perpendicular": vec(perpendicular)},
            "options": {
                "projection": {
                    "mistakes": [
                        *(
                            [
                                [
                                    vec([ud * x for x in d]),
                                    "Divide by d·d: the direction vector is not a unit vector.",
                                ]
                            ]
                            if dd != 1
                            else []
                        ),
                        [
                            vec(perpendicular),
                            "That is the perpendicular component; the projection lies along d.",
                        ],
                        [fmt(d), "That is d itself; scale it by (u·d)/(d·d)."],
                        *shared,
                        [
                            frac(scale) if dd == 1 else f"{ud}/sqrt({dd})",
                            "That is the length of the projection, a number; the projection is "
                            "a vector along d.",
                        ],
                    ]
                },
                "perpendicular": {
                    "mistakes": [
                        [
                            vec(projection),
                            "That is the projection; the perpendicular part is u − proj.",
                        ],
                        [
                            vec([p - x for x, p in zip(u, projection, strict=False)]),
                            "That is proj − u; the perpendicular part is u − proj.",
                        ],
                        [fmt(u), "That is u itself; subtract the projection: u − proj."],
                    ]
                },
            },
            "solution": solution,
        },
    )


# Exercise 6: matrix product -----------------------------------------------------------------------


def ex6_params(rng: random.Random) -> dict[str, Any]:
    while True:
        a = [[rng.randint(-3, 6) for _ in range(2)] for _ in range(2)]
        b = [[rng.randint(-3, 6) for _ in range(2)] for _ in range(2)]
        if matmul(a, b) != matmul(b, a) and matmul(a, b) != transpose(matmul(a, b)):
            return {"A": a, "B": b}


def ex6(params: dict[str, Any]) -> dict[str, Any]:
    a, b = params["A"], params["B"]
    ab = matmul(a, b)
    lines = [
        f"(AB){i + 1}{j + 1} = row {i + 1} of A · column {j + 1} of B = "
        f"{term(a[i][0])}·{term(b[0][j])} + {term(a[i][1])}·{term(b[1][j])} = {ab[i][j]}"
        for i in range(2)
        for j in range(2)
    ]
    hadamard = [[a[i][j] * b[i][j] for j in range(2)] for i in range(2)]
    return _rechecked(
        "ex6",
        {
            "answers": {"product": fmt(ab)},
            "options": {
                "product": {
                    "compute": "product",
                    "mistakes": [
                        [
                            fmt(hadamard),
                            "That is A⊙B (entry by entry); AB takes rows of A times columns of B.",
                        ],
                        [
                            fmt(matmul(b, a)),
                            "That is BA; the order matters: rows of A times columns of B.",
                        ],
                        *_transposed_products(a, b),
                    ],
                }
            },
            "solution": "\n".join(lines) + f"\nAB = {fmt(ab)}.",
        },
    )


def _transposed_products(a: Matrix, b: Matrix) -> list[list[Any]]:
    """Rows times rows (ABᵀ), columns times columns (AᵀB), and (BA)ᵀ = AᵀBᵀ."""
    return [
        [
            fmt(matmul(a, transpose(b))),
            "You multiplied rows of A by rows of B (that is ABᵀ); use the columns of B.",
        ],
        [
            fmt(matmul(transpose(a), b)),
            "You multiplied columns of A by columns of B (that is AᵀB); use the rows of A.",
        ],
        [
            fmt(matmul(transpose(a), transpose(b))),
            "That is AᵀBᵀ = (BA)ᵀ; AB takes rows of A times columns of B.",
        ],
    ]


# Exercise 7: rank
# ---------------------------------------------------------------------------------------


def ex7_params(rng: random.Random) -> dict[str, Any]:
    u = [_nonzero(rng, -3, 3) for _ in range(3)]
    v = [_nonzero(rng, -3, 3) for _ in range(3)]
    matrix = [[x * y for y in v] for x in u]
    if rng.random() < 0.4:
        while True:
            w, z = _vector(rng, 3, -2, 2), _vector(rng, 3, -2, 2)
            second = [[matrix[i][j] + w[i] * z[j] for j in range(3)] for i in range(3)]
            if rank(second) == 2:
                return {"M": second}
    return {"M": matrix}


def rank(matrix: Matrix) -> int:
    """Rank by exact row reduction."""
    return len(_echelon(matrix))


def _echelon(matrix: Matrix) -> list[list[Fraction]]:
    rows = [[Fraction(x) for x in row] for row in matrix]
    result: list[list[Fraction]] = []
    column = 0
    while rows and column < len(matrix[0]):
        pivot = next((row for row in rows if row[column] != 0), None)
        if pivot is None:
            column += 1
            continue
        rows.remove(pivot)
        rows = [
            [x - row[column] / pivot[column] * p for x, p in zip(row, pivot, strict=False)]
            for row in rows
        ]
        result.append(pivot)
        column += 1
    return result


def _rank_mistakes(r: int) -> list[list[Any]]:
    """A rank that is not this one: every wrong count from 0 to 3 gets its own reason."""
    reasons = {
        0: "Only the zero matrix has rank 0; this one has nonzero rows.",
        1: "Rank 1 would mean every row is a multiple of one row; check whether that holds here.",
        2: "Rank 2 would mean exactly two independent rows; check whether one row is a multiple of "
        "another (or whether all three are multiples of one).",
        3: "The matrix is 3×3, but rank counts independent rows, not all rows.",
    }
    return [[n, reason] for n, reason in reasons.items() if n != r]


def ex7(params: dict[str, Any]) -> dict[str, Any]:
    m = params["M"]
    r = rank(m)
    echelon = _echelon(m)
    first = m[0]
    multiples = []
    for index, row in enumerate(m[1:], start=2):
        pivot = next((j for j, x in enumerate(first) if x), None)
        if pivot is not None and all(
            Fraction(x) * first[pivot] == Fraction(row[pivot]) * y
            for x, y in zip(row, first, strict=False)
        ):
            multiples.append(f"row {index} = {frac(Fraction(row[pivot], first[pivot]))} × row 1")
    why = (
        f"Every row is a multiple of row 1 ({'; '.join(multiples)}), so only one row is "
        "independent."
        if r == 1
        else f"Row reduction leaves {r} nonzero rows: "
        f"{', '.join('[' + ', '.join(frac(x) for x in row) + ']' for row in echelon)}."
    )
    return _rechecked(
        "ex7",
        {
            "answers": {"rank": r},
            "options": {"rank": {"kind": "rank", "mistakes": _rank_mistakes(r)}},
            "solution": f"{why}\nrank = {r}: the columns span a {r}-dimensional space"
            f"{' (a line)' if r == 1 else ' (a plane)' if r == 2 else ''}.",
        },
    )


# Exercises 8 and 9: proofs
# ------------------------------------------------------------------------------


def ex8(params: dict[str, Any]) -> dict[str, Any]:
    return _rechecked(
        "ex8",
        {
            "answers": {
                "proof": "(AB)ᵀ = [[ae+bg, af+bh],[ce+dg, cf+dh]]ᵀ = "
                "[[ae+bg, ce+dg],[af+bh, cf+dh]] "
                "= [[e,g],[f,h]] [[a,c],[b,d]] = BᵀAᵀ"
            },
            "options": {},
            "solution": (
                "With A = [[a,b],[c,d]] and B = [[e,f],[g,h]]:\n"
                "(AB)ᵀ = [[ae+bg, af+bh],[ce+dg, cf+dh]]ᵀ\n"
                "      = [[ae+bg, ce+dg],[af+bh, cf+dh]]\n"
                "      = [[e,g],[f,h]] [[a,c],[b,d]]\n"
                "      = BᵀAᵀ.\n"
                "Entry (i,j) of (AB)ᵀ is entry (j,i) of AB: row j of A times column i of B, "
                "which is row i of "
                "Bᵀ times column j of Aᵀ. The same argument works for any sizes."
            ),
        },
    )


def ex9(params: dict[str, Any]) -> dict[str, Any]:
    return _rechecked(
        "ex9",
        {
            "answers": {"proof": "(WᵀW)ᵀ = Wᵀ(Wᵀ)ᵀ = WᵀW"},
            "options": {},
            "solution": (
                "(WᵀW)ᵀ = Wᵀ(Wᵀ)ᵀ    using (XY)ᵀ = YᵀXᵀ\n"
                "       = WᵀW        using (Xᵀ)ᵀ = X\n"
                "So WᵀW equals its own transpose: it is symmetric, for any W (square or not)."
            ),
        },
    )


# Exercise 10: Hadamard vs matrix product
# ---------------------------------------------------------------


def ex10_params(rng: random.Random) -> dict[str, Any]:
    k = rng.randint(2, 7)
    while True:
        a = [[rng.randint(-3, 6) for _ in range(2)] for _ in range(2)]
        if a[0][1] or a[1][0]:
            return {"A": a, "B": [[k, 0], [0, k]]}


def ex10(params: dict[str, Any]) -> dict[str, Any]:
    a, b = params["A"], params["B"]
    k = b[0][0]
    hadamard = [[a[i][j] * b[i][j] for j in range(2)] for i in range(2)]
    ab = matmul(a, b)
    return _rechecked(
        "ex10",
        {
            "answers": {"hadamard": fmt(hadamard), "product": fmt(ab), "c": k},
            "options": {
                "hadamard": {
                    "mistakes": [
                        [fmt(ab), "That is AB; A⊙B multiplies matching entries only."],
                        [
                            fmt(a),
                            "That is A itself; multiply each entry by the matching entry of B.",
                        ],
                        [
                            fmt([[a[i][j] if i == j else 0 for j in range(2)] for i in range(2)]),
                            "Right pattern of zeros, but multiply the kept entries of A by B's "
                            "entries too.",
                        ],
                        [
                            fmt([[a[i][j] * k for j in range(2)] for i in range(2)]),
                            "That is kA (every entry times k); the zeros of B wipe out A's "
                            "off-diagonal entries.",
                        ],
                    ]
                },
                "product": {
                    "compute": "product",
                    "mistakes": [
                        [fmt(hadamard), "That is A⊙B; AB takes rows of A times columns of B."],
                        [fmt(a), "That is A itself; B = kI scales it."],
                        [
                            fmt([[a[i][j] + b[i][j] for j in range(2)] for i in range(2)]),
                            "That is A + B, not AB.",
                        ],
                    ],
                },
                "c": {"mistakes": [[k * k, "That is k²; B = kI multiplies A by k once."]]},
            },
            "solution": (
                f"A⊙B multiplies matching entries: {fmt(hadamard)} (the off-diagonal zeros of "
                "B wipe out "
                f"A's off-diagonal entries).\n"
                f"AB = {fmt(ab)} = {k}A, because B = {k}I and AI = A.\n"
                f"So AB is just A scaled by c = {k}; the Hadamard product is not."
            ),
        },
    )


# Exercise 11: eigenvalues
# ---------------------------------------------------------------------------------


def ex11_params(rng: random.Random) -> dict[str, Any]:
    while True:
        a, d, b = rng.randint(-3, 5), rng.randint(-3, 5), _nonzero(rng, -3, 3)
        disc = (a - d) ** 2 + 4 * b * b
        if math.isqrt(disc) ** 2 == disc:
            return {"A": [[a, b], [b, d]]}


def ex11(params: dict[str, Any]) -> dict[str, Any]:
    m = params["A"]
    (a, b), (c, d) = m
    trace, det = a + d, a * d - b * c
    disc = trace * trace - 4 * det
    root_disc = math.isqrt(disc)
    high, low = Fraction(trace + root_disc, 2), Fraction(trace - root_disc, 2)
    solution = (
        f"det(A − λI) = ({a} − λ)({d} − λ) − {term(b)}·{term(c)} = {quadratic(trace, det)} = 0.\n"
        f"λ = ({trace} ± √{disc})/2 = ({trace} ± {root_disc})/2, so λ = {frac(high)} and λ = "
        f"{frac(low)}.\n"
        f"Check: they add up to the trace {trace} and multiply to the determinant {det}."
    )
    return _rechecked(
        "ex11",
        {
            "answers": {"eigenvalues": f"{frac(high)}, {frac(low)}"},
            "options": {"eigenvalues": {"matrix": m}},
            "solution": solution,
        },
    )


# Exercise 12: SVD of a rank-1 matrix
# ----------------------------------------------------------------------

_SVD_BASES = [[2, 1], [1, 2], [1, 1], [1, 3], [3, 1], [2, 3], [3, 2], [1, -2], [2, -1]]


def ex12_params(rng: random.Random) -> dict[str, Any]:
    p = rng.choice(_SVD_BASES)
    q = rng.choice([[p[0], p[1]], [p[1], p[0]], [p[0], -p[1]], [-p[1], p[0]]])
    scale = rng.choice([1, 1, 2])
    return {"A": [[scale * x * y for y in q] for x in p]}


def _primitive(values: Vector) -> Vector:
    g = math.gcd(*values)
    return [x // g for x in values]


def rank_one_factors(m: Matrix) -> tuple[Vector, Vector, int]:
    """m = c · p qᵀ with p, q primitive integer vectors, c > 0 and p's first nonzero entry
    positive."""
    i, j = next((i, j) for i in range(len(m)) for j in range(len(m[0])) if m[i][j])
    q = _primitive(m[i])
    p = _primitive([row[j] for row in m])
    if next(x for x in p if x) < 0:
        p = [-x for x in p]
    scale = Fraction(m[i][j], p[i] * q[j])
    if scale < 0:
        q, scale = [-x for x in q], -scale
    return p, q, int(scale)


def ex12(params: dict[str, Any]) -> dict[str, Any]:
    m = params["A"]
    p, q, scale = rank_one_factors(m)
    np_, nq = dot(p, p), dot(q, q)
    sigma_text, sigma_shown = over_root(Fraction(scale * np_ * nq), np_ * nq)
    u = "[" + ", ".join(over_root(Fraction(x), np_)[0] for x in p) + "]"
    v = "[" + ", ".join(over_root(Fraction(x), nq)[0] for x in q) + "]"
    u_shown = "[" + ", ".join(over_root(Fraction(x), np_)[1] for x in p) + "]"
    v_shown = "[" + ", ".join(over_root(Fraction(x), nq)[1] for x in q) + "]"
    gram = matmul(transpose(m), m)
    solution = (
        f"Every row of A is a multiple of {fmt(q)} and every column a multiple of {fmt(p)}: "
        f"A = {scale if scale != 1 else ''}{fmt(p)}{fmt(q)}ᵀ (column times row) has rank 1.\n"
        f"AᵀA = {fmt(gram)}; its nonzero eigenvalue is its trace {gram[0][0] + gram[1][1]}, so "
        f"σ₁ = √{gram[0][0] + gram[1][1]} = {sigma_shown}.\n"
        f"v₁ = {fmt(q)}/‖{fmt(q)}‖ = {v_shown};  u₁ = A v₁ / σ₁ = {u_shown}.\n"
        f"A = σ₁ u₁ v₁ᵀ. Flipping the signs of u₁ and v₁ together gives an equally valid SVD; "
        f"σ₂ = 0."
    )
    return _rechecked(
        "ex12",
        {
            "answers": {"sigma1": sigma_text, "u1": u, "v1": v},
            "options": {
                "sigma1": {
                    "mistakes": [
                        [
                            gram[0][0] + gram[1][1],
                            "That is σ₁², the eigenvalue of AᵀA; take its square root.",
                        ],
                    ]
                },
                "v1": {
                    "matrix": m,
                    "uses": ["sigma1", "u1"],
                    "mistakes": [[u, "That is u₁; v₁ is the unit vector along A's rows."]]
                    if u != v
                    else [],
                },
                "u1": {
                    "mistakes": [[v, "That is v₁; u₁ is the unit vector along A's columns."]]
                    if u != v
                    else []
                },
            },
            "solution": solution,
        },
    )
