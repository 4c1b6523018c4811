"""A note export on disk -> validated `Note` records and row-level errors.

Reads CSV (UTF-8, UTF-8 with BOM, Windows-1252; comma, semicolon or tab), XLSX, JSON and
JSON Lines. Hostile files are refused whole, and reading stops as soon as a limit is passed:
the upload size, the row limit, and for XLSX the uncompressed size, compression ratio, sheet
extent and cell count. Files are read from disk (`read_table`) or from memory (`read_upload`,
for the dashboard, which never writes an upload to disk to preview it).
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
import zipfile
import zlib
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

from synth.config import Settings
from synth.errors import ImportRefused, RowError
from synth.records import CANONICAL_FIELDS, REQUIRED_FIELDS, Note

# Header synonyms, compared after lower-casing and dropping everything but letters and digits.
SYNONYMS: dict[str, tuple[str, ...]] = {
    "note_id": ("noteid", "id", "sessionid", "meetingid", "recordid", "entryid", "key", "ref", "reference", "refno"),
    "meeting_date": ("meetingdate", "date", "sessiondate", "meetingon", "when", "day", "datetime", "timestamp",
                     "createdat", "created", "dateofmeeting", "dateofsession", "visitdate", "dateofvisit"),
    "region": ("region", "area", "territory", "zone", "division", "market", "location", "regionname"),
    # "location" is the region when the file has no region column, else the office
    "office": ("office", "branch", "site", "clinic", "store", "officename", "facility", "team", "city", "location"),
    "partner": ("partner", "frontlinepartner", "mentor", "employee", "frontlineemployee", "rep", "staff",
                "partnername", "reversementor", "frontline"),
    "executive": ("executive", "exec", "mentee", "leader", "executivename", "sponsor"),
    "notes": ("notes", "note", "summary", "discussion", "text", "body", "content", "meetingnotes",
              "comments", "minutes", "details", "description", "discussionsummary", "meetingsummary",
              "discussionnotes", "sessionnotes", "sessionsummary", "notessummary", "keypoints"),
    # optional: without it, a partner's cohort is the half-year of their first meeting
    "cohort": ("cohort", "cohortname", "programcohort", "group", "intake", "intakegroup", "wave"),
}
# A column whose name holds one of these is the note text when no name above matches exactly
# ("Summary of discussion", "Notes (free text)").
NOTES_WORDS = ("summary", "notes", "note", "discussion", "comment", "minutes")

MAX_NOTE_CHARS = 20_000
MAX_ROWS = Settings.max_rows  # the default of SYNTH_MAX_ROWS
# What a full import of SYNTH_MAX_ROWS typical notes unpacks to; parsing costs about 1 s per 200,000
# cells here, so these bound an XLSX's CPU and memory whatever it holds.
XLSX_MAX_UNCOMPRESSED = 200 * 1024 * 1024
XLSX_MAX_RATIO = 100
XLSX_MAX_SHEET_ROWS = 1_048_576  # Excel's own limits: a sheet that claims more was not written by Excel
XLSX_MAX_COLUMNS = 16_384
# Cell budget, counted as the sheet is read (empty and padded cells included): this many per
# data row read so far, plus a slack. A real export stays far below it; padding (wide rows,
# formatted empty rows) runs out of it in about a second instead of being parsed to the end.
XLSX_CELLS_PER_ROW = 32
XLSX_CELL_SLACK = 200_000
MAX_JSON_DIGITS = 100  # no field of a note export holds a longer integer


@dataclass(frozen=True)
class Table:
    """A file's header and rows as strings (or dates from XLSX), before mapping."""

    file_name: str
    sha256: str
    header: list[str]
    rows: list[list[object]]
    header_line: int = 1  # the header's row as the spreadsheet numbers it (a title row above it: 2)
    # Each data row's own row number in the file, blank rows counted (a JSON file: the entry's
    # number, or its line in JSON Lines). Empty: the rows follow the header without a gap.
    lines: tuple[int, ...] = ()

    def line(self, row: int) -> int:
        """The file's own row number (as a spreadsheet shows it) of data row `row` (1 = first below the header)."""
        return self.lines[row - 1] if self.lines else self.header_line + row

    @property
    def empty_lines(self) -> tuple[int, ...]:
        """The row numbers of the empty rows between the header and the last data row: read
        and passed over, which an import's summary says (empty rows after the last one, as a
        spreadsheet's formatted cells leave, are not counted)."""
        if not self.lines:
            return ()
        held = set(self.lines)
        return tuple(n for n in range(self.header_line + 1, self.lines[-1]) if n not in held)


