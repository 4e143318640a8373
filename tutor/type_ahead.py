"""Type-ahead across screen changes: a key typed while the keys before it are still being handled,
or while a screen is opening, waits, and then goes to the screen and box that are current once
that is done, in the order it was typed.

Why the app needs this: Textual hands each key to the widget that has focus *when it reads the
key*, but a key's binding runs later, once the key has bubbled back up to the app; an item chosen
in a list opens later still (the list posts a message and a handler pushes the screen); and a new
screen sets its focus when it has mounted. So in a burst such as `t` then `norm`, every letter
was already queued on the reader's page before `t` pushed the contents: the letters were lost or
acted as reader commands instead of going into the contents' search box. The same held for enter
on home's list, `n`/`p`, opening an exercise, `/`, `?`, the palette, escape and the review's next
item.

How: keys (and pastes) are sent on one at a time. After sending one to the focused widget, a
marker follows it up the same chain of widgets to the app, at least twice and again while a widget
of the screen still has messages waiting: the first trip arrives after the key's own handling
everywhere (its bindings included), the next ones after the messages that handling posted (an
`OptionSelected` that opens a screen; the palette's choice, a few messages deep). A screen change
(push, pop, switch: the app's `screen_change_signal`) starts a new wait that ends once the new
screen has processed what is queued to it (its mount, where it sets its focus, and its resume),
the app has run the focus changes that queued, and the screen has painted and run what it asked to
do after that paint. Only then does the next held key go on. Each step is a callback queued
behind real messages (no timer, no polling), and text typed into a box is never held, so typing
into a settled screen goes on at once.

A wait never swallows keys: a marker that cannot be queued on a widget that is closing goes to the
app instead, a screen change that supersedes a wait (the new screen popped before it opened, or the
opening cancelled) starts a wait on whatever screen is current then, and a screen that cannot be
opened is no screen change at all, so the keys go to the screen still showing.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from textual import events
from textual.app import App
from textual.dom import DOMNode
from textual.message import Message
from textual.screen import Screen

ReturnType = TypeVar("ReturnType")

MAX_TRIPS = 8
"""At most this many trips up the chain of widgets per key: a widget that keeps posting messages
(a ticking timer) never holds the keys back for long."""

MOVES = frozenset(
    {"scroll", "page", "edge", "cursor_up", "cursor_down", "page_up", "page_down", "first", "last"}
)
"""Actions that only scroll a page or move a list's highlight (the reader's j/k, space, home/end;
a list's arrows and j/k/g/G): the key after one need not wait for it, so holding j scrolls as
fast as before instead of repainting once per key."""

Typed = events.Key | events.Paste
"""What is held: keys and bracketed pastes (both go to the focused widget)."""


def takes_text(widget: object) -> bool:
    """Whether `widget` is a box the learner types in (an input, or an editor not read-only).

    By class name, so the footer asking at first paint imports no text widget."""
    names = {cls.__name__ for cls in type(widget).__mro__}
    if "TextArea" in names:
        return not getattr(widget, "read_only", False)
    return "Input" in names


def only_moves(target: DOMNode, key: str) -> bool:
    """Whether the binding `key` reaches from `target` up (as Textual looks for one, after the
    priority bindings) only scrolls or moves a highlight (`MOVES`). A few dictionary look-ups: the
    screen's `active_bindings` would ask every binding's `check_action`, ~0.15 ms a key."""
    for node in target.ancestors_with_self:
        for binding in node._bindings.key_to_bindings.get(key, ()):
            if not binding.priority:
                return binding.action.partition("(")[0] in MOVES
    return False


class HoldTyping(Message):
    """Posted to the app by a screen whose next keys depend on a worker's result (a give-up being
    saved decides whether enter leaves with a rating): `hold` True holds every typed key, False
    lets them go on once what the result set off is done. Apps without type-ahead ignore it."""

    def __init__(self, owner: object, hold: bool) -> None:
        super().__init__()
        self.owner = id(owner)
        self.hold = hold


class TypeAheadApp(App[ReturnType]):
    """An app that hands each typed key on only once the keys before it, and any screen change
    they (or anything else) started, have been handled."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._typed_ahead: deque[Typed] = deque()
        """Keys read while the gate was busy, oldest first."""
        self._gate_busy = False
        """A key is being handled, or a screen is opening."""
        self._gate_turn = 0
        """Bumped by each key sent and each screen change: a marker of an older turn is stale."""
        self._holds: set[int] = set()
        """Who holds the keys (`HoldTyping`): work a worker finishes decides where they go."""

    def _on_mount(self) -> None:
        # Immediate: the wait must begin inside push_screen/pop_screen, before the next key is read.
        self.screen_change_signal.subscribe(self, self._screen_changed, immediate=True)

    async def on_event(self, event: events.Event) -> None:
        """Keys and pastes wait their turn; every other event is handled as Textual does."""
        if isinstance(event, Typed) and not event.is_forwarded:
            if self._gate_busy or self._typed_ahead or self._holds:
                self._typed_ahead.append(event)
                return
            await self._send_typed(event)
            return
        await super().on_event(event)

    def on_hold_typing(self, message: HoldTyping) -> None:
        """Hold typed keys while `message.owner` waits for a worker, or let them go on."""
        if message.hold:
            self._holds.add(message.owner)
            return
        if message.owner not in self._holds:
            return
        self._holds.discard(message.owner)
        if not self._holds and not self._gate_busy:
            # What the release set off (the screen leaving) runs first; a screen change it
            # started is waited for as any other.
            self._gate_busy = True
            self._gate_turn += 1
            self._until_quiet(self.screen, self._gate_turn, self._release)

    @property
    def typed_ahead(self) -> int:
        """How many keys are waiting for their screen (tests read it)."""
        return len(self._typed_ahead)

    async def _send_typed(self, event: Typed) -> None:
        """Hand one key on as Textual does, then wait until it and what it started are done."""
        self._gate_busy = True
        self._gate_turn += 1
        turn = self._gate_turn
        # Where Textual will forward it (priority bindings aside, which act right here).
        target: DOMNode = self.focused or self.screen
        await super().on_event(event)
        if turn != self._gate_turn:
            return  # it changed the screen right here (a priority binding): that wait releases
        if not event.is_forwarded:
            # A priority binding acted right here: wait only for what it queued (a focus move).
            self._follow(self.screen, turn, self._release)
            return
        if takes_text(target) and (isinstance(event, events.Paste) or event.is_printable):
            # Text into a box changes no screen and no focus (the rule of every box here), so
            # the next key may follow it at once: a burst of text shows as fast as it did.
            self._gate_busy = False
            return
        if isinstance(event, events.Key) and only_moves(target, event.key):
            # Scrolling or moving a highlight opens nothing: the next key may follow at once
            # (it reaches the same widget after this one, in order).
            self._gate_busy = False
            return

        self._until_quiet(target, turn, self._release, at_least=2)

    def _until_quiet(
        self,
        start: DOMNode,
        turn: int,
        then: Callable[[int], Awaitable[None] | None],
        at_least: int = 1,
        trips: int = 0,
    ) -> None:
        """Follow the chain from `start` to the app `at_least` times, and again while the screen
        still has messages queued (what the key set off is on its way: an item chosen in a list
        posts a message, whose handler posts another…), then call `then(turn)`."""

        def arrived(turn: int) -> Awaitable[None] | None:
            done = trips + 1
            if done < at_least or (done < MAX_TRIPS and self._screen_busy()):
                self._until_quiet(start, turn, then, at_least, done)
                return None
            return then(turn)

        self._follow(start, turn, arrived)

    def _screen_busy(self) -> bool:
        """Whether the current screen or a widget on it has messages waiting."""
        return any(node.message_queue_size for node in self.screen.walk_children(with_self=True))

    def _follow(
        self, start: DOMNode, turn: int, then: Callable[[int], Awaitable[None] | None]
    ) -> None:
        """Call `then(turn)` once `start`, then each of its ancestors up to the app, has handled
        everything queued to it before the marker (a key bubbles along the same path)."""

        def reached(node: DOMNode) -> Awaitable[None] | None:
            if turn != self._gate_turn:
                return None  # superseded by a newer key or screen change
            if node is self:
                return then(turn)
            self._queue_marker(node.parent or self, reached)
            return None

        self._queue_marker(start, reached)

    def _queue_marker(
        self, node: DOMNode, reached: Callable[[DOMNode], Awaitable[None] | None]
    ) -> None:
        # A widget that is closing takes no more messages: then nothing is left to wait for there.
        if not node.call_later(reached, node):
            self.call_later(reached, self)

    def _screen_changed(self, screen: Screen[Any]) -> None:
        """A screen was pushed, popped or switched to: hold keys until it has opened."""
        self._gate_busy = True
        self._gate_turn += 1
        self._follow(screen, self._gate_turn, self._after_paint)

    def _after_paint(self, turn: int) -> None:
        # A screen finishes opening after its first paint too: the review opens its first item
        # then, the reader lands on the place it was left. Those callbacks were queued while it
        # mounted, so they run before this one (and a screen they open starts a new wait).
        self.call_after_refresh(self._opened, turn)

    def _opened(self, turn: int) -> Awaitable[None] | None:
        if self._screen_busy():
            self._until_quiet(self.screen, turn, self._release)
            return None
        return self._release(turn)

    async def _release(self, turn: int) -> None:
        """The wait of `turn` is over: send the held keys on, one at a time, in order."""
        if turn != self._gate_turn:
            return
        self._gate_busy = False
        while self._typed_ahead and not self._gate_busy and not self._holds:
            await self._send_typed(self._typed_ahead.popleft())
