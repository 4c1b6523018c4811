"""The main path once in a real browser: Debian's headless Chromium driven by Playwright,
against `streamlit run app.py` on the fitted sample program. Saves screenshots under
artifacts/screenshots (README's pictures are copies of these)."""

import csv
import io
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest

from synth import auth

ROOT = Path(__file__).parent.parent
SHOTS = Path(os.environ.get("SYNTH_SCREENSHOT_DIR", ROOT / "artifacts" / "screenshots"))
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROME_ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
               "--disable-component-update", "--disable-sync", "--disable-quic"]

pytestmark = pytest.mark.browser


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def server(fitted_copy, tmp_path):
    settings, _ = fitted_copy
    auth.ensure_demo_users(Path(settings.users_file))
    port = free_port()
    env = {**os.environ, **settings.to_env()}
    log = (tmp_path / "streamlit.log").open("w")
    proc = subprocess.Popen([sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"), "--server.port", str(port),
                             "--server.headless", "true", "--server.address", "127.0.0.1"],
                            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    for _ in range(120):
        try:
            if urllib.request.urlopen(f"{url}/_stcore/health", timeout=1).read() == b"ok":
                break
        except OSError:
            time.sleep(0.5)
    else:
        proc.kill()
        pytest.fail("streamlit did not become healthy: " + (tmp_path / "streamlit.log").read_text()[-2000:])
    yield url
    proc.terminate()
    proc.wait(timeout=20)


def test_sign_in_filter_by_region_open_a_theme(server):
    if not Path(CHROMIUM).exists():
        pytest.fail("Debian's chromium is not installed: run `make test` (it installs it) or apt-get install chromium")
    from playwright.sync_api import expect, sync_playwright

    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROME_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.goto(server)
        page.get_by_label("Username").fill("exec")
        page.get_by_label("Password", exact=True).fill("exec-demo")
        page.get_by_role("button", name="Sign in").click()

        expect(page.get_by_text("Top themes")).to_be_visible(timeout=90_000)
        expect(page.get_by_text("Surfacing").first).to_be_visible()
        page.wait_for_timeout(1500)
        page.screenshot(path=str(SHOTS / "home.png"))

        # Region filter: pick Midwest in the sidebar; it lands in the URL.
        page.get_by_role("combobox").first.click()
        page.get_by_role("option", name="Midwest").click()
        page.keyboard.press("Escape")
        page.wait_for_function("() => window.location.search.includes('region=Midwest')", timeout=30_000)
        expect(page.get_by_text("Midwest").first).to_be_visible()

        # Open the first theme card: the theme page keeps the region filter. The URL changes
        # before the cards are re-rendered, so wait for a card link that carries the filter.
        filtered_link = page.locator("[data-testid='stPageLink'] a[href*='region=Midwest']").first
        filtered_link.wait_for(timeout=60_000)
        filtered_link.click()
        expect(page.get_by_role("heading", name="In their words")).to_be_visible(timeout=60_000)
        assert "region=Midwest" in page.url and "theme=" in page.url
        page.wait_for_timeout(1500)
        page.screenshot(path=str(SHOTS / "theme.png"), full_page=True)

        page.get_by_role("link", name="Regions and offices").click()
        expect(page.get_by_role("heading", name="Who is not being heard")).to_be_visible(timeout=60_000)
        page.wait_for_timeout(2500)
        page.screenshot(path=str(SHOTS / "regions.png"), full_page=True)

        # The filter follows the viewer through the sidebar's page links, and the CSV, built
        # when the button is clicked, holds the filtered view only.
        page.get_by_role("link", name="Export").click()
        expect(page.get_by_role("heading", name="What the field is saying: Midwest")).to_be_visible(timeout=60_000)
        page.wait_for_timeout(1500)
        with page.expect_download(timeout=60_000) as download:
            page.get_by_role("button", name="Statements in this view (CSV)").click()
        rows = list(csv.DictReader(io.StringIO(Path(download.value.path()).read_text(encoding="utf-8-sig"))))
        assert rows and {r["region"] for r in rows} == {"Midwest"}
        browser.close()
    assert (SHOTS / "home.png").stat().st_size > 20_000


def test_signed_out_deep_link_signs_in_to_the_linked_view_and_a_reload_keeps_the_session(server):
    from playwright.sync_api import expect, sync_playwright

    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROME_ARGS)
        page = browser.new_page(viewport={"width": 1440, "height": 900})
        page.goto(f"{server}/themes?theme=7&region=Midwest")
        page.get_by_label("Username").wait_for(timeout=90_000)
        assert page.get_by_text("Page not found").count() == 0
        page.get_by_label("Username").fill("exec")
        page.get_by_label("Password", exact=True).fill("exec-demo")
        page.get_by_role("button", name="Sign in").click()
        expect(page.get_by_role("heading", name="In their words")).to_be_visible(timeout=90_000)
        assert "/themes" in page.url and "theme=7" in page.url and "region=Midwest" in page.url
        expect(page.get_by_role("heading", name="Themes", exact=True)).to_be_visible()
        page.wait_for_function("() => document.cookie.includes('synth_session=')", timeout=30_000)

        page.reload()  # F5: a new Streamlit session, the same viewer and view
        expect(page.get_by_role("heading", name="In their words")).to_be_visible(timeout=90_000)
        assert page.get_by_label("Username").count() == 0
        assert "theme=7" in page.url and "region=Midwest" in page.url
        page.screenshot(path=str(SHOTS / "reload.png"))

        stolen = next(c for c in page.context.cookies() if c["name"] == "synth_session")
        page.get_by_role("button", name="Sign out").click()
        page.get_by_label("Username").wait_for(timeout=60_000)
        page.reload()
        page.get_by_label("Username").wait_for(timeout=60_000)  # signed out stays signed out

        # the signed-out token is refused by the server even if a browser still sends it
        other = browser.new_context(viewport={"width": 1440, "height": 900})
        other.add_cookies([stolen])
        page2 = other.new_page()
        page2.goto(f"{server}/themes")
        page2.get_by_label("Username").wait_for(timeout=60_000)
        browser.close()


