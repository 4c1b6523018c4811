"""What every page shares: the store and cached queries, the signed-in viewer, the sidebar
filters (kept in the URL), and `show_error`, where a SynthError becomes a message.

Pages call these and the package; they hold no logic of their own."""

from __future__ import annotations

import hashlib
import math
import os
import re
import shutil
import tempfile
from base64 import b64encode
from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from dataclasses import astuple, dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pandas as pd
import streamlit as st

from synth import ingest, roles, signals
from synth.access import Scoped
from synth.auth import (SESSION_HOURS, SignInThrottle, Viewer, session_token, session_viewer, sign_in,
                        still_signed_in)
from synth.config import Settings
from synth.errors import AccessDenied, SynthError, TooManySignIns
from synth.jobs import BackgroundRunner, enqueue_fit, enqueue_import
from synth.markup import plain
from synth.store import DataVersion, Store, open_store
from synth.store.tallies import Counted

PAGES_DIR = Path(__file__).parent / "pages"


# ---- resources and cached queries ---------------------------------------------------------
def settings() -> Settings:
    return Settings.from_env()


@st.cache_resource(show_spinner=False)
def _store(db_url: str, secret_file: str) -> Store:
    return open_store(Settings(db_url=db_url, secret_file=secret_file))


def store() -> Store:
    s = settings()
    st_ = _store(s.db_url, s.secret_file)
    if s.jobs_in_server:
        _job_runner(s.db_url, s.secret_file)
    return st_


@st.cache_resource(show_spinner=False)
def _job_runner(db_url: str, secret_file: str) -> BackgroundRunner:
    """One background thread per server runs queued imports and fits (`SYNTH_JOBS_IN_SERVER`);
    every other server and `synth worker` share the queue, so each job runs once."""
    return BackgroundRunner(_store(db_url, secret_file), settings()).start()


def scoped() -> Scoped:
    v = viewer()
    if v is None:
        raise AccessDenied("Sign in first.")
    return Scoped(store(), v)


def version() -> DataVersion:
    return store().data_version()


_LAST_COUNTED: dict[tuple, Counted] = {}  # (scope, filter) -> its latest count


# cache_resource, not cache_data: one object shared by all sessions, not a pickled copy per page run.
@st.cache_resource(show_spinner=False, max_entries=64)
def _counted(db_url: str, regions: tuple | None, role: str, counts_version: tuple, flt: tuple) -> signals.Tally:
    """A scope and filter's tally, counted in SQL (`Store.count`) and shared by every session
    with that scope: small tables, whatever the store holds. Counted again when an import, a
    fit or an edit that moves statements changes the counts (`DataVersion.counts`); a rename
    or a hide does not. Where only imports, or only curation edits, came since this scope and
    filter were last counted, only the partners or themes they touched are counted again."""
    key = (db_url, regions, role, flt)
    counted = Scoped(store(), Viewer("cache", role, regions or ())).count(signals.Filter(*flt), _LAST_COUNTED.get(key))
    _LAST_COUNTED[key] = counted
    return counted.tally


def _tally(db_url: str, regions: tuple | None, role: str, data_version: DataVersion, flt: tuple) -> signals.Tally:
    return _counted(db_url, regions, role, data_version.counts, flt)


@st.cache_resource(show_spinner=False, max_entries=16)
def _themes(db_url: str, regions: tuple | None, role: str, data_version: DataVersion) -> pd.DataFrame:
    """The themes the scope sees (`Scoped.themes`), once per data version: pages treat it as read-only."""
    return Scoped(store(), Viewer("cache", role, regions or ())).themes()


def _key() -> tuple:
    v = scoped().viewer  # raises for nobody signed in
    if not v.sees_themes:
        raise AccessDenied(f"The {v.role} role cannot see themes or statements.")
    return settings().db_url, v.region_scope, v.role, version()


def tally(flt: signals.Filter = signals.Filter()) -> signals.Tally:
    """The tally of what the viewer may see (the scope is applied in SQL) under `flt`."""
    return _tally(*_key(), astuple(flt))


def theme_statements(theme_id: int, containing: str = "", limit: int | None = None) -> tuple[pd.DataFrame, int]:
    """A theme's newest `limit` statements in the viewer's scope that contain these words (all
    when empty), and how many do in all: read once per data version and shared by every
    session, as the Curate page lists them on each of its runs."""
    return _theme_statements(*_key(), int(theme_id), containing.strip(), limit)


