import os
import subprocess
import sys
from pathlib import Path

import pytest

from synth import cli

import conftest
from conftest import note_row


def _point_cli_at(settings, monkeypatch) -> None:
    monkeypatch.setenv("SYNTH_DB_URL", settings.db_url)
    monkeypatch.setenv("SYNTH_MODELS_DIR", settings.models_dir)
    monkeypatch.setenv("SYNTH_SECRET_FILE", settings.secret_file)
    monkeypatch.setenv("SYNTH_USERS_FILE", settings.users_file)


@pytest.fixture
def env(settings, monkeypatch):
    _point_cli_at(settings, monkeypatch)
    return settings


def test_import_twice_then_export_and_undo(env, write_csv, tmp_path, capsys):
    path = write_csv([note_row(i, f"The tablet app loses orders offline in clinic {i}") for i in range(1, 4)])
    assert cli.main(["import", str(path)]) == 0
    assert "3 notes added" in capsys.readouterr().out
    assert cli.main(["import", str(path)]) == 0
    assert "0 notes added, 3 duplicates skipped" in capsys.readouterr().out
    out = tmp_path / "statements.csv"
    assert cli.main(["export", "statements", "--out", str(out)]) == 0
    header = out.read_text().splitlines()[0]
    assert header.startswith("statement_id,note_id,statement,theme_id,theme_label,region,office,meeting_date")
    assert cli.main(["undo", "1"]) == 0
    assert "3 notes removed" in capsys.readouterr().out


def test_map_option_names_the_text_column(env, write_csv, capsys):
    path = write_csv([["2026-01-01", "West", "Denver", "Deliveries arrive a week late"]],
                     header=["Day", "Area", "Site", "Body of text"])
    assert cli.main(["import", str(path)]) == 4
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "--map notes=COLUMN" in err and "Traceback" not in err
    assert cli.main(["import", str(path), "--map", "notes=Body of text"]) == 0


@pytest.mark.parametrize("argv,code,needle", [
    (["import", "/nonexistent/file.csv"], 4, "does not exist"),
    (["undo", "42"], 5, "no import #42"),
    (["theme", "rename", "3", "x"], 5, "no active theme #3"),
    (["import", "x.csv", "--map", "notes"], 4, "FIELD=COLUMN"),
])
def test_errors_are_one_line_with_an_exit_code(env, argv, code, needle, capsys):
    assert cli.main(argv) == code
    err = capsys.readouterr().err
    assert needle in err and err.count("\n") == 1


def test_bad_setting_is_a_clear_error(monkeypatch, capsys):
    monkeypatch.setenv("SYNTH_MAX_UPLOAD_MB", "lots")
    assert cli.main(["imports"]) == 2
    assert "SYNTH_MAX_UPLOAD_MB='lots' is not a valid int" in capsys.readouterr().err


def test_console_script_is_installed_and_fails_cleanly(env, tmp_path):
    exe = Path(sys.executable).parent / "synth"
    r = subprocess.run([str(exe), "undo", "7"], capture_output=True, text=True, env={
        **env.to_env(), "PATH": "/usr/bin:/bin"})
    assert r.returncode == 5 and "Traceback" not in r.stderr and "no import #7" in r.stderr


@pytest.mark.parametrize("argv,needle", [
    (["theme", "merge", "5", "abc"], "OTHER must be a theme id"),
    (["theme", "merge", "5"], "theme merge needs exactly one other theme id"),
    (["theme", "merge", "5", "6", "7"], "theme merge needs exactly one other theme id"),
    (["theme", "split", "5", "a,b", "X"], "whole numbers separated by commas"),
    (["theme", "split", "5"], "theme split needs the statement ids"),
    (["theme", "rename", "5"], "theme rename needs the new label"),
    (["theme", "hide", "5", "6"], "theme hide takes only a theme id"),
    (["theme", "rename", "abc", "x"], "invalid int value: 'abc'"),
    (["theme", "shrink", "5"], "invalid choice: 'shrink'"),
    (["undo"], "required: import_id"),
    (["undo", "one"], "invalid int value: 'one'"),
    ([], "required: command"),
    (["bogus"], "invalid choice: 'bogus'"),
    (["export", "statements"], "required: --out"),
    (["import", "x.csv", "--no-such-flag"], "unrecognized arguments: --no-such-flag"),
])
def test_every_argument_error_is_one_line_with_exit_code_2(env, argv, needle, capsys):
    assert cli.main(argv) == 2
    err = capsys.readouterr().err
    assert needle in err and err.count("\n") == 1 and "Traceback" not in err, err


