"""The App's Export action (E, and the command palette): hand the selection to Kubernetes
or SLURM as a file. The Playground's command (with its overrides) when the Playground is
in front, else the Deploy cell; the screen previews, copies and saves (asking first)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from ..core.formats import targets

if TYPE_CHECKING:
    from textual.app import SystemCommand

    from ..core.deployment import Deployment

EXPORT_FILE_MODE = 0o644  # a manifest or a script: no secret is ever written into it


class ExportActions:
    """Mixed into the App (which owns `rules`, `selection`, `env`, `overrides`)."""

    def export_deployment(self) -> tuple[Deployment | None, str | None]:
        """The Deployment of the pane in front, or (None, why there is none)."""
        from ..core.deployment import build

        overrides = self.overrides if self.in_playground else None
        try:
            return build(self.rules, self.selection, self.env, overrides), None
        except ValueError as exc:
            return None, str(exc)

    def action_export(self) -> None:
        from ..screens.export_screen import ExportScreen

        if isinstance(self.screen, ExportScreen):
            return
        dep, problem = self.export_deployment()
        self.push_screen(ExportScreen(list(targets().values()), dep, problem, save=self.save_export))

    def save_export(self, path: Path, text: str) -> Path:
        """Write an exported file atomically (mode 0644); the file written. A symbolic link is
        refused (WriteProblem), never written through."""
        from ..host.files import atomic_write

        return atomic_write(path, text, mode=EXPORT_FILE_MODE, links="refuse")

    def export_system_command(self) -> SystemCommand:
        """The command palette's entry for Export."""
        from textual.app import SystemCommand

        names = " / ".join(targets())
        return SystemCommand("Export", f"The selection as a file for a scheduler ({names})", self.action_export)
