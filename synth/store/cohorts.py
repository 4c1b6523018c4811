"""Cohorts: what the store knows about each partner's cohort (see synth/cohorts.py)."""

from __future__ import annotations

import pandas as pd
import sqlalchemy as sa

from synth import cohorts
from synth.store.schema import iso, notes, read_frame


class Cohorts:
    def partner_cohorts(self) -> pd.Series:
        """Each partner's cohort (index: partner_key), over every note stored, whatever the
        viewer's scope: a partner's first meeting is the first anywhere. The cohort an export
        names wins; where the exports name several for one partner, the most recently
        imported one (a later export corrects an earlier one)."""
        first = (sa.select(notes.c.partner_key, iso(sa.func.min(notes.c.meeting_date).label("meeting_date")))
                 .group_by(notes.c.partner_key))
        named = sa.select(notes.c.partner_key, notes.c.cohort).where(notes.c.id.in_(
            sa.select(sa.func.max(notes.c.id)).where(notes.c.cohort.is_not(None), notes.c.cohort != "")
            .group_by(notes.c.partner_key)))
        with self.engine.connect() as conn:
            first_df = read_frame(conn, first)
            named_df = read_frame(conn, named)
        return cohorts.resolve(first_df.set_index("partner_key")["meeting_date"],
                               named_df.set_index("partner_key")["cohort"] if len(named_df) else pd.Series(dtype=object))
