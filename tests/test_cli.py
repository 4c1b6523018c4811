import os
import subprocess
import sys
from pathlib import Path

import pytest

from synth import cli

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
        "SYNTH_DB_URL": env.db_url, "SYNTH_SECRET_FILE": env.secret_file, "PATH": "/usr/bin:/bin"})
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
    run_env = {"SYNTH_DB_URL": env.db_url, "SYNTH_SECRET_FILE": env.secret_file, "PATH": "/usr/bin:/bin"}
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
