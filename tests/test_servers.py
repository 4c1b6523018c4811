"""Two dashboard servers over one PostgreSQL (issue #16): what one server, or the CLI, changes
shows on the other at its next page view, without a restart; a session made on one is
accepted by the other and ended on both by a sign-out; failed sign-ins count on both.
Real `streamlit run` servers and Debian's Chromium, as a load balancer's clients would see them."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa

from synth import auth, pipeline, sample
from synth.config import Settings
from synth.store import Store

from conftest import note_row
from test_browser import CHROME_ARGS, CHROMIUM, ROOT, free_port

pytestmark = pytest.mark.browser


def _env(settings: Settings) -> dict:
    return {**os.environ, "SYNTH_DB_URL": settings.db_url, "SYNTH_SECRET_FILE": settings.secret_file,
            "SYNTH_USERS_FILE": settings.users_file, "SYNTH_MODELS_DIR": settings.models_dir, "HF_HUB_OFFLINE": "1"}


def _start(settings: Settings, log: Path) -> tuple[subprocess.Popen, str]:
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"), "--server.port", str(port),
                             "--server.headless", "true", "--server.address", "127.0.0.1"],
                            cwd=ROOT, env=_env(settings), stdout=log.open("w"), stderr=subprocess.STDOUT)
    return proc, f"http://127.0.0.1:{port}"


def _healthy(url: str, proc, log: Path) -> None:
    import time
    import urllib.request

    for _ in range(120):
        try:
            if urllib.request.urlopen(f"{url}/_stcore/health", timeout=1).read() == b"ok":
                return
        except OSError:
            time.sleep(0.5)
    proc.kill()
    pytest.fail("streamlit did not become healthy: " + log.read_text()[-2000:])


@pytest.fixture
def two_servers(pg_url, tmp_path):
    """A fitted program on PostgreSQL and two servers over it, sharing the secret and users
    files as every server of a deployment must."""
    engine = sa.create_engine(pg_url)
    with engine.begin() as conn:
        conn.exec_driver_sql("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
    engine.dispose()
    settings = Settings.for_directory(tmp_path, db_url=pg_url)
    store = Store.open(pg_url, settings.secret_file)
    export, _ = sample.write(tmp_path, n_notes=300, seed=5)
    pipeline.import_file(store, settings, export)
    pipeline.fit(store, settings)
    auth.ensure_demo_users(Path(settings.users_file))
    servers = [_start(settings, tmp_path / f"server-{name}.log") for name in "ab"]
    for (proc, url), name in zip(servers, "ab"):
        _healthy(url, proc, tmp_path / f"server-{name}.log")
    yield settings, store, [url for _, url in servers]
    for proc, _ in servers:
        proc.terminate()
        proc.wait(timeout=20)
    store.close()


def _sign_in(page, url: str, user: str, password: str) -> None:
    page.goto(url)
    page.get_by_label("Username").fill(user)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in").click()


def _meetings(page) -> int:
    metric = page.get_by_test_id("stMetric").filter(has_text="Meetings").first
    metric.wait_for(timeout=90_000)
    return int(metric.get_by_test_id("stMetricValue").inner_text().replace(",", ""))


def test_two_servers_share_imports_curation_sessions_and_the_sign_in_throttle(two_servers, tmp_path):
    from playwright.sync_api import expect, sync_playwright

    settings, store, (a, b) = two_servers
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROME_ARGS)

        # A session made on A is accepted by B: both check the signed cookie against the same
        # key and users file. (Cookies are per host, not per port: B is sent A's cookie, as a
        # load balancer would send it to any server behind it.)
        execs = browser.new_context(viewport={"width": 1400, "height": 1000})
        on_a = execs.new_page()
        _sign_in(on_a, a, "exec", "exec-demo")
        before = _meetings(on_a)
        on_a.wait_for_function("() => document.cookie.includes('synth_session=')", timeout=30_000)
        on_b = execs.new_page()
        on_b.goto(b)
        assert _meetings(on_b) == before
        assert on_b.get_by_label("Username").count() == 0

        # An import through the CLI shows on both, at their next page view, without a restart.
        rows = [note_row(900 + i, f"The badge readers at the east door reject every card after the update, week {i}.",
                         partner=f"Door Partner{i}", region="West", office="Fresno") for i in range(4)]
        path = tmp_path / "more.csv"
        import csv

        from conftest import HEADER
        with path.open("w", newline="") as fh:
            csv.writer(fh).writerows([HEADER] + rows)
        done = subprocess.run([str(Path(sys.executable).parent / "synth"), "import", str(path)], env=_env(settings),
                              capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stderr
        for page in (on_b, on_a):
            page.reload()
            expect(page.get_by_test_id("stMetric").filter(has_text="Meetings").get_by_test_id("stMetricValue")) \
                .to_have_text(f"{before + 4:,}", timeout=90_000)

        # A curation edit on B shows on A.
        admins = browser.new_context(viewport={"width": 1400, "height": 1000})
        curate = admins.new_page()
        _sign_in(curate, b, "admin", "admin-demo")
        curate.get_by_role("heading", name="What's surfacing").wait_for(timeout=90_000)
        # The cookie is written by a script on the page, which may run after the heading shows:
        # an address opened before it is a new session with no cookie, and asks for a sign-in.
        curate.wait_for_function("() => document.cookie.includes('synth_session=')", timeout=30_000)
        curate.goto(f"{b}/curate")
        curate.get_by_role("heading", name="Curate themes").wait_for(timeout=90_000)
        rename = curate.get_by_role("button", name=re.compile(r"^Rename #\d+$"))
        chosen = re.search(r"#(\d+)", rename.inner_text(timeout=60_000)).group(1)
        curate.get_by_label("New label").fill("Door badges renamed on server B")
        rename.click()
        expect(curate.get_by_text(f"Renamed #{chosen}.")).to_be_visible(timeout=60_000)
        on_a.goto(f"{a}/themes?theme={chosen}")
        expect(on_a.get_by_role("heading", name="Door badges renamed on server B")).to_be_visible(timeout=90_000)

        # Signing out on B ends the session on A too: the token is refused by every server.
        token = next(c for c in execs.cookies() if c["name"] == "synth_session")
        on_b.get_by_role("button", name="Sign out").click()
        on_b.get_by_label("Username").wait_for(timeout=60_000)
        replay = browser.new_context()
        replay.add_cookies([token])
        stolen = replay.new_page()
        stolen.goto(f"{a}/themes")
        stolen.get_by_label("Username").wait_for(timeout=60_000)

        # Failed sign-ins on A count on B: five free wrong passwords on A, then B makes the
        # same user at the same address wait, even with the right password.
        guesser = browser.new_context().new_page()
        for i in range(5):
            _sign_in(guesser, a, "director", f"wrong-{i}")
            expect(guesser.get_by_text("Unknown username or wrong password.")).to_be_visible(timeout=60_000)
        _sign_in(guesser, b, "director", "director-demo")
        expect(guesser.get_by_text(re.compile("Too many"))).to_be_visible(timeout=60_000)
        browser.close()