@st.cache_data(show_spinner=False, max_entries=32)
def _theme_statements(db_url: str, regions: tuple | None, role: str, data_version: DataVersion, theme_id: int,
                      containing: str, limit: int | None) -> tuple[pd.DataFrame, int]:
    scoped = Scoped(store(), Viewer("cache", role, regions or ()))
    rows = scoped.rows(theme_ids=[theme_id], containing=containing, limit=limit)
    if limit is None or len(rows) < limit:
        return rows, len(rows)
    return rows, scoped.count_rows(theme_ids=[theme_id], containing=containing)


def memo(fn: Callable, view: View, *args: Hashable) -> Any:
    """`fn(view, *args)`, computed once per scope, filter, data version and arguments and then
    shared by every session: pages call their aggregations through this, so a page view costs
    a cache lookup, not a pass over every statement. `fn` must be a module-level function."""
    return _memo(f"{fn.__module__}.{fn.__qualname__}", view.key, args, fn, view)


@st.cache_data(show_spinner=False, max_entries=256)
def _memo(name: str, key: tuple, args: tuple, _fn: Callable, _view: View) -> Any:
    return _fn(_view, *args)


# ---- sign-in --------------------------------------------------------------------------------
SESSION_COOKIE = "synth_session"


def viewer() -> Viewer | None:
    """The signed-in viewer: kept in the session, or, after a reload (a new session), read back
    from the browser's signed session cookie; either way checked against the users file on
    every run, so removing or changing a user ends their sessions at their next click."""
    v = st.session_state.get("viewer")
    if v is not None:
        try:
            v = still_signed_in(Path(settings().users_file), v)
        except SynthError:
            v = None  # an unreadable users file signs everyone out; the sign-in form says why
        if v is None:
            _end_session()
            st.session_state["session_ended"] = True
    if v is None and not st.session_state.get("signed_out"):
        token = st.context.cookies.get(SESSION_COOKIE)
        if isinstance(token, str) and token and not store().session_revoked(token):
            try:
                v = session_viewer(Path(settings().users_file), _session_key(), token)
            except SynthError:
                v = None
            if v is not None:
                st.session_state.update(viewer=v, session_token=token, cookie_written=True)
    return v


def sign_in_form() -> None:
    st.title("synth")
    st.caption("What the field is telling your executives, from reverse-mentoring notes.")
    with st.form("sign-in"):
        username = st.text_input("Username")
        password = st.text_input("Password", type="password")
        submitted = st.form_submit_button("Sign in")
    if st.session_state.pop("session_ended", False) and not submitted:
        st.info("Your session ended: your account was changed or removed. Sign in again.")
    if submitted:
        try:  # the throttle counts the attempt before the password is checked (auth.sign_in)
            v = sign_in(Path(settings().users_file), SignInThrottle(store()), username.strip(), password,
                        client=_client_address())
        except SynthError as exc:
            show_error(exc)
            return
        if v is None:
            st.error("Unknown username or wrong password.")
        else:
            token = session_token(Path(settings().users_file), _session_key(), v.username)
            st.session_state.update(viewer=v, session_token=token, cookie_written=False, signed_out=False)
            landing = st.session_state.pop("landing", lambda role: None)(v.role)
            if landing is not None:
                st.switch_page(landing, query_params={k: st.query_params.get_all(k) for k in st.query_params})
            st.rerun()  # the same URL, now with the viewer's pages: a deep link opens what it linked to


def _client_address() -> str:
    """The connection's address, for the per-client sign-in throttle ("local" over localhost)."""
    address = st.context.ip_address
    return address if isinstance(address, str) and address else "local"


def sign_out() -> None:
    """Ends the session here and on every server: its token is refused from now on (the
    store keeps it until it would have expired anyway)."""
    _end_session()
    st.session_state["signed_out"] = True
    st.rerun()


def _end_session() -> None:
    if token := st.session_state.get("session_token"):
        store().revoke_session(token, expires_at=_token_expiry(token))
    for key in list(st.session_state.keys()):
        del st.session_state[key]
    st.session_state["forget_cookie"] = True


