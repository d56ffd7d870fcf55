"""The command boxes' toolbar items in tests: find one, press it, click it (a toolbar is one
widget that draws its buttons, so a button is an item of it, not a widget of its own)."""

from __future__ import annotations

from dsv4_tui.widgets.toolbar import Toolbar, ToolItem


def toolbar_of(app, item_id: str) -> Toolbar:
    """The toolbar (of the Deploy or the Playground command box) that has `item_id`."""
    prefix = item_id.partition("-")[0]
    return app.query_one(f"#{prefix}-toolbar", Toolbar)


def tool(app, item_id: str) -> ToolItem:
    """The item `item_id` ("deploy-copy", "pg-submit", "pg-badge") as the toolbar shows it."""
    return toolbar_of(app, item_id).item(item_id)


def press_tool(app, item_id: str) -> None:
    toolbar_of(app, item_id).press(item_id)


async def click_tool(pilot, item_id: str) -> bool:
    """A mouse click on the item, where the toolbar draws it; True when it hit the toolbar."""
    toolbar = toolbar_of(pilot.app, item_id)
    region = toolbar.item_region(item_id)
    assert region is not None, f"{item_id} is not drawn"
    return await pilot.click(toolbar, offset=(region.x + 1, region.y))


def drawn_style(app, item_id: str):
    """The Rich style the item is drawn in (its first cell), as the toolbar draws it now."""
    toolbar = toolbar_of(app, item_id)
    region = toolbar.item_region(item_id)
    x = 0
    for segment in toolbar.render_line(region.y):
        if x <= region.x < x + len(segment.text):
            return segment.style
        x += len(segment.text)
    raise AssertionError(f"{item_id} is not drawn")