@dataclass(frozen=True)
class Parsed:
    notes: list[Note]
    errors: list[RowError]
    mapping: dict[str, str]
    rows_total: int


def norm_header(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", str(name).lower())


# ---- reading files -------------------------------------------------------------------
def read_table(path: Path, max_bytes: int, file_name: str | None = None, max_rows: int = MAX_ROWS,
               header_row: int | None = None) -> Table:
    """The file's table. `header_row`: the row that names the columns, numbered as a
    spreadsheet numbers it (1 = the first row, blank rows counted); None finds it (title
    rows above the header are passed over)."""
    path = Path(path)
    name = file_name or path.name
    if not path.is_file():
        raise ImportRefused(f"{path} does not exist or is not a file. Check the path.")
    _check_size(path.stat().st_size, name, max_bytes)
    return _read_bytes(path.read_bytes(), name, max_rows, header_row)


def read_upload(data: bytes, file_name: str, max_bytes: int, max_rows: int = MAX_ROWS,
                header_row: int | None = None) -> Table:
    """The same as `read_table`, from memory: what the dashboard previews an upload with."""
    _check_size(len(data), file_name, max_bytes)
    return _read_bytes(data, file_name, max_rows, header_row)


HEADER_SEARCH_ROWS = 10  # a header below this many title rows is not looked for; name it with header_row

Numbered = list[tuple[int, list[object]]]  # non-blank rows, each with its row number in the file


def guess_header_row(rows: Numbered) -> int:
    """The row number, among the first few non-blank rows, of the one that names the most
    columns synth knows, so title rows above the header are passed over; the first
    non-blank row when no row names more."""
    known = {syn for syns in SYNONYMS.values() for syn in syns}
    def score(row: list[object]) -> tuple[int, int]:
        names = [norm_header(c) for c in row if str(c).strip()]
        return sum(n in known for n in names), len(names)
    scores = [score(r) for _, r in rows[:HEADER_SEARCH_ROWS]]
    best = max(range(len(scores)), key=lambda i: (scores[i], -i))
    return rows[best if scores[best] > scores[0] and scores[best][0] else 0][0]


def _with_header(rows: Numbered, header_row: int | None, name: str) -> tuple[list[object], Numbered, int]:
    """The header, the data rows below it, and the header's row number."""
    if not rows:
        return [], [], 1
    if header_row is None:
        header_row = guess_header_row(rows)
    at = next((i for i, (line, _) in enumerate(rows) if line == header_row), None)
    if at is None:
        last = rows[-1][0]
        where = (f"the file's last row is {last}" if not 1 <= header_row <= last else f"row {header_row} is empty")
        raise ImportRefused(f"{name}: the header row is {header_row}, but {where}. "
                            "Give the number of the row that names the columns, as your spreadsheet numbers it.")
    return rows[at][1], rows[at + 1:], header_row


def _check_size(size: int, name: str, max_bytes: int) -> None:
    if size == 0:
        raise ImportRefused(f"{name} is empty (0 bytes). Export the notes again and upload the new file.")
    if size > max_bytes:
        raise ImportRefused(
            f"{name} is {size / 1e6:.1f} MB, over the {max_bytes / 1024 / 1024:.0f} MB limit. "
            "Split the export, or raise SYNTH_MAX_UPLOAD_MB."
        )


def _too_many_rows(name: str, max_rows: int) -> ImportRefused:
    return ImportRefused(
        f"{name} has more than {max_rows:,} rows, the most one import takes. "
        "Split the export into smaller files, or raise SYNTH_MAX_ROWS."
    )


def _read_bytes(data: bytes, name: str, max_rows: int, header_row: int | None = None) -> Table:
    sha = hashlib.sha256(data).hexdigest()
    suffix = Path(name).suffix.lower()
    tabular = True
    header: list[object] = []
    line = 0  # JSON has no header row: its entries are numbered from 1
    if data[:4] == b"PK\x03\x04" or suffix in {".xlsx", ".xlsm"}:
        numbered = _read_xlsx(data, name, max_rows)
    else:
        text = _decode(data, name)
        stripped = text.lstrip()
        if suffix in {".jsonl", ".ndjson"} or (suffix != ".json" and stripped.startswith("{") and "\n{" in stripped):
            header, numbered, tabular = *_read_records(_jsonl(text, name, max_rows), name), False
        elif suffix == ".json" or stripped.startswith(("[", "{")):
            records = _json(text, name, max_rows)
            header, numbered, tabular = *_read_records(list(enumerate(records, 1)), name), False
        else:
            numbered = _read_csv(text, name, max_rows)
    if tabular:  # JSON names its fields in every record: no header row to find
        header, numbered, line = _with_header(numbered, header_row, name)
    if not header:
        raise ImportRefused(f"{name} has no header row. The first row must name the columns.")
    if not numbered:
        raise ImportRefused(f"{name} has a header but no data rows.")
    header = [str(h).strip() for h in header]
    _check_unique(header, name)
    return Table(name, sha, header, [r for _, r in numbered], line, tuple(n for n, _ in numbered))


def _check_unique(header: list[str], name: str) -> None:
    """Two columns with one name would leave one of them unreadable (a mapping names a column
    by its name), so the file is refused instead of silently dropping one. Unnamed columns
    (Excel's trailing empty ones) are never mapped, so they may repeat."""
    seen: dict[str, list[int]] = {}
    for i, h in enumerate(header, 1):
        if h:
            seen.setdefault(h, []).append(i)
    dupes = {h: cols for h, cols in seen.items() if len(cols) > 1}
    if dupes:
        said = "; ".join(f"{h!r} (columns {', '.join(map(str, cols))})" for h, cols in dupes.items())
        raise ImportRefused(
            f"{name} has more than one column named {said}. Rename them so that every column has its "
            "own name, and import the file again."
        )


def _decode(data: bytes, name: str) -> str:
    sample = data[:65536]
    if sample.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ImportRefused(f"{name} is UTF-16 text. Save it as CSV UTF-8 (or JSON) and upload it again.")
    if b"\x00" in sample:
        raise ImportRefused(f"{name} looks like a binary file, not a CSV, XLSX or JSON export.")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError as exc:
        raise ImportRefused(
            f"{name} is neither UTF-8 nor Windows-1252 text (byte 0x{data[exc.start]:02x} at offset {exc.start}). "
            "Save it as CSV UTF-8 and upload it again."
        ) from None
    controls = sum(1 for ch in text[:65536] if ord(ch) < 32 and ch not in "\r\n\t")
    if controls > 10:
        raise ImportRefused(f"{name} looks like a binary file, not a CSV, XLSX or JSON export.")
    return text


def _read_csv(text: str, name: str, max_rows: int) -> Numbered:
    """The non-blank records, each with its row number as a spreadsheet opening the file
    shows it (a record whose quoted cell spans several lines is one row)."""
    first_lines = "\n".join(text.splitlines()[:20]) if len(text) < 1_000_000 else "\n".join(text[:1_000_000].splitlines()[:20])
    try:
        dialect = csv.Sniffer().sniff(first_lines, delimiters=",;\t")
        delimiter = dialect.delimiter
    except csv.Error:
        counts = {d: first_lines.splitlines()[0].count(d) if first_lines else 0 for d in ",;\t"}
        delimiter = max(counts, key=counts.get)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    all_rows: Numbered = []
    try:
        for n, r in enumerate(reader, 1):
            if any(c.strip() for c in r):
                if len(all_rows) > max_rows:  # the header and max_rows data rows are in
                    raise _too_many_rows(name, max_rows)
                all_rows.append((n, r))
    except csv.Error as exc:
        raise ImportRefused(f"{name} is not valid CSV ({exc}). Export it again as CSV.") from None
    if not all_rows:
        raise ImportRefused(f"{name} has no rows.")
    return all_rows


class _HugeNumber(ValueError):
    pass


def _bounded_int(text: str) -> int:
    if len(text.lstrip("-")) > MAX_JSON_DIGITS:
        raise _HugeNumber(len(text))
    return int(text)


_DECODER = json.JSONDecoder(parse_int=_bounded_int)
_SPACE = re.compile(r"[ \t\n\r]*")


def _json_error(exc: Exception, name: str, where: str = "") -> ImportRefused:
    """One message for each way JSON can be hostile; `where` is e.g. " on line 7"."""
    if isinstance(exc, _HugeNumber):
        return ImportRefused(f"{name} holds a number with {exc.args[0]:,} digits{where}; no field of a note export "
                             "needs one. Fix that value and import the file again.")
    if isinstance(exc, RecursionError):
        return ImportRefused(f"{name} nests lists or objects too deeply{where}; a note export is a flat list of "
                             "objects. Export it again as a list of notes.")
    if isinstance(exc, json.JSONDecodeError):
        return ImportRefused(f"{name} is not valid JSON (line {exc.lineno}: {exc.msg}). Export it again as JSON.")
    return ImportRefused(f"{name} holds a value that cannot be read{where} ({exc}). Fix it and import the file again.")


class _Doc:
    """Just enough of a streaming JSON reader to walk a top-level array (or the arrays of a
    top-level object) element by element, so that reading stops at the row limit instead of
    building every object of a huge file first."""

    def __init__(self, text: str, name: str):
        self.text, self.name, self.i = text, name, 0

    def peek(self) -> str:
        self.i = _SPACE.match(self.text, self.i).end()
        return self.text[self.i: self.i + 1]

    def expect(self, char: str) -> None:
        if self.peek() != char:
            raise self.invalid(f"expected {char!r}")
        self.i += 1

    def invalid(self, msg: str) -> ImportRefused:
        line = self.text.count("\n", 0, self.i) + 1
        return ImportRefused(f"{self.name} is not valid JSON (line {line}: {msg}). Export it again as JSON.")

    def value(self) -> object:
        try:
            value, self.i = _DECODER.raw_decode(self.text, _SPACE.match(self.text, self.i).end())
        except (ValueError, RecursionError) as exc:
            raise _json_error(exc, self.name) from None
        return value

    def items(self):
        """Yield the elements of the array that starts here."""
        self.expect("[")
        if self.peek() == "]":
            self.i += 1
            return
        while True:
            yield self.value()
            nxt = self.peek()
            self.i += 1
            if nxt == "]":
                return
            if nxt != ",":
                self.i -= 1
                raise self.invalid("expected ',' or ']' between entries")


def _take(doc: _Doc, max_rows: int) -> list[object]:
    out = []
    for item in doc.items():
        if len(out) >= max_rows:
            raise _too_many_rows(doc.name, max_rows)
        out.append(item)
    return out


def _json(text: str, name: str, max_rows: int) -> list[dict]:
    doc = _Doc(text, name)
    start = doc.peek()
    if start == "[":
        records = _take(doc, max_rows)
    elif start == "{":
        # An object holding one list of note objects, e.g. {"notes": [...], "exported": "..."}.
        doc.i += 1
        lists = []
        while doc.peek() != "}":
            if lists:
                doc.expect(",")
            key = doc.value()
            if not isinstance(key, str):
                raise doc.invalid("expected a field name")
            doc.expect(":")
            if doc.peek() == "[":
                items = _take(doc, max_rows)
                if items and isinstance(items[0], dict):
                    lists.append(items)
                else:
                    lists.append(None)
            else:
                doc.value()
                lists.append(None)
        doc.i += 1
        lists = [v for v in lists if v is not None]
        if len(lists) != 1:
            raise ImportRefused(f"{name}: expected a list of note objects (or an object holding one list of them).")
        records = lists[0]
    else:
        try:
            _DECODER.decode(text)
        except (ValueError, RecursionError) as exc:
            raise _json_error(exc, name) from None
        raise ImportRefused(f"{name}: expected a list of note objects.")
    if doc.peek():
        raise doc.invalid("extra data after the list")
    return records


def _jsonl(text: str, name: str, max_rows: int) -> list[tuple[int, object]]:
    """The records, each with its line number."""
    out = []
    for i, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        if len(out) >= max_rows:
            raise _too_many_rows(name, max_rows)
        try:
            out.append((i, _DECODER.decode(line)))
        except json.JSONDecodeError as exc:
            raise ImportRefused(f"{name}: line {i} is not valid JSON ({exc.msg}).") from None
        except (ValueError, RecursionError) as exc:  # too deep, or a huge number
            raise _json_error(exc, name, f" on line {i}") from None
    return out


@dataclass(frozen=True)
class NotAValue:
    """A JSON list or object where a single value belongs: `validate` makes it a row error
    when its column is mapped, instead of guessing how to flatten it."""

    kind: str  # "list" or "object"

    def __str__(self) -> str:
        return f"(a JSON {self.kind})"


def _read_records(records: list[tuple[int, object]], name: str) -> tuple[list[str], Numbered]:
    header: list[str] = []
    seen: set[str] = set()
    for _, rec in records:
        if not isinstance(rec, dict):
            raise ImportRefused(f"{name}: every entry must be an object with named fields.")
        for key in rec:
            if key not in seen:
                seen.add(key)
                header.append(key)
    rows = [(n, [_json_cell(rec.get(k)) for k in header]) for n, rec in records]
    return header, rows


def _json_cell(value: object) -> object:
    if value is None:
        return ""
    if isinstance(value, list):
        return NotAValue("list")
    if isinstance(value, dict):
        return NotAValue("object")
    return value


def _read_xlsx(data: bytes, name: str, max_rows: int) -> Numbered:
    damaged = ImportRefused(f"{name} is not a readable XLSX file (damaged or truncated). Save it again from Excel.")
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        infos = zf.infolist()
    except (zipfile.BadZipFile, EOFError, ValueError):
        raise damaged from None
    # Declared sizes bound what is decompressed: zipfile never yields more than a member
    # declares, and a member that holds more fails its CRC check (a damaged file).
    declared = sum(i.file_size for i in infos)
    compressed = sum(i.compress_size for i in infos) or 1
    if declared > XLSX_MAX_UNCOMPRESSED or declared / compressed > XLSX_MAX_RATIO:
        raise ImportRefused(
            f"{name} declares {declared / 1e6:.0f} MB uncompressed from {compressed / 1e6:.1f} MB "
            f"(ratio {declared / compressed:.0f}:1), which looks like a zip bomb. It was not opened."
        )
    names = {i.filename for i in infos}
    if "xl/workbook.xml" not in names:
        raise ImportRefused(f"{name} is a zip file but not an Excel workbook.")
    try:
        for info in infos:
            if info.filename.endswith((".xml", ".rels")):
                with zf.open(info) as member:
                    head = member.read(4096)  # the prolog, where a DOCTYPE must be; not the whole part
                if b"<!DOCTYPE" in head or b"<!ENTITY" in head:
                    raise ImportRefused(f"{name} contains XML entity declarations, which Excel never writes. It was not opened.")
    except (zipfile.BadZipFile, EOFError, zlib.error):
        raise damaged from None
    import openpyxl  # uses defusedxml when installed

    rows: Numbered = []
    try:
        wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        try:
            ws = wb.worksheets[0]
            # The declared range (<dimension>) may be smaller than the data (rows were lost) or
            # absurdly large (every row padded to it): read what the sheet holds instead.
            ws.reset_dimensions()
            rows = _xlsx_rows(ws.iter_rows(values_only=True), name, max_rows)
        finally:
            wb.close()
    except ImportRefused:
        raise
    except Exception as exc:  # openpyxl raises many types for damaged files
        raise ImportRefused(f"{name} could not be read as XLSX ({type(exc).__name__}). Save it again from Excel.") from None
    if not rows:
        raise ImportRefused(f"{name}: the first sheet is empty.")
    return rows


def _xlsx_rows(sheet, name: str, max_rows: int) -> Numbered:
    """The non-empty rows with their sheet row numbers, trailing empty cells dropped; stops
    at the first limit passed."""
    rows: Numbered = []
    cells = 0
    for n, raw in enumerate(sheet, 1):
        if n > XLSX_MAX_SHEET_ROWS:
            raise ImportRefused(f"{name}: the first sheet goes past row {XLSX_MAX_SHEET_ROWS:,}, Excel's last row, "
                                "so Excel did not write it. Save it again from Excel.")
        cells += len(raw)
        if len(raw) > XLSX_MAX_COLUMNS or cells > len(rows) * XLSX_CELLS_PER_ROW + XLSX_CELL_SLACK:
            raise ImportRefused(
                f"{name}: the first sheet holds far more cells than its {len(rows):,} rows of notes need "
                f"(over {XLSX_CELLS_PER_ROW} a row: extra columns, or formatted empty cells). Delete the columns "
                "the notes do not need and the empty formatted rows and columns, and import it again."
            )
        row = ["" if c is None else c for c in raw]
        while row and row[-1] == "":
            row.pop()
        if row:
            if len(rows) > max_rows:
                raise _too_many_rows(name, max_rows)
            rows.append((n, row))
    return rows


# ---- mapping -------------------------------------------------------------------------
def detect_mapping(header: list[str], explicit: dict[str, str] | None = None) -> dict[str, str]:
    """Canonical field -> source column. Explicit choices win; the rest come from synonyms."""
    explicit = dict(explicit or {})
    for field_name, column in explicit.items():
        if field_name not in CANONICAL_FIELDS:
            raise ImportRefused(f"Unknown field {field_name!r} in the mapping. Fields are: {', '.join(CANONICAL_FIELDS)}.")
        if column not in header:
            raise ImportRefused(f"The mapping names column {column!r}, which is not in the file. Columns: {', '.join(header)}.")
    mapping = dict(explicit)
    taken = set(explicit.values())
    for field_name in CANONICAL_FIELDS:
        if field_name in mapping:
            continue
        for syn in SYNONYMS[field_name]:
            hit = next((h for h in header if norm_header(h) == syn and h not in taken), None)
            if hit:
                mapping[field_name] = hit
                taken.add(hit)
                break
    if "notes" not in mapping:
        hit = next((h for h in header if h not in taken and any(w in norm_header(h) for w in NOTES_WORDS)), None)
        if hit:
            mapping["notes"] = hit
    return mapping


def check_mapping(mapping: dict[str, str], header: list[str], name: str, defaults: dict[str, str] | None = None) -> None:
    if "notes" not in mapping:
        raise ImportRefused(
            f"{name} has no column with the note text (looked for Notes, Summary, Discussion, Text, ...). "
            f"Columns found: {', '.join(header)}. Map one with --map notes=COLUMN."
        )
    missing = [f for f in REQUIRED_FIELDS if f not in mapping and not (defaults or {}).get(f)]
    if missing:
        raise ImportRefused(
            f"{name}: no column found for {', '.join(missing)}. Columns found: {', '.join(header)}. "
            "Choose a column for each (--map FIELD=COLUMN on the command line), or, for region and office, "
            "give one value for every row (--region NAME, --office NAME)."
        )


# ---- validating rows -----------------------------------------------------------------
_DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%m/%d/%Y", "%m/%d/%y", "%d.%m.%Y", "%d-%m-%Y", "%b %d, %Y",
                 "%B %d, %Y", "%d %b %Y", "%d %B %Y", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S",
                 "%m/%d/%Y %H:%M", "%Y-%m-%dT%H:%M:%SZ")