def keep_session_cookie() -> None:
    """Writes (once after signing in) or deletes (once after signing out) the browser's session
    cookie, so that a reload keeps the viewer signed in. Streamlit can read cookies but not set
    them, so a one-line script sets it; the token is signed and expires (`auth.session_token`)."""
    if st.session_state.pop("forget_cookie", False):
        _cookie_script(f"{SESSION_COOKIE}=; Path=/; Max-Age=0; SameSite=Strict")
    elif (token := st.session_state.get("session_token")) and not st.session_state.get("cookie_written"):
        _cookie_script(f"{SESSION_COOKIE}={token}; Path=/; Max-Age={SESSION_HOURS * 3600}; SameSite=Strict")
        st.session_state["cookie_written"] = True


def _cookie_script(cookie: str) -> None:
    # the token is hex digits and dots only: nothing in it can leave the string
    st.html(f"<script>document.cookie = '{cookie}' + (location.protocol === 'https:' ? '; Secure' : '');</script>",
            unsafe_allow_javascript=True)


def _token_expiry(token: str) -> float:
    try:
        return float(token.split(".")[1])
    except (IndexError, ValueError):
        return 0.0  # malformed: refused anyway


@st.cache_resource(show_spinner=False)
def _session_key_for(secret_file: str) -> bytes:
    store()  # creates the secret file if this is a new deployment
    return hashlib.sha256(b"synth dashboard sessions|" + Path(secret_file).read_bytes()).digest()


def _session_key() -> bytes:
    return _session_key_for(settings().secret_file)


# ---- filters in the sidebar and the URL ---------------------------------------------------------
def _param_list(name: str) -> list[str]:
    return [v for v in st.query_params.get_all(name) if v]


@st.cache_data(show_spinner=False, max_entries=32)
def _filter_options(db_url: str, regions: tuple | None, role: str, data_version: DataVersion) -> tuple:
    whole = _tally(db_url, regions, role, data_version, astuple(signals.Filter()))
    notes = whole.notes
    offices = notes.groupby("region")["office"].unique().map(sorted).to_dict()
    if notes.empty:
        return offices, [], date.today(), date.today()
    return (offices, sorted(whole.note_cohorts["cohort"]), notes["meeting_date"].min().date(),
            notes["meeting_date"].max().date())


def sidebar_filters(key: tuple) -> signals.Filter:
    """Region, office, cohort and date range, shared by every page and kept in the URL so a
    link reproduces the view. A director's choices are limited to their own regions."""
    offices_by_region, cohort_names, lo, hi = _filter_options(*key)
    saved = st.session_state.get("filters", {})
    if not any(name in st.query_params for name in FILTER_PARAMS):
        # Moving to another page through the sidebar drops the URL's parameters: the filter
        # the viewer chose follows them (a link that carries its own filter still wins).
        _set_params(**saved)
    regions = sorted(offices_by_region)
    chosen_regions = [r for r in _param_list("region") if r in regions]
    scoped = key[1] is not None  # a director: "all" means all of their own regions, so say which
    picked = st.sidebar.multiselect("Region", regions, default=chosen_regions, key="f_region",
                                    placeholder=f"All of {', '.join(regions)}" if scoped else "All regions")
    offices = sorted(o for r in (picked or regions) for o in offices_by_region[r])
    chosen_offices = [o for o in _param_list("office") if o in offices]
    picked_offices = st.sidebar.multiselect("Office", offices, default=chosen_offices, key="f_office",
                                            placeholder="All offices")
    chosen_cohorts = [c for c in _param_list("cohort") if c in cohort_names]
    picked_cohorts = st.sidebar.multiselect("Cohort", cohort_names, default=chosen_cohorts, key="f_cohort",
                                            placeholder="All cohorts",
                                            help="Partners who joined together: the cohort the export names, or "
                                                 "the half-year of the partner's first meeting (2025-H2).")
    start = _date_param("start", lo, lo, hi)
    end = _date_param("end", hi, lo, hi)
    span = st.sidebar.date_input("Meeting dates", value=(start, end), min_value=lo, max_value=hi, key="f_dates")
    start, end = (span[0], span[1]) if isinstance(span, (list, tuple)) and len(span) == 2 else (start, end)
    _set_params(region=picked, office=picked_offices, cohort=picked_cohorts,
                start=[start.isoformat()] if start != lo else [], end=[end.isoformat()] if end != hi else [])
    return signals.Filter(regions=tuple(picked), offices=tuple(picked_offices),
                          start=start if start != lo else None, end=end if end != hi else None,
                          cohorts=tuple(picked_cohorts))