def test_export_to_a_folder_or_an_unwritable_path_is_one_line(env, tmp_path, capsys):
    a_file = tmp_path / "a-file"
    a_file.write_text("")
    cases = [
        (["export", "statements", "--out", str(tmp_path)], "is a folder; give a file name in it"),
        (["export", "statements", "--out", str(a_file / "x.csv")], "is a file, not a folder"),
        (["export", "statements", "--out", "/proc/synth-test/x.csv"], "cannot write"),
        (["report", "--markdown", str(tmp_path)], "is a folder"),
        (["report", "--csv", str(a_file / "x.csv")], "is a file, not a folder"),
    ]
    if os.geteuid() != 0:  # root may write anywhere: a read-only folder stops only others
        locked = tmp_path / "locked"
        locked.mkdir(mode=0o500)
        cases.append((["export", "statements", "--out", str(locked / "x.csv")], "cannot be written (no permission)"))
    for argv, needle in cases:
        assert cli.main(argv) == 2, argv
        err = capsys.readouterr().err
        assert needle in err and err.count("\n") == 1 and "Traceback" not in err, (argv, err)
    assert a_file.read_text() == ""


def test_theme_merge_and_split_argument_errors_fail_cleanly_as_a_process(env):
    exe = Path(sys.executable).parent / "synth"
    run_env = {**env.to_env(), "PATH": "/usr/bin:/bin"}
    for argv in (["theme", "merge", "5", "abc"], ["theme", "merge", "5"], ["theme", "split", "5", "a,b", "X"]):
        r = subprocess.run([str(exe), *argv], capture_output=True, text=True, env=run_env)
        assert r.returncode == 2 and "Traceback" not in r.stderr and r.stderr.count("\n") == 1, (argv, r.stderr)


def test_split_by_exported_statement_ids_then_undo_it_from_the_history(fitted_copy, monkeypatch, tmp_path, capsys):
    settings, st = fitted_copy
    _point_cli_at(settings, monkeypatch)
    out = tmp_path / "statements.csv"
    assert cli.main(["export", "statements", "--out", str(out)]) == 0
    import pandas as pd

    table = pd.read_csv(out)
    theme = int(table["theme_id"].dropna().iloc[0])
    ids = table[table["theme_id"] == theme]["statement_id"].head(3).tolist()
    capsys.readouterr()
    assert cli.main(["theme", "split", str(theme), ",".join(map(str, ids)), "Split", "by", "id"]) == 0
    new = int(capsys.readouterr().out.split("new theme #")[1].split()[0])
    frame = st.statements_frame()
    assert set(frame[frame["statement_id"].isin(ids)]["theme_id"]) == {new}
    assert cli.main(["edits"]) == 0
    listing = capsys.readouterr().out
    edit = int(listing.split("edit #")[1].split()[0])
    assert "split" in listing.splitlines()[0]
    assert cli.main(["undo-edit", str(edit)]) == 0
    frame = st.statements_frame()
    assert set(frame[frame["statement_id"].isin(ids)]["theme_id"]) == {theme}
    assert cli.main(["undo-edit", str(edit)]) != 0
    err = capsys.readouterr().err
    assert "already undone" in err and "Traceback" not in err and len(err.strip().splitlines()) == 1


def test_a_new_issue_imported_through_the_cli_is_announced_and_listed_as_provisional(fitted_copy, monkeypatch,
                                                                                      write_csv, capsys):
    from synth.bench.new_issue import planted_rows

    settings, st = fitted_copy
    _point_cli_at(settings, monkeypatch)
    rows = [r[:5] + [r[5]] + [r[6]] for r in planted_rows()]
    assert cli.main(["import", str(write_csv(rows))]) == 0
    out = capsys.readouterr().out
    assert "1 new provisional theme from 24 alike statements" in out
    assert cli.main(["themes"]) == 0
    listed = [line for line in capsys.readouterr().out.splitlines() if "(new, provisional)" in line]
    assert len(listed) == 1 and "signature" in listed[0].lower() and " 24 " in f" {listed[0].split()[1]} "


# ---- import options and row numbers (issue 13) ----------------------------------------------
def _title_row_xlsx(path: Path, rows: list[list[object]], header: list[str]) -> Path:
    """A workbook as people make them: a title, a blank row, then the header on row 3."""
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Reverse mentoring notes, autumn 2026"])
    ws.append([])
    ws.append(header)
    for row in rows:
        ws.append(row)
    wb.save(path)
    return path


def _one_error_line(capsys) -> str:
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err, err
    return err


def test_import_row_numbers_are_the_spreadsheets_own(env, write_csv, tmp_path, capsys):
    rows = [note_row(1, "Scanners jam every morning at the branch"),
            ["N2", "not a date", "Southwest", "Plano", "", "", "Printers jam"]]
    assert cli.main(["import", str(write_csv(rows))]) == 4
    assert "row 3, column 'Meeting Date'" in _one_error_line(capsys)  # header on row 1, the bad row on row 3
    xlsx = _title_row_xlsx(tmp_path / "titled.xlsx", rows, list(conftest.HEADER))
    assert cli.main(["import", str(xlsx)]) == 4
    assert "row 5, column 'Meeting Date'" in _one_error_line(capsys)  # title, blank, header: the bad row is row 5
    assert cli.main(["import", str(xlsx), "--skip-bad-rows"]) == 0
    out = capsys.readouterr()
    assert out.err.startswith("skipped row 5, column 'Meeting Date'") and "1 notes added" in out.out


