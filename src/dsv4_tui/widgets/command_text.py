"""The command as shown, with what is said about it: one widget that repaints only changed lines.

The box shows, line by line: the measured speed, warnings, notes, the command (highlighted,
or as a diff) and the cell's banner. A chip press changes a few of those lines; Textual
would repaint a whole `Static` and, when a height changes, everything below it. Over SSH
that is kilobytes per key. So this widget
keeps its lines, compares the new ones with them and refreshes only the lines that changed,
each only as wide as its old or new text. It keeps its height too: it fills the rows left
down to the bottom of the scrolling pane it sits in (what comes after it in the pane stays
under it, on the bottom edge), so a longer or shorter command moves nothing else on screen;
a text taller than the pane grows it, as any widget would.

A command line wider than the box is broken after a comma (inside a JSON value, where a
break and spaces are harmless) or a space, and continues indented under the line it belongs
to: never at column 0, where a mouse copy would read it as a command of its own. Copy hands
over the real command, unwrapped.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

from rich.cells import cell_len
from rich.style import Style
from rich.text import Text
from textual import events
from textual.geometry import Region, Size
from textual.selection import Selection
from textual.strip import Strip
from textual.widget import Widget

from ..core.view import TODO_PLACEHOLDER
from .quiet import SizedInPlace, words_wrapped

_FLAG = re.compile(r"(?<![\w-])--[a-z0-9][a-z0-9-]*")
_ENV = re.compile(r"^ *([A-Z][A-Z0-9_]*)=", re.M)
_COMMENT = re.compile(r"^#.*$", re.M)
INDENT = 4  # extra indent of a continued line
STRIPS_KEPT = 512  # drawn lines kept for a line shown again (a press back to a command)

# The blocks around the command, in the order shown, with their component class.
ABOVE = ("speed", "warnings", "notes")
BELOW = ("banner",)
BLOCKS = (*ABOVE, "command", *BELOW)


def wrap_line(line: str, width: int) -> list[str]:
    """`line` broken to `width` columns, continued lines indented (see the module docstring)."""
    if width <= INDENT + 8 or cell_len(line) <= width:
        return [line]
    pad = " " * (len(line) - len(line.lstrip(" ")) + INDENT)
    out, rest = [], line
    while cell_len(rest) > width:
        head = rest[:width]
        cut = max(head.rfind(","), head.rfind(" ")) + 1
        if cut <= len(pad):
            cut = width
        out.append(rest[:cut])
        rest = pad + rest[cut:]
    return [*out, rest]


def wrap_text(text: str, width: int) -> str:
    return "\n".join(piece for line in text.split("\n") for piece in wrap_line(line, width))


def highlight_command(text: str) -> Text:
    """Colour a shell command: comments dim, flags accented, env names green, and the
    cookbook's fill-me-in placeholders (`<node0-ip>`, `<your-hf-token>`) standing out."""
    t = Text(text, no_wrap=True)
    t.highlight_regex(_ENV, "green")
    t.highlight_regex(_FLAG, "bold cyan")
    t.highlight_regex(_COMMENT, "dim italic")
    t.highlight_regex(TODO_PLACEHOLDER, "bold black on yellow")
    return t


def diff_text(diff: Sequence[tuple[str, str]], width: int = 0) -> Text:
    """`+` lines green, `-` lines red and struck through, the rest plain."""
    out = Text(no_wrap=True)
    styles = {"+": "green", "-": "red strike"}
    for i, (op, line) in enumerate(diff):
        for j, piece in enumerate(wrap_line(f"{op} {line}", width)):
            if i or j:
                out.append("\n")
            out.append(piece, style=styles.get(op, "dim"))
    return out


@lru_cache(maxsize=64)
def command_lines(text: str, width: int) -> tuple[Text, ...]:
    """The command wrapped to `width` and highlighted, line by line (a chip press often
    returns to a command shown a moment ago)."""
    text = text.expandtabs()  # as a Static shows a tab: a terminal would jump to its tab stop
    return tuple(highlight_command(wrap_text(text, width) if width else text).split("\n"))


Line = tuple[str, Text]  # (block, the line's text with its highlight spans)


