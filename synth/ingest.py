"""A note export on disk -> validated `Note` records and row-level errors.

Reads CSV (UTF-8, UTF-8 with BOM, Windows-1252; comma, semicolon or tab), XLSX, JSON and
JSON Lines. Hostile files are refused whole before any row is looked at.
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

from synth.errors import ImportRefused, RowError
from synth.records import CANONICAL_FIELDS, REQUIRED_FIELDS, Note

# Header synonyms, compared after lower-casing and dropping everything but letters and digits.
SYNONYMS: dict[str, tuple[str, ...]] = {
    "note_id": ("noteid", "id", "sessionid", "meetingid", "recordid", "entryid", "key"),
    "meeting_date": ("meetingdate", "date", "sessiondate", "meetingon", "when", "day", "datetime", "timestamp",
                     "createdat", "created"),
    "region": ("region", "area", "territory", "zone", "division", "market", "location", "regionname"),
    "office": ("office", "branch", "site", "clinic", "store", "officename", "facility", "team", "city"),
    "partner": ("partner", "frontlinepartner", "mentor", "employee", "frontlineemployee", "rep", "staff",
                "partnername", "reversementor", "frontline"),
    "executive": ("executive", "exec", "mentee", "leader", "executivename", "sponsor"),
    "notes": ("notes", "note", "summary", "discussion", "text", "body", "content", "meetingnotes",
              "comments", "minutes", "details", "description"),
}

MAX_NOTE_CHARS = 20_000
XLSX_MAX_UNCOMPRESSED = 500 * 1024 * 1024
XLSX_MAX_RATIO = 100


@dataclass(frozen=True)
class Table:
    """A file's header and rows as strings (or dates from XLSX), before mapping."""

    file_name: str
    sha256: str
    header: list[str]
    rows: list[list[object]]


@dataclass(frozen=True)
class Parsed:
    notes: list[Note]
    errors: list[RowError]
    mapping: dict[str, str]
    rows_total: int


def norm_header(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", str(name).lower())


# ---- reading files -------------------------------------------------------------------
def read_table(path: Path, max_bytes: int, file_name: str | None = None) -> Table:
    path = Path(path)
    name = file_name or path.name
    if not path.is_file():
        raise ImportRefused(f"{path} does not exist or is not a file. Check the path.")
    size = path.stat().st_size
    if size == 0:
        raise ImportRefused(f"{name} is empty (0 bytes). Export the notes again and upload the new file.")
    if size > max_bytes:
        raise ImportRefused(
            f"{name} is {size / 1e6:.1f} MB, over the {max_bytes / 1024 / 1024:.0f} MB limit. "
            "Split the export, or raise SYNTH_MAX_UPLOAD_MB."
        )
    data = path.read_bytes()
    sha = hashlib.sha256(data).hexdigest()
    head = data[:8]
    suffix = path.suffix.lower() if not file_name else Path(file_name).suffix.lower()
    if head.startswith(b"PK\x03\x04") or suffix in {".xlsx", ".xlsm"}:
        header, rows = _read_xlsx(data, name)
    else:
        text = _decode(data, name)
        stripped = text.lstrip()
        if suffix in {".jsonl", ".ndjson"} or (suffix != ".json" and stripped.startswith("{") and "\n{" in stripped):
            header, rows = _read_records(_jsonl(text, name), name)
        elif suffix == ".json" or stripped.startswith(("[", "{")):
            header, rows = _read_records(_json(text, name), name)
        else:
            header, rows = _read_csv(text, name)
    if not header:
        raise ImportRefused(f"{name} has no header row. The first row must name the columns.")
    if not rows:
        raise ImportRefused(f"{name} has a header but no data rows.")
    return Table(name, sha, [str(h).strip() for h in header], rows)


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


def _read_csv(text: str, name: str) -> tuple[list[str], list[list[object]]]:
    first_lines = "\n".join(text.splitlines()[:20])
    try:
        dialect = csv.Sniffer().sniff(first_lines, delimiters=",;\t")
        delimiter = dialect.delimiter
    except csv.Error:
        counts = {d: first_lines.splitlines()[0].count(d) if first_lines else 0 for d in ",;\t"}
        delimiter = max(counts, key=counts.get)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        all_rows = [r for r in reader]
    except csv.Error as exc:
        raise ImportRefused(f"{name} is not valid CSV ({exc}). Export it again as CSV.") from None
    all_rows = [r for r in all_rows if any(c.strip() for c in r)]
    if not all_rows:
        raise ImportRefused(f"{name} has no rows.")
    return all_rows[0], all_rows[1:]


def _json(text: str, name: str) -> list[dict]:
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ImportRefused(f"{name} is not valid JSON (line {exc.lineno}: {exc.msg}).") from None
    if isinstance(doc, dict):
        lists = [v for v in doc.values() if isinstance(v, list) and v and isinstance(v[0], dict)]
        if len(lists) != 1:
            raise ImportRefused(f"{name}: expected a list of note objects (or an object holding one list of them).")
        doc = lists[0]
    if not isinstance(doc, list):
        raise ImportRefused(f"{name}: expected a list of note objects.")
    return doc


def _jsonl(text: str, name: str) -> list[dict]:
    out = []
    for i, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            out.append(json.loads(line))
        except json.JSONDecodeError as exc:
            raise ImportRefused(f"{name}: line {i} is not valid JSON ({exc.msg}).") from None
    return out


def _read_records(records: list, name: str) -> tuple[list[str], list[list[object]]]:
    header: list[str] = []
    for rec in records:
        if not isinstance(rec, dict):
            raise ImportRefused(f"{name}: every entry must be an object with named fields.")
        for key in rec:
            if key not in header:
                header.append(key)
    rows = [[_json_cell(rec.get(k)) for k in header] for rec in records]
    return header, rows


def _json_cell(value: object) -> object:
    if value is None:
        return ""
    if isinstance(value, list):
        return "\n".join(f"- {v}" for v in value)
    if isinstance(value, dict):
        return json.dumps(value)
    return value


def _read_xlsx(data: bytes, name: str) -> tuple[list[str], list[list[object]]]:
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        infos = zf.infolist()
    except (zipfile.BadZipFile, EOFError, ValueError):
        raise ImportRefused(f"{name} is not a readable XLSX file (damaged or truncated). Save it again from Excel.") from None
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
                head = zf.read(info.filename)[:4096]
                if b"<!DOCTYPE" in head or b"<!ENTITY" in head:
                    raise ImportRefused(f"{name} contains XML entity declarations, which Excel never writes. It was not opened.")
    except (zipfile.BadZipFile, EOFError, zlib.error):
        raise ImportRefused(f"{name} is not a readable XLSX file (damaged or truncated). Save it again from Excel.") from None
    import openpyxl  # uses defusedxml when installed

    try:
        wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        ws = wb.worksheets[0]
        rows = [list(r) for r in ws.iter_rows(values_only=True)]
        wb.close()
    except ImportRefused:
        raise
    except Exception as exc:  # openpyxl raises many types for damaged files
        raise ImportRefused(f"{name} could not be read as XLSX ({type(exc).__name__}). Save it again from Excel.") from None
    rows = [["" if c is None else c for c in r] for r in rows if any(c not in (None, "") for c in r)]
    if not rows:
        raise ImportRefused(f"{name}: the first sheet is empty.")
    return [str(h) for h in rows[0]], rows[1:]


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
    return mapping


def check_mapping(mapping: dict[str, str], header: list[str], name: str) -> None:
    if "notes" not in mapping:
        raise ImportRefused(
            f"{name} has no column with the note text (looked for Notes, Summary, Discussion, Text, ...). "
            f"Columns found: {', '.join(header)}. Map one with --map notes=COLUMN."
        )
    missing = [f for f in REQUIRED_FIELDS if f not in mapping]
    if missing:
        raise ImportRefused(
            f"{name}: no column found for {', '.join(missing)}. Columns found: {', '.join(header)}. "
            f"Map them with --map FIELD=COLUMN."
        )


# ---- validating rows -----------------------------------------------------------------
_DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%m/%d/%Y", "%m/%d/%y", "%d.%m.%Y", "%d-%m-%Y", "%b %d, %Y",
                 "%B %d, %Y", "%d %b %Y", "%d %B %Y", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S",
                 "%m/%d/%Y %H:%M", "%Y-%m-%dT%H:%M:%SZ")


