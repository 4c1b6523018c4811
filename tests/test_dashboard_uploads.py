"""The Import page with real uploads (AppTest): an upload is parsed once, from memory, and
never left on disk, whether it is imported or refused."""

import io
import re
import tempfile
import time
import zipfile
from pathlib import Path

import pytest

from synth import ingest

from conftest import HEADER, note_row
from test_dashboard import app_env, signed_in  # noqa: F401  (app_env is a fixture)


@pytest.fixture
def temp_folder(tmp_path, monkeypatch):
    """Where `tempfile` puts files for this test: it must be empty whenever a page run ends."""
    folder = tmp_path / "system-tmp"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return folder


@pytest.fixture
def reads(monkeypatch):
    """How many times the page parsed an upload."""
    calls = []
    real = ingest.read_upload

    def counting(*args, **kwargs):
        calls.append(args[1])
        return real(*args, **kwargs)
    monkeypatch.setattr(ingest, "read_upload", counting)
    return calls


def csv_bytes(rows) -> bytes:
    out = io.StringIO()
    import csv
    w = csv.writer(out)
    w.writerow(HEADER)
    w.writerows(rows)
    return out.getvalue().encode()


def errors(at) -> list[str]:
    """The error messages as the viewer reads them (they reach st.error escaped as plain text)."""
    return [re.sub(r"\\(.)", r"\1", e.value).replace("\u2060", "") for e in at.error]


def left_on_disk(folder) -> list:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))


def test_an_upload_is_parsed_once_imported_and_not_left_on_disk(app_env, temp_folder, reads):
    settings, store = app_env
    before = len(store.notes_frame())
    data = csv_bytes([note_row(700 + i, f"The loaner tablets at the Plano clinic run flat by noon, week {i}.")
                      for i in range(3)])
    at = signed_in("coordinator")
    at.file_uploader[0].set_value(("field notes.csv", data, "text/csv"))
    at.run()
    assert not at.exception and not at.error, errors(at)
    assert any("**3** valid rows" in m.value for m in at.markdown)
    at.selectbox(key="map_partner").set_value("(not in this file)")  # reruns: widget changes
    at.run()
    at.selectbox(key="map_executive").set_value("(not in this file)")
    at.run()
    assert reads == ["field notes.csv"]  # parsed on the first run only
    assert left_on_disk(temp_folder) == []  # previewing wrote nothing
    import_button = next(b for b in at.button if b.label == "Import")
    import_button.click()
    at.run()
    assert not at.exception and any("Import #" in s.value for s in at.success), errors(at)
    assert len(store.notes_frame()) == before + 3
    assert reads == ["field notes.csv"]
    assert left_on_disk(temp_folder) == []  # the import's private copy is gone


def _zip_bomb() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("xl/workbook.xml", "<workbook/>")
        zf.writestr("xl/worksheets/sheet1.xml", b"\0" * (20 * 1024 * 1024))
    return buf.getvalue()


@pytest.mark.parametrize("name,data,message", [
    ("bomb.xlsx", _zip_bomb(), "zip bomb"),
    ("deep.json", b"[" * 100_000 + b"]" * 100_000, "too deeply"),
    ("dupes.csv", b"Meeting Date,Region,Office,Notes,Notes\n2026-01-01,W,D,a,b\n", "more than one column named 'Notes'"),
])
def test_a_refused_upload_is_parsed_once_and_not_left_on_disk(app_env, temp_folder, reads, name, data, message):
    at = signed_in("coordinator")
    at.file_uploader[0].set_value((name, data, "application/octet-stream"))
    at.run()
    assert any(message in e for e in errors(at)), errors(at)
    at.run()
    at.run()
    assert any(message in e for e in errors(at))
    assert reads == [name]
    assert left_on_disk(temp_folder) == []


