"""The stage order, short enough to read at a glance: the one module that sequences the stages
and decides what happens in which transaction. The stages themselves live elsewhere: ingest.py,
text.py, embed.py, the theme engine (synth/themes/, pure) and the store (synth/store/, the SQL).

    import:  file -> ingest (validate rows) -> text (redact, segment, classify) -> store, in one
             transaction with assign_new: new statements join the nearest theme, and alike
             unthemed ones form provisional themes (form_provisional). Large imports: backfill.py.
    fit:     (fit lock) store snapshot -> embed (cached) -> themes.fit_themes -> one transaction:
             run row, identity (ids, lineage, labels kept), themes and assignments, curation
             replayed, orphans reassigned -> model folder renamed into place -> closed loop
"""

from __future__ import annotations

import os
import shutil
import socket
import threading
from pathlib import Path
from typing import Callable, Sequence

import numpy as np

from synth import ingest, text
from synth.config import Settings
from synth.embed import Embedder, default_embedder, embed_cached
from synth.errors import BadRowsError, FitRunning, ImportRefused
from synth.records import ImportSummary
from synth.store import Store
from synth.store import themes as rows_of
from synth.store.schema import now

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
        after = assign_new(store, settings) if assign else None
        progress("store", 0, 1)
        summary = store.write_import(
            file_name=table.file_name, sha256=table.sha256, who=who, rows_total=parsed.rows_total,
            rows_skipped=len({e.row for e in parsed.errors}), processed=processed, already_stored=len(parsed.notes) - len(fresh),
            store_raw_text=settings.store_raw_text, after_notes=after,
        )
        progress("store", 1, 1)
    closed_loop(store, settings)
    return ImportSummary(**{**summary.__dict__, "row_errors": tuple(parsed.errors), "empty_rows": table.empty_lines})


def fit(store: Store, settings: Settings, *, who: str = "cli", progress: Progress = _quiet,
        embedder: Embedder | None = None) -> dict:
    """Refit themes; `FitRunning` at once when a fit runs anywhere else on this database
    (another server, worker or `synth fit`): two would each replace the other's themes."""
    with store.exclusive("fit", holder=process_name(), stale_after_s=settings.job_stale_s) as mine:
        if not mine:
            raise FitRunning(store.lock_holder("fit") or "")
        result = _refit(store, settings, progress or _quiet, embedder or default_embedder(settings.cache_dir))
    closed_loop(store, settings, who=who)
    return result


def _refit(store: Store, settings: Settings, say: Progress, embedder: Embedder) -> dict:
    from synth import themes

    models = Path(settings.models_dir)
    themes.remove_stale_folders(models)
    rows, places, previous = store.fit_snapshot()
    items = [themes.ThemeInput(*row) for row in rows]
    say("embed", 0, len(items))
    vectors = embed_cached(store, embedder, [i.text for i in items])
    say("embed", len(items), len(items))
    started = now()
    result = themes.fit_themes(items, vectors, seed=settings.seed, embedder=embedder,
                               sample_above=settings.fit_sample_above, n_quotes=settings.quotes_per_theme,
                               anchors=list(previous.values()), places=places, progress=say)
    # Everything a fit leaves is written at the end, at once: the run row, the themes and the
    # assignments in one transaction, the model folder under a temporary name renamed only after
    # the commit. A fit killed while it computes leaves nothing; one that fails while writing
    # leaves no row and no folder.
    tmp = None
    try:
        with store.engine.begin() as conn:
            run_id = rows_of.start_run(conn, "fit", started)
            result, lineage = themes.match_to_previous(result, previous, next_id=rows_of.max_theme_id(conn) + 1)
            themes.keep_labels(result, rows_of.active_labels(conn), embedder)
            model_dir = models / f"run-{run_id:04d}"
            tmp = themes.save_model(models, result, run_id, embedder.model_id,
                                    name=f".tmp-run-{run_id:04d}-{os.getpid()}")
            rows_of.write_fit(conn, [dict(id=t.id, label=t.label, description=t.description, keywords=t.keywords,
                                          quotes=t.quotes, area=t.area, centroid=t.centroid) for t in result.themes],
                              result.assignment, lineage, run_id)
            rows_of.replay_merges(conn, run_id)  # curation sticks: people's merges, re-applied
            reassign_orphans(conn, run_id, result.params["assign_threshold"], embedder.model_id)
            rows_of.finish_run(conn, run_id, str(model_dir), {**result.params, "themes": len(result.themes)})
    except BaseException:
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)
        raise
    tmp.rename(model_dir)
    unthemed = sum(1 for t, _ in result.assignment.values() if t is None)
    return dict(run_id=run_id, themes=len(result.themes), statements=len(items), unthemed=unthemed,
                model_dir=str(model_dir))


