"""The query layer the dashboard uses: every read goes through a `Scoped` view that applies
the viewer's permissions in the query itself, so a page cannot show what its viewer may not
see even by mistake."""

from __future__ import annotations

from typing import Sequence

import pandas as pd

from synth.auth import Viewer
from synth.errors import AccessDenied
from synth.store import Store


class Scoped:
    def __init__(self, store: Store, viewer: Viewer):
        self.store = store
        self.viewer = viewer

    def _need(self, allowed: bool, what: str) -> None:
        if not allowed:
            raise AccessDenied(f"The {self.viewer.role} role cannot see {what}. Ask an admin if you need it.")

    @property
    def regions(self) -> tuple[str, ...] | None:
        return self.viewer.region_scope

    def statements(self) -> pd.DataFrame:
        self._need(self.viewer.sees_themes, "themes or statements")
        return self.store.statements_frame(regions=self.regions)

    def statement_rows(self, imports: Sequence[int] | None = None) -> pd.DataFrame:
        """`statements()` without the themes (see `Store.statement_rows`)."""
        self._need(self.viewer.sees_themes, "themes or statements")
        return self.store.statement_rows(regions=self.regions, imports=imports)

    def assignments(self) -> pd.DataFrame:
        self._need(self.viewer.sees_themes, "themes or statements")
        return self.store.assignments_frame(regions=self.regions)

    def notes(self, imports: Sequence[int] | None = None) -> pd.DataFrame:
        self._need(self.viewer.sees_themes, "notes")
        return self.store.notes_frame(regions=self.regions, imports=imports)

    def themes(self) -> pd.DataFrame:
        """Active, visible themes; for a director only the themes raised in their regions."""
        self._need(self.viewer.sees_themes, "themes")
        themes = self.store.themes_frame(include_hidden=self.viewer.role == "admin")
        if self.regions is not None:
            themes = themes[themes["id"].isin(self.store.themes_raised_in(self.regions))]
        return themes

    def imports(self) -> pd.DataFrame:
        self._need(self.viewer.role in {"coordinator", "admin"}, "import history")
        return self.store.list_imports()

    def require(self, action: str) -> None:
        allowed = {"import": {"coordinator", "admin"}, "curate": {"admin"}, "manage_users": {"admin"}}
        self._need(self.viewer.role in allowed[action], f"the {action.replace('_', ' ')} tools")
