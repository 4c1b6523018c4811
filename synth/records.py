"""Plain records passed between stages. No behaviour beyond small derived values."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date

CANONICAL_FIELDS = ("note_id", "meeting_date", "region", "office", "partner", "executive", "notes", "cohort")
REQUIRED_FIELDS = ("meeting_date", "region", "office", "notes")


@dataclass(frozen=True)
class Note:
    """One validated meeting note, as read from an export (text not yet redacted)."""

    row: int  # the row number in the source file, as its spreadsheet shows it (see RowError)
    note_key: str
    meeting_date: date
    region: str
    office: str
    partner: str
    executive: str
    text: str
    cohort: str = ""  # the partner's cohort as the export names it; "" derives it (synth/cohorts.py)

    @property
    def content_hash(self) -> str:
        # The same meeting exported twice (or into two files) hashes the same, whatever its id.
        key = "\x1f".join(
            [self.meeting_date.isoformat(), self.region.casefold(), self.office.casefold(),
             self.partner.casefold(), " ".join(self.text.split())]
        )
        return hashlib.sha256(key.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Statement:
    """One candidate statement cut from a note; `text` is already redacted."""

    position: int
    start: int  # character span in the original note text
    end: int
    text: str
    is_issue: bool
    drop_reason: str = ""  # why a non-issue was dropped: "small talk", "logistics", ...
    keyphrases: tuple[str, ...] = ()

    @property
    def text_hash(self) -> str:
        return text_hash(self.text)


@dataclass(frozen=True)
class ProcessedNote:
    note: Note
    redacted_text: str
    statements: tuple[Statement, ...] = ()
    redactions: dict = field(default_factory=dict)  # placeholder -> count


@dataclass(frozen=True)
class ImportSummary:
    import_id: int | None
    file_name: str
    rows_total: int
    notes_added: int
    duplicates: int
    rows_skipped: int
    statements_added: int
    issues_found: int
    row_errors: tuple = ()
    empty_rows: tuple = ()  # row numbers of the empty rows passed over (not in rows_total)
    themed: int = 0
    unthemed: int = 0
    themes_touched: int = 0
    new_themes: int = 0  # provisional themes formed at import from alike unthemed statements
    new_theme_statements: int = 0


def text_hash(text: str) -> str:
    return hashlib.sha256(" ".join(text.split()).encode("utf-8")).hexdigest()[:32]
