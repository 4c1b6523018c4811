"""What every page shares: the store and cached queries, the signed-in viewer, the sidebar
filters (kept in the URL), and `show_error`, where a SynthError becomes a message.

Pages call these and the package; they hold no logic of their own."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pandas as pd
import streamlit as st

from synth import signals
from synth.access import Scoped
from synth.auth import Viewer, authenticate
from synth.config import Settings
from synth.errors import AccessDenied, SynthError
from synth.store import Store, open_store

PAGES_DIR = Path(__file__).parent / "pages"


# ---- resources and cached queries ---------------------------------------------------------
def settings() -> Settings:
    return Settings.from_env()


@st.cache_resource(show_spinner=False)
def _store(db_url: str, secret_file: str) -> Store:
    return open_store(Settings(db_url=db_url, secret_file=secret_file))


def store() -> Store:
    s = settings()
    return _store(s.db_url, s.secret_file)


def scoped() -> Scoped:
    v = viewer()
    if v is None:
        raise AccessDenied("Sign in first.")
    return Scoped(store(), v)


def version() -> tuple:
    return store().data_version()


@st.cache_data(show_spinner=False, max_entries=32)
def _statements(db_url: str, regions: tuple | None, role: str, data_version: tuple) -> pd.DataFrame:
    return Scoped(store(), Viewer("cache", role, regions or ())).statements()


@st.cache_data(show_spinner=False, max_entries=32)
def _notes(db_url: str, regions: tuple | None, role: str, data_version: tuple) -> pd.DataFrame:
    return Scoped(store(), Viewer("cache", role, regions or ())).notes()


@st.cache_data(show_spinner=False, max_entries=32)
def _themes(db_url: str, regions: tuple | None, role: str, data_version: tuple) -> pd.DataFrame:
    return Scoped(store(), Viewer("cache", role, regions or ())).themes()


def _key() -> tuple:
    v = scoped().viewer  # raises for nobody signed in
    if not v.sees_themes:
        raise AccessDenied(f"The {v.role} role cannot see themes or statements.")
    return settings().db_url, v.region_scope, v.role, version()


def statements() -> pd.DataFrame:
    """Issue statements the viewer may see (the scope is applied in SQL), before filters."""
    return _statements(*_key())


def notes() -> pd.DataFrame:
    return _notes(*_key())


def themes() -> pd.DataFrame:
    return _themes(*_key())


# ---- sign-in --------------------------------------------------------------------------------
def viewer() -> Viewer | None:
    return st.session_state.get("viewer")


def sign_in_form() -> None:
    st.title("synth")
    st.caption("What the field is telling your executives, from reverse-mentoring notes.")
    with st.form("sign-in"):
        username = st.text_input("Username")
        password = st.text_input("Password", type="password")
        submitted = st.form_submit_button("Sign in")
    if submitted:
        try:
            v = authenticate(Path(settings().users_file), username.strip(), password)
        except SynthError as exc:
            show_error(exc)
            return
        if v is None:
            st.session_state["failed_sign_ins"] = st.session_state.get("failed_sign_ins", 0) + 1
            st.error("Unknown username or wrong password.")
        else:
            st.session_state["viewer"] = v
            st.rerun()


def sign_out() -> None:
    for key in list(st.session_state.keys()):
        del st.session_state[key]
    st.rerun()


# ---- filters in the sidebar and the URL ---------------------------------------------------------
def _param_list(name: str) -> list[str]:
    return [v for v in st.query_params.get_all(name) if v]


def sidebar_filters() -> signals.Filter:
    """Region, office and date range, shared by every page and kept in the URL so a link
    reproduces the view. A director's choices are limited to their own regions."""
    all_notes = notes()
    regions = sorted(all_notes["region"].unique())
    chosen_regions = [r for r in _param_list("region") if r in regions]
    picked = st.sidebar.multiselect("Region", regions, default=chosen_regions, key="f_region",
                                    placeholder="All regions")
    office_pool = all_notes[all_notes["region"].isin(picked)] if picked else all_notes
    offices = sorted(office_pool["office"].unique())
    chosen_offices = [o for o in _param_list("office") if o in offices]
    picked_offices = st.sidebar.multiselect("Office", offices, default=chosen_offices, key="f_office",
                                            placeholder="All offices")
    lo = all_notes["meeting_date"].min().date() if len(all_notes) else date.today()
    hi = all_notes["meeting_date"].max().date() if len(all_notes) else date.today()
    start = _date_param("start", lo, lo, hi)
    end = _date_param("end", hi, lo, hi)
    span = st.sidebar.date_input("Meeting dates", value=(start, end), min_value=lo, max_value=hi, key="f_dates")
    start, end = (span[0], span[1]) if isinstance(span, (list, tuple)) and len(span) == 2 else (start, end)
    _set_params(region=picked, office=picked_offices,
                start=[start.isoformat()] if start != lo else [], end=[end.isoformat()] if end != hi else [])
    return signals.Filter(regions=tuple(picked), offices=tuple(picked_offices),
                          start=start if start != lo else None, end=end if end != hi else None)


def _date_param(name: str, default: date, lo: date, hi: date) -> date:
    raw = st.query_params.get(name)
    try:
        value = date.fromisoformat(raw) if raw else default
    except ValueError:
        return default
    return min(max(value, lo), hi)


def _set_params(**values: list[str]) -> None:
    for name, items in values.items():
        if items:
            st.query_params[name] = items
        elif name in st.query_params:
            del st.query_params[name]


def filter_caption(flt: signals.Filter) -> str:
    parts = [", ".join(flt.regions) or "all regions"]
    if flt.offices:
        parts.append(", ".join(flt.offices))
    if flt.start or flt.end:
        parts.append(f"{flt.start or '...'} to {flt.end or '...'}")
    return " · ".join(parts)


@dataclass(frozen=True)
class View:
    filter: signals.Filter
    statements: pd.DataFrame  # issue statements in the viewer's scope, filtered
    notes: pd.DataFrame
    themes: pd.DataFrame


def filtered_view() -> View:
    """The sidebar filters and what they select, for every page that shows themes. An error
    (access, no data) becomes a message and stops the page."""
    try:
        flt = sidebar_filters()
        return View(flt, flt.apply(statements()), flt.apply(notes()), themes())
    except SynthError as exc:
        show_error(exc)
        st.stop()


# ---- errors ---------------------------------------------------------------------------------
def show_error(exc: Exception) -> None:
    """The dashboard's single boundary for turning errors into messages."""
    if isinstance(exc, AccessDenied):
        st.warning(str(exc))
    elif isinstance(exc, SynthError):
        st.error(str(exc))
    else:
        st.error("Something went wrong on our side; nothing was changed. The details are in the server log.")
        raise exc


