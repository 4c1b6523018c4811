"""Signals on small hand-built tables where the right answer is known by construction."""

from datetime import date, timedelta

import numpy as np
import pandas as pd
import pytest

from synth import signals

from counting import kept, tally_of


def table(rows):
    df = pd.DataFrame(rows, columns=["theme_id", "meeting_date", "region", "office", "partner_key", "note_id"])
    df["meeting_date"] = pd.to_datetime(df["meeting_date"])
    df["statement_id"] = range(len(df))
    df["theme_id"] = df["theme_id"].astype("Int64")
    return df


def steady_program(weeks=52, end=date(2026, 10, 31)):
    """Themes 1 and 2 raised at a steady rate every week by many partners; theme 3 surges in
    the last 8 weeks."""
    rows, n = [], 0
    for w in range(weeks):
        day = end - timedelta(weeks=weeks - 1 - w)
        for theme, per_week in ((1, 6), (2, 4)):
            for i in range(per_week):
                rows.append((theme, day, "West", f"O{i % 3}", f"p{(w + i) % 20}", n))
                n += 1
        surge = 8 if w >= weeks - 8 else 1
        for i in range(surge):
            rows.append((3, day, "West", "O1", f"p{(w * 3 + i) % 20}", n))
            n += 1
    return table(rows)


def test_planted_surge_is_flagged_and_steady_themes_are_not():
    s = signals.surfacing(steady_program()).set_index("theme_id")
    assert s.loc[3, "surfacing"] and s.loc[3, "ratio_low"] > 2
    assert not s.loc[1, "surfacing"] and not s.loc[2, "surfacing"]


def test_small_counts_are_not_called_a_surge():
    # 2 recent statements after 1 before is a doubling on paper, and proves nothing.
    df = steady_program()
    extra = table([(9, date(2026, 10, 30), "West", "O1", "p1", 999), (9, date(2026, 10, 29), "West", "O1", "p2", 998),
                   (9, date(2026, 3, 1), "West", "O1", "p3", 997)])
    s = signals.surfacing(pd.concat([df, extra], ignore_index=True)).set_index("theme_id")
    assert s.loc[9, "rate_ratio"] > 1 and not s.loc[9, "surfacing"]


def test_a_significant_rise_too_small_to_matter_is_not_surfacing():
    # 40,000 statements: 10% before, 11% in the window. Significant, but even its low end is
    # about 1.05 times: no news for an executive. The same theme at 14% is.
    def program(recent_share):
        rows, n = [], 0
        for period, day, share in (("before", date(2026, 1, 1), 0.10), ("recent", date(2026, 10, 30), recent_share)):
            for i in range(20_000):
                rows.append((5 if i < share * 20_000 else 1, day, "West", "O1", f"p{i % 50}", n))
                n += 1
        return table(rows)

    small = signals.surfacing(program(0.11), asof=date(2026, 10, 31)).set_index("theme_id").loc[5]
    assert small["p_value"] < 0.05 and 1 < small["ratio_low"] < signals.MIN_GROWTH
    assert not small["surfacing"]
    large = signals.surfacing(program(0.14), asof=date(2026, 10, 31)).set_index("theme_id").loc[5]
    assert large["surfacing"] and large["ratio_low"] >= signals.MIN_GROWTH


def test_theme_that_did_not_exist_before_the_window_is_new():
    df = steady_program()
    fresh = table([(7, date(2026, 10, 31) - timedelta(days=d), "West", "O2", f"q{d}", 2000 + d) for d in range(20)])
    s = signals.surfacing(pd.concat([df, fresh], ignore_index=True)).set_index("theme_id")
    assert s.loc[7, "new"] and s.loc[7, "surfacing"]
    assert not s.loc[1, "new"]


def test_rate_ratio_interval_contains_the_estimate():
    r = signals.rate_ratio_test(30, 60, 100, 400)
    assert r["rate_ratio"] == pytest.approx(2.0)
    assert r["ratio_low"] < r["rate_ratio"] < r["ratio_high"]
    assert r["p_value"] < 0.01