def test_an_import_that_fails_removes_its_private_copy(app_env, temp_folder, monkeypatch):
    settings, store = app_env
    before = len(store.notes_frame())
    made = []
    real = tempfile.mkdtemp
    monkeypatch.setattr(tempfile, "mkdtemp", lambda *a, **k: made.append(real(*a, **k)) or made[-1])
    data = csv_bytes([["N801", "not a date", "West", "Denver", "", "", "The loaner tablets run flat by noon."]])
    at = signed_in("coordinator")
    at.file_uploader[0].set_value(("bad.csv", data, "text/csv"))
    at.run()
    at.checkbox[0].check()  # skip the bad rows: none is left, and the import refuses the file
    at.run()
    next(b for b in at.button if b.label == "Import").click()
    at.run()
    assert any("no valid rows to import" in e for e in errors(at)), errors(at)
    assert len(made) == 1 and not Path(made[0]).exists()
    assert left_on_disk(temp_folder) == [] and len(store.notes_frame()) == before


def _title_row_xlsx() -> bytes:
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Reverse mentoring notes, autumn 2026"])
    ws.append(["Session", "Date", "Branch", "Mentor", "Discussion Summary"])
    for i, day in enumerate(["31/10/2026", "15/10/2026", "02/10/2026"]):
        ws.append([f"T{i}", day, "Tucson", f"Partner {i}", f"The scanners at the Tucson branch jam every morning, case {i}."])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def test_a_coordinator_imports_a_title_row_xlsx_with_summary_column_day_first_dates_and_no_region(app_env):
    settings, store = app_env
    before = len(store.notes_frame())
    at = signed_in("coordinator")
    at.file_uploader[0].set_value(("autumn.xlsx", _title_row_xlsx(), "application/octet-stream"))
    at.run()
    assert not at.exception, at.exception
    assert at.number_input(key="header_row").value == 2  # the title row above the header is passed over
    assert at.selectbox(key="map_notes").value == "Discussion Summary"
    assert at.selectbox(key="map_office").value == "Branch"
    matched = " ".join(i.value for i in at.info)
    assert "Discussion Summary" in matched and "Note text" in matched  # says what it matched to what
    assert any("Tucson" in c.value for c in at.caption)  # sample values next to the mapping
    assert "meeting_date" not in [w.label for w in at.selectbox]  # plain field names
    at.text_input(key="default_region").input("Southwest")
    at.run()
    assert not at.error, errors(at)
    assert any("**3** valid rows" in m.value for m in at.markdown)  # 31/10/2026 read day first
    next(b for b in at.button if b.label == "Import").click()
    at.run()
    assert not at.exception and any("Import #" in s.value for s in at.success), errors(at)
    notes = store.notes_frame()
    assert len(notes) == before + 3
    added = notes.sort_values("id").tail(3)
    assert set(added["region"]) == {"Southwest"} and added["meeting_date"].max().day == 31


def test_row_numbers_on_the_import_page_are_the_files_own(app_env):
    data = b"Meeting Date,Region,Office,Notes\n2026-01-01,West,Denver,Scanners jam.\nnot a date,West,Denver,Printers jam.\n"
    at = signed_in("coordinator")
    at.file_uploader[0].set_value(("bad.csv", data, "text/csv"))
    at.run()
    table = at.dataframe[0].value
    assert list(table["row"]) == [3]  # line 3 of the file, as a spreadsheet numbers it


def test_ambiguous_dates_are_asked_about(app_env):
    data = b"Meeting Date,Region,Office,Notes\n03/04/2026,West,Denver,Scanners jam.\n05/06/2026,West,Denver,Printers jam.\n"
    at = signed_in("coordinator")
    at.file_uploader[0].set_value(("amb.csv", data, "text/csv"))
    at.run()
    assert at.radio(key="date_order").options[1].startswith("The first number")


