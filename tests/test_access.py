import json
import multiprocessing
import subprocess
import sys
import time
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from pathlib import Path

import pytest

from synth import auth
from synth.access import Scoped
from synth.errors import AccessDenied, ConfigError, TooManySignIns

from conftest import dump


def test_passwords_are_bcrypt_hashed_and_checked(tmp_path):
    path = tmp_path / "users.json"
    auth.add_user(path, "ana", "correct horse", "executive")
    stored = json.loads(path.read_text())["users"]["ana"]
    assert stored["password_hash"].startswith("$2b$") and "correct horse" not in path.read_text()
    assert auth.authenticate(path, "ana", "correct horse") == auth.Viewer("ana", "executive", ())
    assert auth.authenticate(path, "ana", "wrong") is None
    assert auth.authenticate(path, "nobody", "correct horse") is None


SLOW = {"pair": auth.Backoff(free=3, base=10, cap=80), "client": auth.Backoff(free=6, base=10, cap=80),
        "account": auth.Backoff(free=5, base=2, cap=4)}


def test_repeated_failed_sign_ins_wait_longer_each_time_per_account_and_client(store):
    now = [1000.0]
    t = auth.SignInThrottle(store, SLOW, clock=lambda: now[0])
    for _ in range(3):  # three free tries for ana from one address
        assert t.claim("ana", "10.0.0.1") == 0
    assert t.claim("ana", "10.0.0.1") == 10  # then a wait, not a lock ...
    now[0] += 10
    assert t.claim("ana", "10.0.0.1") == 0
    assert t.claim("ana", "10.0.0.1") == 20  # ... that doubles with each failure
    assert t.claim("ana", "10.0.0.2") == 0 and t.claim("bo", "10.0.0.1") == 0  # others are not slowed by it
    now[0] += 20
    assert t.claim("ana", "10.0.0.1") == 0 and t.claim("ana", "10.0.0.1") == 40
    # ana from anywhere (7 failures): at most `cap` seconds, so a guesser elsewhere cannot lock her out
    assert t.claim("ana", "10.0.0.3") == 4
    now[0] += 4
    t.succeeded("ana", "10.0.0.3")  # the right password: ana's counters start again ...
    assert t.claim("ana", "10.0.0.3") == 0
    assert t.claim("ana", "10.0.0.1") == 36  # ... the guesser's address still waits on ana ...
    assert t.claim("carl", "10.0.0.1") == 6  # ... and, after six failures there, on every account
    now[0] += auth.FORGET_AFTER + 1
    assert t.claim("carl", "10.0.0.1") == 0  # a day without failures forgets them


def test_sign_in_counters_survive_a_restart_and_store_no_username_or_address(settings, tmp_path):
    from synth.store import open_store
    users = tmp_path / "users.json"
    auth.add_user(users, "ana", "correct horse", "executive")
    first = open_store(settings)
    for _ in range(5):
        assert auth.sign_in(users, auth.SignInThrottle(first), "ana", "wrong", "10.0.0.9") is None
    first.close()
    again = open_store(settings)  # a new server process
    with pytest.raises(TooManySignIns, match="Try again in 15 s"):
        auth.sign_in(users, auth.SignInThrottle(again), "ana", "correct horse", "10.0.0.9")
    blob = repr(dump(again))
    assert "sign_in_failures" in blob and "ana" not in blob and "10.0.0.9" not in blob


def _guess(args):  # a process of its own: its own store connection, like another server
    db_url, secret_file, users, password = args
    from synth.store import Store
    store = Store.open(db_url, secret_file)
    try:
        started = time.perf_counter()
        viewer = auth.sign_in(Path(users), auth.SignInThrottle(store), "exec", password, "10.0.0.7")
        return ("ok" if viewer else "wrong"), time.perf_counter() - started
    except TooManySignIns:
        return "refused", 0.0
    finally:
        store.close()


def test_parallel_wrong_passwords_are_checked_one_by_one_against_the_limit(settings, store, tmp_path):
    users = tmp_path / "users.json"
    auth.add_user(users, "exec", "the right one", "executive")
    args = [(settings.db_url, settings.secret_file, str(users), f"guess-{i}") for i in range(25)]
    with ProcessPoolExecutor(max_workers=8, mp_context=multiprocessing.get_context("spawn")) as pool:
        outcomes = [o for o, _ in pool.map(_guess, args)]
    assert outcomes.count("wrong") == auth.BACKOFF["pair"].free == 5  # only five passwords were checked
    assert outcomes.count("refused") == 20
    key = auth.SignInThrottle(store).keys("exec", "10.0.0.7")["pair"]
    assert store.sign_in_failures(key) == 5


def test_parallel_wrong_passwords_in_threads_share_one_count(settings, store, tmp_path):
    users = tmp_path / "users.json"
    auth.add_user(users, "exec", "the right one", "executive")
    args = [(settings.db_url, settings.secret_file, str(users), f"guess-{i}") for i in range(25)]
    with ThreadPoolExecutor(max_workers=25) as pool:
        outcomes = [o for o, _ in pool.map(_guess, args)]
    assert outcomes.count("wrong") == 5 and outcomes.count("refused") == 20