def test_one_partner_theme_ranks_below_ten_partner_theme_of_equal_volume():
    day = date(2026, 5, 1)
    rows = [(1, day, "West", "O1", "solo", i) for i in range(10)]
    rows += [(2, day, "West", f"O{i % 3}", f"p{i}", 100 + i) for i in range(10)]
    c = signals.corroboration(tally_of(table(rows))).set_index("theme_id")
    assert c.loc[1, "effective_partners"] == pytest.approx(1.0)
    assert c.loc[2, "effective_partners"] == pytest.approx(10.0)
    order = list(signals.ranked(tally_of(table(rows)))["theme_id"])
    assert order.index(2) < order.index(1)


def test_spread_labels():
    day = date(2026, 5, 1)
    rows = [(1, day, "West", "Denver", f"p{i}", i) for i in range(5)]
    rows += [(2, day, "West", ["Denver", "Seattle"][i % 2], f"p{i}", 10 + i) for i in range(5)]
    rows += [(3, day, ["West", "Midwest", "Central"][i % 3], f"O{i}", f"p{i}", 20 + i) for i in range(6)]
    c = signals.corroboration(tally_of(table(rows))).set_index("theme_id")
    assert (c.loc[1, "spread"], c.loc[1, "where"]) == ("local", "Denver")
    assert (c.loc[2, "spread"], c.loc[2, "where"]) == ("regional", "West")
    assert c.loc[3, "spread"] == "company-wide"


def test_spread_is_relative_to_what_the_table_covers():
    # A director's table holds one region: "regional (West)" on every theme would say nothing,
    # and "company-wide" for a part of the company would claim what the table cannot show.
    day = date(2026, 5, 1)
    rows = [(1, day, "West", "Denver", f"p{i}", i) for i in range(5)]
    rows += [(2, day, "West", ["Denver", "Seattle"][i % 2], f"p{i}", 10 + i) for i in range(5)]
    one = tally_of(table(rows))
    assert signals.scope_of(one.regions, whole=True) == "region"
    c = signals.corroboration(one, signals.scope_of(one.regions, whole=False)).set_index("theme_id")
    assert (c.loc[1, "spread"], c.loc[1, "where"]) == ("local", "Denver")
    assert (c.loc[2, "spread"], c.loc[2, "where"]) == ("several offices", "")
    rows += [(3, day, ["West", "Midwest"][i % 2], f"O{i}", f"p{i}", 20 + i) for i in range(6)]
    two = tally_of(table(rows))
    assert signals.scope_of(two.regions, whole=False) == "regions"
    c = signals.corroboration(two, "regions").set_index("theme_id")
    assert c.loc[2, "spread"] == "regional" and c.loc[3, "spread"] == "several regions"
    assert signals.ranked(two, scope="company").set_index("theme_id").loc[3, "spread"] == "company-wide"
    with pytest.raises(ValueError, match="scope"):
        signals.corroboration(two, "everywhere")


def test_suppression_hides_the_small_cell_and_its_complement():
    day = date(2026, 5, 1)
    rows = []
    for region, partners in (("West", 6), ("Midwest", 5), ("Central", 4)):
        rows += [(1, day, region, "O", f"{region}{i}", len(rows) + i) for i in range(partners)]
    rows += [(1, day, "South", "O", "lonely", 900)]  # one partner: must be hidden
    m = signals.region_matrix(tally_of(table(rows)).regions, k=3).set_index("region")
    assert m.loc["South", "suppressed"] and np.isnan(m.loc["South", "statements"])
    # The theme's total is public, so one more cell in its row must go too: the smallest.
    assert m["suppressed"].sum() == 2 and m.loc["Central", "suppressed"]
    assert not m.loc["West", "suppressed"]