def _titled_xlsx_with_a_bad_row() -> bytes:
    """Title on row 1, row 2 blank, the header on row 3; the note on row 5 has no date."""
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Reverse mentoring notes, autumn 2026"])
    ws.append([])
    ws.append(HEADER)
    ws.append(note_row(1, "The scanners at the Tucson branch jam every morning."))
    ws.append(["N2", "", "Southwest", "Tucson", "P", "E", "The printers at the Tucson branch jam too."])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def test_a_title_row_and_the_row_numbers_below_it_match_the_spreadsheet_and_the_cli(app_env, tmp_path, monkeypatch,
                                                                                    capsys):
    from synth import cli

    data = _titled_xlsx_with_a_bad_row()
    at = signed_in("coordinator")
    at.file_uploader[0].set_value(("titled.xlsx", data, "application/octet-stream"))
    at.run()
    assert not at.exception, at.exception
    assert at.number_input(key="header_row").value == 3  # the blank row counts, as in the spreadsheet
    assert any("The column names are on row 3" in c.value for c in at.caption)
    page_rows = list(at.dataframe[0].value["row"])
    assert page_rows == [5]
    path = tmp_path / "titled.xlsx"
    path.write_bytes(data)
    assert cli.main(["import", str(path)]) == 4  # app_env points the CLI at the same store
    assert "row 5, column 'Meeting Date'" in capsys.readouterr().err


def test_a_header_row_that_names_no_columns_can_be_chosen_again(app_env):
    at = signed_in("coordinator")
    at.file_uploader[0].set_value(("titled.xlsx", _titled_xlsx_with_a_bad_row(), "application/octet-stream"))
    at.run()
    at.number_input(key="header_row").set_value(2)
    at.run()
    assert any("row 2 is empty" in e for e in errors(at)), errors(at)
    at.number_input(key="header_row").set_value(3)  # still there to put right
    at.run()
    assert not at.error and at.selectbox(key="map_notes").value == "Meeting Notes", errors(at)


# ---- after an import: what it touched, a refit, an undo (issue 13) -------------------------------
PARKING = "Parking at the clinic is full by eight and reps circle the block for twenty minutes."


def _import_on_the_page(at, name: str = "parking.csv", n: int = 3):
    data = csv_bytes([note_row(760 + i, PARKING, partner=f"Parking Partner{i}") for i in range(n)])
    at.file_uploader[0].set_value((name, data, "text/csv"))
    at.run()
    next(b for b in at.button if b.label == "Import").click()
    at.run()
    assert not at.exception and any("Import #" in s.value for s in at.success), errors(at)
    return int(next(s.value for s in at.success if "Import #" in s.value).split("#")[1].split()[0])


def _touched(store, import_id: int) -> dict[str, int]:
    """The labels of the themes the import's statements joined, from the store."""
    frame = store.statements_frame()
    mine = frame[frame["note_id"].isin(store.notes_frame(imports=[import_id])["id"])]
    labels = store.themes_frame().set_index("id")["label"]
    return {labels[t]: int(n) for t, n in mine["theme_id"].dropna().astype(int).value_counts().items()}


def _shown(at) -> str:
    from test_dashboard import texts

    return " ".join([texts(at)] + [str(getattr(e, "label", "")) for e in at.get("page_link")]).replace(
        "\\", "").replace("\u2060", "")


def test_a_coordinator_sees_which_themes_an_import_touched_without_links(app_env):
    settings, store = app_env
    at = signed_in("coordinator")
    import_id = _import_on_the_page(at)
    touched = _touched(store, import_id)
    assert touched, "the planted notes should join an existing theme"
    shown = _shown(at)
    for label, n in touched.items():
        assert f"{label} (+{n})" in shown
    assert not at.get("page_link")  # a coordinator cannot open theme pages: names, no links
    metrics = {m.label: int(str(m.value).replace(",", "")) for m in at.metric}
    assert metrics["Themes touched"] == len(touched)
    table = at.dataframe[-1].value.set_index("id")
    assert metrics["Issue statements"] == table.loc[import_id, "issue_statements"]  # the summary and the table agree


