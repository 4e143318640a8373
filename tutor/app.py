"""The Textual app: loads the course and the progress store, then routes between screens."""

from __future__ import annotations

import asyncio
import gc
import importlib
import os
import signal
import threading
import time
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from textual import work
from textual.app import App
from textual.binding import Binding
from textual.events import DescendantFocus, Resize
from textual.screen import Screen

from tutor.course.exercise_schema import CodeExercise, HandExercise
from tutor.course.loader import ContentError, Course, load_course
from tutor.course.schema import Section
from tutor.installation import FILES_CHANGED, InstallSnapshot, package_roots
from tutor.screens.base import TutorScreen
from tutor.session import Session
from tutor.settings import THEMES, Settings
from tutor.type_ahead import TypeAheadApp, takes_text

if TYPE_CHECKING:
    from textual.command import Provider
    from textual.theme import Theme

    from tutor.screens.problems import ProblemScreen
    from tutor.screens.reader import ReaderScreen

_STARTED_NS = time.perf_counter_ns()

EXIT_GRACE_S = 5.0
"""How long a polite kill (SIGTERM) may take to restore the terminal before the process ends."""


def _end_after(seconds: float, code: int) -> None:
    """End the process after `seconds` unless it has ended by then (a daemon timer)."""
    timer = threading.Timer(seconds, os._exit, args=(code,))
    timer.daemon = True
    timer.start()


"""When this module was imported: the start of the start-up measurement (as Posting does)."""

MIN_WIDTH = 64
MIN_HEIGHT = 20

WARM_PRACTICE_DELAY_S = 1.0
"""After the store opens, wait this long before starting the checker and kernel workers: their
start-up should never compete with the first screens the learner sees."""

# Screens imported only when first opened: (module, class, what the learner calls it).
LAZY_SCREENS = {
    "hand": ("tutor.screens.hand_exercise", "HandExerciseScreen", "hand exercise"),
    "code": ("tutor.screens.code_exercise", "CodeExerciseScreen", "code exercise"),
    "lab": ("tutor.screens.lab", "LabScreen", "Code Lab"),
    "review": ("tutor.screens.review", "ReviewScreen", "review"),
    "stats": ("tutor.screens.stats", "StatsScreen", "stats"),
}


def tutor_commands() -> type[Provider]:
    """The palette provider, imported when the palette first opens."""
    from tutor.palette import TutorCommands

    return TutorCommands


def now() -> datetime:
    """The current time in UTC, or `TUTOR_NOW` when set (tests, demos, replay)."""
    from progress.clock import now as clock_now

    return clock_now()


