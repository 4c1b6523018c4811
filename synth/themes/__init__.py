"""Theme engine: statements -> themes that executives read, stable across refits.

    records.py      ThemeInput, Theme, FitResult: what goes in and comes out
    cluster.py      ThemeClusterer: Leiden communities of a neighbour graph (granularity from the data)
    describe.py     keywords (BERTopic c-TF-IDF), labels, representative quotes, areas
    fit.py          fit_themes: one fit, pure records in and out
    identity.py     match_to_previous: stable ids and lineage across refits
    model_files.py  models/run-NNNN: what a fit leaves on disk
    stored.py       fit_and_store, assigner: the engine against the store
    curation.py     rename / hide / merge / split, replayed after each refit
"""

from synth.themes.cluster import ThemeClusterer
from synth.themes.curation import edits, hide, lineage, merge, rename, split, undo
from synth.themes.describe import phrase_labels, representative
from synth.themes.fit import fit_themes
from synth.themes.identity import match_to_previous
from synth.themes.model_files import load_model, save_model
from synth.themes.records import FitResult, Theme, ThemeInput
from synth.themes.stored import _issue_inputs as _issue_inputs  # for tests
from synth.themes.stored import assign_vectors, assigner, fit_and_store, fitted_threshold, keep_labels, related

__all__ = ["FitResult", "Theme", "ThemeClusterer", "ThemeInput", "assign_vectors", "assigner", "edits", "fit_and_store",
           "fit_themes", "fitted_threshold", "hide", "keep_labels", "lineage", "load_model", "match_to_previous", "merge", "phrase_labels", "related",
           "rename", "representative", "save_model", "split", "undo"]
