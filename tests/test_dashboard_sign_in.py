"""Sign-in on the dashboard: a removed or changed user's open session ends at their next
click; the failed-sign-in counters live in the store, so a server restart keeps them."""

from pathlib import Path

import streamlit as st
from streamlit.testing.v1 import AppTest

from synth import auth

from test_dashboard import APP, app_env, signed_in, texts  # noqa: F401  (app_env is a fixture)


def test_removing_a_user_ends_their_open_session(app_env):
    settings, _ = app_env
    at = signed_in("director")
    assert at.title[0].value == "What's surfacing"
    users = auth.load_users(Path(settings.users_file))
    del users["director"]
    auth.save_users(Path(settings.users_file), users)
    at.run()  # the director's next click
    assert [t.value for t in at.title] == ["synth"] and "viewer" not in at.session_state
    assert "Your session ended" in texts(at)


def test_changing_a_users_regions_ends_their_open_session(app_env):
    settings, _ = app_env
    at = signed_in("director")
    users = auth.load_users(Path(settings.users_file))
    users["director"]["regions"] = ["Midwest"]
    auth.save_users(Path(settings.users_file), users)
    at.run()
    assert [t.value for t in at.title] == ["synth"] and "viewer" not in at.session_state


def test_failed_sign_ins_are_remembered_across_a_server_restart(app_env):
    for attempt in range(5):
        at = AppTest.from_file(APP, default_timeout=60)
        at.run()
        at.text_input[0].input("exec")
        at.text_input[1].input(f"guess-{attempt}")
        at.button[0].click()
        at.run()
        assert "wrong password" in texts(at)
    st.cache_resource.clear()  # what a restart forgets
    st.cache_data.clear()
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    at.text_input[0].input("exec")
    at.text_input[1].input("exec-demo")
    at.button[0].click()
    at.run()
    assert "Too many failed sign-ins" in texts(at) and "viewer" not in at.session_state
