"""The footer: the keys the screen offers now, one line, each clickable.

One widget that draws the shown bindings itself. Textual's Footer is a widget per key and
rebuilds all of them whenever the focused widget changes (the active bindings are published
again): over SSH that was a relayout and a repaint of the line on every arrow key, and at
start-up a dozen widgets. Here the line is redrawn only when the keys it shows change.
"""

from __future__ import annotations

from rich.cells import cell_len
from textual import events
from textual.color import Color
from textual.content import Content
from textual.screen import Screen
from textual.style import Style
from textual.widget import Widget

from ..core.frozen import frozen


@frozen
class ShownKey:
    key: str  # as the binding names it ("question_mark"): what a click simulates
    display: str  # as the footer shows it ("?")
    description: str
    enabled: bool
    tooltip: str
    action: str = ""


# Kept on the line whatever its width (with the palette's ^p): how to get help and how to leave.
ESSENTIAL_ACTIONS = frozenset({"help", "quit"})


def shown_keys(screen: Screen) -> tuple[tuple[ShownKey, ...], ShownKey | None]:
    """The footer's keys for `screen`: every shown binding (once per action), and the
    command palette's (drawn at the right end)."""
    app = screen.app
    keys: list[ShownKey] = []
    actions: set[str] = set()
    palette = None
    for _node, binding, enabled, tooltip in screen.active_bindings.values():
        shown = ShownKey(
            binding.key, app.get_key_display(binding), binding.description, enabled, tooltip or "", binding.action
        )
        if binding.key == app.COMMAND_PALETTE_BINDING:
            palette = shown
        elif binding.show and binding.action not in actions:
            actions.add(binding.action)
            keys.append(shown)
    return tuple(keys), palette if app.ENABLE_COMMAND_PALETTE else None


def _width(keys: tuple[ShownKey, ...], palette: ShownKey | None, pad: int) -> int:
    wanted = sum(cell_len(k.display) + cell_len(k.description) + 2 + pad for k in keys)
    if palette is not None:
        wanted += cell_len(palette.display) + cell_len(palette.description) + 4
    return wanted


def fit_keys(keys: tuple[ShownKey, ...], palette: ShownKey | None, width: int) -> tuple[int, tuple[ShownKey, ...]]:
    """(padding, the keys drawn) so that the line fits `width`: each key with room around it,
    else closer together, else the keys from the right end dropped one by one. Help, Quit and
    the palette's ^p are never dropped."""
    for pad in (1, 0):
        if _width(keys, palette, pad) <= width:
            return pad, keys
    kept = list(keys)
    for k in reversed(keys):
        if _width(tuple(kept), palette, 0) <= width:
            break
        if k.action not in ESSENTIAL_ACTIONS:
            kept.remove(k)
    return 0, tuple(kept)


class KeyBar(Widget):
    DEFAULT_CSS = """
    KeyBar { dock: bottom; height: 1; width: 1fr; background: $footer-background; }
    """

    def __init__(self, id: str | None = None) -> None:
        super().__init__(id=id)
        self._keys: tuple[ShownKey, ...] = ()
        self._palette: ShownKey | None = None
        self._spans: list[tuple[ShownKey, int, int]] = []

    @property
    def keys(self) -> tuple[ShownKey, ...]:
        return self._keys

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self.bindings_changed)

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    def bindings_changed(self, screen: Screen) -> None:
        if screen is not self.screen:
            return
        keys, palette = shown_keys(screen)
        if (keys, palette) != (self._keys, self._palette):
            self._keys, self._palette = keys, palette
            self.refresh()

    def render(self) -> Content:
        theme = self.app.theme_variables
        back = self.background_colors[1]

        def color(name: str, fallback: Color) -> Color:
            value = theme.get(name, "")
            return back + Color.parse(value) if value and value != "transparent" else fallback

        text = color("footer-description-foreground", back + back.get_contrast_text(0.87))
        key_color = color("footer-key-foreground", text)
        dim = back + back.get_contrast_text(0.38)
        width = self.size.width
        palette = self._palette
        pad, keys = fit_keys(self._keys, palette, width)
        parts: list[tuple[str, Style] | str] = []
        self._spans, x = [], 0
        space = " " * pad
        for shown in keys:
            label = f"{space}{shown.display} "
            parts.append((label, Style(foreground=key_color if shown.enabled else dim, bold=True)))
            parts.append((f"{shown.description}{space} ", Style(foreground=text if shown.enabled else dim)))
            end = x + cell_len(label) + cell_len(shown.description) + pad + 1
            self._spans.append((shown, x, end))
            x = end
        if palette is not None:
            label = f" {palette.display} {palette.description} "
            start = max(x, width - cell_len(label))
            parts.append(" " * (start - x))
            parts.append((f" {palette.display} ", Style(foreground=key_color, bold=True)))
            parts.append((f"{palette.description} ", Style(foreground=text)))
            self._spans.append((palette, start, start + cell_len(label)))
        return Content.assemble(*parts)

    def _key_at(self, event: events.MouseEvent) -> ShownKey | None:
        offset = event.get_content_offset(self)
        if offset is None:
            return None
        return next((k for k, start, end in self._spans if start <= offset.x < end), None)

    def on_click(self, event: events.Click) -> None:
        shown = self._key_at(event)
        if shown is None:
            return
        event.stop()
        if shown.enabled:
            self.app.simulate_key(shown.key.split(",")[0].strip())
        else:
            self.app.bell()

    def on_mouse_move(self, event: events.MouseMove) -> None:
        shown = self._key_at(event)
        self.tooltip = (shown.tooltip or shown.description) if shown else None