_SLASHED = re.compile(r"^\s*(\d{1,2})[/.-](\d{1,2})[/.-](\d{2}|\d{4})\s*$")


def date_order(values: list[object]) -> bool | None:
    """Whether the file writes dates day first (31/10/2026): True, False (10/31/2026), or None
    when no value tells (every day is 12 or less) or values say both."""
    day_first = month_first = False
    for v in values:
        m = _SLASHED.match(str(v)) if isinstance(v, str) else None
        if m:
            a, b = int(m.group(1)), int(m.group(2))
            day_first |= a > 12 >= b
            month_first |= b > 12 >= a
    return None if day_first == month_first else day_first


def needs_date_order(table: Table, mapping: dict[str, str]) -> bool:
    """Whether the mapped date column writes dates like 03/04/2026 and no value tells which
    number is the day: the user must say (the page asks; the CLI takes --dates)."""
    if "meeting_date" not in mapping:
        return False
    column = table.header.index(mapping["meeting_date"])
    dates = [r[column] for r in table.rows if column < len(r)]
    return date_order(dates) is None and any(_either_way(d) for d in dates)


def _either_way(value: object) -> bool:
    m = _SLASHED.match(value) if isinstance(value, str) else None
    return bool(m) and 1 <= int(m.group(1)) <= 12 and 1 <= int(m.group(2)) <= 12