def test_an_admin_gets_links_to_the_themes_an_import_touched(app_env):
    settings, store = app_env
    at = signed_in("admin")
    at.switch_page("synth/dashboard/pages/importer.py")
    at.run()
    import_id = _import_on_the_page(at)
    touched = _touched(store, import_id)
    ids = store.themes_frame().set_index("label")["id"]
    links = {str(e.label).replace("\\", "").replace("\u2060", ""): e.proto.query_string for e in at.get("page_link")}
    for label, n in touched.items():
        assert links[f"{label} (+{n})"] == f"theme={ids[label]}"


def test_an_admin_refits_from_the_import_page(app_env):
    import sqlalchemy as sa

    from synth.store import schema as db

    settings, store = app_env

    def fits() -> int:
        with store.engine.connect() as conn:
            return conn.execute(sa.select(sa.func.count()).select_from(db.runs).where(db.runs.c.kind == "fit")).scalar()

    before = fits()
    at = signed_in("admin")
    at.switch_page("synth/dashboard/pages/importer.py")
    at.run()
    next(b for b in at.button if b.label == "Refit themes now").click()
    at.run(timeout=600)
    # The refit may run in the page's own run or as a background job: the page is drawn again
    # until it says the refit is done, as a viewer's browser would.
    deadline = time.monotonic() + 600
    while not any("refitted" in s.value.lower() for s in at.success) and time.monotonic() < deadline:
        assert not at.exception and not at.error, errors(at)
        time.sleep(1)
        at.run()
    assert not at.exception and not at.error, errors(at)
    assert any("refitted" in s.value.lower() for s in at.success), [s.value for s in at.success]
    assert fits() == before + 1


def test_undo_on_the_page_says_why_it_did_nothing_then_shows_undone_and_resets(app_env):
    settings, store = app_env
    at = signed_in("coordinator")
    import_id = _import_on_the_page(at)
    at.selectbox(key="undo_target").set_value(import_id)
    next(b for b in at.button if b.label == "Undo import").click()
    at.run()
    assert any("Nothing was undone: tick" in w.value for w in at.warning), [w.value for w in at.warning]
    assert len(store.notes_frame(imports=[import_id])) == 3  # nothing was undone
    at.selectbox(key="undo_target").set_value(import_id)
    at.checkbox(key="undo_sure").check()
    next(b for b in at.button if b.label == "Undo import").click()
    at.run()
    assert not at.exception, at.exception
    assert any(f"Import #{import_id} undone" in s.value for s in at.success), [s.value for s in at.success]
    assert store.notes_frame(imports=[import_id]).empty
    assert at.dataframe[-1].value.set_index("id").loc[import_id, "status"] == "undone"
    assert at.checkbox(key="undo_sure").value is False


def test_a_json_upload_has_no_header_row_to_choose_and_imports(app_env):
    import json

    settings, store = app_env
    before = len(store.notes_frame())
    records = [{"id": f"J{i}", "date": "2026-10-0%d" % (i + 1), "region": "Southwest", "office": "Tucson",
                "summary": f"The scanners at the Tucson branch jam every morning, case {i}."} for i in range(2)]
    at = signed_in("coordinator")
    at.file_uploader[0].set_value(("notes.json", json.dumps(records).encode(), "application/json"))
    at.run()
    assert not at.exception and not at.error, (at.exception, errors(at))
    assert not at.number_input  # JSON names its fields in every record
    next(b for b in at.button if b.label == "Import").click()
    at.run()
    assert not at.exception and any("Import #" in s.value for s in at.success), errors(at)
    assert len(store.notes_frame()) == before + 2


def test_after_an_import_the_undo_box_offers_that_import(app_env):
    at = signed_in("coordinator")
    at.switch_page("synth/dashboard/pages/importer.py")
    at.run()
    first = at.selectbox(key="undo_target").value  # the sample's import, chosen before this one
    import_id = _import_on_the_page(at)
    assert import_id != first and at.selectbox(key="undo_target").value == import_id