def parse_date(value: object) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, (int, float)) and 20000 < value < 80000:  # an Excel serial day number
        return date(1899, 12, 30) + timedelta(days=int(value))
    text = str(value).strip()
    if not text:
        raise ValueError("is empty")
    if re.match(r"^\d{4}-\d{2}-\d{2}T", text):
        text = text[:19]
    for fmt in _DATE_FORMATS:
        try:
            parsed = datetime.strptime(text, fmt).date()
        except ValueError:
            continue
        if not 1990 <= parsed.year <= 2100:
            raise ValueError(f"{text!r} is outside 1990-2100")
        return parsed
    raise ValueError(f"{text!r} is not a date (use YYYY-MM-DD)")


def _cell(row: list[object], header_index: dict[str, int], column: str | None) -> object:
    if column is None:
        return ""
    i = header_index[column]
    return row[i] if i < len(row) else ""


def validate(table: Table, mapping: dict[str, str]) -> Parsed:
    check_mapping(mapping, table.header, table.file_name)
    index = {h: i for i, h in enumerate(table.header)}
    notes: list[Note] = []
    errors: list[RowError] = []
    for n, row in enumerate(table.rows, 1):
        def get(field: str, row: list[object] = row) -> object:
            return _cell(row, index, mapping.get(field))
        row_errors = []
        text = str(get("notes") or "").strip()
        if not text:
            row_errors.append(RowError(n, mapping["notes"], "the note text is empty"))
        elif len(text) > MAX_NOTE_CHARS:
            row_errors.append(RowError(n, mapping["notes"], f"the note is {len(text):,} characters; the limit is {MAX_NOTE_CHARS:,}"))
        try:
            meeting_date = parse_date(get("meeting_date"))
        except ValueError as exc:
            row_errors.append(RowError(n, mapping["meeting_date"], f"the date {exc}"))
            meeting_date = None
        scope = {}
        for f in ("region", "office"):
            value = " ".join(str(get(f) or "").split())
            if not value:
                row_errors.append(RowError(n, mapping[f], f"the {f} is empty"))
            elif len(value) > 128:
                row_errors.append(RowError(n, mapping[f], f"the {f} is longer than 128 characters"))
            scope[f] = value
        if row_errors:
            errors.extend(row_errors)
            continue
        note_key = str(get("note_id") or "").strip()[:128]
        note = Note(row=n, note_key=note_key, meeting_date=meeting_date, region=scope["region"],
                    office=scope["office"], partner=str(get("partner") or "").strip(),
                    executive=str(get("executive") or "").strip(), text=text)
        if not note_key:
            note = Note(**{**note.__dict__, "note_key": note.content_hash[:12]})
        notes.append(note)
    return Parsed(notes=notes, errors=errors, mapping=mapping, rows_total=len(table.rows))


def parse_file(path: Path, max_bytes: int, explicit: dict[str, str] | None = None,
               file_name: str | None = None) -> tuple[Table, Parsed]:
    table = read_table(path, max_bytes, file_name)
    mapping = detect_mapping(table.header, explicit)
    return table, validate(table, mapping)
