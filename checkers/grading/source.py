"""Checks on the learner's source text, done on its AST in the parent: never by running it."""

from __future__ import annotations

import ast
from collections.abc import Iterable
from dataclasses import dataclass

from checkers.grading.compare import TestResult

OPERATORS: dict[str, type[ast.operator]] = {"@": ast.MatMult, "*": ast.Mult, "**": ast.Pow}
MAX_SOURCE_CHARS = 512 * 1024
MAX_NODES = 200_000
MAX_DEPTH = 100
"""Deepest AST the parent walks: real solutions nest a dozen levels, hostile files thousands."""


class SourceError(ValueError):
    """A file too large or too deeply nested to check safely: it cannot be graded."""


class SourceInfo:
    """A parsed learner file: which functions it defines and what each one uses.

    Parsing is bounded: a file over `MAX_SOURCE_CHARS`, one the parser gives up on for its
    nesting, or an AST over `MAX_NODES` nodes or `MAX_DEPTH` levels raises SourceError."""

    def __init__(self, text: str, filename: str = "<solution>") -> None:
        self.text = text
        self.filename = filename
        self.syntax_error = ""
        if len(text) > MAX_SOURCE_CHARS:
            raise SourceError(
                f"{filename} is longer than {MAX_SOURCE_CHARS // 1024} K characters, "
                "too long to grade"
            )
        try:
            self.tree: ast.Module = ast.parse(text, filename)
        except (RecursionError, MemoryError) as exc:
            raise SourceError(f"{filename} is nested too deeply to grade") from exc
        except SyntaxError as exc:
            if "too many nested" in str(exc.msg) or "too complex" in str(exc.msg):
                raise SourceError(f"{filename} is nested too deeply to grade ({exc.msg})") from exc
            self.tree = ast.Module(body=[], type_ignores=[])
            # Line and column as an editor shows them (offset is 1-based, in characters).
            where = f" at line {exc.lineno}" if exc.lineno else ""
            where += f", column {exc.offset}" if exc.lineno and exc.offset else ""
            self.syntax_error = f"{filename} does not parse{where}: {exc.msg}"
        except ValueError as exc:  # e.g. a NUL byte
            self.tree = ast.Module(body=[], type_ignores=[])
            self.syntax_error = f"{filename} does not parse: {exc}"
        _check_size(self.tree, filename)
        self.functions = {
            node.name: node
            for node in ast.walk(self.tree)
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
        }

    def defines(self, name: str) -> bool:
        """A function of this name is defined (at any level)."""
        return name in self.functions

    def _scope(self, within: str | None) -> ast.AST:
        if within is None:
            return self.tree
        return self.functions.get(within, ast.Module(body=[], type_ignores=[]))

    def calls(self, name: str, within: str | None = None) -> bool:
        """Some call's callee is `name` or `something.name` (e.g. `np.einsum`, `torch.einsum`)."""
        for node in ast.walk(self._scope(within)):
            if isinstance(node, ast.Call):
                func = node.func
                if isinstance(func, ast.Name) and func.id == name:
                    return True
                if isinstance(func, ast.Attribute) and func.attr == name:
                    return True
        return False

    def mentions(self, name: str, within: str | None = None) -> bool:
        """`name` appears as a variable or attribute anywhere (called or not)."""
        for node in ast.walk(self._scope(within)):
            if isinstance(node, ast.Name) and node.id == name:
                return True
            if isinstance(node, ast.Attribute) and node.attr == name:
                return True
        return False

    def uses_operator(self, symbol: str, within: str | None = None) -> bool:
        """A binary or augmented operator such as `@` is used."""
        kind = OPERATORS[symbol]
        for node in ast.walk(self._scope(within)):
            if isinstance(node, (ast.BinOp, ast.AugAssign)) and isinstance(node.op, kind):
                return True
        return False

    def loops(self, within: str | None = None) -> int:
        """How many for/while loops and comprehensions there are."""
        kinds = (ast.For, ast.While, ast.comprehension, ast.AsyncFor)
        return sum(isinstance(node, kinds) for node in ast.walk(self._scope(within)))

    def statements(self, within: str) -> int:
        """Statements in a function's body, its docstring not counted (for "one expression")."""
        function = self.functions.get(within)
        if function is None:
            return 0
        body = list(function.body)
        if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
            body = body[1:]
        return len(body)