def test_header_row_option_names_the_row_with_the_column_names(env, tmp_path, capsys):
    # A title that looks like a header (it names known columns) is not passed over on its own.
    rows = [["2026-10-02", "Tucson office notes", "Branch jam"], ["2026-10-03", "More notes", "Queue too long"]]
    xlsx = _title_row_xlsx(tmp_path / "t.xlsx", rows, ["Date", "Summary", "Notes"])
    assert cli.main(["import", str(xlsx), "--header-row", "3", "--region", "Southwest", "--office", "Tucson",
                     "--map", "notes=Notes"]) == 0
    assert "2 notes added" in capsys.readouterr().out
    for value, needle in (("2", "the header row is 2, but row 2 is empty"), ("40", "the file's last row is 5")):
        assert cli.main(["import", str(xlsx), "--header-row", value, "--region", "X", "--office", "Y"]) == 4
        assert needle in _one_error_line(capsys)
    assert cli.main(["import", str(xlsx), "--header-row", "0"]) == 2
    assert "1 or more" in _one_error_line(capsys)


def test_region_and_office_options_give_every_row_one(env, write_csv, capsys):
    from synth.store import open_store
    from synth.config import Settings

    path = write_csv([["2026-01-05", "Deliveries arrive a week late at the depot"]], header=["Date", "Notes"])
    assert cli.main(["import", str(path)]) == 4
    assert "--region NAME, --office NAME" in _one_error_line(capsys)
    assert cli.main(["import", str(path), "--region", "Midwest", "--office", "Chicago"]) == 0
    st = open_store(Settings.from_env())
    notes = st.notes_frame()
    st.close()
    assert notes[["region", "office"]].values.tolist() == [["Midwest", "Chicago"]]
    other = write_csv([note_row(1, "Samples run out every month")], name="with-region.csv")
    assert cli.main(["import", str(other), "--region", "Midwest"]) == 4
    assert "has a region column ('Region'). Leave out --region" in _one_error_line(capsys)


@pytest.mark.parametrize("option,month", [("day-first", 4), ("month-first", 3)])
def test_ambiguous_dates_are_refused_until_the_dates_option_says_which(env, write_csv, option, month, capsys):
    from synth.store import open_store
    from synth.config import Settings

    path = write_csv([note_row(1, "Scanners jam every morning", day="03/04/2026"),
                      note_row(2, "Printers jam every evening", day="05/06/2026")])
    assert cli.main(["import", str(path)]) == 4
    assert "--dates day-first or --dates month-first" in _one_error_line(capsys)
    assert cli.main(["import", str(path), "--dates", option]) == 0
    st = open_store(Settings.from_env())
    first = st.notes_frame().sort_values("note_key")["meeting_date"].iloc[0]
    st.close()
    assert (first.month, first.day) == (month, 3 if month == 4 else 4)


def test_day_first_dates_are_read_from_the_file_when_one_tells(env, write_csv, capsys):
    path = write_csv([note_row(1, "Scanners jam every morning", day="31/10/2026"),
                      note_row(2, "Printers jam every evening", day="05/10/2026")])
    assert cli.main(["import", str(path)]) == 0
    assert "2 notes added" in capsys.readouterr().out


def test_report_refuses_an_unknown_region_or_office_with_the_valid_ones(fitted_copy, monkeypatch, capsys):
    settings, _ = fitted_copy
    _point_cli_at(settings, monkeypatch)
    assert cli.main(["report", "--region", "South West"]) == 2
    err = _one_error_line(capsys)
    assert "--region 'South West'" in err and "Did you mean 'Southwest'?" in err
    assert "Regions: Central, Midwest, Northeast, Southeast, Southwest, West." in err
    assert cli.main(["report", "--office", "Atlantis"]) == 2
    assert "Offices: " in _one_error_line(capsys)
    assert cli.main(["report", "--region", "Southwest", "--office", "Chicago"]) == 2
    err = _one_error_line(capsys)
    assert "no office of that name has statements in Southwest" in err
    assert "Plano" in err and "Chicago" not in err.split("Offices in Southwest:")[1]
    assert cli.main(["report", "--region", "Southwest", "--office", "Plano"]) == 0
    assert "Top themes for Southwest / Plano" in capsys.readouterr().out


def test_a_reader_that_goes_away_ends_the_command_quietly(fitted_copy, monkeypatch, capsys):
    # Found in use: `synth themes | head` ended in a BrokenPipeError traceback.
    settings, _ = fitted_copy
    _point_cli_at(settings, monkeypatch)
    read_end, write_end = os.pipe()
    os.close(read_end)  # the reader has gone
    with capsys.disabled():
        monkeypatch.setattr(sys, "stdout", os.fdopen(write_end, "w", buffering=1))
        assert cli.main(["themes"]) == 141