def _date_param(name: str, default: date, lo: date, hi: date) -> date:
    raw = st.query_params.get(name)
    try:
        value = date.fromisoformat(raw) if raw else default
    except ValueError:
        return default
    return min(max(value, lo), hi)


FILTER_PARAMS = ("region", "office", "cohort", "start", "end")


def _set_params(**values: list[str]) -> None:
    st.session_state["filters"] = values
    for name, items in values.items():
        if items:
            st.query_params[name] = items
        elif name in st.query_params:
            del st.query_params[name]


def filter_caption(flt: signals.Filter) -> str:
    """The filter in words, as plain text (region and office names come from notes: pass it
    through `plain` to show it as Markdown). With no region picked it names the viewer's own
    regions (a director's), not "all regions"."""
    v = viewer()
    scope = v.region_scope if v is not None else None
    parts = [", ".join(flt.regions or scope or ()) or "all regions"]
    if flt.offices:
        parts.append(", ".join(flt.offices))
    if flt.cohorts:
        parts.append(("cohort " if len(flt.cohorts) == 1 else "cohorts ") + ", ".join(flt.cohorts))
    if flt.start or flt.end:
        parts.append(f"{flt.start or '...'} to {flt.end or '...'}")
    return " · ".join(parts)


@dataclass(frozen=True)
class View:
    filter: signals.Filter
    tally: signals.Tally  # issue statements and notes in the viewer's scope, filtered, counted
    themes: pd.DataFrame
    key: tuple  # scope, data version and filter: what `memo` caches on
    # the viewer's whole scope within the filter's dates and cohorts: what a region or office is
    # compared with (the rest of the company, or the rest of its region), whichever places are picked
    dated: signals.Tally
    source: Scoped  # where a page reads the statements it lists (a drill-down, a quote, an export)

    @property
    def scope(self) -> str:
        """What the view covers, for the spread of its themes (`signals.corroboration`): one
        region (a director's, or one picked), some regions, or the whole company."""
        return signals.scope_of(self.tally.regions, whole=self.key[1] is None and not self.filter.regions
                                and not self.filter.offices)

    def rows(self, **what) -> pd.DataFrame:
        """Statements of the view themselves (`Store.view_rows`)."""
        return self.source.rows(self.filter, **what)

    @classmethod
    def of(cls, source: Scoped, flt: signals.Filter, key: tuple = ()) -> "View":
        """A view read straight from the store, uncached: what `filtered_view` builds from its caches."""
        return cls(flt, source.tally(flt), source.themes(), (*key, astuple(flt)), source.tally(flt.without_places()),
                   source)


def filtered_view() -> View:
    """The sidebar filters and what they select, for every page that shows themes. An error
    (access, no data) becomes a message and stops the page."""
    try:
        key = _key()
        flt = sidebar_filters(key)
        return View(flt, _tally(*key, astuple(flt)), _themes(*key), (*key, astuple(flt)),
                    _tally(*key, astuple(flt.without_places())), scoped())
    except SynthError as exc:
        show_error(exc)
        st.stop()


# ---- figures in words ----------------------------------------------------------------------------
def surfacing_help(compared: bool = False) -> str:
    """What marks a theme Surfacing, for the periods compared (see `signals.MIN_GROWTH`)."""
    when = "in the recent window than in the baseline" if compared else "in the last 8 weeks than before"
    return (f"coming up clearly more often {when}: not chance (exact test at 5%), and at least "
            f"{signals.MIN_GROWTH:g} times as often even at the low end of the range. A smaller rise, however "
            "certain, is not marked.")


