"""Cohorts: what the store knows about each partner's cohort (see synth/cohorts.py)."""

from __future__ import annotations

import pandas as pd

from synth.store.schema import read_frame
from synth.store.tallies import cohort_of_partner


class Cohorts:
    def partner_cohorts(self) -> pd.Series:
        """Each partner's cohort (index: partner_key), over every note stored, whatever the
        viewer's scope: a partner's first meeting is the first anywhere. The cohort an export
        names wins; where the exports name several for one partner, the most recently
        imported one (a later export corrects an earlier one). The rule is SQL
        (`cohort_of_partner`), so the pages' tallies filter and count cohorts in the database."""
        with self.engine.connect() as conn:
            df = read_frame(conn, cohort_of_partner())
        return df.set_index("partner_key")["cohort"].astype(object).rename("cohort")
