"""Text boxes that act on their own editing keys (backspace, ctrl+u, arrows…) the moment each key
comes, so a burst of keys is applied in the order it was typed."""

from __future__ import annotations

from textual import events
from textual.widget import Widget
from textual.widgets import Input, TextArea


async def own_binding_now(widget: Widget, event: events.Key) -> bool:
    """Run the box's own binding for this key now; True if one acted (the key is then used up).

    Textual runs a focused widget's bindings only once the key has bubbled up to the app, and by
    then the box may have taken the keys typed after it: `3 backspace 1 4` sent at once gave `31`,
    and a ctrl+u before an answer cleared the next box instead.
    """
    for binding in widget._bindings.key_to_bindings.get(event.key, ()):
        if binding.priority:
            continue
        if await widget.app.run_action(binding.action, widget):
            event.stop()
            event.prevent_default()
            return True
    return False


class InOrderInput(Input):
    """A one-line answer box whose editing keys act in the order they were typed."""

    async def _on_key(self, event: events.Key) -> None:
        if not await own_binding_now(self, event):
            await super()._on_key(event)


class InOrderTextArea(TextArea):
    """A text area whose editing keys act in the order they were typed."""

    async def _on_key(self, event: events.Key) -> None:
        if not await own_binding_now(self, event):
            await super()._on_key(event)