HELP = {
    "statements": "Issue statements: one note can raise several issues, and each is one statement. "
                  "Small talk and logistics are left out.",
    "partners": "Different frontline partners who raised it, however often each did: ten partners once each "
                "are stronger evidence than one partner ten times.",
    "offices": "Different offices those partners work in.",
    "regions": "Different regions those offices are in.",
    "growth": "How many times as often the theme came up in the last 8 weeks as before, as a share of all "
              "statements (so a busier month is not read as growth). 'At least' is the low end of the 95% "
              "range: the growth we are confident of.",
    "new": "New: nobody raised it before the last 8 weeks.",
    "surfacing": "Surfacing: " + surfacing_help(),
}
# The spread of a theme, relative to what the view covers (`signals.corroboration`'s scope).
SPREAD_MEANING = {
    "local": "all from one office",
    "regional": "at least 80% of its partners are in one region",
    "company-wide": "raised in several regions across the company",
    "several regions": "raised in more than one of the regions in this view",
    "several offices": "raised in more than one office of the region in this view",
}
SPREAD_WORDS = {"company": ("company-wide", "regional", "local"), "regions": ("several regions", "regional", "local"),
                "region": ("several offices", "local")}


def spread_help(scope: str) -> str:
    """What the spread words a view of this scope shows mean, in a sentence each."""
    text = " ".join(f"{w.capitalize()}: {SPREAD_MEANING[w]}." for w in SPREAD_WORDS[scope])
    if scope == "region":
        text += " This view holds one region, so a theme's spread is counted in its offices."
    elif scope == "regions":
        text += " Counted in the regions of this view only, not the whole company."
    return text


def how_to_read_home(scope: str = "company", compared: bool = False) -> str:
    new = "nobody raised it in the baseline period." if compared else HELP["new"][5:]
    return (
        "Themes are ranked first by how clearly they are growing (themes marked **Surfacing**, by the growth we "
        "are confident of), then by how many different partners raise them.\n\n"
        f"- **Growth 23.3 times, at least 12.5 times**: {growth_help(compared)}\n"
        f"- **Surfacing**: {surfacing_help(compared)}\n"
        f"- **New**: {new}\n"
        f"- **Partners**: {HELP['partners']}\n"
        f"- **{' / '.join(SPREAD_WORDS[scope]).capitalize()}**: {spread_help(scope)}\n"
        "- **Trend**: statements per month over the last 12 whole months; the current month is left out until it "
        "is over.")


def how_to_read_theme(scope: str = "company") -> str:
    return (
        f"- **Statements**: {HELP['statements']}\n- **Partners**: {HELP['partners']}\n"
        f"- **Spread**: {spread_help(scope)}\n"
        "- **Where**: the share of each region's statements that are about this theme (each office's, when you see "
        "one region), coloured by how often it comes up there compared with the rest.\n"
        "- **In their words**: representative statements, redacted and never attributed.")


def spread_words(spread: str, where: str = "") -> str:
    """'regional (Midwest): at least 80% of its partners are in one region.'"""
    return f"{spread}{f' ({where})' if where else ''}: {SPREAD_MEANING.get(spread, '')}."


def growth_words(rate_ratio: float, ratio_low: float, new: bool, compared: bool = False) -> str:
    """'23.3 times as often as before (at least 12.5 times)'; 'new in the last 8 weeks'.
    `compared`: two periods were picked on the page, so the words name them, not 8 weeks."""
    if new or math.isinf(rate_ratio):
        return "new: not raised in the baseline" if compared else "new in the last 8 weeks"
    before = "in the baseline" if compared else "before"
    return f"{signals.fmt_ratio(rate_ratio)[1:]} times as often as {before} (at least {signals.fmt_low(ratio_low)} times)"


def growth_help(compared: bool = False) -> str:
    """HELP['growth'], for the periods picked on the page when `compared`."""
    if not compared:
        return HELP["growth"]
    return ("How many times as often the theme came up in the recent window as in the baseline (the periods "
            "chosen under Compare two periods), as a share of all statements in each. 'At least' is the low end "
            "of the 95% range: the growth we are confident of.")


def nothing_to_chart(place: str, cells: pd.DataFrame, k: int) -> str:
    """Why a theme's 'Where' chart has nothing to draw, in a sentence."""
    if cells.empty:
        return f"No {place} in this view has statements about this theme."
    if cells["suppressed"].astype(bool).all():
        return f"Every {place} is hidden: fewer than {k} partners raised this theme there, or showing it would reveal one."
    return f"There is only one {place} in this view, so there is nothing to compare it with. Widen the filter."


