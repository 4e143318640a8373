"""Load chapters from YAML into validated models; every error names the file and the line."""

from __future__ import annotations

import importlib
import importlib.machinery
import importlib.util
import os
import re
import sys
import time
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any, TypeAlias, TypeVar

import msgspec

from tutor import __version__
from tutor.course import exercise_schema, schema
from tutor.course.exercise_schema import CodeExercise, ExerciseFile, HandExercise, Lab, LabFile
from tutor.course.schema import ChapterMeta, Section

if TYPE_CHECKING:
    import yaml

Model = TypeVar("Model", bound=msgspec.Struct)
Item: TypeAlias = Section | HandExercise | CodeExercise | Lab


@cache
def _yaml_loader() -> Any:
    """libyaml's safe loader when built in. `yaml` is imported here, not at module level: it costs
    ~25 ms, and a start-up that finds a valid course cache never needs it."""
    import yaml

    return getattr(yaml, "CSafeLoader", yaml.SafeLoader)


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
    loc = tuple(int(index) if index else key for key, index in _PATH_PART.findall(path))
    return what, loc


def _line_of(root: yaml.Node | None, loc: tuple[int | str, ...]) -> int:
    """The 1-based line of the YAML node at `loc`, or of its deepest existing ancestor."""
    import yaml

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
    import yaml

    try:
        data = yaml.load(text, Loader=_yaml_loader())
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
        line = _line_of(yaml.compose(text, Loader=_yaml_loader()), key_loc)
        raise ContentError([f"{path}:{line}: {_friendly(what, loc)}"]) from None


def locate(path: Path, loc: tuple[int | str, ...]) -> str:
    """`file:line` of the node at `loc` in a YAML file that already parsed once."""
    import yaml

    root = yaml.compose(path.read_text(encoding="utf-8"), Loader=_yaml_loader())
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

    @property
    def package(self) -> str:
        """The import name of this chapter's folder as a package (unique per folder, so two
        courses with a chapter of the same number never share modules in one process)."""
        return f"_tutor_chapter_{self.number}_{zlib.crc32(str(self.folder.resolve()).encode()):08x}"

    def module(self, module_name: str) -> ModuleType:
        """The trusted module `module_name.py` of this chapter folder, imported as part of the
        chapter's package, so its modules import each other with `from . import data`."""
        module = self._modules.get(module_name)
        if module is not None:
            return module
        path = self.folder / f"{module_name}.py"
        if not module_name.isidentifier() or not path.is_file():
            raise ContentError([f"{self.folder}: no reference module {module_name}.py"])
        self._ensure_package()
        try:
            module = importlib.import_module(f"{self.package}.{module_name}")
        except ContentError:
            raise
        except Exception as exc:  # trusted code, but a broken edit must read as a content error
            raise ContentError(
                [f"{path}: cannot load reference module: {type(exc).__name__}: {exc}"]
            ) from exc
        self._modules[module_name] = module
        return module

    def _ensure_package(self) -> None:
        if self.package in sys.modules:
            return
        # A namespace-like package over the folder: no __init__.py needed (and none is run).
        spec = importlib.machinery.ModuleSpec(self.package, None, is_package=True)
        spec.submodule_search_locations = [str(self.folder)]
        sys.modules[self.package] = importlib.util.module_from_spec(spec)

    def reference(self, name: str) -> Callable[..., Any]:
        """The reference function `module.function` from this chapter's folder (trusted code)."""
        module_name, _, function_name = name.partition(".")
        try:
            module = self.module(module_name)
        except ContentError as exc:
            raise ContentError([f"{problem} (for {name})" for problem in exc.problems]) from exc
        function = getattr(module, function_name, None)
        if not callable(function):
            where = self.folder / f"{module_name}.py"
            raise ContentError([f"{where}: no function {function_name}"])
        return function


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
        section.id: (folder / name, ())
        for name, section in zip(meta.sections, sections, strict=False)
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


def load_course(root: Path | None = None, cache_dir: Path | None = None) -> Course:
    """Load every chapter folder (one holding `chapter.yaml`) under `root`.

    With `cache_dir` (the app's start-up), a course validated before is decoded from a msgpack
    cache instead: no YAML parsing and no `yaml` import. The cache is keyed by every content
    file's path, size and mtime, so any edit means the YAML is read (and the cache rewritten);
    a cache that cannot be read or decoded is ignored. Without `cache_dir` the YAML is always read.
    """
    root = root or default_content_dir()
    if not root.is_dir():
        raise ContentError([f"{root}: no such content folder"])
    if cache_dir is None:
        return _load_from_yaml(root)
    cache_file = cache_file_for(root, cache_dir)
    key, settled = content_key(root)
    cached = _read_cache(cache_file, key, root)
    if cached is not None:
        return cached
    course = _load_from_yaml(root)
    if settled:
        _write_cache(cache_file, key, course)
    return course


