"""Large imports on Dask. When SYNTH_DASK_SCHEDULER names a dask.distributed scheduler, an import
with more fresh notes than one partition (SYNTH_DASK_PARTITION_NOTES) runs its text stage,
embedding and theme assignment as tasks, one partition of notes per task:

    driver  validated notes -> partitions of the notes not stored yet
    tasks   redact, segment, classify a partition; the names learned from it   (text.process_partition)
    driver  the names learned from every partition, kept with the import as keyed hashes
    tasks   those names redacted wherever they survived (in every partition, as in one process);
            issue statements embedded and assigned to the themes there are
    driver  each partition written in its own transaction, in file order; one more makes it visible

What changes against an import in one process, which is one transaction: here the import is
'partial' while its partitions land, and a partial import is hidden from pages, reports,
exports and fits (`synth.store.statements.shown`). A failure or a kill leaves a partial import
nobody sees; importing the same file again resumes it under the same import id (notes already
written are skipped by their content hash, and the names learned by the first run are
redacted in the rest), and `synth undo ID` removes every partition it wrote. Either way, what
anyone sees is as it was until the import completes, and a resumed import ends with the same
notes, statements and themes as one that was never interrupted. New provisional themes are
formed once, at completion, from all its statements, as a one-process import forms them
(`pipeline.form_provisional`, in the transaction that makes the import visible).

Each worker loads the spaCy model and the embedder once (`Models`, a worker plugin), not once
per task. Workers need synth installed, and nothing else: they never open the database.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import re
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from typing import Callable, Iterator, Sequence

import numpy as np
from distributed import Client, LocalCluster, WorkerPlugin, as_completed

from synth import text
from synth.config import Settings
from synth.errors import ConfigError, ImportRefused
from synth.records import ImportSummary, Note, ProcessedNote, Statement
from synth.store import PartialImport, Store

WORD = re.compile(r"\w+")
# Where names learned from the notes are redacted: an import's own key, derived from the pseudonym key.
NAMES_KEY = "learned-names"


@dataclass(frozen=True)
class LearnedNames:
    """Names learned from an import's notes, as keyed hashes: a partial import keeps these, never
    the names. `redact` does what `text.propagate_names` does with the names themselves: every
    whole word that is one of them becomes [PERSON], and keyphrases with one are dropped."""

    key: bytes
    names: frozenset[str]
    lowered: frozenset[str]

    @classmethod
    def of(cls, key: bytes, names: set[str]) -> "LearnedNames":
        digest = _digest(key)
        return cls(key, frozenset(digest(n) for n in names), frozenset(digest(n.lower()) for n in names))

    def is_name(self, word: str) -> bool:
        # Learned names are capitalised words (`text.full_name_parts`): nothing else needs a hash.
        return word[:1].isupper() and _digest(self.key)(word) in self.names

    def redact(self, processed: Sequence[ProcessedNote]) -> list[ProcessedNote]:
        if not self.names:
            return list(processed)
        digest = _digest(self.key)

        def sub(t: str) -> str:
            return WORD.sub(lambda m: "[PERSON]" if self.is_name(m.group()) else m.group(), t)

        out = []
        for p in processed:
            hits = sum(1 for m in WORD.finditer(p.redacted_text) if self.is_name(m.group()))
            if not hits:
                out.append(p)
                continue
            statements = tuple(
                Statement(s.position, s.start, s.end, sub(s.text), s.is_issue, s.drop_reason,
                          tuple(k for k in s.keyphrases if not any(digest(w) in self.lowered for w in k.split())))
                for s in p.statements)
            counts = dict(p.redactions)
            counts["[PERSON]"] = counts.get("[PERSON]", 0) + hits
            out.append(ProcessedNote(p.note, sub(p.redacted_text), statements, counts))
        return out


def _digest(key: bytes) -> Callable[[str], str]:
    return lambda word: hmac.new(key, word.encode("utf-8"), hashlib.sha256).hexdigest()[:32]


# ---- on the workers -------------------------------------------------------------------------
@lru_cache(maxsize=1)
def models():
    """This process's spaCy pipeline and embedder, loaded once. One onnxruntime session: a
    worker runs one task per thread, and the workers are the parallelism."""
    from synth.embed import default_embedder

    return text.load_nlp(), default_embedder(Settings.from_env().cache_dir, sessions=1)


class Models(WorkerPlugin):
    """Loads the models when a worker joins, so no task waits for them (and none loads them twice)."""

    name = "synth-models"

    async def setup(self, worker) -> None:
        await asyncio.get_running_loop().run_in_executor(None, models)


def _text_stage(notes: Sequence[Note], ctx: text.Context) -> tuple[list[ProcessedNote], set[str]]:
    return text.process_partition(notes, ctx, models()[0])


def _learned(result: tuple[list[ProcessedNote], set[str]]) -> set[str]:
    return result[1]


def _finish(result: tuple[list[ProcessedNote], set[str]], names: LearnedNames,
            themes: tuple[list[int], np.ndarray, float] | None):
    """Learned names redacted; each distinct issue statement embedded and given its theme."""
    from synth.themes import assign_vectors

    processed = names.redact(result[0])
    unique: dict[str, str] = {}
    for p in processed:
        for s in p.statements:
            if s.is_issue:
                unique.setdefault(s.text_hash, s.text)
    vectors = models()[1].embed(list(unique.values()))
    assigned = None
    if themes is not None:
        ids, cents, threshold = themes
        assigned = dict(zip(unique, assign_vectors(vectors, ids, cents, threshold))) if unique else {}
    return processed, dict(zip(unique, vectors)), assigned


# ---- on the driver --------------------------------------------------------------------------
@contextmanager
def connect(address: str) -> Iterator[Client]:
    """A client of the scheduler at `address`; `local` or `local:N` starts N worker processes
    (one thread each) on this machine for as long as the client is open."""
    if address == "local" or address.startswith("local:"):
        try:
            n = int(address.partition(":")[2] or 2)
        except ValueError:
            n = 0
        if n < 1:
            raise ConfigError(f"SYNTH_DASK_SCHEDULER={address!r}: write local:N with N workers (1 or more), "
                              "or tcp://host:8786 for a running scheduler.")
        with LocalCluster(n_workers=n, threads_per_worker=1, processes=True, dashboard_address=None) as cluster, \
                Client(cluster) as client:
            yield client
        return
    try:
        client = Client(address, timeout=15)
    except (OSError, TimeoutError, ValueError) as exc:
        raise ConfigError(f"Cannot reach the Dask scheduler at {address!r} (SYNTH_DASK_SCHEDULER): {exc}. Start it "
                          "(`dask scheduler`, then `dask worker ADDRESS --nthreads 1` on each machine), or unset "
                          "the setting to import in this process.") from None
    with client:
        yield client


def import_notes(store: Store, settings: Settings, *, file_name: str, sha256: str, who: str, rows_total: int,
                 rows_skipped: int, notes_in_file: int, fresh: Sequence[Note], ctx: text.Context,
                 partial: PartialImport | None, assign: bool = True, progress=None) -> ImportSummary:
    """Import `fresh` (the file's notes not stored yet) on Dask, or finish the `partial` import of
    the same file. See the module's docstring for what is promised."""
    say = progress or (lambda *_: None)
    if not settings.dask_scheduler:
        raise ImportRefused(
            f"{file_name}: import #{partial.import_id} of this file was interrupted; it is partial and nobody sees it. "
            f"Resume it by importing the file again with SYNTH_DASK_SCHEDULER set, or remove it with "
            f"`synth undo {partial.import_id}` and import the file again.")
    size = settings.dask_partition_notes
    if size < 1:
        raise ConfigError(f"SYNTH_DASK_PARTITION_NOTES must be 1 or more, got {size}.")
    parts = [list(fresh[i:i + size]) for i in range(0, len(fresh), size)]
    key = store.derived_key(NAMES_KEY)
    with connect(settings.dask_scheduler) as client:
        client.register_plugin(Models())
        shared_ctx = client.scatter(ctx, broadcast=True)
        stage = [client.submit(_text_stage, part, shared_ctx, pure=False) for part in parts]
        if partial is None:
            learned: set[str] = set()
            for done, future in enumerate(as_completed([client.submit(_learned, f) for f in stage]), 1):
                learned |= future.result()
                say("text", done, len(parts))
            names = LearnedNames.of(key, learned)
            targets = _targets(store, settings) if assign else None
            partial = store.begin_import(file_name=file_name, sha256=sha256, who=who, rows_total=rows_total,
                                         rows_skipped=rows_skipped, names=names.names, lowered=names.lowered,
                                         assign=targets is not None)
        else:
            names = LearnedNames(key, partial.names, partial.lowered)
            targets = _targets(store, settings) if partial.run_id is not None else None
        shared_targets = client.scatter(targets, broadcast=True) if targets is not None else None
        finished = [client.submit(_finish, f, names, shared_targets, pure=False) for f in stage]
        del stage
        from synth.embed import MiniLMEmbedder

        for done, future in enumerate(finished, 1):  # in file order: ids grow as in one process
            processed, vectors, assigned = future.result()
            store.write_partition(partial, processed, store_raw_text=settings.store_raw_text, vectors=vectors,
                                  model_id=MiniLMEmbedder.model_id, assigned=assigned)
            future.release()
            say("store", done, len(finished))
    return store.complete_import(partial, notes_in_file, _complete(store, settings))


def _targets(store: Store, settings: Settings) -> tuple[list[int], np.ndarray, float] | None:
    """The themes new statements may join, and the similarity they need (as `pipeline.fitted_threshold`)."""
    from synth.themes import admission_threshold

    ids, cents, used = store.theme_targets()
    if not ids:
        return None
    return ids, cents, admission_threshold(settings.assign_threshold, used)


def _complete(store: Store, settings: Settings):
    def after(conn, statement_ids: list[int], run_id: int) -> dict:
        from synth.embed import default_embedder
        from synth.pipeline import fitted_threshold, form_provisional, reassign_orphans

        embedder = default_embedder(settings.cache_dir)
        threshold = fitted_threshold(conn, settings.assign_threshold)
        # A fit that ran while the partitions landed may have retired themes some of them joined.
        reassign_orphans(conn, run_id, threshold, embedder.model_id)
        formed = form_provisional(conn, run_id, threshold, embedder, recent=statement_ids)
        return dict(store.assignment_counts(conn, statement_ids), new_themes=len(formed))

    return after