@contextmanager
def signed_in_page(url: str, user: str, password: str):
    """A Chromium page at 1440x900 that opened `url` and signed in as `user`."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROME_ARGS)
        page = browser.new_page(viewport={"width": 1440, "height": 900})
        page.goto(url)
        page.get_by_label("Username").wait_for(timeout=90_000)
        page.get_by_label("Username").fill(user)
        page.get_by_label("Password", exact=True).fill(password)
        page.get_by_role("button", name="Sign in").click()
        try:
            yield page
        finally:
            browser.close()


def test_a_link_to_a_roles_first_page_by_name_opens_it(server):
    """/importer is the coordinator's first page (served at /) and the admin's fourth: a link
    one shares with the other must open the page for both, never "Page not found"."""
    from playwright.sync_api import expect

    with signed_in_page(f"{server}/", "coordinator", "coordinator-demo") as page:
        expect(page.get_by_role("heading", name="Import notes", exact=True)).to_be_visible(timeout=90_000)
        # opening an address is a reload: it finds the viewer through the session cookie, which
        # a script writes just after the first page; on a loaded machine that can come later
        page.wait_for_function("() => document.cookie.includes('synth_session=')", timeout=30_000)
        page.goto(f"{server}/importer")
        expect(page.get_by_role("heading", name="Import notes", exact=True)).to_be_visible(timeout=90_000)
        page.wait_for_timeout(2000)  # the dialog, when there was one, came after the page
        assert page.get_by_text("Page not found").count() == 0


def test_a_heatmap_cell_opens_its_theme_for_that_region(server):
    with signed_in_page(f"{server}/regions", "exec", "exec-demo") as page:
        chart = page.locator("[data-testid='stVegaLiteChart']").first
        chart.wait_for(timeout=90_000)
        page.wait_for_timeout(2000)
        box = chart.bounding_box()
        # Cells fill the right part of the chart (theme names on the left); a grey (hidden) cell
        # takes no click, so try a few rows until one opens a theme.
        for row in range(6):
            page.mouse.click(box["x"] + box["width"] * 0.75, box["y"] + 40 + 26 * row)
            try:
                page.wait_for_url("**/themes?**", timeout=15_000)
                break
            except Exception:
                continue
        assert "/themes?" in page.url and "theme=" in page.url and "region=" in page.url, page.url
        page.get_by_text("Over time").wait_for(timeout=60_000)


def test_a_link_to_another_roles_page_says_whose_it_is_and_leads_back(server):
    """A coordinator sent a theme link by an admin once read Streamlit's "Page not found"
    ("does not seem to exist") over their own first page."""
    from playwright.sync_api import expect

    with signed_in_page(f"{server}/", "coordinator", "coordinator-demo") as page:
        expect(page.get_by_role("heading", name="Import notes", exact=True)).to_be_visible(timeout=90_000)
        page.wait_for_function("() => document.cookie.includes('synth_session=')", timeout=30_000)
        page.goto(f"{server}/themes?theme=3")
        expect(page.get_by_text("The Themes page is for executives, directors and admins, and you are signed in "
                                "as a coordinator.")).to_be_visible(timeout=90_000)
        page.wait_for_timeout(1500)  # Streamlit's dialog, when there was one, came after the page
        assert page.get_by_text("Page not found").count() == 0
        page.get_by_role("link", name="Go to Import").click()
        expect(page.get_by_role("heading", name="Import notes", exact=True)).to_be_visible(timeout=90_000)