def _load_from_yaml(root: Path) -> Course:
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


# -- the validated-course cache ----------------------------------------------------------------

CACHE_FORMAT = 1
"""Bump when the cached layout changes (schema edits are caught by the key on their own)."""

SETTLE_NS = 2_000_000_000
"""Content changed this recently is not cached: on a coarse-mtime file system a second edit
within the same tick, of the same size, would otherwise go unseen (git's "racy clean" rule)."""


class _CachedChapter(msgspec.Struct, frozen=True):
    folder: str
    """The chapter folder relative to the course root."""
    meta: ChapterMeta
    sections: list[Section]
    exercises: list[HandExercise | CodeExercise]
    labs: list[Lab]


class _CachedCourse(msgspec.Struct, frozen=True):
    key: str
    chapters: list[_CachedChapter]


def cache_file_for(root: Path, cache_dir: Path) -> Path:
    """The cache file of the course at `root` (one per content folder)."""
    # A checksum is enough for a file name: the full root path is part of the key inside.
    return cache_dir / f"course-{zlib.crc32(str(root.resolve()).encode()):08x}.msgpack"


def content_key(root: Path) -> tuple[str, bool]:
    """Every content file's relative path, size and mtime, the schema's source files and the
    versions that shape the cache, as one string; and whether all of it is older than SETTLE_NS.

    Kept whole rather than hashed: comparing a few kB is free, and hashlib costs ~7 ms to import."""
    parts = [f"format {CACHE_FORMAT}", f"tutor {__version__}", f"msgspec {msgspec.__version__}"]
    parts.append(str(root.resolve()))
    newest = 0
    for module_file in (schema.__file__, exercise_schema.__file__, __file__):
        try:
            stat = os.stat(str(module_file))
        except OSError:  # not a plain file (a zip import): the tutor version must do
            parts.append(str(module_file))
            continue
        parts.append(f"{module_file}\0{stat.st_size}\0{stat.st_mtime_ns}")
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if d != "__pycache__")
        for name in sorted(files):
            path = os.path.join(folder, name)
            try:
                stat = os.stat(path)
            except OSError:
                continue  # vanished while walking: the YAML load will say so if it mattered
            newest = max(newest, stat.st_mtime_ns)
            parts.append(f"{os.path.relpath(path, root)}\0{stat.st_size}\0{stat.st_mtime_ns}")
    return "\n".join(parts), newest < time.time_ns() - SETTLE_NS


def _read_cache(cache_file: Path, key: str, root: Path) -> Course | None:
    """The cached course when its key matches; None when missing, stale, corrupt or unreadable."""
    try:
        data = cache_file.read_bytes()
        cached = msgspec.msgpack.decode(data, type=_CachedCourse)
    except (OSError, msgspec.MsgspecError, ValueError, TypeError):
        return None
    if cached.key != key:
        return None
    chapters = [
        Chapter(root / c.folder, c.meta, list(c.sections), list(c.exercises), list(c.labs))
        for c in cached.chapters
    ]
    return Course(root, chapters)


def _write_cache(cache_file: Path, key: str, course: Course) -> None:
    """Save the course for the next start; a failure only means the next start reads YAML."""
    payload = _CachedCourse(
        key,
        [
            _CachedChapter(
                chapter.folder.relative_to(course.root).as_posix(),
                chapter.meta,
                chapter.sections,
                chapter.exercises,
                chapter.labs,
            )
            for chapter in course.chapters
        ],
    )
    data = msgspec.msgpack.encode(payload)
    # Free-form values (exercise params) must come back exactly, or the cache is not used at all.
    if msgspec.msgpack.decode(data, type=_CachedCourse) != payload:
        return
    import tempfile

    try:
        cache_file.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=cache_file.parent, prefix=".course-")
    except OSError:
        return
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        os.replace(tmp, cache_file)  # atomic: a reader sees the old cache or the new, never half
    except OSError:
        Path(tmp).unlink(missing_ok=True)