def plural(n: int, word: str, words: str | None = None) -> str:
    """'1 office', '3 offices'."""
    return f"{n:,} {word if n == 1 else (words or word + 's')}"


def and_list(words: list[str]) -> str:
    """'Meeting date', 'Meeting date and Office', 'A, B and C'."""
    return " and ".join([", ".join(words[:-1]), words[-1]]) if len(words) > 1 else "".join(words)


def sparkline_image(counts: list[int], width: int = 160, height: int = 40) -> str:
    """A trend line as a Markdown image (inline SVG): a browser draws it in microseconds,
    where a chart component per theme cost each session's browser a second on the home page."""
    top = max(max(counts, default=0), 1)
    step = width / max(len(counts) - 1, 1)
    points = " ".join(f"{i * step:.1f},{height - 2 - (height - 4) * c / top:.1f}" for i, c in enumerate(counts))
    svg = (f"<svg xmlns='http://www.w3.org/2000/svg' width='{width}' height='{height}'>"
           f"<polyline fill='none' stroke='#1f77b4' stroke-width='2' points='{points}'/></svg>")
    return f"![monthly trend, last {len(counts)} months](data:image/svg+xml;base64,{b64encode(svg.encode()).decode()})"


# ---- uploads --------------------------------------------------------------------------------
def read_upload(upload, header_row: int | None = None) -> ingest.Table:
    """The upload's table, parsed from memory once per upload (and header row: None finds it):
    every rerun of the page (each widget change) reads it from the session, a refused file
    included (its error is kept and raised again), so a costly file costs once, and nothing is
    written to disk to preview it."""
    key = (upload.file_id, upload.name, upload.size)
    kept = st.session_state.get("upload_table")
    same_row = kept is not None and (header_row is None or header_row == kept[2] or
                                     (isinstance(kept[1], ingest.Table) and kept[1].header_line == header_row))
    if kept is None or kept[0] != key or not same_row:
        s = settings()
        try:
            kept = (key, ingest.read_upload(upload.getvalue(), upload.name, s.max_upload_bytes, s.max_rows, header_row),
                    header_row)
        except SynthError as exc:
            kept = (key, exc, header_row)
        st.session_state["upload_table"] = kept
        st.session_state.pop("upload_checked", None)
    if isinstance(kept[1], SynthError):
        raise kept[1]
    return kept[1]


def check_upload(table: ingest.Table, mapping: dict[str, str], defaults: dict[str, str] | None = None,
                 day_first: bool | None = None) -> ingest.Parsed:
    """Rows validated against a mapping, kept for the session until the file or a choice changes."""
    key = (table.sha256, table.header_line, tuple(sorted(mapping.items())), tuple(sorted((defaults or {}).items())), day_first)
    kept = st.session_state.get("upload_checked")
    if kept is None or kept[0] != key:
        kept = (key, ingest.validate(table, mapping, defaults, day_first))
        st.session_state["upload_checked"] = kept
    return kept[1]


FIELD_NAMES = {"note_id": "Note ID", "meeting_date": "Meeting date", "region": "Region", "office": "Office",
               "partner": "Frontline partner", "executive": "Executive", "notes": "Note text", "cohort": "Cohort"}
FIELD_HELP = {
    "note_id": "An ID for each meeting, if the file has one; without it, notes are told apart by their content.",
    "meeting_date": "When the meeting took place.",
    "region": "The region the partner works in. No such column? Give one region for every row below.",
    "office": "The office, branch or site. No such column? Give one office for every row below.",
    "partner": "The frontline partner's name: used only to count different people, never stored.",
    "executive": "The executive's name: used only to count different people, never stored.",
    "notes": "The meeting notes, summary or discussion: the text synth reads.",
    "cohort": "The group or intake the partner joined the program with, if the file has one; without it, a "
              "partner's cohort is the half-year of their first meeting (2025-H2).",
}


def sample_values(table: ingest.Table, column: int, n: int = 3) -> list[str]:
    """The first `n` different non-empty values of a column, shortened, to check a mapping by."""
    out: list[str] = []
    for row in table.rows[:200]:
        value = " ".join(str(row[column]).split()) if column < len(row) else ""
        if value and value not in out:
            out.append(value if len(value) <= 60 else value[:57] + "...")
            if len(out) == n:
                break
    return out