MESSY = (b"Mtg When,Area,Site Name,Mentee,Exec Sponsor,Discussion Summary\n"
         b"10/20/2026,Southwest,Phoenix,Rosa Diaz,Sofia Mensah,The loaner tablets never come back charged.\n"
         b"next tuesday,Southwest,Phoenix,Ana Gil,Omar Yilmaz,Parking at the clinic is full by 8am.\n"
         b",,,,,\n"
         b"10/22/2026,Southwest,Mesa,Lee Park,Omar Yilmaz,The CRM logs us out in the middle of a visit.\n")


def test_unmapped_required_columns_are_asked_for_in_the_pages_words_not_cli_flags(app_env):
    settings, store = app_env
    before = len(store.notes_frame())
    at = signed_in("coordinator")
    at.file_uploader[0].set_value(("messy.csv", MESSY, "text/csv"))
    at.run()
    assert not at.exception and not at.error, errors(at)
    said = " ".join(w.value for w in at.warning)
    assert "Choose a column for Meeting date and Office in the list above, or type one Office for every row" in said
    assert "--" not in said and "meeting_date" not in said
    at.selectbox(key="map_meeting_date").set_value("Mtg When")
    at.selectbox(key="map_office").set_value("Site Name")
    at.run()
    assert not at.warning and not at.error, errors(at)
    problems = at.dataframe[0].value
    assert list(problems["row"]) == [3] and "MM/DD/YYYY" in problems["problem"].iloc[0]  # as the file writes dates
    assert any("**2** valid rows, **1** row with problems, out of 3" in m.value for m in at.markdown)  # the empty row is no row
    at.checkbox[0].check()
    at.run()
    next(b for b in at.button if b.label == "Import").click()
    at.run()
    assert not at.exception and any("Import #" in s.value for s in at.success), errors(at)
    assert len(store.notes_frame()) == before + 2


def test_past_imports_count_issue_statements_as_home_does(app_env):
    """Past imports once said "Statements 7920" (every sentence, small talk included) beside
    home's "Issue statements 2,292": both now count issue statements, under one name."""
    at = signed_in("admin")
    home = {m.label: int(str(m.value).replace(",", "")) for m in at.metric}
    at.switch_page("synth/dashboard/pages/importer.py")
    at.run()
    table = at.dataframe[-1].value
    assert "statements_added" not in table.columns
    committed = table[table["status"] == "committed"]
    assert committed["issue_statements"].sum() == home["Issue statements"]
    import_id = _import_on_the_page(at)
    added = {m.label: int(str(m.value).replace(",", "")) for m in at.metric}["Issue statements"]
    table = at.dataframe[-1].value.set_index("id")
    assert added > 0 and table.loc[import_id, "issue_statements"] == added
    at.switch_page("synth/dashboard/pages/surfacing.py")
    at.run()
    home_after = {m.label: int(str(m.value).replace(",", "")) for m in at.metric}
    assert home_after["Issue statements"] == home["Issue statements"] + added


def test_an_import_says_how_many_rows_were_read_imported_skipped_and_empty(app_env):
    rows = [note_row(801, PARKING, partner="Row Two"), [],  # row 3 of the file: empty
            note_row(802, PARKING, partner="Row Four", day="not a date"),
            note_row(803, PARKING, partner="Row Five"), note_row(804, PARKING, partner="Row Six")]
    at = signed_in("coordinator")
    at.file_uploader[0].set_value(("gaps.csv", csv_bytes(rows), "text/csv"))
    at.run()
    shown = " ".join(m.value for m in at.markdown)
    assert "**3** valid rows, **1** row with problems, out of 4. 1 empty row (row 3) is passed over." in shown
    at.checkbox[0].check()
    at.run()
    next(b for b in at.button if b.label == "Import").click()
    at.run()
    done = next(s.value for s in at.success if "Import #" in s.value).replace("\\", "")
    assert ("Read 4 rows: 3 imported as new notes and 1 skipped for problems (row 4). "
            "1 empty row (row 3) held nothing and was passed over.") in done, done