# ---- the parts of an import's (or a fit's) transaction: each takes its connection -----------
def assign_new(store: Store, settings: Settings, embedder: Embedder | None = None):
    """A callback for `Store.write_import`: statements of a new import join the nearest existing
    theme when similar enough, and alike unthemed ones form provisional themes, inside the
    import's own transaction. No themes yet: a no-op."""
    from synth import themes

    def assign(conn, statement_ids: list[int]) -> dict:
        ids, cents = rows_of.active_centroids(conn)
        if not ids:
            return {}
        rows = rows_of.statement_texts(conn, statement_ids)
        emb = embedder or default_embedder(settings.cache_dir)
        vectors = embed_cached(store, emb, [r.text for r in rows], conn=conn)
        threshold = fitted_threshold(conn, settings.assign_threshold)
        out = themes.assign_vectors(vectors, ids, cents, threshold)
        run_id = rows_of.start_run(conn, "assign", now(), done=True)
        rows_of.add_assignments(conn, [(r.id, t, s) for r, (t, s) in zip(rows, out)], run_id, "assign")
        formed = form_provisional(conn, run_id, threshold, emb, recent=[r.id for r in rows])
        # Counted after the new themes formed: a statement that moved to one is no longer in an old theme.
        state = rows_of.assignment_state(conn, [r.id for r in rows])
        old = [t for t, method in state if t is not None and method == "assign"]
        return dict(themed=len(old), unthemed=sum(t is None for t, _ in state), themes_touched=len(set(old)),
                    new_themes=len(formed), new_theme_statements=len(state) - len(old) - sum(t is None for t, _ in state))

    return assign


def fitted_threshold(conn, configured: float) -> float:
    """The similarity new statements need to join a theme: the one the last fit that finished
    admitted members at (`themes.admission_threshold`)."""
    from synth import themes

    return themes.admission_threshold(configured, rows_of.last_fit_params(conn).get("assign_threshold"))


def reassign_orphans(conn, run_id: int, threshold: float, model_id: str) -> None:
    """No statement may point at an inactive theme: statements imported while a fit ran, or
    left in a theme the refit dissolved, join the nearest active theme or become unthemed."""
    from synth import themes

    ids, cents = rows_of.active_centroids(conn)
    # Vectors of the current model only: a store that changed models keeps the old ones cached too.
    orphans = rows_of.orphans(conn, model_id)
    if not orphans:
        return
    vectors = np.vstack([np.frombuffer(o.vector, dtype=np.float32) if o.vector is not None
                         else np.zeros(cents.shape[1], np.float32) for o in orphans])
    # A statement with no vector stays unthemed.
    for o, (theme_id, sim) in zip(orphans, themes.assign_vectors(vectors, ids, cents, threshold)):
        rows_of.set_assignment(conn, o.statement_id, theme_id, sim, run_id, "fit")


def form_provisional(conn, run_id: int, threshold: float, embedder: Embedder,
                     recent: Sequence[int] = ()) -> dict[int, int]:
    """New issues surface on their own (`themes.provisional`): the most recent unthemed
    statements, and this import's (`recent`) even where they joined an older theme, are
    grouped; a group admitted becomes a provisional theme, shown as new, which the next fit
    confirms (it keeps its id when its statements stay together) or dissolves. Returns
    {theme id: statements}."""
    from synth.themes import provisional

    rows = rows_of.unthemed_recent(conn, embedder.model_id, provisional.POOL, also=recent)
    if len(rows) < provisional.MIN_SIZE:
        return {}
    X = provisional.vectors(rows)
    cohesion = max(threshold, rows_of.typical_member_similarity(conn) or threshold)
    existing_ids, existing = rows_of.active_centroids(conn, X.shape[1])
    groups = provisional.new_groups(
        X, rows, recent, threshold, cohesion, existing_ids, existing,
        closest_said=lambda theme_ids, vectors: rows_of.closest_member(conn, theme_ids, embedder.model_id, vectors,
                                                                       exclude=recent))
    if not groups:
        return {}
    new = provisional.describe(X, rows, groups, existing, embedder, taken=set(rows_of.active_labels(conn).values()),
                               next_id=rows_of.max_theme_id(conn) + 1)
    for t in new:
        rows_of.add_provisional_theme(conn, t.id, t.label, t.description, t.keywords, t.quotes, t.centroid, run_id)
        for statement_id, sim in t.members:
            rows_of.set_assignment(conn, statement_id, t.id, sim, run_id, "provisional")
    formed = {t.id: len(t.members) for t in new}
    if recent:
        joined = rows_of.assigned_by_import(conn, recent, embedder.model_id)
        for statement_id, theme_id, sim in provisional.closer_to_new(joined, new, threshold):
            rows_of.set_assignment(conn, statement_id, theme_id, sim, run_id, "provisional")
            formed[theme_id] += 1
    return formed


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
    try:
        share_counts(store, settings)
    except SynthError as exc:  # pages count for themselves, as before
        logging.getLogger("synth.tallies").warning("counts not shared: %s", exc)


def share_counts(store: Store, settings: Settings) -> None:
    """Counts (or updates, after an import) the default view of every scope a viewer of themes
    has, and keeps it for every server (`Store.count`): the first page view after an import
    or a fit, on any server, then reads it instead of counting every statement (6-7 s at a
    million)."""
    from synth.auth import Viewer, load_users

    viewers = [Viewer(name, u["role"], tuple(u.get("regions", ()))) for name, u in load_users(Path(settings.users_file)).items()]
    scopes = {None} | {v.region_scope for v in viewers if v.sees_themes}
    for regions in sorted(scopes, key=lambda r: (r is not None, r or ())):
        store.count(regions)
