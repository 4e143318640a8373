"""Load chapters from YAML into validated models; every error names the file and the line."""

from __future__ import annotations

import importlib.util
import re
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any, TypeVar, Union

import yaml
import msgspec

from tutor.course.exercise_schema import CodeExercise, ExerciseFile, HandExercise, Lab, LabFile
from tutor.course.schema import ChapterMeta, Section

Model = TypeVar("Model", bound=msgspec.Struct)
Item = Union[Section, HandExercise, CodeExercise, Lab]

try:
    _Loader: Any = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - libyaml missing
    _Loader = yaml.SafeLoader


class ContentError(Exception):
    """Course data that cannot be used. `problems` lists each as `file:line: what is wrong`."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


def default_content_dir() -> Path:
    """The chapters shipped with the tutor."""
    from content import CONTENT_DIR

    return CONTENT_DIR


_PATH_PART = re.compile(r"\.([A-Za-z_][A-Za-z0-9_]*)|\[(\d+)\]")


def _error_location(message: str) -> tuple[str, tuple[int | str, ...]]:
    """Split msgspec's `what - at `$.a[0].b`` into the text and the path within the document."""
    what, sep, where = message.rpartition(" - at `")
    if not sep:
        return message, ()
    path = where.rstrip("`").removeprefix("$")
    loc = tuple(
        int(index) if index else key for key, index in _PATH_PART.findall(path)
    )
    return what, loc


def _line_of(root: yaml.Node | None, loc: tuple[int | str, ...]) -> int:
    """The 1-based line of the YAML node at `loc`, or of its deepest existing ancestor."""
    node = root
    line = node.start_mark.line + 1 if node is not None else 1
    for key in loc:
        if isinstance(node, yaml.MappingNode):
            match = next((v for k, v in node.value if k.value == key), None)
            if match is None:
                break
            node = match
        elif isinstance(node, yaml.SequenceNode) and isinstance(key, int) and key < len(node.value):
            node = node.value[key]
        else:
            break
        line = node.start_mark.line + 1
    return line


def _friendly(what: str, loc: tuple[int | str, ...]) -> str:
    where = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in loc).lstrip(".")
    unknown = re.match(r"Object contains unknown field `(.+)`", what)
    if unknown:
        what = f"unknown key {unknown.group(1)!r} (check the spelling)"
    missing = re.match(r"Object missing required field `(.+)`", what)
    if missing:
        what = f"required key {missing.group(1)!r} is missing"
    return f"{where}: {what}" if where else what


def load_yaml_model(path: Path, model: type[Model]) -> Model:
    """Parse one YAML file into `model`, raising ContentError with file:line on any problem."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ContentError([f"{path}: cannot read: {exc}"]) from exc
    try:
        data = yaml.load(text, Loader=_Loader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else 1
        problem = getattr(exc, "problem", None) or str(exc)
        raise ContentError([f"{path}:{line}: invalid YAML: {problem}"]) from exc
    try:
        return msgspec.convert(data if data is not None else {}, model, str_keys=True)
    except msgspec.ValidationError as exc:
        what, loc = _error_location(str(exc))
        unknown = re.match(r"Object contains unknown field `(.+)`", what)
        # Point at the misspelt key itself, not at the start of the mapping that holds it.
        key_loc = (*loc, unknown.group(1)) if unknown else loc
        line = _line_of(yaml.compose(text, Loader=_Loader), key_loc)
        raise ContentError([f"{path}:{line}: {_friendly(what, loc)}"]) from None


def locate(path: Path, loc: tuple[int | str, ...]) -> str:
    """`file:line` of the node at `loc` in a YAML file that already parsed once."""
    root = yaml.compose(path.read_text(encoding="utf-8"), Loader=_Loader)
    return f"{path}:{_line_of(root, loc)}"


@dataclass
class Chapter:
    """One chapter folder, loaded and validated."""

    folder: Path
    meta: ChapterMeta
    sections: list[Section]
    exercises: list[HandExercise | CodeExercise]
    labs: list[Lab]
    _modules: dict[str, ModuleType] = field(default_factory=dict, repr=False)

    @property
    def number(self) -> int:
        """The chapter number, as in its IDs."""
        return self.meta.number

    def items_in(self, section_id: str) -> list[HandExercise | CodeExercise | Lab]:
        """Exercises and labs attached to a section, labs first, then exercises by number."""
        labs = [lab for lab in self.labs if lab.section == section_id]
        exercises = [ex for ex in self.exercises if ex.section == section_id]
        return [*labs, *exercises]

    def reference(self, name: str) -> Callable[..., Any]:
        """The reference function `module.function` from this chapter's folder (trusted code)."""
        module_name, _, function_name = name.partition(".")
        module = self._modules.get(module_name)
        if module is None:
            path = self.folder / f"{module_name}.py"
            if not path.is_file():
                raise ContentError([f"{self.folder}: no reference module {module_name}.py for {name}"])
            qualified = f"_tutor_content_ch{self.number}_{module_name}"
            spec = importlib.util.spec_from_file_location(qualified, path)
            if spec is None or spec.loader is None:
                raise ContentError([f"{path}: cannot load reference module"])
            module = importlib.util.module_from_spec(spec)
            sys.modules[qualified] = module
            spec.loader.exec_module(module)
            self._modules[module_name] = module
        function = getattr(module, function_name, None)
        if not callable(function):
            raise ContentError([f"{self.folder / (module_name + '.py')}: no function {function_name}"])
        return function  # type: ignore[no-any-return]


