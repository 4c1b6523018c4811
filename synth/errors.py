"""Every error synth raises on purpose, and what the user should do about it.

    SynthError                      base; `str()` is the one line a user sees
    ├── ConfigError                 a setting is missing or malformed
    ├── UsageError                  a command-line argument is missing or malformed
    ├── StoreError                  the database cannot be opened or is too new
    ├── ImportRefused               a whole file is refused; nothing was written
    │   └── BadRowsError            some rows are invalid and skipping was not asked for
    ├── NotFound                    an import, theme or user id does not exist
    ├── ThemesNotFitted             a step needs themes and none are fitted yet
    ├── FitRunning                  another fit is running (on any server or worker): one at a time
    └── AccessDenied                the signed-in role may not see or do this
        └── TooManySignIns          sign-ins failed too often here or for this user: wait

Messages say what happened and how to fix it. They are turned into user-facing
text in exactly two places: `synth.cli.main` and `synth.dashboard.ui.show_error`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass


class SynthError(Exception):
    """Base of every error synth raises on purpose."""

    exit_code = 1


class ConfigError(SynthError):
    exit_code = 2


class UsageError(SynthError):
    """A request that cannot be carried out as given: a command-line argument that is missing,
    malformed or names a path synth cannot write, or a curation edit that would leave a theme
    empty. Exit code 2, as argparse uses for its own usage errors."""

    exit_code = 2


class StoreError(SynthError):
    exit_code = 3


class ImportRefused(SynthError):
    exit_code = 4


@dataclass(frozen=True)
class RowError:
    """One invalid cell. `row` is the row number the user's spreadsheet shows for it: with
    the header on row 1, the first data row is row 2; title or blank rows above shift it on.
    In a JSON file it is the entry's number (in JSON Lines, its line)."""

    row: int
    column: str
    reason: str

    def __str__(self) -> str:
        return f"row {self.row}, column {self.column!r}: {self.reason}"


class BadRowsError(ImportRefused):
    def __init__(self, file_name: str, errors: list[RowError]):
        self.errors = errors
        shown = "; ".join(str(e) for e in errors[:3])
        more = f" (and {len(errors) - 3} more)" if len(errors) > 3 else ""
        super().__init__(
            f"{file_name}: {len(errors)} invalid row(s): {shown}{more}. Nothing was imported. "
            "Fix the rows, or import again with --skip-bad-rows to leave them out."
        )


class NotFound(SynthError):
    exit_code = 5


class ThemesNotFitted(SynthError):
    exit_code = 6

    def __init__(self, what: str = "This step"):
        super().__init__(f"{what} needs themes, and none are fitted yet. Run `synth fit` first.")


class FitRunning(SynthError):
    """Only one fit runs at a time across every server and worker sharing the database."""

    exit_code = 8

    def __init__(self, where: str = ""):
        super().__init__("Another fit is running" + (f" ({where})" if where else "") + ": only one runs at a time. "
                         "Its themes will include everything imported so far; refit again after it if you need to.")


class AccessDenied(SynthError):
    exit_code = 7


class TooManySignIns(AccessDenied):
    def __init__(self, wait: float):
        self.wait = wait
        when = f"{math.ceil(wait)} s" if wait < 90 else f"{math.ceil(wait / 60)} min"
        super().__init__(f"Too many failed sign-ins for this username or from this address. Try again in {when}; "
                         "each further failure makes the wait longer.")
