import json

import pytest

from synth import auth
from synth.access import Scoped
from synth.errors import AccessDenied, ConfigError


def test_passwords_are_bcrypt_hashed_and_checked(tmp_path):
    path = tmp_path / "users.json"
    auth.add_user(path, "ana", "correct horse", "executive")
    stored = json.loads(path.read_text())["users"]["ana"]
    assert stored["password_hash"].startswith("$2b$") and "correct horse" not in path.read_text()
    assert auth.authenticate(path, "ana", "correct horse") == auth.Viewer("ana", "executive", ())
    assert auth.authenticate(path, "ana", "wrong") is None
    assert auth.authenticate(path, "nobody", "correct horse") is None


def test_repeated_failed_sign_ins_lock_that_username_for_a_while():
    now = [1000.0]
    t = auth.SignInThrottle(limit=3, window=60, clock=lambda: now[0])
    for _ in range(3):
        assert t.wait("ana") == 0
        t.failed("ana")
        now[0] += 1
    assert t.wait("ana") == 57 and t.wait("bo") == 0  # other usernames are not affected
    now[0] += 57
    assert t.wait("ana") == 0  # the oldest failure has aged out
    t.failed("ana")
    assert t.wait("ana") > 0
    t.succeeded("ana")
    assert t.wait("ana") == 0


@pytest.mark.parametrize("role,regions,message", [("boss", (), "not one of"), ("director", (), "at least one region")])
def test_bad_users_are_refused(tmp_path, role, regions, message):
    with pytest.raises(ConfigError, match=message):
        auth.add_user(tmp_path / "u.json", "x", "long enough", role, regions)


def test_director_sees_only_their_region_in_the_query_layer(fitted_store):
    everything = Scoped(fitted_store, auth.Viewer("e", "executive")).statements()
    mine = Scoped(fitted_store, auth.Viewer("d", "director", ("Southwest",))).statements()
    assert set(everything["region"]) > {"Southwest"}
    assert set(mine["region"]) == {"Southwest"} and len(mine) == (everything["region"] == "Southwest").sum()
    notes = Scoped(fitted_store, auth.Viewer("d", "director", ("Southwest",))).notes()
    assert set(notes["region"]) == {"Southwest"}


def test_coordinator_gets_no_themes_or_statements(fitted_store):
    view = Scoped(fitted_store, auth.Viewer("c", "coordinator"))
    for read in (view.statements, view.themes, view.notes):
        with pytest.raises(AccessDenied):
            read()
    assert len(view.imports()) == 1


def test_only_admins_curate(fitted_store):
    with pytest.raises(AccessDenied):
        Scoped(fitted_store, auth.Viewer("e", "executive")).require("curate")
    Scoped(fitted_store, auth.Viewer("a", "admin")).require("curate")
