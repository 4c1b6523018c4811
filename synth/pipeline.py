"""The stage order, short enough to read at a glance.

    import:  file -> ingest (validate rows) -> text (redact, segment, classify) -> store (one transaction)
             -> themes.assign (new statements join existing themes, inside the same transaction)
    fit:     store -> embed (cached) -> themes.fit -> store
"""

from __future__ import annotations

import os
import socket
import threading
from pathlib import Path
from typing import Callable

from synth import ingest, text
from synth.config import Settings
from synth.errors import BadRowsError, FitRunning, ImportRefused
from synth.records import ImportSummary
from synth.store import Store

Progress = Callable[[str, int, int], None]


def _quiet(stage: str, done: int, total: int) -> None:
    pass


def import_file(store: Store, settings: Settings, path: Path, *, who: str = "cli",
                mapping: dict[str, str] | None = None, skip_bad_rows: bool = False,
                file_name: str | None = None, progress: Progress = _quiet, assign: bool = True,
                nlp=None, header_row: int | None = None, defaults: dict[str, str] | None = None,
                day_first: bool | None = None) -> ImportSummary:
    """Import one export. Either everything lands or nothing does. `header_row`, `defaults`
    (a region or office for every row) and `day_first`: see `ingest.read_table` and `ingest.validate`.
    With SYNTH_DASK_SCHEDULER set, an import of more fresh notes than one partition runs on Dask
    and lands a partition at a time, seen by nothing until it is complete (`synth.backfill`)."""
    table, parsed = ingest.parse_file(Path(path), settings.max_upload_bytes, mapping, file_name, settings.max_rows,
                                      header_row, defaults, day_first)
    if parsed.errors and not skip_bad_rows:
        raise BadRowsError(table.file_name, parsed.errors)
    if not parsed.notes:
        raise ImportRefused(f"{table.file_name}: no valid rows to import ({len(parsed.errors)} invalid).")
    ctx = text.Context.from_notes(parsed.notes)
    # Notes already stored skip the (slow) text stage; write_import dedupes again, in its transaction.
    known = store.existing_hashes([n.content_hash for n in parsed.notes])
    fresh = [n for n in parsed.notes if n.content_hash not in known]
    partial = store.partial_import(table.sha256)
    if partial is not None or (settings.dask_scheduler and len(fresh) > settings.dask_partition_notes):
        from synth import backfill  # on Dask, written a partition at a time; hidden until complete

        summary = backfill.import_notes(
            store, settings, file_name=table.file_name, sha256=table.sha256, who=who, rows_total=parsed.rows_total,
            rows_skipped=len({e.row for e in parsed.errors}), notes_in_file=len(parsed.notes), fresh=fresh, ctx=ctx,
            partial=partial, assign=assign, progress=progress)
    else:
        processed = text.process_notes(fresh, ctx, nlp=nlp, progress=lambda d, t: progress("text", d, t)) if fresh else []
        after = None
        if assign:
            from synth import themes

            after = themes.assigner(store, settings)
        progress("store", 0, 1)
        summary = store.write_import(
            file_name=table.file_name, sha256=table.sha256, who=who, rows_total=parsed.rows_total,
            rows_skipped=len({e.row for e in parsed.errors}), processed=processed, already_stored=len(parsed.notes) - len(fresh),
            store_raw_text=settings.store_raw_text, after_notes=after,
        )
        progress("store", 1, 1)
    closed_loop(store, settings)
    return ImportSummary(**{**summary.__dict__, "row_errors": tuple(parsed.errors)})


def fit(store: Store, settings: Settings, *, who: str = "cli", progress: Progress = _quiet):
    """Refit themes; `FitRunning` at once when a fit runs anywhere else on this database
    (another server, worker or `synth fit`): two would each replace the other's themes."""
    from synth import themes

    with store.exclusive("fit", holder=process_name(), stale_after_s=settings.job_stale_s) as mine:
        if not mine:
            raise FitRunning(store.lock_holder("fit") or "")
        result = themes.fit_and_store(store, settings, who=who, progress=progress)
    closed_loop(store, settings, who=who)
    return result


def process_name() -> str:
    """This process and thread, as job rows and locks name their holder."""
    return f"{socket.gethostname()}:{os.getpid()}:{threading.get_ident() % 100000}"


def closed_loop(store: Store, settings: Settings, who: str = "refit") -> None:
    """After an import or a fit: actions follow their themes' lineage, and alerts are computed
    (and mailed when SMTP is set). The import or fit is already committed: a problem here
    (a broken users file) is logged, not raised, and the next import, fit or
    `synth alerts --send` tries again."""
    import logging

    from synth import alerts
    from synth.errors import SynthError

    try:
        store.follow_lineage(who=who)
        alerts.check(store, settings)
    except SynthError as exc:
        logging.getLogger("synth.alerts").warning("alerts not computed: %s", exc)