def test_removing_or_changing_a_user_ends_their_sessions(tmp_path):
    path = tmp_path / "users.json"
    for name, role, regions in (("ana", "executive", ()), ("dee", "director", ("Southwest",)), ("bo", "admin", ())):
        auth.add_user(path, name, "correct horse", role, regions)
    ana, dee, bo = (auth.authenticate(path, n, "correct horse") for n in ("ana", "dee", "bo"))
    assert all(auth.still_signed_in(path, v) == v for v in (ana, dee, bo))
    users = auth.load_users(path)
    del users["ana"]  # removed
    users["dee"]["regions"] = ["Southwest", "Midwest"]  # changed scope
    auth.save_users(path, users)
    auth.add_user(path, "bo", "a new password", "admin")  # changed password
    assert [auth.still_signed_in(path, v) for v in (ana, dee, bo)] == [None, None, None]
    assert auth.still_signed_in(path, auth.Viewer("bo", "admin")) is None  # no stamp, no session


def test_importing_auth_runs_no_bcrypt():
    code = ("import time, bcrypt; calls = []; real = bcrypt.hashpw; "
            "bcrypt.hashpw = lambda *a: calls.append(a) or real(*a); import synth.auth; print(len(calls))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "0"


@pytest.mark.parametrize("role,regions,message", [("boss", (), "not one of"), ("director", (), "at least one region")])
def test_bad_users_are_refused(tmp_path, role, regions, message):
    with pytest.raises(ConfigError, match=message):
        auth.add_user(tmp_path / "u.json", "x", "long enough", role, regions)


def test_director_sees_only_their_region_in_the_query_layer(fitted_store):
    everything = Scoped(fitted_store, auth.Viewer("e", "executive")).rows()
    director = Scoped(fitted_store, auth.Viewer("d", "director", ("Southwest",)))
    mine = director.rows()
    assert set(everything["region"]) > {"Southwest"}
    assert set(mine["region"]) == {"Southwest"} and len(mine) == (everything["region"] == "Southwest").sum()
    counted = director.tally()
    for frame in (counted.regions, counted.offices, counted.places, counted.notes, counted.note_offices):
        assert len(frame) and set(frame["region"]) == {"Southwest"}
    assert counted.themes["statements"].sum() == counted.when["statements"].sum() == len(mine)
    assert set(director.texts(everything["statement_id"])) == set(mine["statement_id"])


def test_coordinator_gets_no_themes_or_statements(fitted_store):
    view = Scoped(fitted_store, auth.Viewer("c", "coordinator"))
    for read in (view.rows, view.themes, view.tally, lambda: view.texts([1]), lambda: view.first_texts([1])):
        with pytest.raises(AccessDenied):
            read()
    assert len(view.imports()) == 1


def test_only_admins_curate(fitted_store):
    with pytest.raises(AccessDenied):
        Scoped(fitted_store, auth.Viewer("e", "executive")).require("curate")
    Scoped(fitted_store, auth.Viewer("a", "admin")).require("curate")


def test_right_passwords_never_count_as_failures_of_the_address(store, tmp_path):
    # Found in Chromium: after about twenty good sign-ins from one office address every user
    # there was told to wait, with no wrong password typed at all.
    users = tmp_path / "users.json"
    auth.save_users(users, {"ana": dict(role="executive", regions=[], password_hash=auth.hash_password("correct horse"))})
    throttle = auth.SignInThrottle(store)
    for _ in range(40):
        assert auth.sign_in(users, throttle, "ana", "correct horse", "10.0.0.9") is not None
    assert store.sign_in_failures(throttle.keys("ana", "10.0.0.9")["client"]) == 0
    assert auth.sign_in(users, throttle, "ana", "wrong", "10.0.0.9") is None
    assert store.sign_in_failures(throttle.keys("ana", "10.0.0.9")["client"]) == 1  # a wrong one still counts


def test_pages_reach_data_only_through_the_access_layer():
    """A page that called the store itself would skip the role and region checks."""
    import re
    from pathlib import Path

    pages = Path(__file__).parent.parent / "synth" / "dashboard" / "pages"
    for page in pages.glob("*.py"):
        source = page.read_text()
        assert not re.search(r"ui\.store\(\)|from synth\.store|import store\b|\.engine\b", source), page.name


def test_roles_are_defined_once_and_every_page_a_role_gets_exists():
    from pathlib import Path

    from synth import auth, roles

    pages = {p.stem for p in (Path(__file__).parent.parent / "synth" / "dashboard" / "pages").glob("*.py")}
    assert auth.ROLES == tuple(roles.ROLES)
    for role in roles.ROLES.values():
        assert set(role.pages) <= pages, role.name
        assert role.sees_themes or not {"surfacing", "themes", "regions", "export", "actions"} & set(role.pages)
    assert roles.with_right("curate") == ("admin",) and "coordinator" not in roles.with_right("act")
