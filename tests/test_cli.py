import subprocess
import sys
from pathlib import Path

import pytest

from synth import cli

from conftest import note_row


@pytest.fixture
def env(settings, monkeypatch):
    monkeypatch.setenv("SYNTH_DB_URL", settings.db_url)
    monkeypatch.setenv("SYNTH_MODELS_DIR", settings.models_dir)
    monkeypatch.setenv("SYNTH_SECRET_FILE", settings.secret_file)
    monkeypatch.setenv("SYNTH_USERS_FILE", settings.users_file)
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
    assert header.startswith("note_id,statement,theme_id,theme_label,region,office,meeting_date")
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
