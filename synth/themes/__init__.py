"""Theme engine: statements -> themes that executives read, stable across refits. Pure: records
and vectors in, records out; reading and writing the store is `synth.pipeline`'s.

    records.py      ThemeInput, Theme, FitResult: what goes in and comes out
    cluster.py      ThemeClusterer: Leiden communities of a neighbour graph (granularity from the data)
    describe.py     keywords (BERTopic c-TF-IDF), labels, representative quotes, areas
    fit.py          fit_themes: one fit, pure records in and out
    identity.py     match_to_previous, keep_labels: stable ids, lineage and labels across refits
    nearest.py      assign_vectors, admission_threshold, related: new statements against fitted themes
    provisional.py  new issues at import: alike unthemed statements form a provisional theme
    model_files.py  models/run-NNNN: what a fit leaves on disk
    curation.py     rename / hide / merge / split / undo on a store passed in; replayed after each refit
"""

from synth.themes.cluster import ThemeClusterer
from synth.themes.curation import edits, hide, lineage, merge, rename, split, undo
from synth.themes.describe import phrase_labels, representative
from synth.themes.fit import fit_themes
from synth.themes.identity import keep_labels, match_to_previous
from synth.themes.model_files import load_model, remove_stale_folders, save_model
from synth.themes.nearest import admission_threshold, assign_vectors, related
from synth.themes.records import FitResult, Theme, ThemeInput

__all__ = ["FitResult", "Theme", "ThemeClusterer", "ThemeInput", "admission_threshold", "assign_vectors", "edits",
           "fit_themes", "hide", "keep_labels", "lineage", "load_model", "match_to_previous", "merge", "phrase_labels",
           "related", "remove_stale_folders", "rename", "representative", "save_model", "split", "undo"]
