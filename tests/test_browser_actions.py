"""Actions and "you said, we did" in a real browser (Debian's Chromium, Playwright), against
`streamlit run app.py` on the fitted sample. Saves actions.png and you-said-we-did.png under
artifacts/screenshots (README's pictures in tests/screenshots are copies of these)."""

import re
from pathlib import Path

import pytest

from test_actions import theme_only_in
from test_browser import CHROME_ARGS, CHROMIUM, SHOTS, server  # noqa: F401  (server: a fixture)

pytestmark = pytest.mark.browser


def sign_in(page, url: str, user: str, password: str, path: str = "") -> None:
    page.goto(url + path)
    page.get_by_label("Username").fill(user)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in").click()


def pick(page, scope, label: str, option: str) -> None:
    """Choose in a Streamlit selectbox: open it, type to narrow the list, take the match."""
    scope.get_by_label(label, exact=True).click()
    page.keyboard.type(option)
    page.get_by_role("option", name=option, exact=True).click()


def test_actions_by_role_and_the_brief_in_the_browser(server, fitted_copy, tmp_path):
    if not Path(CHROMIUM).exists():
        pytest.fail("Debian's chromium is not installed: run `make test` (it installs it) or apt-get install chromium")
    from playwright.sync_api import expect, sync_playwright

    _, store = fitted_copy
    midwest_only = theme_only_in(store, "Midwest")
    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROME_ARGS)

        # an executive sets an owner, status, decision and due date
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        sign_in(page, server, "exec", "exec-demo")
        expect(page.get_by_text("Top themes")).to_be_visible(timeout=90_000)
        page.get_by_role("link", name="Actions").click()
        expect(page.get_by_role("heading", name="Needs attention")).to_be_visible(timeout=60_000)
        form = page.get_by_test_id("stForm")
        pick(page, form, "Status", "In progress")
        pick(page, form, "Owner", "exec")
        form.get_by_label("Decision").fill("New scanners ordered for every front desk; rollout in March.")
        form.get_by_role("button", name="Save").click()
        expect(page.get_by_text("History")).to_be_visible(timeout=60_000)
        expect(page.get_by_text("In progress · owner exec").first).to_be_visible(timeout=30_000)
        page.set_viewport_size({"width": 1400, "height": 1900})
        page.evaluate("() => document.querySelector('[data-testid=stMain]')?.scrollTo(0, 0)")
        page.wait_for_timeout(2000)
        page.screenshot(path=str(SHOTS / "actions.png"))
        page.set_viewport_size({"width": 1400, "height": 1000})
        acted = store.actions_frame().query("status == 'in_progress'")
        assert len(acted) == 1 and acted["owner"].iloc[0] == "exec" and acted["updated_by"].iloc[0] == "exec"

        # the brief: previewed on the Export page, downloaded as HTML and opened
        page.get_by_role("link", name="Export").click()
        expect(page.get_by_role("heading", name="You said, we did: the whole program")).to_be_visible(timeout=60_000)
        expect(page.get_by_text("New scanners ordered").first).to_be_visible()
        with page.expect_download(timeout=60_000) as download:
            page.get_by_role("button", name="You said, we did (HTML)").click()
        brief = tmp_path / "you-said-we-did.html"
        Path(download.value.path()).replace(brief)
        page.goto(brief.as_uri())
        expect(page.get_by_role("heading", name="You said, we did: the whole program")).to_be_visible()
        row = page.get_by_role("row").filter(has_text="New scanners ordered")
        expect(row).to_have_count(1)
        expect(row.get_by_role("cell", name="In progress")).to_be_visible()
        page.screenshot(path=str(SHOTS / "you-said-we-did.png"), full_page=True)

        # a director is refused on a theme outside their region, and acts inside it
        director = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
        sign_in(director, server, "director", "director-demo", f"/actions?theme={midwest_only}")
        refused = re.compile(rf"The director role cannot act on theme #{midwest_only}:\W*it is not raised in your regions")
        expect(director.get_by_text(refused)).to_be_visible(timeout=90_000)
        form = director.get_by_test_id("stForm")
        expect(form).to_be_visible(timeout=30_000)
        director.wait_for_timeout(1500)
        pick(director, form, "Status", "Acknowledged")
        form.get_by_role("button", name="Save").click()
        expect(director.get_by_text("History")).to_be_visible(timeout=60_000)
        untouched = store.action_row(midwest_only)  # started as new when it was split off the exec's theme
        assert untouched is None or (untouched["status"], untouched["updated_by"]) == ("new", "refit")
        acknowledged = store.actions_frame().query("status == 'acknowledged'")
        assert list(acknowledged["updated_by"]) == ["director"]
        browser.close()