class TutorApp(TypeAheadApp[None]):
    """The tutor: home screen, section reader, and the practice screens opened from them (keys
    typed ahead of a screen change go to the new screen: see tutor/type_ahead.py)."""

    CSS_PATH = Path(__file__).with_name("tutor.tcss")
    TITLE = "Linear Algebra for ML"
    COMMANDS = App.COMMANDS | {tutor_commands}
    ENABLE_COMMAND_PALETTE = True
    BINDINGS = [
        Binding(
            "q",
            "quit",
            "Quit",
            id="quit",
            tooltip="Leave the tutor (what you typed is saved; ctrl+q while typing)",
        ),
        Binding(
            "question_mark",
            "help",
            "Help",
            key_display="?",
            id="help",
            tooltip="Every key (F1 while typing)",
        ),
        Binding(
            "ctrl+q",
            "quit_now",
            "Quit",
            show=False,
            priority=True,
            id="quit-ctrl",
            tooltip="Quit from anywhere, a box or the editor included (typing is saved)",
        ),
        Binding(
            "f1", "help_now", "Help", show=False, id="help-f1", tooltip="Every key, from anywhere"
        ),
        Binding("f9", "cycle_theme", "Next theme", show=False, id="cycle-theme"),
    ]

    def __init__(
        self,
        settings: Settings,
        start_section: str | None = None,
        start_review: bool = False,
        content_dir: Path | None = None,
        warm_practice: bool | None = None,
        resume_gc: bool = False,
    ) -> None:
        """`warm_practice`: start the checker and kernel workers after first paint; by default
        only in a real terminal (headless test runs never use them). `resume_gc`: the caller
        paused the cyclic garbage collector for start-up; turn it back on after the first frame."""
        super().__init__()
        self.session = Session(settings, navigate=self._navigate)
        """What the screens are given: settings, course, progress, kernels and a way to open
        items."""
        self.start_section = start_section
        self.start_review = start_review
        self.content_dir = content_dir
        self.warm_practice = warm_practice
        self.resume_gc = resume_gc
        self.started_in_ms: float | None = None
        self.installed: InstallSnapshot | None = None
        """The tutor's own files as they were at start-up, to tell a reinstall from a bug."""

    @property
    def settings(self) -> Settings:
        """The learner's settings (the session's)."""
        return self.session.settings

    @property
    def course(self) -> Course:
        """The loaded course (the session's)."""
        return self.session.course

    # -- start-up -------------------------------------------------------------------------

    def get_default_screen(self) -> Screen[Any]:
        """Home when the course loads; otherwise a screen listing what is wrong."""
        problem = self._load_course()
        if problem is not None:
            return problem
        from tutor.screens.home import HomeScreen

        return HomeScreen(self.session)

    def _load_course(self) -> ProblemScreen | None:
        try:
            self.session.course = load_course(
                self.content_dir, cache_dir=self.settings.data_dir / "cache"
            )
        except ContentError as exc:
            from tutor.screens.problems import ProblemScreen

            return ProblemScreen("The course data has problems", exc.problems)
        return None

    def _open_store(self) -> ProblemScreen | None:
        from progress.store import StoreError
        from tutor.screens.problems import ProblemScreen

        try:
            self.session.open_progress()
        except StoreError as exc:
            return ProblemScreen("Your progress cannot be opened", [str(exc)])
        return None

    def _check_clock(self) -> ProblemScreen | None:
        """A malformed `TUTOR_NOW` stops the session before anything is recorded with it."""
        from tutor.screens.problems import ProblemScreen

        try:
            now()
        except ValueError as exc:
            return ProblemScreen("The clock override cannot be used", [str(exc)])
        return None

    def on_mount(self) -> None:
        from tutor.theme_choice import chosen_theme

        self.theme = chosen_theme(self.settings)
        # Subscribed after the first theme is set: only the learner's own picks are kept.
        self.theme_changed_signal.subscribe(self, self._keep_theme)
        if self.settings.keymap:
            self.set_keymap(self.settings.keymap)
        self._check_size(self.size.width, self.size.height)
        if not self.is_headless:
            # A closed terminal (SIGHUP) or a polite kill (SIGTERM) saves what was typed first.
            loop = asyncio.get_running_loop()
            for signum in (signal.SIGHUP, signal.SIGTERM):
                loop.add_signal_handler(signum, self._hang_up, signum)

    def on_ready(self) -> None:
        self.started_in_ms = (time.perf_counter_ns() - _STARTED_NS) / 1e6
        if self.resume_gc:
            # The first frame is out. What exists now (modules, the course, the home screen) lives
            # for the whole session: freeze it out of the collector's passes, then collect as usual.
            self.resume_gc = False
            gc.freeze()
            gc.enable()
        self.log.info(f"Tutor started in {self.started_in_ms:.0f} ms")
        self.installed = InstallSnapshot.take([*package_roots(), self.course.root])
        if self.course.chapters:
            self._start_session()
        # Late enough that the warm-up never competes with the first screens.
        self.set_timer(0.5, self._warm_reader)
        warm = self.warm_practice if self.warm_practice is not None else not self.is_headless
        if warm and self.session.progress_open:
            self.set_timer(WARM_PRACTICE_DELAY_S, self._warm_practice)

    def _start_session(self) -> None:
        """Open the store after first paint (it costs ~35 ms), then fill marks, open screens."""
        from tutor.screens.home import HomeScreen
        from tutor.screens.problems import TooSmallScreen

        overlay = isinstance(self.screen, TooSmallScreen)
        if overlay:
            self.pop_screen()
        problem = self._check_clock() or self._open_store()
        if problem is not None:
            self.push_screen(problem)
        else:
            home = self.screen_stack[0]
            if isinstance(home, HomeScreen):
                home.refresh_outline()
            if self.start_section:
                self.open_item(self.start_section)
            if self.start_review:
                self.action_review()
        if overlay:
            self.push_screen(TooSmallScreen(MIN_WIDTH, MIN_HEIGHT))

    @work(thread=True, exclusive=True, group="warm-up", exit_on_error=False)
    def _warm_reader(self) -> None:
        """After first paint, import the reader, the exercise screens and the Python lexer, and
        build
        every section's renderables, so that no first open stalls on an import or a Markdown
        parse."""
        reader = importlib.import_module("tutor.screens.reader")
        from pygments.lexers import PythonLexer

        PythonLexer()
        from tutor.widgets.themed import theme_colours

        # Rendered as the page will be (Textual's options at the page's width): opening a section
        # then
        # only lays out lines that are already there.
        options = self.console_options.update_width(reader.page_width(self.size.width)).update(
            highlight=False
        )
        reader.prepare_course(
            self.course, theme_colours(self), console=self.console, options=options
        )
        # Their imports (and Textual's widgets they pull in) stall a first open by 150-265 ms.
        for screen in ("hand", "code"):
            importlib.import_module(LAZY_SCREENS[screen][0])
        # Modules, the course and its rendered pages live as long as the app: leave them out of the
        # collector's full passes, which otherwise walk them all and stall a page open by 50-70 ms.
        gc.freeze()
        if self.settings.keymap:
            from tutor.keymap import unknown_ids

            unknown = unknown_ids(self.settings.keymap)
            if unknown:
                self.notify(
                    f"No key binding has the ID {', '.join(unknown)}; the keys for it are unused. "
                    "`?` lists every key (the IDs are in the README).",
                    title="Keymap",
                    severity="warning",
                    timeout=10,
                )

    @work(thread=True, exclusive=True, group="warm-practice", exit_on_error=False)
    def _warm_practice(self) -> None:
        """Start the checker worker (sympy loads in that process) and a spare code kernel."""
        self.session.warm_practice()

    def on_unmount(self) -> None:
        # Nothing the session started outlives the app.
        self.session.close()

    # -- quitting: nothing typed is lost ----------------------------------------------------

    def save_typed(self) -> None:
        """Save what every open screen holds unchecked (answers, code) before the app goes."""
        screens = [*self.screen_stack]
        if self.is_screen_installed("repl"):
            screens.append(self.get_screen("repl"))
        for screen in screens:
            if isinstance(screen, TutorScreen):
                screen.save_typed()

    async def action_quit(self) -> None:
        """Quit (q, or ctrl+q while typing): unchecked answers and code drafts are saved first."""
        await self._settle_text_boxes()
        self.save_typed()
        self.exit()

    async def action_quit_now(self) -> None:
        """ctrl+q: quit even from a box (what was typed is saved first)."""
        await self.action_quit()

    def action_help_now(self) -> None:
        """F1: help even from a box."""
        self.action_help()

    def _hang_up(self, signum: int) -> None:
        code = 128 + signum

        async def save_and_exit() -> None:
            try:
                await self._settle_text_boxes()
                self.save_typed()
            finally:
                if signum == signal.SIGHUP:
                    self._end_without_terminal(code)
                else:
                    # A polite kill: the terminal is still there, so leave it as it was found.
                    # Textual's shutdown writes to the terminal and can wait for ever if that is
                    # gone after all; the timer ends the process then (what was typed is saved).
                    _end_after(EXIT_GRACE_S, code)
                    self.exit(return_code=code)

        self.call_next(save_and_exit)

    def _end_without_terminal(self, code: int) -> None:
        """The terminal hung up: nothing can be drawn on it or restored, and Textual's shutdown
        would write to it (and, once its writer thread died on the dead terminal, block for ever,
        leaving the tutor running with no one to see it). Stop what the session started, close
        the store, and end the process now."""
        try:
            self.session.close()
        finally:
            os._exit(code)

    async def _settle_text_boxes(self) -> None:
        """Wait until every box of this screen has taken the keys already sent to it: ctrl+q acts
        at once, and a burst typed just before it would otherwise not be in the boxes yet."""
        settled: list[asyncio.Event] = []
        for widget in self.screen.query("Input, TextArea"):
            done = asyncio.Event()
            widget.call_later(done.set)
            settled.append(done)
        if settled:
            try:
                waits = asyncio.gather(*(done.wait() for done in settled))
                await asyncio.wait_for(waits, timeout=1.0)
            except TimeoutError:
                pass  # save what the boxes hold now rather than not quit

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """`q` and `?` are text while a box or the editor has the cursor (ctrl+q and F1 act)."""
        if action in ("quit", "help") and takes_text(self.focused):
            return False
        return True

    def _handle_exception(self, error: Exception) -> None:
        """A failure because the tutor's own files changed (reinstalled while running) ends the
        app with a message that says so, after saving what was typed, instead of a traceback."""
        if not self._files_changed():
            super()._handle_exception(error)
            return
        try:
            self.save_typed()
        finally:
            self.exit(return_code=1, message=FILES_CHANGED)

    def _files_changed(self) -> bool:
        return self.installed is not None and bool(self.installed.changed())

    # -- routing --------------------------------------------------------------------------

    def open_item(self, item_id: str, variant: int = 0) -> None:
        """Open the section, exercise or lab with this ID on its own screen."""
        try:
            chapter, item = self.course.find(item_id)
        except KeyError:
            self.notify(f"There is no section, exercise or lab {item_id!r}.", severity="error")
            return
        if isinstance(item, Section):
            self._open_section(item_id)
            return
        if isinstance(item, HandExercise):
            self._push_lazy("hand", self.session, chapter, item, variant=variant)
        elif isinstance(item, CodeExercise):
            self._push_lazy("code", self.session, chapter, item)
        else:
            self._push_lazy("lab", self.session, chapter, item)

    def _navigate(self, item_id: str) -> None:
        # Looked up at each call, so a test can stand in for `open_item`.
        self.open_item(item_id)

    def _open_section(self, section_id: str, at: int | None = None) -> None:
        from tutor.screens.reader import ReaderScreen

        if isinstance(self.screen, ReaderScreen):
            self.screen.show_section(section_id, at)
        else:
            self.push_screen(ReaderScreen(self.session, section_id, at))

    def open_section_at(self, section_id: str, block: int | None) -> None:
        """Open a section at one of its blocks (a search hit)."""
        self._open_section(section_id, block)

    def _push_lazy(self, kind: str, *args: Any, **kwargs: Any) -> None:
        module_name, class_name, label = LAZY_SCREENS[kind]
        try:
            module = importlib.import_module(module_name)
            screen = getattr(module, class_name)(*args, **kwargs)
        except ModuleNotFoundError as exc:
            if self._files_changed():
                self.notify(FILES_CHANGED, severity="error", timeout=30)
                return
            if exc.name != module_name:
                raise
            self.notify(f"The {label} screen is not available yet.", severity="warning")
            return
        except ContentError as exc:
            # The exercise's reference code could not be loaded: say why, and stay where we are.
            message = FILES_CHANGED if self._files_changed() else "\n".join(exc.problems)
            self.notify(
                message, title=f"This {label} cannot be opened", severity="error", timeout=30
            )
            return
        self.push_screen(screen)

    # -- actions --------------------------------------------------------------------------

    def action_help(self) -> None:
        """Show every key of every screen."""
        from tutor.screens.help import HelpScreen

        screen = self.screen
        if not isinstance(screen, HelpScreen):
            # What the screen's state stops now is marked, as its footer hides it.
            stopped = screen.not_now() if isinstance(screen, TutorScreen) else {}
            not_now = {action: why.why for action, why in stopped.items()}
            self.push_screen(HelpScreen(type(screen), keymap=self.settings.keymap, not_now=not_now))

    def action_review(self) -> None:
        """Start a review session of what is due."""
        self._push_lazy("review", self.session)

    def action_stats(self) -> None:
        """Show progress and retention figures."""
        self._push_lazy("stats", self.session)

    def action_home(self) -> None:
        """Go back to the home screen."""
        from tutor.screens.problems import TooSmallScreen

        while len(self.screen_stack) > 1 and not isinstance(self.screen, TooSmallScreen):
            self.pop_screen()

    def action_cycle_theme(self) -> None:
        """Switch to the next theme in the settings' list (for this session)."""
        position = THEMES.index(self.theme) if self.theme in THEMES else -1
        self.set_theme(THEMES[(position + 1) % len(THEMES)])

    def set_theme(self, name: str) -> None:
        """Use the theme `name` and say so."""
        self.theme = name
        self.notify(f"Theme: {name}", timeout=2)

    def _keep_theme(self, theme: Theme) -> None:
        """Any pick (F9, the palette) is kept for the next start."""
        from tutor.theme_choice import keep_theme

        if theme.name not in THEMES:
            return
        try:
            keep_theme(self.settings, theme.name)
        except OSError as exc:
            self.notify(f"The theme could not be kept for next time: {exc}", severity="warning")

    # -- events ---------------------------------------------------------------------------

    def on_resize(self, event: Resize) -> None:
        self._check_size(event.size.width, event.size.height)

    def _check_size(self, width: int, height: int) -> None:
        too_small = width < MIN_WIDTH or height < MIN_HEIGHT
        if not too_small and "problems" not in type(self.screen).__module__:
            return  # the common case: no overlay wanted or shown, nothing to import
        from tutor.screens.problems import TooSmallScreen

        screen = self.screen
        showing = isinstance(screen, TooSmallScreen)
        if too_small and not showing:
            self.push_screen(TooSmallScreen(MIN_WIDTH, MIN_HEIGHT))
        elif isinstance(screen, TooSmallScreen):
            if too_small:
                screen.show_size(width, height)
            else:
                self.pop_screen()

    def on_descendant_focus(self, event: DescendantFocus) -> None:
        # Blinking only matters while focused; applying it here covers every screen's editors.
        widget = event.widget
        if hasattr(widget, "cursor_blink") and widget.cursor_blink != self.settings.cursor_blink:
            widget.cursor_blink = self.settings.cursor_blink

    def on_reader_screen_run_example(self, message: ReaderScreen.RunExample) -> None:
        """Send a code example from the reader to the session's REPL, opening it if needed."""
        from tutor.screens.repl_screen import ReplScreen

        if not self.is_screen_installed("repl"):
            self.install_screen(ReplScreen(self.session), "repl")
        repl = self.get_screen("repl")
        assert isinstance(repl, ReplScreen)
        showing = self.screen is repl
        if not showing:
            self.push_screen(repl)
        repl.run_example(message.source)