def test_over_represented_region_is_flagged():
    day = date(2026, 5, 1)
    rows = []
    for region in ("West", "Midwest", "Central", "South"):
        for i in range(40):
            theme = 1 if (region == "West" and i < 30) or i < 4 else 2
            rows.append((theme, day, region, "O", f"{region}{i % 10}", len(rows)))
    m = signals.region_matrix(tally_of(table(rows)).regions, k=3)
    west = m[(m.theme_id == 1) & (m.region == "West")].iloc[0]
    assert west["over"] and west["lift"] > 3
    assert m[(m.theme_id == 1) & (m.region == "South")].iloc[0]["under"]


def test_coverage_finds_silent_and_quiet_offices():
    end = date(2026, 10, 31)
    rows = []
    for w in range(40):
        day = end - timedelta(weeks=w)
        rows.append(("West", "Busy", day))
        if w >= 8:
            rows.append(("West", "Gone", day))
        if w >= 8 or w % 4 == 0:
            rows += [("West", "Fading", day)] * (1 if w < 8 else 2)
    notes = pd.DataFrame(rows, columns=["region", "office", "meeting_date"])
    notes["meeting_date"] = pd.to_datetime(notes["meeting_date"])
    cov = signals.coverage(notes).set_index("office")
    assert cov.loc["Gone", "status"] == "silent"
    assert cov.loc["Fading", "status"] == "quiet"
    assert cov.loc["Busy", "status"] == "heard"


# ---- on the sample program (the session's fitted store) ----------------------------------------
def _majority_theme(store, truth, key):
    from collections import Counter

    from synth import evaluate
    pairs = evaluate._aligned(store, truth)
    c = Counter(r["theme_id"] for r, s in pairs if s["theme"] == key and r["theme_id"] is not None)
    return c.most_common(1)[0][0]


@pytest.mark.xfail(strict=True, reason="known limit (README, 'Theme quality as a reader sees it'): on the many-writers "
                   "sample of 1,200 notes both surges rank "
                   "in the top three, but the Southwest-only Spanish prior-auth issue (18 statements) shares a "
                   "theme with the company-wide interpreter issue, so that theme is not regional")
def test_planted_surges_rank_top_three_and_regional_theme_is_placed(fitted_store, sample_files):
    from synth import sample
    truth = sample.load_truth(sample_files[1])
    ranked = signals.ranked(fitted_store.tally())
    top3 = list(ranked["theme_id"].head(3))
    for key in ("crm_logout", "telehealth"):
        assert _majority_theme(fitted_store, truth, key) in top3, (key, ranked.head(5))
    spanish = ranked.set_index("theme_id").loc[_majority_theme(fitted_store, truth, "prior_auth_spanish")]
    assert (spanish["spread"], spanish["where"]) == ("regional", "Southwest")


# ---- the small-group (k) rule ----------------------------------------------------------------
def test_an_office_is_named_only_where_k_partners_raised_that_theme_there():
    df = table([(1, "2026-05-01", "West", "Big", f"p{i}", i) for i in range(3)]
               + [(1, "2026-05-01", "West", "Tiny", "q1", 10), (2, "2026-05-01", "West", "Big", "p0", 11),
                  (None, "2026-05-01", "West", "Tiny", "q1", 12), (None, "2026-05-01", "West", "Tiny", "q2", 13),
                  (None, "2026-05-01", "West", "Tiny", "q3", 14)])
    shown = signals.masked_offices(df, k=3)
    # theme 1: Big has 3 partners, Tiny 1 (hidden, and Big with it: with Big named, the hidden row
    # could only be Tiny's); theme 2 in Big has 1; unthemed in Tiny has 3
    assert list(shown) == [signals.SMALL_OFFICE] * 5 + ["Tiny"] * 3
    assert signals.masked_offices(df[df["office"] == "Tiny"], k=3).tolist() == [signals.SMALL_OFFICE] + ["Tiny"] * 3


