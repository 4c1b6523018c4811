"""README stays true: every setting and every CLI command is documented there."""

from pathlib import Path

from synth.cli import build_parser
from synth.config import SETTINGS

README = (Path(__file__).parent.parent / "README.md").read_text()


def test_every_setting_is_documented():
    for s in SETTINGS:
        assert f"`{s.env}`" in README, s.env


def test_every_cli_command_is_documented():
    sub = next(a for a in build_parser()._actions if a.dest == "command")
    for name in sub.choices:
        assert f"synth {name}" in README, name


def test_the_two_commands_are_the_ones_ci_runs():
    ci = (Path(__file__).parent.parent / ".ci" / "run").read_text()
    assert "make test" in ci and "make test" in README and "make run" in README
