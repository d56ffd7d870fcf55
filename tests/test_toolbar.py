"""The command box's toolbar: one widget that draws its buttons and badge, flows them into
columns that fit, and is pressed by keys and clicks."""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.widgets import Static

from dsv4_tui.widgets.toolbar import Toolbar, ToolItem, place

ITEMS = [
    ToolItem("t-framing-python", "Python", "framing", active=True),
    ToolItem("t-framing-docker", "Docker", "framing"),
    ToolItem("t-badge", "Verified", "badge", state="verified", tooltip="Equals a verified cell", min_width=14),
    ToolItem("t-copy", "⧉ Copy", "primary"),
    ToolItem("t-submit", "Submit ↗", shown=False),
    ToolItem("t-env", "⚙ Env"),
]


class ToolbarApp(App):
    def __init__(self, width: int = 80) -> None:
        super().__init__()
        self.width = width
        self.pressed: list[str] = []

    def compose(self) -> ComposeResult:
        yield Static("above", id="above")
        toolbar = Toolbar(ITEMS, id="t-toolbar")
        toolbar.styles.width = self.width
        yield toolbar

    def on_toolbar_pressed(self, event: Toolbar.Pressed) -> None:
        self.pressed.append(event.item)


def test_items_flow_into_the_columns_that_fit_each_as_wide_as_its_widest_item():
    widths = [i.width for i in ITEMS]  # 8 8 14 8 10 7
    assert widths == [8, 8, 14, 8, 10, 7]
    one_row = place(ITEMS, 80)
    assert [p.y for p in one_row] == [0] * 6
    assert [p.x for p in one_row] == [0, 9, 18, 33, 42, 53]  # one column of gutter between two
    two_rows = place(ITEMS, 40)  # 3 columns: 8 + 1 + 10 + 1 + 14 = 34 (4 would need 43)
    assert [(p.y, p.x) for p in two_rows] == [(0, 0), (0, 9), (0, 20), (1, 0), (1, 9), (1, 20)]
    assert all(p.width == i.width for p, i in zip(two_rows, ITEMS))  # as wide as itself, not its column
    assert {p.y for p in place(ITEMS, 12)} == set(range(6))  # one column: nothing clipped


async def test_keys_move_along_the_buttons_skipping_the_badge_and_a_hidden_button():
    app = ToolbarApp()
    async with app.run_test(size=(80, 5)) as pilot:
        toolbar = app.query_one(Toolbar)
        toolbar.focus()
        await pilot.pause()
        assert toolbar.highlighted.id == "t-framing-python"
        seen = []
        for _ in range(5):
            await pilot.press("right")
            seen.append(toolbar.highlighted.id)
        assert seen == ["t-framing-docker", "t-copy", "t-env", "t-framing-python", "t-framing-docker"]
        await pilot.press("left", "left", "enter")
        await pilot.pause()
        assert app.pressed == ["t-env"]
        toolbar.update("t-submit", shown=True)
        await pilot.press("left", "space")
        await pilot.pause()
        assert app.pressed == ["t-env", "t-submit"]


async def test_a_click_presses_the_button_under_it_and_nothing_else():
    app = ToolbarApp()
    async with app.run_test(size=(80, 5)) as pilot:
        toolbar = app.query_one(Toolbar)
        copy = toolbar.item_region("t-copy")
        assert await pilot.click(toolbar, offset=(copy.x + 2, copy.y))
        await pilot.pause()
        assert app.pressed == ["t-copy"] and app.focused is toolbar and toolbar.highlighted.id == "t-copy"
        for item in ("t-badge", "t-submit"):  # the badge is not a button; Submit is hidden
            region = toolbar.item_region(item)
            assert await pilot.click(toolbar, offset=(region.x + 1, region.y))
        gap = toolbar.item_region("t-framing-docker").x - 1
        assert await pilot.click(toolbar, offset=(gap, 0))
        await pilot.pause()
        assert app.pressed == ["t-copy"]


async def test_hovering_the_badge_shows_what_it_means():
    app = ToolbarApp()
    async with app.run_test(size=(80, 5)) as pilot:
        toolbar = app.query_one(Toolbar)
        badge = toolbar.item_region("t-badge")
        await pilot.hover(toolbar, offset=(badge.x + 3, badge.y))
        assert toolbar.tooltip == "Equals a verified cell"
        await pilot.hover("#above")
        await pilot.pause()
        assert toolbar.tooltip is None


async def test_a_hidden_button_keeps_its_place_and_is_drawn_blank():
    app = ToolbarApp()
    async with app.run_test(size=(80, 5)) as pilot:
        toolbar = app.query_one(Toolbar)
        env = toolbar.item_region("t-env")
        line = toolbar.render_line(0).text
        submit = toolbar.item_region("t-submit")
        assert line[submit.x : submit.right].strip() == "" and "Submit" not in line
        toolbar.update("t-submit", shown=True)
        await pilot.pause()
        assert toolbar.item_region("t-env") == env
        assert toolbar.render_line(0).text[submit.x : submit.right] == " Submit ↗ "


async def test_the_toolbar_wraps_to_more_rows_when_narrow():
    app = ToolbarApp(width=40)
    async with app.run_test(size=(80, 6)) as pilot:
        toolbar = app.query_one(Toolbar)
        assert toolbar.size.height == 2
        assert toolbar.render_line(1).text.startswith(" ⧉ Copy ")
        toolbar.update("t-badge", label="Verified (matches high-throughput)")
        await pilot.pause()
        assert toolbar.size.height > 2  # a wider badge: fewer columns, more rows, nothing clipped
        assert "Verified (matches high-throughput)" in "".join(
            toolbar.render_line(y).text for y in range(toolbar.size.height)
        )
