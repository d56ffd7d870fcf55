"""The Deploy pane: chips per dimension, a status line, the command box, Install."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.reactive import reactive

from ..core.formats import framing as get_framing
from ..core.render import USER_BADGE
from ..core.rules import DIMS, Rules
from ..core.selection import DIM_NAMES, OptionState
from ..core.srt_panel import STRATEGY, WORKLOAD
from ..core.view import DeployView
from .chips import ChipOption, ChipRow
from .command_box import CommandBox, CommandDisplay
from .quiet import PlainText, set_text

SRT_ROWS = {WORKLOAD: "Workload", STRATEGY: "Recipe"}


class DeployPane(VerticalScroll, can_focus=False):
    """Shows a `DeployView` and the status line; it holds no state beyond what it is bound to."""

    DEFAULT_CSS = """
    DeployPane { padding: 0 1; }
    DeployPane > #status { height: auto; min-height: 2; color: $text-muted; margin: 0 0 0 13; }
    DeployPane > #status.-reason { color: $warning; }
    DeployPane > #pick-when { height: auto; color: $text-muted; margin: 0 0 0 13; }
    DeployPane > #install { height: auto; margin: 1 0 0 0; color: $text-muted; }
    """

    view: reactive[DeployView | None] = reactive(None, init=False, repaint=False)
    status: reactive[str] = reactive("", init=False, repaint=False)
    checks = reactive(None, init=False, repaint=False)  # CommandChecks | None: the lint summary of the command

    def watch_checks(self, checks) -> None:
        if self.is_mounted:
            self.query_one("#deploy-command", CommandBox).show_checks(checks)

    def __init__(self, rules: Rules, id: str | None = None):
        super().__init__(id=id)
        self.rules = rules

    # -- building ------------------------------------------------------------------------
    def chip_text(self, dim: str, option_id: str) -> tuple[str, str]:
        """The chip's text and its longer description (tooltip / status line)."""
        o, text = self.rules.by_id[dim][option_id], self.rules.chip_text(dim, option_id)
        if dim == "hw":
            return text, f"{o.label}: {o.memory_gb} GB per GPU, {o.arch}"
        if dim == "variant":
            if o.description:
                return text, f"{o.label} ({o.subtitle or o.total_params}): {o.description}"
            return text, f"{o.label}: {o.total_params} total, {o.active_params} active (MoE)"
        if dim == "strategy":
            return text, f"{o.label} — {o.pick_when}"
        return text, f"{DIM_NAMES[dim]}: {o.label}"

    def _options(self, dim: str, states: list[OptionState]) -> list[ChipOption]:
        vendor = {"nvidia": "NVIDIA", "amd": "AMD"}
        options = []
        for s in states:
            text, detail = self.chip_text(dim, s.id)
            group = vendor.get(self.rules.hardware(s.id).vendor, "") if dim == "hw" else ""
            options.append(ChipOption(s, text, detail, group))
        order = list(vendor.values())
        return sorted(options, key=lambda o: order.index(o.group)) if dim == "hw" else options

    def _srt_options(self, dim: str, states: list[OptionState]) -> list[ChipOption]:
        p = self.rules.model.srt_slurm
        subtitles = {o.id: o.subtitle for o in [*p.workload, *p.strategy]} if p else {}
        return [
            ChipOption(s, s.label, f"{s.label}: {subtitles[s.id]}" if subtitles.get(s.id) else s.label) for s in states
        ]

    def compose(self) -> ComposeResult:
        view = self.view
        assert view is not None, "bind a view before mounting"
        for dim in DIMS:
            yield ChipRow(dim, DIM_NAMES[dim], self._options(dim, view.options[dim]))
            if dim == "strategy":
                yield PlainText("", id="pick-when")
        for dim, name in SRT_ROWS.items():  # the srt-slurm panel's own choice: workload x strategy
            row = ChipRow(dim, name, self._srt_options(dim, view.srt_options.get(dim, [])))
            row.display = view.srt_panel
            yield row
        yield PlainText("", id="status")
        yield CommandBox("deploy", id="deploy-command")
        yield PlainText("", id="install")

    def on_mount(self) -> None:
        self._show(self.view)
        self.watch_status(self.status)
        self.watch_checks(self.checks)

    # -- reacting ------------------------------------------------------------------------
    def watch_view(self, view: DeployView | None) -> None:
        if self.is_mounted:
            self._show(view)

    def watch_status(self, text: str) -> None:
        if self.is_mounted:
            status = self.query_one("#status", PlainText)
            set_text(status, text)
            status.set_class(text.startswith("✗"), "-reason")  # a reason, not a plain note

    def _show(self, view: DeployView | None) -> None:
        if view is None:
            return
        for dim in DIMS:
            self.query_one(f"#row-{dim}", ChipRow).set_options(self._options(dim, view.options[dim]))
        for dim in SRT_ROWS:
            row = self.query_one(f"#row-{dim}", ChipRow)
            row.display = view.srt_panel
            if view.srt_panel:
                row.set_options(self._srt_options(dim, view.srt_options[dim]))
        strat = self.rules.by_id["strategy"][view.selection.strategy]
        set_text(self.query_one("#pick-when", PlainText), f"{strat.label}: {strat.pick_when}")
        notes = [*view.notes]
        if view.derived_from:
            notes.append(f"Derived from {view.derived_from} and not re-run on hardware yet.")
        if view.has_roles:
            notes.append("PD-disaggregated recipe: one command per role; run each on its own nodes.")
        details = {
            "verified": "Run end-to-end on real hardware by the SGLang team",
            "in-progress": "Its verification round on hardware is open (the page: Final Verification In Progress)",
            "unverified": "Not re-checked on hardware",
            "srt": view.badge_detail,
        }
        if view.srt_panel:
            notes.append("No single command here: pick a recipe (Workload, Recipe) and copy its srtctl apply line.")
        self.query_one("#deploy-command", CommandBox).show(
            CommandDisplay(
                text=view.display,
                framing=view.framing,
                badge=view.badge,
                badge_detail="Your own cell (your rules/cells.toml), not one of the page's"
                if view.badge == USER_BADGE
                else details[view.badge_state],
                notes=notes,
                warnings=view.warnings,
                badge_state="user" if view.badge == USER_BADGE else view.badge_state,
                speed=[] if view.srt_panel else view.speed,
                banner=view.warn or "",
            )
        )
        framing = get_framing(view.framing)
        install = f"Install ({framing.install_label}):  " + "  &&  ".join(view.install)
        set_text(
            self.query_one("#install", PlainText),
            f"{install}\nModel: {view.model_name}    Full guide: {self.rules.model.install.guide}",
        )