def show_touched_themes(import_id: int | None) -> None:
    """The themes an import's statements went to: linked for a viewer who may open themes,
    named (with a word on who can open them) for one who may not."""
    if import_id is None or viewer() is None:
        return
    try:
        s = scoped()
        touched = s.touched_themes(import_id)
    except SynthError as exc:
        show_error(exc)
        return
    if touched.empty:
        return
    st.markdown("**Themes this import added to**")
    for r in touched.itertuples():
        label = f"{plain(r.label)} (+{r.statements})"
        if s.viewer.sees_themes:
            st.page_link(str(PAGES_DIR / "themes.py"), label=label, query_params={"theme": str(r.id)})
        else:
            st.markdown(f"- {label}")
    if not s.viewer.sees_themes:
        st.caption("Executives, directors and admins can open these themes on their Themes page.")


def period_picker(view: View) -> tuple[date, date, date, date] | None:
    """"Compare two periods": the recent window and the baseline it is measured against, picked
    on the page. None (the default): the last 8 weeks of notes against everything before."""
    dates = view.tally.when["meeting_date"]
    if dates.empty:
        return None
    lo, hi = dates.min().date(), dates.max().date()
    with st.expander("Compare two periods"):
        st.caption("Growth compares how often each theme comes up in a recent window with how often it came up "
                   "in a baseline period (as a share of all statements in each). Pick both, or leave the default.")
        custom = st.toggle("Choose the periods", key="periods_on")
        # the default view's window: the 8 weeks after (not including) the day 8 weeks before the last
        recent_default = (max(lo, hi - timedelta(weeks=8) + timedelta(days=1)), hi)
        recent = st.date_input("Recent window", value=recent_default, min_value=lo, max_value=hi, key="periods_recent",
                               disabled=not custom)
        base_default = (lo, max(lo, recent_default[0] - timedelta(days=1)))
        base = st.date_input("Baseline", value=base_default, min_value=lo, max_value=hi, key="periods_base",
                             disabled=not custom)
    if not custom or len(recent) != 2 or len(base) != 2:
        return None
    if base[1] >= recent[0] and base[0] <= recent[1]:
        st.warning("The two periods overlap: growth is measured between periods that do not share dates. "
                   "Showing the default instead.")
        return None
    return recent[0], recent[1], base[0], base[1]


def refit_button() -> None:
    """Queue a refit of themes over every statement: for admins and coordinators, after imports
    have left statements unthemed. It runs as a job (`synth.jobs`) on a server's background
    thread or a `synth worker`, one fit at a time; `jobs_panel` shows its progress."""
    v = viewer()
    if v is None or not roles.may(v.role, "refit"):
        return
    st.subheader("Themes")
    st.caption("New notes join existing themes as they are imported. A refit looks at every statement again: "
               "it confirms provisional themes and forms new ones. Theme ids and curators' edits are kept. "
               "It takes a minute or two; the dashboard keeps working meanwhile.")
    if st.button("Refit themes now", key="refit"):
        try:
            job_id = enqueue_fit(store(), who=v.username)
        except SynthError as exc:
            show_error(exc)
            return
        st.session_state.setdefault("watched_jobs", set()).add(job_id)
        st.rerun()  # the sidebar's job panel shows it from now on


def import_in_background(upload, who: str, **options) -> int:
    """Queue an upload's import as a job (the file's bytes travel in the job row, so any
    server or worker can run it); `jobs_panel` shows its progress."""
    job_id = enqueue_import(store(), who=who, file_name=upload.name, data=upload.getvalue(), **options)
    st.session_state.setdefault("watched_jobs", set()).add(job_id)
    return job_id


JOB_WORDS = {"import": "Importing", "fit": "Refitting themes"}
# The stages a job reports (`pipeline`, `themes.fit`), in words: each with what it counts, or
# None for a step that reports only its start and end ("cluster 1/1" said nothing to anyone).
STAGE_WORDS = {
    "text": ("Reading the notes, taking out names and splitting them into statements", "notes"),
    "store": ("Saving the statements", None),
    "embed": ("Reading what each statement is about", "statements"),
    "cluster": ("Grouping the statements into themes", None),
}
WAITING_WORDS = {"waiting for a worker": "Waiting to start", "started": "Starting",
                 "waiting to be retried": "Waiting to try again"}


