"""The App's tabs: which is in front (the App owns it, `tab`), switching, building panes.

Deploy is built with the app; the Playground right after the first frame, or at once when it
is asked for first; the Doctor when it is first shown (DoctorActions.build_doctor). A tab is
switched to only once its pane is current (the Playground catches up while still hidden), so
no frame shows a stale base, whether the switch came from a key (1 / 2 / 3) or a click.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.containers import Container
from textual.reactive import reactive
from textual.widget import Widget
from textual.widgets import ContentSwitcher

from ..widgets.chips import ChipRow
from ..widgets.tab_bar import Tab, TabBar

if TYPE_CHECKING:
    from ..widgets.playground_pane import PlaygroundPane

TABS = (
    Tab("deploy", "Deploy", "1"),
    Tab("playground", "Playground", "2"),
    Tab("doctor", "Doctor", "3"),
    Tab("run", "Run", "4"),
)


class TabActions:
    """Mixed into the App (which owns the Playground's state and `_build_lock`)."""

    tab: reactive[str] = reactive("deploy", init=False, repaint=False)  # the tab in front (TABS)

    @property
    def in_playground(self) -> bool:
        return self.tab == "playground"

    def watch_tab(self, tab: str) -> None:
        if tab == "playground":
            self.playground_now()  # behind Deploy it was only marked stale
        self.query_one("#tabs", ContentSwitcher).current = tab
        self.refresh_bindings()
        if tab == "playground":
            self.refresh_gate()  # the options the lint refuses: worked out while it is in front

    async def on_tab_bar_clicked(self, message: TabBar.Clicked) -> None:
        await self.action_show_tab(message.tab)

    async def action_show_tab(self, tab: str) -> None:
        # Drop focus first: a focused widget in the pane being hidden would pull it back.
        self.set_focus(None)
        if tab == "playground":  # caught up while still hidden: the first frame is current
            self.playground_now()
            await (await self._build_playground()).catch_up()
        elif tab == "doctor":
            await self.build_doctor()
        elif tab == "run":
            await self.build_run()
        self.tab = tab
        self.call_after_refresh(self._focus_in_tab, tab)

    def _focus_in_tab(self, tab: str) -> None:
        if tab == "deploy":
            target: Widget | None = self.query_one("#row-hw", ChipRow)
        elif tab == "playground":
            from ..widgets.playground_pane import PlaygroundPane

            target = self.query_one("#playground-pane", PlaygroundPane).first_row()
        else:
            target = self.query_one(f"#{tab}-pane")
        if target is not None and target.focusable:
            # The Playground's cards bring their highlighted row into view themselves.
            self.set_focus(target, scroll_visible=tab != "playground")

    async def _build_playground(self) -> PlaygroundPane:
        """The Playground pane (its cards follow in the background: PlaygroundPane.prepare).
        Its module is imported here, after the first frame: start-up does not need it."""
        from ..widgets.playground_pane import PlaygroundPane

        async with self._build_lock:
            found = self.query("#playground-pane")
            if found:
                return found.first(PlaygroundPane)  # built already
            pg = PlaygroundPane(id="playground-pane")
            pg.set_reactive(PlaygroundPane.view, self.playground_now())
            pg.set_reactive(PlaygroundPane.checks, self.pg_checks)
            pg.set_reactive(PlaygroundPane.show_diff, self.show_diff)
            pg.set_reactive(PlaygroundPane.status, self.pg_status)
            pg.data_bind(view=type(self).pg_view, show_diff=type(self).show_diff, status=type(self).pg_status)
            pg.data_bind(checks=type(self).pg_checks, stale=type(self).pg_stale)
            await self.query_one("#playground", Container).mount(pg)
            return pg
