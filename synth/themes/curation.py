"""Curation by people: rename, hide, merge and split themes, and undo any of it. Every edit is
recorded with who made it (synth/store/themes.py writes the edit in the same transaction as the
change), and merges are replayed after each refit (`synth.pipeline.fit`) so that curation sticks.
The one part of the engine that acts on a store: the caller's, passed in."""

from __future__ import annotations

from typing import TYPE_CHECKING, Sequence

from synth.errors import NotFound

if TYPE_CHECKING:
    from synth.store import Store


def rename(store: Store, theme_id: int, label: str, who: str) -> None:
    label = " ".join(label.split())
    if not label:
        raise NotFound("A theme label cannot be empty.")
    store.rename_theme(theme_id, label, who)


def hide(store: Store, theme_id: int, who: str, hidden: bool = True) -> None:
    store.hide_theme(theme_id, who, hidden)


def merge(store: Store, into: int, source: int, who: str) -> None:
    if into == source:
        raise NotFound("A theme cannot be merged into itself.")
    store.merge_themes(into, source, who)


def split(store: Store, theme_id: int, statement_ids: Sequence[int], label: str, who: str) -> int:
    """Move the chosen statements of a theme into a new theme. Their assignment is pinned, so
    refits keep it."""
    return store.split_theme(theme_id, statement_ids, label, who)


def undo(store: Store, edit_id: int, who: str) -> str:
    """Reverse one edit from the history; recorded as an edit itself. Returns what was done."""
    return store.undo_theme_edit(edit_id, who)


def edits(store: Store):
    return store.theme_edits()


def lineage(store: Store, theme_id: int):
    return store.theme_lineage(theme_id)
