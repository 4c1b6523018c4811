"""The query layer the dashboard uses: every read goes through a `Scoped` view that applies
the viewer's permissions in the query itself, so a page cannot show what its viewer may not
see even by mistake."""

from __future__ import annotations

import pandas as pd

from synth import roles
from synth.auth import Viewer
from synth.signals import Filter, Tally
from synth.errors import AccessDenied
from synth.store import Store
from synth.store.tallies import Counted

IMPORTERS = set(roles.with_right("import"))  # the roles that import notes, see the history and undo imports


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

    def tally(self, flt: Filter = Filter()) -> Tally:
        """What the pages count (`Store.tally`), within the viewer's regions."""
        self._need(self.viewer.sees_themes, "themes or statements")
        return self.store.tally(self.regions, flt)

    def count(self, flt: Filter = Filter(), since: Counted | None = None) -> Counted:
        """The tally, counting again only what changed since `since` (`Store.count`), within
        the viewer's regions."""
        self._need(self.viewer.sees_themes, "themes or statements")
        return self.store.count(self.regions, flt, since)

    def rows(self, flt: Filter = Filter(), **what) -> pd.DataFrame:
        """Statements a page lists (`Store.view_rows`), within the viewer's regions."""
        self._need(self.viewer.sees_themes, "themes or statements")
        return self.store.view_rows(self.regions, flt, **what)

    def themes_containing(self, words: str, flt: Filter = Filter(), masked=()) -> set[int]:
        """`Store.themes_containing`, within the viewer's regions."""
        self._need(self.viewer.sees_themes, "themes or statements")
        return self.store.themes_containing(words, self.regions, flt, masked)

    def count_rows(self, flt: Filter = Filter(), **what) -> int:
        """How many statements `rows` would list (`Store.count_rows`), without reading them."""
        self._need(self.viewer.sees_themes, "themes or statements")
        return self.store.count_rows(self.regions, flt, **what)

    def texts(self, ids, flt: Filter = Filter()) -> dict[int, tuple[int | None, str]]:
        """The themes and texts of these statements within the viewer's regions and `flt` (`Store.statement_texts`)."""
        self._need(self.viewer.sees_themes, "themes or statements")
        return self.store.statement_texts(ids, self.regions, flt)

    def first_texts(self, theme_ids, flt: Filter = Filter()) -> dict[int, str]:
        """Per theme, its first statement within the viewer's regions and `flt` (`Store.first_statements`)."""
        self._need(self.viewer.sees_themes, "themes or statements")
        return self.store.first_statements(theme_ids, self.regions, flt)

    def themes(self) -> pd.DataFrame:
        """Active, visible themes; for a director only the themes raised in their regions."""
        self._need(self.viewer.sees_themes, "themes")
        themes = self.store.themes_frame(include_hidden=roles.may(self.viewer.role, "hidden_themes"))
        if self.regions is not None:
            themes = themes[themes["id"].isin(self.store.themes_raised_in(self.regions))]
        return themes

    def touched_themes(self, import_id: int) -> pd.DataFrame:
        """The themes an import's statements went to (`id`, `label`, `statements`), most first:
        for whoever may import, so a coordinator can read which themes their file touched
        without being able to open them, and for the roles that see themes (a director: in
        their regions)."""
        self._need(self.viewer.sees_themes or self.viewer.role in IMPORTERS, "the themes of an import")
        themes = self.store.themes_frame(include_hidden=roles.may(self.viewer.role, "hidden_themes")).set_index("id")["label"]
        counts = self.store.themes_of_import(import_id, self.regions)
        counts = counts[counts.index.isin(themes.index)]
        return pd.DataFrame({"id": counts.index.astype(int), "label": themes.reindex(counts.index).to_numpy(),
                             "statements": counts.to_numpy()})

    def imports(self) -> pd.DataFrame:
        self._need(self.viewer.role in IMPORTERS, "import history")
        return self.store.list_imports()

    # ---- writes and per-viewer reads the pages make: each checks the role first ----------------
    def import_file(self, settings, path, **options):
        """`pipeline.import_file` as this viewer (recorded as who imported)."""
        from synth import pipeline

        self.require("import")
        return pipeline.import_file(self.store, settings, path, who=self.viewer.username, **options)

    def undo_import(self, import_id: int) -> int:
        self.require("import")
        return self.store.undo_import(import_id, who=self.viewer.username)

    def curate(self, edit, *args, **options):
        """One curation edit (`synth.themes.curation`: rename, hide, merge, split) as this viewer."""
        self.require("curate")
        return edit(self.store, *args, who=self.viewer.username, **options)

    def theme_edits(self) -> pd.DataFrame:
        self.require("curate")
        return self.store.theme_edits()

    def theme_labels(self) -> dict[int, str]:
        """Every theme's last label, merged-away and refitted-away ones too: for the history of edits."""
        self.require("curate")
        return self.store.theme_labels()

    def undo_theme_edit(self, edit_id: int) -> str:
        self.require("curate")
        return self.store.undo_theme_edit(edit_id, self.viewer.username)

    def heir(self, theme_id: int) -> int | None:
        """Where a theme merged away went (`Store.theme_heir`), if the viewer sees that theme."""
        heir = self.store.theme_heir(theme_id)
        return heir if heir is not None and heir in set(self.themes()["id"]) else None

    def lineage(self, theme_id: int) -> pd.DataFrame:
        """Where a theme the viewer sees came from (splits, merges, refits)."""
        if theme_id not in set(self.themes()["id"]):
            raise AccessDenied(f"Theme #{theme_id} is not one you can see.")
        return self.store.theme_lineage(theme_id)

    def last_visit(self, touch: bool = False):
        """When this viewer last opened the dashboard (None the first time); `touch` records now."""
        return self.store.last_visit(self.viewer.username, touch=touch)

    def themes_new_since(self, when) -> list[int]:
        """Themes formed since `when` among those the viewer sees."""
        visible = set(self.themes()["id"])
        return [t for t in self.store.themes_created_since(when) if t in visible]

    def require(self, action: str) -> None:
        self._need(roles.may(self.viewer.role, action), f"the {action.replace('_', ' ')} tools")

    # ---- actions and alerts -----------------------------------------------------------------
    def actions(self) -> pd.DataFrame:
        """The actions of the themes the viewer sees (after following any refit or curation)."""
        self._need(self.viewer.sees_themes, "actions")
        self.store.follow_lineage()
        frame = self.store.actions_frame()
        return frame[frame["theme_id"].isin(self.themes()["id"])].reset_index(drop=True)

    def partner_brief(self, k: int, region: str | None = None, since=None, until=None) -> tuple:
        """"You said, we did" for partners (`synth.you_said`): themes raised in a period with
        what happened to each, program-wide or for one region, under the k rule. For the roles
        that see themes and for coordinators, who send it: it names no person, office or quote,
        so it shows a coordinator nothing a partner would not read. Returns (table, themes left
        out, start, end, regions the viewer may pick)."""
        from synth import you_said

        self._need(roles.may(self.viewer.role, "partner_brief"), "the partner brief")
        start, end, regions = self.partner_brief_period(region, since, until)
        scope = [region] if region is not None else self.regions
        themes = self.store.themes_frame()
        if self.regions is not None:
            themes = themes[themes["id"].isin(self.store.themes_raised_in(self.regions))]
        self.store.follow_lineage()
        table, left_out = you_said.raised(self.store.tally(scope, Filter(start=start, end=end)), themes,
                                          self.store.actions_frame(), k)
        return table, left_out, start, end, regions

    def partner_brief_period(self, region: str | None = None, since=None, until=None) -> tuple:
        """The partner brief's period ([since, until], by default the 90 days up to the last
        meeting in the region or the viewer's scope) and the regions the viewer may pick,
        without counting anything."""
        from synth import you_said

        self._need(roles.may(self.viewer.role, "partner_brief"), "the partner brief")
        regions, last = self.store.extent(self.regions)
        if region is not None and region not in regions:
            raise AccessDenied(f"There are no meetings from region {region!r} that you may see.")
        start, end = you_said.period(self.store.extent([region])[1] if region is not None else last, since, until)
        return start, end, regions

    def action(self, theme_id: int):
        """The theme's action (`synth.actions.Action`; status new for one nobody acted on)."""
        from synth import actions

        self._need(self.viewer.sees_themes, "actions")
        if self.regions is not None and theme_id not in self.store.themes_raised_in(self.regions):
            self._may_act_on(theme_id, "see the action on")
        return actions.current(self.store, theme_id)

    def action_history(self, theme_id: int) -> pd.DataFrame:
        self._may_act_on(theme_id, "see the history of")
        return self.store.action_history(theme_id)

    def act(self, theme_id: int, users: dict, **fields) -> tuple:
        """Change a theme's owner, status, note or due date (`synth.actions.change`): executives
        and admins on any theme, directors on the themes raised in their regions."""
        from synth import actions

        self._may_act_on(theme_id, "act on")
        return actions.act(self.store, theme_id, users, self.viewer.username, **fields)

    def acts_beyond_scope(self, theme_id: int) -> bool:
        """Whether an action this viewer sets on the theme is seen beyond their regions: a
        theme has one action for the whole company, so a director who sets the status of a
        theme also raised elsewhere sets it for every region (executives and admins see every
        region: for them, False)."""
        return self.regions is not None and theme_id in self.store.themes_raised_in(self.regions, outside=True)

    def check_may_act(self, theme_id: int) -> None:
        """Raises AccessDenied, saying why, when the viewer may not act on the theme."""
        self._may_act_on(theme_id, "act on")

    def _may_act_on(self, theme_id: int, what: str) -> None:
        from synth.actions import ACTING_ROLES

        if self.viewer.role not in ACTING_ROLES:
            raise AccessDenied(f"The {self.viewer.role} role cannot {what} themes. Ask an executive or an admin.")
        if self.regions is not None and theme_id not in self.store.themes_raised_in(self.regions):
            raise AccessDenied(f"The {self.viewer.role} role cannot {what} theme #{theme_id}: it is not raised in your "
                               "regions. Ask an executive or an admin.")

    def alerts(self) -> pd.DataFrame:
        """The alert outbox: all of it for admins, the viewer's own alerts for anyone else."""
        return self.store.alerts_frame(recipient=None if roles.may(self.viewer.role, "all_alerts") else self.viewer.username)