class CommandText(SizedInPlace, Widget):
    """The command and its notes; only changed lines are repainted (see the module docstring)."""

    COMPONENT_CLASSES = {f"command-text--{name}" for name in BLOCKS}
    DEFAULT_CSS = """
    CommandText { width: 1fr; height: auto; }
    CommandText > .command-text--speed { color: $text-muted; }
    CommandText > .command-text--warnings { color: $error; text-style: bold; }
    CommandText > .command-text--notes { color: $warning; }
    CommandText > .command-text--banner { color: $warning; }
    """

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self._text = ""
        self._diff: Sequence[tuple[str, str]] | None = None
        self._blocks: dict[str, list[str]] = {name: [] for name in BLOCKS if name != "command"}
        self._width = 0
        self._lines: list[Line] = []
        self._strips: dict[tuple, Strip] = {}  # a line drawn, by what it says and how
        self._styles: dict[str, Style] = {}  # a block's style (from CSS), until the styles change
        self._floor = 0  # the height that reaches the bottom of the scrolling pane

    # -- what is shown ---------------------------------------------------------------------
    def show(self, text: str, diff: Sequence[tuple[str, str]] | None = None, **blocks: Sequence[str]) -> None:
        """The command (or its diff against the base) and, by name, the texts around it:
        speed, warnings, notes (above); banner (below). Each text is a list of
        paragraphs, wrapped between words to the box's width. A block not named is kept."""
        for name, texts in blocks.items():
            if name not in self._blocks:
                raise ValueError(f"no block {name!r}; one of {', '.join(self._blocks)}")
            self._blocks[name] = list(texts)
        self._text, self._diff = text, diff
        self._update()

    @property
    def command_content(self) -> Text:
        """The command as shown (wrapped and highlighted, or the diff)."""
        return Text("\n").join(text for block, text in self._lines if block == "command")

    def block(self, name: str) -> str:
        """The plain text of one block as shown (wrapped at the box's width)."""
        return "\n".join(text.plain for block, text in self._lines if block == name)

    @property
    def plain(self) -> str:
        """Every line shown, in order, as plain text."""
        return "\n".join(text.plain for _, text in self._lines)

    # -- lines -----------------------------------------------------------------------------
    def _wrapped(self, name: str, width: int) -> list[Line]:
        """The block `name`'s paragraphs, wrapped between words to `width`."""
        console = self.app.console
        return [(name, Text(line)) for para in self._blocks[name] for line in words_wrapped(para, width, console)]

    def _build(self, width: int) -> list[Line]:
        lines: list[Line] = [line for name in ABOVE for line in self._wrapped(name, width)]
        if self._diff is not None:
            command = tuple(diff_text([(op, line.expandtabs()) for op, line in self._diff], width).split("\n"))
        else:
            command = command_lines(self._text, width)
        lines += [("", Text()), *(("command", line) for line in command)]
        for name in BELOW:
            if wrapped := self._wrapped(name, width):
                lines += [("", Text()), *wrapped]
        return lines

    def _update(self, *, full: bool = False) -> None:
        width = self.size.width
        self._width = width
        old, new = self._lines, self._build(width)
        self._lines = new
        height = max(len(new), self._floor)
        if full or not self.is_mounted or height != self.size.height or not width:
            self.refresh(layout=True)
            return
        for y in range(max(len(old), len(new))):
            before, after = (old[y] if y < len(old) else None), (new[y] if y < len(new) else None)
            if _same(before, after):
                continue
            span = max(_cells(before), _cells(after), 1)
            self.refresh(Region(0, y, min(span, width), 1))

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return len(self._lines)  # the floor is the min-height (see _refloor)

    # -- keeping the height ------------------------------------------------------------------
    def _rows_to_fill(self) -> int:
        """The height that brings the scrolling pane's content down to its bottom edge
        (0 outside such a pane, or before the first layout)."""
        pane = next(
            (a for a in self.ancestors if isinstance(a, Widget) and a.styles.overflow_y in ("auto", "scroll")), None
        )
        shown = [c for c in pane.children if c.display and c.region] if pane is not None else []
        if pane is None or not shown or not self.region:
            return 0
        view = pane.scrollable_content_region
        content_bottom = max(c.region.bottom + c.styles.margin.bottom for c in shown) + round(pane.scroll_y)
        return max(0, view.bottom - content_bottom + self.size.height)

    def _refloor(self) -> None:
        floor = self._rows_to_fill()
        if floor != self._floor:
            # As an inline min-height: a new style is a new layout for certain (a layout
            # asked for by `refresh` can be folded into one already under way, and lost).
            self._floor = floor
            self.styles.min_height = floor or None

    def on_mount(self) -> None:
        # After every layout of the screen: the terminal, or a line above, may have grown or
        # shrunk. (Not from on_resize: a layout asked for during the layout that sent the
        # Resize is lost.)
        self.screen.screen_layout_refresh_signal.subscribe(self, self._after_layout)

    def _after_layout(self, screen) -> None:
        self._refloor()

    def on_resize(self, event: events.Resize) -> None:
        if event.size.width != self._width:  # a new width wraps the text again
            self._update(full=True)

    # -- painting --------------------------------------------------------------------------
    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._strips.clear()
        self._styles.clear()

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        base = self.visual_style.rich_style  # cached by Textual (`rich_style` walks the ancestors)
        if y >= len(self._lines):
            return Strip.blank(width, base)
        selection = self.text_selection
        if selection is not None:
            strip = self._draw(y, base, selection)
        else:
            block, text = self._lines[y]
            key = (block, text.plain, tuple(text.spans), base)
            strip = self._strips.get(key)
            if strip is None:
                if len(self._strips) >= STRIPS_KEPT:
                    self._strips.clear()
                strip = self._strips[key] = self._draw(y, base, None)
        return strip.crop_extend(0, width, base).apply_offsets(0, y)

    def _draw(self, y: int, base: Style, selection: Selection | None) -> Strip:
        block, text = self._lines[y]
        line = Text(text.plain, style=base, no_wrap=True, end="")
        if block and block != "command":
            line.stylize(self._block_style(block))
        for span in text.spans:
            line.stylize(span.style, span.start, span.end)
        if selection is not None and (span := selection.get_span(y)) is not None:
            start, end = span
            line.stylize(self.screen.get_component_rich_style("screen--selection"), start, None if end == -1 else end)
        return Strip(line.render(self.app.console), line.cell_len)

    def _block_style(self, block: str) -> Style:
        style = self._styles.get(block)
        if style is None:
            style = self._styles[block] = self.get_component_rich_style(f"command-text--{block}", partial=True)
        return style

    # -- mouse selection (as a Static has it) -----------------------------------------------
    def get_selection(self, selection: Selection) -> tuple[str, str] | None:
        return selection.extract(self.plain), "\n"

    def selection_updated(self, selection: Selection | None) -> None:
        self._strips.clear()
        self.refresh()


def _same(a: Line | None, b: Line | None) -> bool:
    if a is None or b is None:
        return a is b
    return a[0] == b[0] and a[1].plain == b[1].plain and a[1].spans == b[1].spans


def _cells(line: Line | None) -> int:
    return 0 if line is None else line[1].cell_len
