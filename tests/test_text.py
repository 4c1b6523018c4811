"""The spaCy stage on small literal notes (real model: it loads in about a second)."""

from datetime import date

import pytest

from synth import text
from synth.records import Note


def run(body: str, partner: str = "Maria Garcia", executive: str = "Wei Zhang"):
    note = Note(1, "n1", date(2026, 1, 1), "Southwest", "Plano", partner, executive, body)
    return text.process_notes([note])[0]


def issues(p):
    return [s.text for s in p.statements if s.is_issue]


@pytest.mark.parametrize("body", [
    "- Samples run out halfway through the month\n- The tablet app loses orders offline\n- Parking is full by eight",
    "* Samples run out halfway through the month\n* The tablet app loses orders offline\n* Parking is full by eight",
    "• Samples run out halfway through the month\n• The tablet app loses orders offline\n• Parking is full by eight",
    "1. Samples run out halfway through the month\n2. The tablet app loses orders offline\n3. Parking is full by eight",
    "1) Samples run out halfway through the month\n2) The tablet app loses orders offline\n3) Parking is full by eight",
    "Samples run out halfway through the month; the tablet app loses orders offline; parking is full by eight",
    "samples run out halfway through the month / the tablet app loses orders offline / parking is full by eight",
    "Samples run out halfway through the month. The tablet app loses orders offline. Parking is full by eight.",
])
def test_each_list_style_splits_into_one_statement_per_item(body):
    got = issues(run(body))
    assert len(got) == 3, got
    assert got[0].lower().startswith("samples run out")
    assert not any(s.startswith(("-", "*", "•", "1", "2", "3")) for s in got)


def test_statement_keeps_its_span_in_the_note():
    body = "Great to meet. The CRM logs us out mid-visit."
    p = run(body)
    s = next(s for s in p.statements if s.is_issue)
    assert body[s.start:s.end] == "The CRM logs us out mid-visit."


@pytest.mark.parametrize("body,placeholder,secret", [
    ("Follow up with her at dana.whitfield@acmehealth.com about samples.", "[EMAIL]", "dana.whitfield@acmehealth.com"),
    ("Call the clinic on (214) 555-0182 about samples.", "[PHONE]", "555-0182"),
    ("Call the clinic on 214.555.0182 about samples.", "[PHONE]", "214.555.0182"),
    ("Call the clinic on +1 214 555 0182 about samples.", "[PHONE]", "555 0182"),
    ("Meeting ID 48213-9921 for the recap.", "[ID]", "48213-9921"),
    ("Ticket #558213 is still open about the laptops.", "[ID]", "558213"),
    ("Dr. Okonkwo said the prior-auth forms are only in English.", "[PERSON]", "Okonkwo"),
])
def test_contact_details_and_ids_become_placeholders(body, placeholder, secret):
    p = run(body)
    assert placeholder in p.redacted_text
    assert secret not in p.redacted_text
    assert all(secret not in s.text for s in p.statements)


def test_names_from_the_export_columns_are_redacted_in_any_case_and_alone():
    p = run("maria said the copay is too high. GARCIA agreed, and wei asked why samples run out.",
            partner="Maria Garcia", executive="Wei Zhang")
    low = p.redacted_text.lower()
    assert "maria" not in low and "garcia" not in low and "wei" not in low
    assert p.redacted_text.count("[PERSON]") == 3


@pytest.mark.parametrize("name", ["Olusegun Adeyemi", "Nguyen Thi Anh", "Raj Iyer", "Bongani Dlamini"])
def test_non_western_names_from_the_columns_are_redacted(name):
    p = run(f"{name} says the field app freezes offline. {name.split()[0]} also wants better training.", partner=name)
    for part in name.split():
        assert part not in p.redacted_text


def test_word_names_are_redacted_as_names_and_kept_as_words():
    p = run("Will said the scheduling tool double-books people. We will ask about it. "
            "Grace's team is short staffed. By the grace of the night shift it works. Customers told Will the copay is high. "
            "Will pointed out the brochures are out of date. Will needs new brochures.",
            partner="Will Ortega", executive="Grace Lee")
    t = p.redacted_text
    assert "Will said" not in t and "Grace's" not in t and "told Will" not in t
    assert "Will pointed" not in t and "Will needs" not in t
    assert "We will ask" in t and "grace of the night shift" in t


def test_places_organisations_and_specialties_are_kept():
    p = run("Cardiologists at Baylor Scott & White in Plano keep asking for Spanish prior-auth forms.")
    assert "Plano" in p.redacted_text and "Baylor" in p.redacted_text and "Cardiologists" in p.redacted_text
    assert "[PERSON]" not in p.redacted_text


def test_small_talk_and_logistics_are_dropped_with_a_reason():
    p = run("Caught up on weekend plans first. Next session is June 12. Met for 30 minutes over Teams. "
            "Physicians keep asking for help with prior authorization.")
    reasons = {s.text: (s.is_issue, s.drop_reason) for s in p.statements}
    assert reasons["Caught up on weekend plans first."] == (False, "small talk")
    assert reasons["Next session is June 12."] == (False, "logistics")
    assert reasons["Met for 30 minutes over Teams."] == (False, "logistics")
    assert reasons["Physicians keep asking for help with prior authorization."] == (True, "")