def test_a_hidden_office_cannot_be_worked_out_from_the_offices_named_beside_it():
    # Found in Chromium: a theme's export named every office but one, so its hidden rows could
    # only come from that one.
    rows = [(1, "2026-05-01", "West", office, f"{office}{i}", n * 10 + i)
            for n, (office, partners) in enumerate([("Big", 5), ("Mid", 4), ("Tiny", 1)]) for i in range(partners)]
    shown = signals.masked_offices(table(rows), k=3)
    assert list(shown) == ["Big"] * 5 + [signals.SMALL_OFFICE] * 5  # Mid, the smallest named, hidden with Tiny
    both = table(rows + [(1, "2026-05-01", "West", "Wee", "w1", 99)])
    assert list(signals.masked_offices(both, k=3)) == ["Big"] * 5 + ["Mid"] * 4 + [signals.SMALL_OFFICE] * 2


def test_figures_of_fewer_than_k_partners_are_left_out_under_any_filter():
    df = steady_program()
    one_day = kept(signals.Filter(start=date(2026, 10, 31), end=date(2026, 10, 31)), df)
    assert not signals.too_few_partners(df["partner_key"].nunique(), 3)
    assert signals.too_few_partners(df[df["partner_key"] == "p1"]["partner_key"].nunique(), 3)
    # that day: theme 1 from 6 partners, theme 2 from 4, theme 3 from 8
    ranked, left_out = signals.with_enough_partners(signals.ranked(tally_of(one_day)), k=5)
    assert sorted(ranked["theme_id"]) == [1, 3] and left_out == 1


@pytest.mark.parametrize("stored,statements,partners,shown", [
    ("348 statements, most distinctively about parking.", 71, 9, "71 statements, most distinctively about parking."),
    ("1,348 statements, most distinctively about parking.", 2, 2, "A few statements, most distinctively about parking."),
    ("5 alike statements raised since the last fit; provisional.", 1200, 40, "1,200 alike statements raised since the last fit; provisional."),
    ("Split from theme #12.", 4, 4, "Split from theme #12."),
])
def test_a_theme_description_counts_the_viewers_scope(stored, statements, partners, shown):
    assert signals.describe_in_scope(stored, statements, partners, k=3) == shown


def test_coverage_gives_no_counts_for_offices_of_fewer_than_k_partners():
    day = pd.Timestamp("2026-10-01")
    notes = pd.DataFrame({"region": "West", "office": ["Big"] * 3 + ["Tiny"] * 2, "meeting_date": day,
                          "partner_key": ["a", "b", "c", "d", "d"]})
    cov = signals.coverage(notes, k=3).set_index("office")
    assert cov.loc["Big", "recent"] == 3 and cov.loc["Tiny", ["recent", "expected"]].isna().all()
    assert cov.loc["Tiny", "status"] == "heard"


def test_any_two_periods_can_be_compared():
    import pandas as pd

    from synth import signals

    def rows(month: str, n_theme: int, n_other: int) -> list[dict]:
        return ([dict(meeting_date=pd.Timestamp(month), theme_id=1, partner_key=f"p{i}") for i in range(n_theme)]
                + [dict(meeting_date=pd.Timestamp(month), theme_id=2, partner_key=f"q{i}") for i in range(n_other)])

    # Theme 1: 78% of March, 2% of June, 40% of September. Against everything before (40%),
    # September looks ordinary; against June alone it is a surge.
    df = pd.DataFrame(rows("2026-03-10", 78, 22) + rows("2026-06-10", 2, 98) + rows("2026-09-10", 40, 60))
    default = signals.surfacing(df, since=date(2026, 9, 1)).set_index("theme_id")
    chosen = signals.surfacing(df, since=date(2026, 9, 1), baseline=(date(2026, 6, 1), date(2026, 6, 30)))
    chosen = chosen.set_index("theme_id")
    assert not default.loc[1, "surfacing"] and default.loc[1, "baseline"] == 80
    assert chosen.loc[1, "surfacing"] and chosen.loc[1, "baseline"] == 2


def test_office_names_are_masked_as_whole_words_only():
    import pandas as pd

    from synth import signals

    texts = pd.Series(["In tinyville the scanner jams", "Tinyvilleans are fine", "Plano too", None])
    out = signals.mask_office_names(texts, {"Tinyville"})
    assert out.tolist()[:3] == ["In [OFFICE] the scanner jams", "Tinyvilleans are fine", "Plano too"]