def load_chapter(folder: Path) -> Chapter:
    """Load and cross-check one chapter folder; collects every problem before raising."""
    problems: list[str] = []
    meta = load_yaml_model(folder / "chapter.yaml", ChapterMeta)
    sections: list[Section] = []
    for name in meta.sections:
        try:
            sections.append(load_yaml_model(folder / name, Section))
        except ContentError as exc:
            problems.extend(exc.problems)
    exercises: list[HandExercise | CodeExercise] = []
    labs: list[Lab] = []
    origins: dict[str, tuple[Path, tuple[int | str, ...]]] = {
        section.id: (folder / name, ()) for name, section in zip(meta.sections, sections)
    }
    for name in meta.exercises:
        try:
            found = load_yaml_model(folder / name, ExerciseFile).exercises
        except ContentError as exc:
            problems.extend(exc.problems)
            continue
        exercises.extend(found)
        origins.update((ex.id, (folder / name, ("exercises", i))) for i, ex in enumerate(found))
    exercises.sort(key=lambda exercise: int(exercise.id.rpartition("ex")[2]))
    if (folder / meta.labs).exists():
        try:
            labs = list(load_yaml_model(folder / meta.labs, LabFile).labs)
        except ContentError as exc:
            problems.extend(exc.problems)
        origins.update((lab.id, (folder / meta.labs, ("labs", i))) for i, lab in enumerate(labs))
    if not problems:
        problems.extend(_cross_check(meta, sections, exercises, labs, origins))
    if problems:
        raise ContentError(problems)
    return Chapter(folder, meta, sections, exercises, labs)


def _cross_check(
    meta: ChapterMeta,
    sections: list[Section],
    exercises: list[HandExercise | CodeExercise],
    labs: list[Lab],
    origins: dict[str, tuple[Path, tuple[int | str, ...]]],
) -> Iterator[str]:
    prefix = f"{meta.number}."
    section_ids = [s.id for s in sections]
    seen: set[str] = set()
    for item in [*sections, *exercises, *labs]:
        path, loc = origins[item.id]
        if not item.id.startswith(prefix):
            where = locate(path, (*loc, "id"))
            yield f"{where}: {item.id} does not belong to chapter {meta.number}"
        if item.id in seen:
            yield f"{locate(path, (*loc, 'id'))}: {item.id} is defined twice"
        seen.add(item.id)
    for item in [*exercises, *labs]:
        if item.section not in section_ids:
            path, loc = origins[item.id]
            yield (
                f"{locate(path, (*loc, 'section'))}: {item.id} names section {item.section},"
                " which does not exist"
            )


@dataclass
class Course:
    """Every chapter found in a content folder, in chapter order."""

    root: Path
    chapters: list[Chapter]

    def sections(self) -> list[Section]:
        """All sections in reading order."""
        return [section for chapter in self.chapters for section in chapter.sections]

    def find(self, item_id: str) -> tuple[Chapter, Item]:
        """The chapter and the section, exercise or lab with this ID; KeyError if none."""
        for chapter in self.chapters:
            for item in [*chapter.sections, *chapter.exercises, *chapter.labs]:
                if item.id == item_id:
                    return chapter, item
        raise KeyError(item_id)

    def ids(self) -> list[str]:
        """Every ID, sections first, then exercises and labs, chapter by chapter."""
        return [
            item.id
            for chapter in self.chapters
            for item in [*chapter.sections, *chapter.exercises, *chapter.labs]
        ]


def load_course(root: Path | None = None) -> Course:
    """Load every chapter folder (one holding `chapter.yaml`) under `root`."""
    root = root or default_content_dir()
    if not root.is_dir():
        raise ContentError([f"{root}: no such content folder"])
    chapters: list[Chapter] = []
    problems: list[str] = []
    for folder in sorted(p for p in root.iterdir() if (p / "chapter.yaml").is_file()):
        try:
            chapters.append(load_chapter(folder))
        except ContentError as exc:
            problems.extend(exc.problems)
    if not chapters and not problems:
        problems.append(f"{root}: no chapter folders (a folder with chapter.yaml)")
    if problems:
        raise ContentError(problems)
    chapters.sort(key=lambda chapter: chapter.number)
    return Course(root, chapters)
