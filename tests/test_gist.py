"""What is embedded for a statement: the reported clause, not the frame around it."""

import pytest

from synth.gist import GistEmbedder, gist


@pytest.mark.parametrize("statement, expected", [
    ("When we were talking about her new apartment she said she is nervous walking out after close",
     "she is nervous walking out after close"),
    ("After the small talk about his commute, he said the launch training left everyone unprepared.",
     "the launch training left everyone unprepared."),
    ("She mentioned, between stories about her trip, that the field app is unusable out in the country",
     "the field app is unusable out in the country"),
    ("he brought it up almost as an aside: the rival firm is taking his accounts one by one",
     "the rival firm is taking his accounts one by one"),
    ("Customers told Ana that the new pricing is confusing", "the new pricing is confusing"),
    ("The portal is down every Monday morning, the physicians said.", "The portal is down every Monday morning"),
    ("[PERSON] says nobody knows who owns the follow-up", "nobody knows who owns the follow-up"),
    ("[PERSON]'s laptop overheats during presentations", "their laptop overheats during presentations"),
    ("[PERSON] has started writing call notes on paper", "someone has started writing call notes on paper"),
])
def test_the_gist_is_the_reported_clause_with_placeholders_as_words(statement, expected):
    assert gist(statement) == expected


@pytest.mark.parametrize("statement", [
    "What did Lincoln say about the Gettysburg Address",  # a question keeps its words
    "the reports take hours to compile every week",  # "reports" is the subject, not a frame
    "Staff haven't had pay raises in three years",
    "She said it's bad",  # too little would be left
])
def test_statements_without_a_frame_are_kept_whole(statement):
    assert gist(statement) == statement


def test_the_gist_embedder_names_its_own_model_so_cached_vectors_never_mix():
    class Echo:
        model_id, dim = "plain", 1

        def embed(self, texts):
            return texts

    wrapped = GistEmbedder(Echo())
    assert wrapped.model_id != Echo.model_id and wrapped.model_id.startswith("plain+gist")
    assert wrapped.embed(["Reps told me the portal is down again"]) == ["the portal is down again"]