def _check_size(tree: ast.AST, filename: str) -> None:
    """SourceError when the tree is deeper than MAX_DEPTH or larger than MAX_NODES (iteratively)."""
    stack: list[tuple[ast.AST, int]] = [(tree, 0)]
    nodes = 0
    while stack:
        node, depth = stack.pop()
        nodes += 1
        if depth > MAX_DEPTH:
            raise SourceError(
                f"{filename} is nested more than {MAX_DEPTH} levels deep, too deep to grade"
            )
        if nodes > MAX_NODES:
            raise SourceError(
                f"{filename} has more than {MAX_NODES} syntax nodes, too large to grade"
            )
        stack.extend((child, depth + 1) for child in ast.iter_child_nodes(node))


def check_uses(source: SourceInfo, name: str, *, within: str, label: str = "") -> TestResult:
    """Pass when `within` calls `name` (e.g. einsum)."""
    title = label or f"{within} uses {name}"
    if source.calls(name, within):
        return TestResult(title, True, f"{within} calls {name}.")
    return TestResult(
        title, False, f"{within} should call {name}(...); it does not appear in its body."
    )


def check_avoids(
    source: SourceInfo,
    *,
    within: str,
    names: Iterable[str] = (),
    operators: Iterable[str] = (),
    label: str = "",
) -> TestResult:
    """Pass when `within` neither calls any of `names` nor uses any of `operators`."""
    title = label or f"{within} avoids library shortcuts"
    used = [f"{name}()" for name in names if source.calls(name, within)]
    used += [
        f"the {symbol} operator" for symbol in operators if source.uses_operator(symbol, within)
    ]
    if used:
        return TestResult(
            title, False, f"{within} must not use {', '.join(used)}: write it yourself."
        )
    return TestResult(title, True, f"{within} does the work itself.")


# -- call rules that follow helpers (for graders that forbid or require library calls)
# --------------


@dataclass(frozen=True)
class CallRules:
    """What a learner's function may and must call, checked on the source text in the parent."""

    entry: str
    """The function whose body (and the helpers it calls, transitively) is inspected."""
    forbidden: frozenset[str] = frozenset()
    """Called names or attributes that are not allowed, e.g. `matmul`, `dot`."""
    forbid_matmul_operator: bool = False
    required: frozenset[str] = frozenset()
    """At least one of these names must be called, e.g. `einsum`."""
    require_loop: bool = False


def _called_name(node: ast.Call) -> str:
    func = node.func
    if isinstance(func, ast.Attribute):
        return func.attr
    if isinstance(func, ast.Name):
        return func.id
    return ""


def _functions(tree: ast.Module) -> dict[str, ast.FunctionDef | ast.AsyncFunctionDef]:
    return {
        node.name: node
        for node in tree.body
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
    }


def reachable_nodes(source: str, entry: str) -> list[ast.AST] | None:
    """Every AST node of `entry` and of the module functions it calls; None if `entry` is
    missing."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return None
    functions = _functions(tree)
    if entry not in functions:
        return None
    seen: set[str] = set()
    pending = [entry]
    nodes: list[ast.AST] = []
    while pending:
        name = pending.pop()
        if name in seen or name not in functions:
            continue
        seen.add(name)
        for node in ast.walk(functions[name]):
            nodes.append(node)
            if isinstance(node, ast.Call):
                pending.append(_called_name(node))
            elif isinstance(node, ast.Name) and node.id in functions:
                pending.append(node.id)  # a helper passed around by name still counts
    return nodes


def rule_violation(source: str, rules: CallRules) -> str | None:
    """Why the source breaks the rules, in words; None when it follows them."""
    nodes = reachable_nodes(source, rules.entry)
    if nodes is None:
        return f"no function named {rules.entry} at the top level of your file"
    called = {_called_name(n) for n in nodes if isinstance(n, ast.Call)}
    attributes = {n.attr for n in nodes if isinstance(n, ast.Attribute)}
    used = sorted((called | attributes) & rules.forbidden)
    if used:
        instead = f"; use {' or '.join(sorted(rules.required))}" if rules.required else ""
        listed = ", ".join(f"{name}()" for name in used)
        return (
            f"{rules.entry} calls {listed}; it must do without "
            f"{', '.join(sorted(rules.forbidden))}{instead}"
        )
    if rules.forbid_matmul_operator and any(
        isinstance(n, (ast.BinOp, ast.AugAssign)) and isinstance(n.op, ast.MatMult) for n in nodes
    ):
        return f"{rules.entry} uses the @ operator; write it without @ (that is the point)"
    if rules.required and not (called & rules.required):
        need = " or ".join(sorted(rules.required))
        return f"{rules.entry} must call {need}; it does not"
    if rules.require_loop and not any(
        isinstance(n, (ast.For, ast.While, ast.comprehension)) for n in nodes
    ):
        return f"{rules.entry} has no Python loop; this step is about timing a loop"
    return None