@pytest.mark.parametrize("sentence", [
    "the copay is too high and patients abandon the prescription",
    "Samples run out halfway through the month.",
    "our reps lose the call report whenever the tablet goes offline",
    "Since the reorganisation nobody owns the returns process.",
    "why are expense claims paid six weeks late?",
    "Patients would rather see the nurse over video than drive an hour.",
    "parking fills up by eight so elderly patients walk three blocks",
    "In Tulsa the branch is two pharmacists short on weekends.",
    "Office managers keep chasing insurers for prior authorization approvals.",
    "A competitor gives practices free lunches every week and we lose the accounts.",
    "She said the brochures still show last year's dosing.",
    "Honestly, the onboarding program is a slide deck nobody can learn from.",
    "docs want the dosing chart in spanish",
    "field app freezes w/o wifi, reps lose orders",
    "Mentioned in passing that the loading dock floods when it rains.",
])
def test_a_plainly_stated_issue_is_kept_whatever_its_opening(sentence):
    p = run(sentence)
    assert any(s.is_issue for s in p.statements), [(s.text, s.drop_reason) for s in p.statements]


@pytest.mark.parametrize("sentence", [
    "Maria raised a few things.",
    "we don't.",
    "Thanks for the time today.",
    "Next session is June 12.",
    "Moved our next call to Thursday at 2pm.",
    "Rescheduled to next Wednesday because of travel.",
    "Calendar invite sent for the first Monday in May.",
    "Met for 30 minutes over Teams.",
    "She brought up a couple of points.",
    "Same as last time.",
    "Good chat.",
    "Wei asked about my weekend.",
    "Maria has been with the company for nine years.",
    "We talked about her kids and the soccer season.",
    "The team loves the new break room.",
])
def test_filler_small_talk_and_logistics_are_dropped(sentence):
    p = run(sentence)
    assert not any(s.is_issue for s in p.statements), [(s.text, s.drop_reason) for s in p.statements]


def test_a_sentence_typed_without_its_full_stop_is_two_statements():
    got = issues(run("help desk drops calls after long waits The smaller practices never see samples"))
    assert got == ["help desk drops calls after long waits", "The smaller practices never see samples"]
    # a capitalised determiner inside a name, "I" and "A" start nothing
    for body in ("Parking at The Woodlands clinic is full by eight", "and I think the CRM logs us out",
                 "plan A is missing the rural clinics"):
        assert len(run(body).statements) == 1, body


@pytest.mark.parametrize("body", [
    "Expenses take six weeks to reimburse, call me at 214-555-0182",
    "The copay card gets rejected at most pharmacies - details from dana.whitfield@acmehealth.com",
])
def test_an_issue_beside_contact_details_is_kept_and_the_details_redacted(body):
    got = issues(run(body))
    assert len(got) == 1 and ("[PHONE]" in got[0] or "[EMAIL]" in got[0]), got
    assert "555" not in got[0] and "whitfield" not in got[0]


@pytest.mark.parametrize("body", ["Call back number is 214-555-0182.", "Follow up with Maria at maria.g@acme.com.",
                                  "Her email for the recap: maria.g@acme.com."])
def test_contact_details_alone_are_logistics(body):
    assert [s.drop_reason for s in run(body).statements] == ["logistics"]


def test_keyphrases_skip_placeholders_names_and_program_words():
    p = run("Maria mentioned in the meeting that the new CRM logs reps out during office visits.")
    s = next(s for s in p.statements if s.is_issue)
    assert any(k.startswith("new crm") for k in s.keyphrases), s.keyphrases
    joined = " ".join(s.keyphrases)
    for word in ("maria", "person", "meeting", "mention"):
        assert word not in joined


def test_a_person_named_in_full_is_redacted_when_their_surname_turns_up_alone():
    a = Note(1, "a", date(2026, 1, 1), "West", "Denver", "", "", "Talked with Ottoline Brackwater about the CRM.")
    b = Note(2, "b", date(2026, 1, 1), "West", "Denver", "", "",
             "Physicians keep calling Brackwater's desk because prior-auth approvals take two weeks.")
    out = text.process_notes([a, b])
    assert "Brackwater" not in out[1].redacted_text
    assert all("Brackwater" not in s.text for s in out[1].statements)


def test_two_imports_forking_at_once_each_redact_with_their_own_names():
    # Each import's workers fork with that import's context (the names in its columns); two
    # dashboard sessions importing at the same time must not swap them.
    from concurrent.futures import ThreadPoolExecutor

    # "zephyr" is an English word where no name is expected: only the import's own columns make it a name.
    body = "the zephyr app logs us out in the middle of every customer visit."
    def notes(partner: str) -> list[Note]:
        return [Note(i, f"n{i}", date(2026, 1, 1), "Southwest", "Plano", partner, "Wei Zhang", body)
                for i in range(8)]

    def stage(partner: str) -> str:
        done = text.process_notes(notes(partner), nlp=text.load_nlp(), batch_size=2, n_process=2)
        return " ".join(s.text for p in done for s in p.statements)

    with ThreadPoolExecutor(2) as pool:
        for _ in range(3):
            named, other = pool.map(stage, ["Zephyr Okafor", "Maria Garcia"])
            assert "zephyr" not in named.lower() and "[PERSON]" in named
            assert "zephyr" in other