def parse_date(value: object, day_first: bool = False) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, (int, float)) and 20000 < value < 80000:  # an Excel serial day number
        return date(1899, 12, 30) + timedelta(days=int(value))
    text = original = str(value).strip()
    if not text:
        raise ValueError("is empty")
    if re.match(r"^\d{4}-\d{2}-\d{2}T", text):
        text = text[:19]
    m = _SLASHED.match(text)
    if day_first and m:  # 31/10/2026, 31.10.26
        text = f"{m.group(2)}/{m.group(1)}/{m.group(3)}"
    for fmt in _DATE_FORMATS:
        try:
            parsed = datetime.strptime(text, fmt).date()
        except ValueError:
            continue
        if not 1990 <= parsed.year <= 2100:
            raise ValueError(f"{original!r} is outside 1990-2100")
        return parsed
    # Quoted as the file has it; the hint follows the order the dates are read in.
    # Both forms the file may use: "use YYYY-MM-DD" alone told a file of 10/20/2026 dates to
    # rewrite every date, when only this one is wrong.
    raise ValueError(f"{original!r} is not a date (use YYYY-MM-DD, or {'DD/MM/YYYY' if day_first else 'MM/DD/YYYY'})")


def _cell(row: list[object], header_index: dict[str, int], column: str | None) -> object:
    if column is None:
        return ""
    i = header_index[column]
    return row[i] if i < len(row) else ""


