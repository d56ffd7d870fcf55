"""The App's actions, one mixin per feature, gathered for `DSV4App` (see `main`)."""

from __future__ import annotations

from .command_actions import CommandActions
from .doctor_actions import DoctorActions
from .export_actions import ExportActions
from .lint_actions import LintActions
from .playground_actions import PlaygroundActions
from .run_actions import RunActions
from .tab_actions import TabActions
from .terminal_actions import TerminalActions


class AppActions(
    TabActions,
    CommandActions,
    PlaygroundActions,
    LintActions,
    DoctorActions,
    ExportActions,
    RunActions,
    TerminalActions,
):
    """Every action mixin of the App, in the order the App had them."""
