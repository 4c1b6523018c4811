"""Issue #13's journeys in a real browser (Debian's Chromium, Playwright) against `streamlit run`:
a coordinator imports a spreadsheet with a title row and their own column names through to the
themes it touched; an admin refits from the page; an executive compares two periods."""

import pytest

from test_browser import SHOTS, server, signed_in_page  # noqa: F401  (the server fixture)

pytestmark = pytest.mark.browser

THEIR_COLUMNS = ["Ref", "Date of Meeting", "Region", "Location", "Mentor", "Mentee", "Discussion Summary"]


def _workbook(path, store):
    """A workbook as a coordinator's tool writes it: a title, a blank row, their column names,
    then notes that say again what the program's largest theme says."""
    import openpyxl

    rows = store.statements_frame()
    biggest = rows["theme_id"].value_counts().index[0]
    said = rows[rows["theme_id"] == biggest]["text"].drop_duplicates().head(6).tolist()
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Reverse mentoring notes, autumn 2026"])
    ws.append([])
    ws.append(THEIR_COLUMNS)
    for i, text in enumerate(said):
        ws.append([f"AU-{i}", f"1{i}/11/2026", "Southwest", "Plano", ("Ana Lima", "Ben Ortiz", "Chen Wu")[i % 3],
                   "Wei Zhang", text])
    wb.save(path)
    return path


def test_a_coordinator_imports_a_title_row_workbook_through_to_the_themes_it_touched(server, fitted_copy, tmp_path):
    from playwright.sync_api import expect

    _, store = fitted_copy
    workbook = _workbook(tmp_path / "autumn notes.xlsx", store)
    SHOTS.mkdir(parents=True, exist_ok=True)
    with signed_in_page(f"{server}/", "coordinator", "coordinator-demo") as page:
        expect(page.get_by_role("heading", name="Import notes", exact=True)).to_be_visible(timeout=90_000)
        page.locator("input[type=file]").set_input_files(str(workbook))
        expect(page.get_by_text("The column names are on row 3")).to_be_visible(timeout=90_000)
        expect(page.get_by_text("“Discussion Summary” →")).to_be_visible()
        page.get_by_role("button", name="Import", exact=True).click()
        expect(page.get_by_text("Themes this import added to")).to_be_visible(timeout=180_000)
        expect(page.get_by_text("Executives, directors and admins can open these themes")).to_be_visible()
        page.screenshot(path=str(SHOTS / "import-touched.png"), full_page=True)


def test_an_admin_refits_from_the_page_and_sees_it_finish(server):
    from playwright.sync_api import expect

    with signed_in_page(f"{server}/importer", "admin", "admin-demo") as page:
        expect(page.get_by_role("heading", name="Import notes", exact=True)).to_be_visible(timeout=90_000)
        page.get_by_role("button", name="Refit themes now").click()
        expect(page.get_by_text("themes refitted")).to_be_visible(timeout=300_000)


def test_an_executive_compares_two_periods(server):
    from playwright.sync_api import expect

    with signed_in_page(f"{server}/", "exec", "exec-demo") as page:
        expect(page.get_by_role("heading", name="What's surfacing")).to_be_visible(timeout=90_000)
        expect(page.get_by_text("the last 8 weeks of notes, against everything before")).to_be_visible()
        page.get_by_text("Compare two periods").click()
        page.get_by_text("Choose the periods").click()
        expect(page.get_by_text("comparing", exact=False)).to_be_visible(timeout=60_000)
        assert page.get_by_text("the last 8 weeks of notes, against everything before").count() == 0


def test_a_curator_stays_on_the_tab_and_theme_they_were_using(server, fitted_copy):
    # Each action used to send the curator back to the Rename tab; a reload, to the first theme.
    from playwright.sync_api import expect

    _, store = fitted_copy
    theme = int(store.themes_frame()["id"].iloc[1])
    with signed_in_page(f"{server}/curate?theme={theme}&tab=Hide", "admin", "admin-demo") as page:
        hide = page.get_by_role("button", name=f"Hide #{theme} from the dashboard")
        expect(hide).to_be_visible(timeout=90_000)
        expect(page.get_by_role("tab", name="Hide")).to_have_attribute("aria-selected", "true")
        hide.click()
        show = page.get_by_role("button", name=f"Show #{theme} again")
        expect(show).to_be_visible(timeout=60_000)
        expect(page.get_by_role("tab", name="Hide")).to_have_attribute("aria-selected", "true")
        assert "tab=Hide" in page.url and f"theme={theme}" in page.url
        page.reload()
        expect(show).to_be_visible(timeout=90_000)  # the same theme and tab after a reload
        show.click()  # leave the shared store as it was
        expect(page.get_by_role("button", name=f"Hide #{theme} from the dashboard")).to_be_visible(timeout=60_000)