def validate(table: Table, mapping: dict[str, str], defaults: dict[str, str] | None = None,
             day_first: bool | None = None) -> Parsed:
    """Rows checked against `mapping`. `defaults`: a region or office for every row, for a
    file with no column for it. `day_first`: how to read 03/04/2026; None reads it as the
    file shows (a day over 12 anywhere in the column), and refuses a file where no date tells."""
    defaults = {f: v.strip() for f, v in (defaults or {}).items() if v and v.strip()}
    both = [f for f in defaults if f in mapping]
    if both:
        raise ImportRefused(
            f"{table.file_name}: one {' and one '.join(both)} for every row was given, but the file has "
            f"{' and '.join(f'a {f} column ({mapping[f]!r})' for f in both)}. Leave out "
            f"{' and '.join('--' + f for f in both)}: a value for every row is for files without such a column."
        )
    check_mapping(mapping, table.header, table.file_name, defaults)
    index = {h: i for i, h in enumerate(table.header)}
    if day_first is None and needs_date_order(table, mapping):
        raise ImportRefused(
            f"{table.file_name}: dates like 03/04/2026 could be day first or month first, and no date in the "
            f"{mapping['meeting_date']!r} column tells (none has a day over 12). Say which: --dates day-first "
            "or --dates month-first."
        )
    if day_first is None and "meeting_date" in mapping:
        day_first = bool(date_order([_cell(r, index, mapping["meeting_date"]) for r in table.rows]))
    notes: list[Note] = []
    errors: list[RowError] = []
    for i, row in enumerate(table.rows, 1):
        n = table.line(i)  # messages give the row number the user's spreadsheet shows
        def get(field: str, row: list[object] = row) -> object:
            return _cell(row, index, mapping.get(field))
        not_values = [(column, _cell(row, index, column)) for column in mapping.values()]
        row_errors = [RowError(n, column, f"holds {value}, not a single value. Put one value in this field")
                      for column, value in not_values if isinstance(value, NotAValue)]
        if row_errors:
            errors.extend(row_errors)
            continue
        text = str(get("notes") or "").strip()
        if not text:
            row_errors.append(RowError(n, mapping["notes"], "the note text is empty"))
        elif len(text) > MAX_NOTE_CHARS:
            row_errors.append(RowError(n, mapping["notes"], f"the note is {len(text):,} characters; the limit is {MAX_NOTE_CHARS:,}"))
        try:
            meeting_date = parse_date(get("meeting_date"), day_first=bool(day_first))
        except ValueError as exc:
            row_errors.append(RowError(n, mapping["meeting_date"], f"the date {exc}"))
            meeting_date = None
        scope = {}
        for f in ("region", "office"):
            value = " ".join(str(get(f) or defaults.get(f, "")).split())
            if not value:
                row_errors.append(RowError(n, mapping.get(f, f), f"the {f} is empty"))
            elif len(value) > 128:
                row_errors.append(RowError(n, mapping.get(f, f), f"the {f} is longer than 128 characters"))
            scope[f] = value
        if row_errors:
            errors.extend(row_errors)
            continue
        cohort = " ".join(str(get("cohort") or "").split())
        if len(cohort) > 64:
            errors.append(RowError(n, mapping["cohort"], "the cohort is longer than 64 characters"))
            continue
        note_key = str(get("note_id") or "").strip()[:128]
        note = Note(row=n, note_key=note_key, meeting_date=meeting_date, region=scope["region"],
                    office=scope["office"], partner=str(get("partner") or "").strip(),
                    executive=str(get("executive") or "").strip(), text=text, cohort=cohort)
        if not note_key:
            note = Note(**{**note.__dict__, "note_key": note.content_hash[:12]})
        notes.append(note)
    return Parsed(notes=notes, errors=errors, mapping=mapping, rows_total=len(table.rows))


def row_numbers(rows, most: int = 10) -> str:
    """'row 4', 'rows 4, 7 and 12', 'rows 4, 5, ... 13 and 6 more'."""
    rows = sorted(set(int(r) for r in rows))
    shown = [str(r) for r in rows[:most]]
    more = len(rows) - len(shown)
    if more:
        shown.append(f"{more:,} more")
    listed = " and ".join([", ".join(shown[:-1]), shown[-1]]) if len(shown) > 1 else "".join(shown)
    return ("row " if len(rows) == 1 else "rows ") + listed


def parse_file(path: Path, max_bytes: int, explicit: dict[str, str] | None = None,
               file_name: str | None = None, max_rows: int = MAX_ROWS, header_row: int | None = None,
               defaults: dict[str, str] | None = None, day_first: bool | None = None) -> tuple[Table, Parsed]:
    table = read_table(path, max_bytes, file_name, max_rows, header_row)
    mapping = detect_mapping(table.header, explicit)
    return table, validate(table, mapping, defaults, day_first)
