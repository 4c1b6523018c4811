"""Themes: what the pages read about them."""

from __future__ import annotations

import json
from datetime import datetime

import pandas as pd
import sqlalchemy as sa

from synth.store.schema import assignments, runs, themes


class Themes:
    def orphaned_statements(self) -> list[int]:
        """Statements assigned to a theme that is not active (or does not exist): they would
        vanish from every page and export. Must always be empty; tests check it after every edit."""
        with self.engine.connect() as conn:
            return list(conn.execute(
                sa.select(assignments.c.statement_id)
                .select_from(assignments.outerjoin(themes, themes.c.id == assignments.c.theme_id))
                .where(assignments.c.theme_id.is_not(None), sa.or_(themes.c.id.is_(None), sa.not_(themes.c.active)))
            ).scalars())

    def themes_frame(self, include_hidden: bool = False) -> pd.DataFrame:
        q = sa.select(themes).where(themes.c.active)
        if not include_hidden:
            q = q.where(sa.not_(themes.c.hidden))
        with self.engine.connect() as conn:
            df = pd.read_sql(q.order_by(themes.c.id), conn)
        for col in ("keywords", "quotes"):
            df[col] = df[col].map(json.loads)
        return df

    def themes_created_since(self, when: datetime | None) -> list[int]:
        q = (sa.select(themes.c.id).join(runs, runs.c.id == themes.c.created_run)
             .where(themes.c.active, sa.not_(themes.c.hidden)))
        if when is not None:
            q = q.where(runs.c.finished_at > when)
        with self.engine.connect() as conn:
            return list(conn.execute(q).scalars())

