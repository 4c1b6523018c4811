"""Actions on themes and their append-only history, and how they follow a theme's lineage."""

from __future__ import annotations

import json
from datetime import date

import pandas as pd
import sqlalchemy as sa

from synth.store.schema import (action_history, actions, assignments, notes, now, read_frame, statements,
                                theme_lineage, themes)
from synth.store.themes import merged_into_last

ACTION_COLUMNS = ["theme_id", "owner", "status", "reason", "note", "due", "updated_by", "updated_at"]


def _due(value) -> date | None:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return None
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


class Actions:
    def action_row(self, theme_id: int) -> dict | None:
        """The theme's own action (not one merged into it), or None if nobody acted on it yet."""
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(actions).where(actions.c.theme_id == theme_id,
                                                        actions.c.merged_into.is_(None))).first()
        return None if row is None else {**row._asdict(), "due": _due(row.due)}

    def actions_frame(self) -> pd.DataFrame:
        """Every theme's current action (merged-in ones are in their survivor's history)."""
        q = sa.select(*[actions.c[c] for c in ACTION_COLUMNS]).where(actions.c.merged_into.is_(None))
        with self.engine.connect() as conn:
            df = read_frame(conn, q.order_by(actions.c.theme_id))
        df["due"] = df["due"].map(_due) if len(df) else pd.Series(dtype=object)
        return df

    def write_action(self, theme_id: int, values: dict, changes: dict, who: str, remark: str = "") -> None:
        """Store the theme's action and one history line of what changed, in one transaction."""
        at = now()
        with self.engine.begin() as conn:
            row = dict(values, updated_by=who, updated_at=at)
            done = conn.execute(actions.update().where(actions.c.theme_id == theme_id,
                                                       actions.c.merged_into.is_(None)).values(**row))
            if done.rowcount == 0:
                # a theme merged away and active again (an undone merge) takes its row back
                conn.execute(actions.delete().where(actions.c.theme_id == theme_id))
                conn.execute(actions.insert().values(theme_id=theme_id, **row))
            conn.execute(action_history.insert().values(theme_id=theme_id, who=who, at=at,
                                                        changes=json.dumps(changes), remark=remark))

    def actions_version(self) -> int:
        """Moves with every change to an action: what cached views of actions key on."""
        with self.engine.connect() as conn:
            return conn.execute(sa.select(sa.func.max(action_history.c.id))).scalar() or 0

    def theme_regions(self, theme_id: int) -> set[str]:
        """The regions a theme is raised in (who may own it: `synth.actions.check_owner`)."""
        q = (sa.select(notes.c.region).distinct()
             .join(statements, statements.c.note_id == notes.c.id)
             .join(assignments, assignments.c.statement_id == statements.c.id)
             .where(assignments.c.theme_id == theme_id, statements.c.is_issue))
        with self.engine.connect() as conn:
            return set(conn.execute(q).scalars())

    def action_history(self, theme_id: int) -> pd.DataFrame:
        """The theme's history, newest first, with that of every theme merged into it."""
        merged = sa.select(actions.c.theme_id).where(actions.c.merged_into == theme_id)
        q = (sa.select(action_history).where(sa.or_(action_history.c.theme_id == theme_id,
                                                    action_history.c.theme_id.in_(merged)))
             .order_by(action_history.c.id.desc()))
        with self.engine.connect() as conn:
            df = pd.read_sql(q, conn)
        df["changes"] = df["changes"].map(json.loads)
        return df

    def follow_lineage(self, who: str = "refit") -> int:
        """Actions follow their themes through refits and curation, as lineage records them:
        - a theme merged into another (a refit's "merge", a curator's merge): its action moves
          to the survivor when that has none, otherwise the survivor keeps its own and shows
          the merged one's history; either way with a history line saying so;
        - a theme split off one that has an action starts as new, with "split from #X";
        - a theme merged away and active again (an undone merge) has its own action back.
        Idempotent, and writes nothing when there is nothing to do (pages call it on every
        view). Returns how many actions moved or started."""
        with self.engine.connect() as conn:
            if not _follow(conn, who, write=False):
                return 0
        with self.engine.begin() as conn:
            return _follow(conn, who, write=True)


def _follow(conn, who: str, write: bool) -> int:
    moved = 0
    active = set(conn.execute(sa.select(themes.c.id).where(themes.c.active)).scalars())
    rows = {r.theme_id: r for r in conn.execute(sa.select(actions)).all()}
    at = now()

    def execute(statement) -> None:
        if write:
            conn.execute(statement)

    def history(theme_id: int, remark: str) -> None:
        execute(action_history.insert().values(theme_id=theme_id, who=who, at=at, changes="{}", remark=remark))

    for r in rows.values():
        if r.merged_into is not None and r.theme_id in active:
            execute(actions.update().where(actions.c.theme_id == r.theme_id).values(merged_into=None))
            history(r.theme_id, f"separate from #{r.merged_into} again; its own action applies")
            moved += 1
    current = {t for t, r in rows.items() if r.merged_into is None or t in active}
    for old in sorted(t for t in current if t not in active):
        into = merged_into_last(conn, old, among=active)
        if into is None:
            continue  # dissolved: the action stays with the theme that is gone
        r = rows[old]
        if into in current:
            history(into, f"#{old} was merged into this theme; it was {r.status}"
                          + (f" (owner {r.owner})" if r.owner else "") + "; its history is listed here")
        else:
            execute(actions.insert().values(theme_id=into, owner=r.owner, status=r.status, reason=r.reason,
                                            note=r.note, due=r.due, merged_into=None, updated_by=who, updated_at=at))
            history(into, f"carried over from #{old}, which was merged into this theme")
            current.add(into)
        execute(actions.update().where(sa.or_(actions.c.theme_id == old, actions.c.merged_into == old))
                .values(merged_into=into))
        current.discard(old)
        moved += 1
    for theme_id, source in conn.execute(
            sa.select(theme_lineage.c.theme_id, theme_lineage.c.source_theme_id)
            .where(theme_lineage.c.kind.in_(("split", "curated-split"))).order_by(theme_lineage.c.id)).all():
        if theme_id in active and theme_id not in current and theme_id not in rows and source in current:
            execute(actions.insert().values(theme_id=theme_id, owner=None, status="new", reason="", note="",
                                            due=None, merged_into=None, updated_by=who, updated_at=at))
            history(theme_id, f"split from #{source}")
            current.add(theme_id)
            moved += 1
    return moved