def job_progress(kind: str, state: str, message: str, done: int | None, total: int | None) -> tuple[str, float | None]:
    """A queued or running job's line, in words a coordinator understands, and its share done
    (None when there is no count to show). Markdown: a message it does not know is escaped."""
    what = JOB_WORDS.get(kind, kind.capitalize())
    message = message if isinstance(message, str) else ""
    done, total = (int(x) if x is not None and not pd.isna(x) else 0 for x in (done, total))
    if message in STAGE_WORDS:
        words, unit = STAGE_WORDS[message]
        if unit and total:
            return f"{what}: {words} ({done:,} of {total:,} {unit})", min(done / total, 1.0)
        return f"{what}: {words}", None
    if message.startswith("waiting: "):  # a refit waits for another one to end
        return f"{what}: waiting for another refit to finish", None
    return f"{what}: {WAITING_WORDS.get(message) or plain(message or 'waiting to start')}", None


def jobs_panel() -> None:
    """Imports and refits queued or running on any server or worker, with their progress,
    redrawn every two seconds while any is. When the last ends, the page is drawn again so it
    shows what the jobs changed, and says which of those this session watched failed, and why."""
    watched = st.session_state.setdefault("watched_jobs", set())
    for job_id in sorted(watched):
        job = store().job(job_id)
        if job is None or job.state in ("done", "failed"):
            watched.discard(job_id)
        if job is not None and job.state == "failed":
            st.error(f"Job #{job.id} ({JOB_WORDS.get(job.kind, job.kind).lower()}) failed: {plain(job.error)}")
        elif job is not None and job.state == "done" and job.kind == "import":
            r = job.result
            from synth.dashboard import digest

            st.success(f"Job #{job.id}: import #{r.get('import_id')} of {plain(job.payload.get('file_name', ''))} "
                       "done. " + digest.rows_read(r.get("rows_total", 0), r.get("notes_added", 0),
                                                  r.get("duplicates", 0), r.get("skipped_rows", []),
                                                  r.get("empty_rows", [])))
        elif job is not None and job.state == "done":
            st.success(f"Job #{job.id}: themes refitted ({job.result.get('themes', '?')} themes).")
    if store().jobs_frame(states=("queued", "running")).empty:
        return

    @st.fragment(run_every=2)
    def panel() -> None:
        active = store().jobs_frame(states=("queued", "running"))
        for r in active.itertuples():
            line, share = job_progress(r.kind, r.state, r.message, r.done, r.total)
            if r.state == "queued" or share is None:
                st.caption(f"Job #{r.id} · {line}")
            else:
                st.progress(share, text=f"Job #{r.id} · {line}")
        if active.empty:
            st.rerun()  # the whole page, with what the jobs changed

    panel()


def forget_upload() -> None:
    st.session_state.pop("header_row", None)
    for name in ("upload_table", "upload_checked"):
        st.session_state.pop(name, None)


@contextmanager
def upload_on_disk(upload) -> Iterator[Path]:
    """The upload as a file for the import, in a folder only this server's user can open
    (mkdtemp: mode 0700), removed when the import ends, however it ends."""
    folder = tempfile.mkdtemp(prefix="synth-upload-")
    try:
        suffix = Path(upload.name).suffix.lower()
        path = Path(folder) / ("upload" + (suffix if re.fullmatch(r"\.[a-z0-9]{1,8}", suffix) else ""))
        with os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb") as fh:
            fh.write(upload.getvalue())
        yield path
    finally:
        shutil.rmtree(folder, ignore_errors=True)


# ---- errors ---------------------------------------------------------------------------------
def show_error(exc: Exception) -> None:
    """The dashboard's single boundary for turning errors into messages. Messages quote file
    names, column headers and cell values, so they are shown as plain text, never Markdown."""
    if isinstance(exc, TooManySignIns):
        st.error(str(exc))  # synth's own words and a number, nothing a user typed: no escaping
    elif isinstance(exc, AccessDenied):
        st.warning(plain(exc))
    elif isinstance(exc, SynthError):
        st.error(plain(exc))
    else:
        st.error("Something went wrong on our side; nothing was changed. The details are in the server log.")
        raise exc


