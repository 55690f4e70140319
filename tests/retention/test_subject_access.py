"""Subject access: the partnership manager or the data protection officer finds every record about
one child (exact matches, and possible matches to review: the same name with another date of
birth, the same date of birth with a similar name, the same case number, a repeat link), and
downloads those they choose as one PDF and one JSON file, with nothing about another child;
every search and download is audited without the child's identity."""

import io
import json
from datetime import date

import pytest
import sqlalchemy as sa
from pypdf import PdfReader

from moderation.disputes import responding
from moderation.meeting import decisions, voting
from moderation.meeting import register as meeting
from moderation.models import (
    Dispute,
    DisputeAddition,
    LearningTheme,
    LegalHold,
    MinutesVersion,
    PanelSession,
    User,
)
from tests.conftest import pdf_pages
from tests.helpers import ClientRequest, client_for, counting_queries, error_summary, heading
from tests.papers.conftest import _document

AMELIA = {"child_name": "Amelia Jones", "child_dob": date(2021, 3, 14),
          "child_case_number": "NS-1001"}
AMELIA_SEARCH = {"child_name": "  amelia   JONES ", "child_dob": ["14", "3", "2021"]}

# Two other children: one with Amelia's name and another date of birth, one born the same day.
# Everything typed about them is unique, so that any of it in an export is found.
NAMESAKE = {"child_name": "Amelia Jones", "child_dob": date(2019, 5, 1),
            "child_case_number": "NS-2002",
            "grounds": "Her older brother told the school she had not eaten for two days."}
SAME_BIRTHDAY = {"child_name": "Oliver Brown", "child_dob": date(2021, 3, 14),
                 "child_case_number": "NS-3003",
                 "grounds": "The nursery saw a burn on the back of his hand twice this term."}
OTHER_CHILDREN = ("Oliver Brown", "Oliver", "NS-2002", "NS-3003", "2019-05-01", "1 May 2019",
                  NAMESAKE["grounds"], SAME_BIRTHDAY["grounds"],
                  "Oliver's panel rationale", "Oliver's feedback", "Oliver's vote",
                  "Oliver's item in the minutes", "Oliver's addition", "oliver-chronology.txt")

AMELIA_GROUNDS = "Repeated concerns with no improvement; the threshold for assessment is met."
STAGE_RESPONSE = "On review, the duty team will visit Amelia this week."
ADDITION = "The health visitor found the home cold and without food on 20 November."
MINUTES_EXTRACT = "The panel heard that Amelia's home conditions had worsened."
CHRONOLOGY = b"The chronology's own words are never exported."


def _decide(db, item, chair, reps, rationale, feedback, reason):
    theme = db.session.scalars(
        sa.select(LearningTheme).order_by(LearningTheme.position)).first()
    voting.open_voting(item, chair)
    for rep in reps.values():
        voting.cast_vote(item, db.session.get(User, rep.id), "overturn_s17", reason)
    voting.close_voting(item, chair)
    decisions.record_decision(item, chair, rationale=rationale, feedback=feedback,
                              theme_ids=[theme.id])


@pytest.fixture
def child(app, db, panel_meeting, make_dispute, make_user):
    """Amelia's two disputes (the first decided by the panel, minuted, held; the second a repeat
    with a stage answered, an addition and a document), beside the namesake's and Oliver's
    disputes, Oliver's decided at the same session. Returns the meeting, with Amelia's ids."""
    m = panel_meeting(disputes=(AMELIA, SAME_BIRTHDAY))
    amelia_first, oliver = m.dispute_ids
    amelia_second = make_dispute(on=date(2026, 11, 23), **AMELIA)
    namesake = make_dispute(on=date(2026, 11, 23), **NAMESAKE)
    csc = make_user("csc_manager", name="Casey Manager")
    manager = make_user("partnership_manager", name="Priya Manager")
    with app.app_context():
        session = db.session.get(PanelSession, m.session_id)
        chair = db.session.get(User, m.chair.id)
        first_item, oliver_item = session.agenda
        _decide(db, first_item, chair, m.reps, "Amelia's needs meet the threshold for s17.",
                "Thank you: an assessment will start.", "Amelia's needs are unmet.")
        _decide(db, oliver_item, chair, m.reps, "Oliver's panel rationale.",
                "Oliver's feedback.", "Oliver's vote.")
        meeting.close(session, chair)
        minutes = db.session.scalars(sa.select(MinutesVersion)).one()
        minutes.texts = {"opening": "The chair welcomed Oliver's social worker.", "closing": "",
                         "items": {str(first_item.id): MINUTES_EXTRACT,
                                   str(oliver_item.id): "Oliver's item in the minutes."}}
        second = db.session.get(Dispute, amelia_second)
        responding.respond(second, db.session.get(User, csc.id), STAGE_RESPONSE)
        db.session.add(DisputeAddition(dispute_id=amelia_second, author_id=m.referrer.id,
                                       stage_position=1, text=ADDITION))
        db.session.add(_document(amelia_second, m.referrer.id, "amelia-chronology.txt",
                                 CHRONOLOGY))
        db.session.add(DisputeAddition(dispute_id=oliver, author_id=m.referrer.id,
                                       text="Oliver's addition."))
        db.session.add(_document(oliver, m.referrer.id, "oliver-chronology.txt", b"Oliver."))
        db.session.add(LegalHold(dispute_id=amelia_first, placed_by_id=manager.id,
                                 reason="A child safeguarding practice review is using it."))
        db.session.commit()
    # Someone reads Amelia's first dispute: the export says who and when.
    ClientRequest(client_for(app, manager)).get("disputes.show", dispute_id=amelia_first)
    m.amelia = [amelia_first, amelia_second]
    m.others = [namesake, oliver]
    m.manager = manager
    return m


def _search(browser, form, _expected_status=200):
    """The search form posted: the results, or the form again with its errors."""
    return browser.post("subject_access.search", form, _expected_status=_expected_status)


def _export(browser, form, kind, chosen=(), _expected_status=200):
    """Download `kind`, with the disputes `chosen` (ids) ticked: the file is
    `.response.data`; a refusal is the page of results again."""
    return browser.post("subject_access.export",
                        {**form, "format": kind, "chosen": [str(c) for c in chosen]},
                        _expected_status=_expected_status)


def _references(app, db, ids):
    with app.app_context():
        return [db.session.get(Dispute, i).reference for i in ids]


def _results(found, kind="exact"):
    """The references listed as exact (or possible) matches, as the officer reads them."""
    rows = found.select(f"#{kind}-table tbody tr")
    return [row.select_one("label").get_text(strip=True).removeprefix("Export")
            for row in rows]


def _offered(found):
    """Each possible match: its reference and why it is offered (each reason, joined by "; ")."""
    return {row.select_one("label").get_text(strip=True).removeprefix("Export"):
            "; ".join(li.get_text(strip=True) for li in row.find_all("td")[-1].select("li"))
            for row in found.select("#possible-table tbody tr")}


def _ticked(found):
    return [box["value"] for box in found.select("input[name=chosen][checked]")]


def _all_text(data):
    return json.dumps(data, ensure_ascii=False)


# The search -----------------------------------------------------------------------------------


def test_a_search_by_name_and_date_of_birth_finds_exactly_this_child_s_disputes(
        app, as_, db, child, make_user):
    manager = as_(make_user("partnership_manager"))
    response = _search(manager, AMELIA_SEARCH)
    assert heading(response) == "Find the records about a child"
    assert _results(response) == _references(app, db, child.amelia)
    text = response.get_text(" ", strip=True)
    assert "2 disputes match the name and date of birth exactly, with 1 document listed, " \
           "1 panel decision, 1 minutes extract and" in text
    buttons = [b.get_text(strip=True) for b in response.select("form button")]
    assert "Download as PDF" in buttons and "Download as JSON" in buttons
    # The exact matches are ticked to export; the namesake born another day is offered, not
    # ticked; Oliver, born the same day with another name, is not offered.
    assert _ticked(response) == [str(i) for i in child.amelia]
    namesake, oliver = _references(app, db, child.others)
    assert _offered(response) == {namesake: "Same name, another date of birth"}


def test_a_search_by_case_number_finds_exactly_this_child_s_disputes(app, as_, db, child,
                                                                     make_user):
    officer = as_(make_user("data_protection_officer"))
    response = _search(officer, {"case_number": " NS-1001 "})
    assert _results(response) == _references(app, db, child.amelia)
    assert _offered(response) == {}
    assert _results(_search(officer, {"case_number": "NS-3003"})) == _references(
        app, db, child.others[1:])


def test_an_anonymised_dispute_is_not_found(app, as_, db, child, make_user):
    with app.app_context():
        db.session.get(Dispute, child.amelia[0]).anonymised_on = date(2026, 12, 1)
        db.session.commit()
    officer = as_(make_user("data_protection_officer"))
    assert _results(_search(officer, AMELIA_SEARCH)) == _references(app, db, child.amelia[1:])


def test_no_match_says_so_and_is_still_audited(app, as_, db, child, make_user, audited):
    officer = as_(make_user("data_protection_officer"))
    response = _search(officer, {"child_name": "Nobody Known", "child_dob": ["1", "1", "2020"]})
    assert "No records found for this child" in response.get_text(" ", strip=True)
    assert not response.select("table.govuk-table")
    assert [detail for _, detail in audited("subject_access_searched")] == [
        {"searched_by": "name and date of birth", "found": 0, "disputes": [], "possible": []}]


BAD_SEARCHES = [
    ({}, "Enter the child's name and date of birth, or a case number"),
    ({"child_dob": ["14", "3", "2021"]}, "Enter the child's full name"),
    ({"child_name": "Amelia Jones"}, "Enter the child's date of birth"),
    ({"child_name": "Amelia Jones", "child_dob": ["31", "2", "2021"]},
     "The child's date of birth must be a real date"),
    ({"child_name": "Amelia Jones", "child_dob": ["1", "1", "2030"]},
     "The child's date of birth must be in the past"),
    ({**AMELIA_SEARCH, "case_number": "NS-1001"},
     "Search by the child's name and date of birth, or by a case number, not both"),
    ({"child_name": "A" * 201, "child_dob": ["14", "3", "2021"]},
     "The child's name must be 200 characters or fewer"),
    ({"case_number": " - / "}, "The case number must include letters or numbers"),
]


@pytest.mark.parametrize("form, message", BAD_SEARCHES,
                         ids=["nothing", "no name", "no date of birth", "not a real date",
                              "born in the future", "both", "name too long",
                              "punctuation only"])
def test_bad_input_gets_a_gov_uk_error_and_nothing_is_exported(app, as_, child, make_user, audited,
                                                               form, message):
    officer = as_(make_user("data_protection_officer"))
    searched = _search(officer, form)
    assert error_summary(searched) == [message]
    assert searched.select_one(".govuk-error-message").get_text(" ", strip=True).endswith(
        message)
    assert not searched.select("table.govuk-table")
    exported = _export(officer, form, "json", child.amelia)
    assert exported.response.mimetype == "text/html"
    assert error_summary(exported) == [message]
    assert "Content-Disposition" not in exported.response.headers
    assert audited("subject_access_searched") == []
    assert audited("subject_access_exported") == []


def test_an_export_in_an_unknown_format_is_refused(app, as_, child, make_user, audited):
    officer = as_(make_user("data_protection_officer"))
    response = _export(officer, AMELIA_SEARCH, "xlsx", child.amelia)
    assert error_summary(response) == ["Choose whether to download a PDF or a JSON file"]
    assert audited("subject_access_exported") == []


# The JSON export ------------------------------------------------------------------------------


@pytest.fixture
def officer(make_user):
    return make_user("data_protection_officer", name="Dana Officer")


def _download(app, user, kind, chosen, form=AMELIA_SEARCH):
    """The file `user` downloads, from their own browser (the response)."""
    return _export(ClientRequest(client_for(app, user)), form, kind, chosen).response


def test_the_json_export_holds_everything_about_the_child(app, db, child, officer):
    response = _download(app, officer, "json", child.amelia)
    assert response.mimetype == "application/json"
    data = json.loads(response.data)
    first, second = data["disputes"]
    assert [first["reference"], second["reference"]] == _references(app, db, child.amelia)
    assert first["referral_record"]["child_name"] == "Amelia Jones"
    assert first["referral_record"]["date_of_birth"] == "2021-03-14"
    assert first["referral_record"]["case_number"] == "NS-1001"
    assert first["csc_decision"]["outcome"] == "No further action"
    assert first["csc_record"]["recorded_as"] is None  # CSC has not confirmed it
    assert first["challenge"]["grounds"] == AMELIA_GROUNDS
    # The stages: the first dispute's skipped to the panel, the second's answered by CSC.
    assert [(s["name"], s["outcome"], s["skip_reason"]) for s in first["escalation_stages"]] == [
        ("Practitioner to practitioner", "Not resolved", None),
        ("Manager to manager", "Skipped", "test"),
        ("Independent second screening", "Skipped", "test")]
    assert second["escalation_stages"][0]["response"] == STAGE_RESPONSE
    assert second["escalation_stages"][0]["answered_by"] == "Casey Manager"
    assert [a["text"] for a in second["additions"]] == [ADDITION]
    assert [(d["name"], d["type"], d["size_bytes"]) for d in second["documents"]] == [
        ("amelia-chronology.txt", "CSC's contact record", len(CHRONOLOGY))]
    decision, = first["panel_decisions"]
    assert decision["outcome"] == "Overturn: refer for a child and family assessment (s17)"
    assert decision["rationale"] == "Amelia's needs meet the threshold for s17."
    assert decision["feedback_to_referrer"] == "Thank you: an assessment will start."
    assert decision["decided_on"] == "2026-12-08"
    assert {v["reason"] for v in first["panel_items"][0]["votes"]} == {"Amelia's needs are unmet."}
    assert [e["text"] for e in first["minutes_extracts"]] == [MINUTES_EXTRACT]
    assert [h["reason"] for h in first["legal_holds"]] == [
        "A child safeguarding practice review is using it."]
    # The second dispute is a repeat of the first, which is this child's too: it is named.
    assert second["challenge"]["repeat_of"] == first["reference"]


def test_the_json_export_says_who_viewed_the_dispute(app, db, child, officer):
    data = json.loads(_download(app, officer, "json", child.amelia).data)
    audit = data["disputes"][0]["audit"]
    viewed = [e for e in audit if e["what"] == "Dispute viewed"]
    assert [e["who"]["name"] for e in viewed] == ["Priya Manager"]
    assert viewed[0]["who"]["agency"] and viewed[0]["when"].startswith("2026-12-08")
    assert {"Dispute raised", "Vote cast", "Decision recorded"} <= {e["what"] for e in audit}
    # Only who, what and when: an event's detail stays in the audit log.
    assert all(set(event) == {"who", "what", "when"} for event in audit)


def test_the_json_export_holds_nothing_about_another_child(app, child, officer):
    for form in (AMELIA_SEARCH, {"case_number": "NS-1001"}):
        text = _download(app, officer, "json", child.amelia, form).data.decode()
        for detail in OTHER_CHILDREN:
            assert detail not in text, detail
        # Never a document's contents.
        assert "The chronology's own words" not in text


def test_a_repeat_of_a_dispute_not_found_is_not_named(app, as_, db, child, officer):
    with app.app_context():  # the first dispute has no case number: only the second is found
        first = db.session.get(Dispute, child.amelia[0])
        first.child_case_number = first.child_case_key = None
        db.session.commit()
    first, second = _references(app, db, child.amelia)
    # The first is offered for review (the second repeats it) but the officer leaves it out.
    assert _offered(_search(as_(officer), {"case_number": "NS-1001"})) == {
        first: f"Same name and date of birth as {second}; {second} was raised as a repeat of it"}
    data = json.loads(_download(app, officer, "json", child.amelia[1:],
                                {"case_number": "NS-1001"}).data)
    only, = data["disputes"]
    assert only["reference"] == _references(app, db, child.amelia[1:])[0]
    assert only["challenge"]["repeat_of"] is None
    assert _references(app, db, child.amelia[:1])[0] not in json.dumps(data)


def test_the_file_is_an_attachment_named_by_the_date_and_never_cached(app, child, officer):
    response = _download(app, officer, "json", child.amelia)
    assert response.headers["Content-Disposition"] == \
        'attachment; filename="subject-access-2026-12-08.json"'
    assert response.headers["Cache-Control"] == "no-store"
    assert "Amelia" not in response.headers["Content-Disposition"]


def test_the_export_runs_the_same_queries_for_few_or_many_disputes(app, as_, child, officer,
                                                                   make_dispute):
    browser = as_(officer)
    _export(browser, AMELIA_SEARCH, "json", child.amelia)  # the first request warms it up
    with counting_queries(app) as few:
        _export(browser, AMELIA_SEARCH, "json", child.amelia)
    more = [make_dispute(on=date(2026, 11, day), **AMELIA) for day in (24, 25, 26)]
    with counting_queries(app) as many:
        data = json.loads(_export(browser, AMELIA_SEARCH, "json", child.amelia + more)
                          .response.data)
    assert len(data["disputes"]) == 5
    assert many["n"] == few["n"]


# The PDF --------------------------------------------------------------------------------------


def test_the_pdf_export_holds_every_section_and_nothing_about_another_child(app, child, officer):
    response = _download(app, officer, "pdf", child.amelia)
    assert response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"] == \
        'attachment; filename="subject-access-2026-12-08.pdf"'
    pages = pdf_pages(response.data)
    text = " ".join(pages)
    assert "Subject access: the records held about one child" in pages[0]
    for section in ("The referral record", "CSC's decision as the referrer was told it",
                    "CSC's record", "The challenge", "Escalation stages",
                    "The referrer's additions", "Documents", "The panel's decisions",
                    "Minutes extracts", "Legal holds", "Who viewed or changed it"):
        assert text.count(section) >= 2, section  # once for each dispute
    for expected in ("Amelia Jones", "14 March 2021", "NS-1001", STAGE_RESPONSE, ADDITION,
                     "amelia-chronology.txt", "Amelia's needs meet the threshold for s17.",
                     MINUTES_EXTRACT, "Dispute viewed, Priya Manager"):
        assert expected in text, expected
    for detail in OTHER_CHILDREN:
        assert detail not in text, detail


def test_every_page_of_the_pdf_is_marked_numbered_and_made_out_to_the_reader(app, child,
                                                                            officer):
    pages = pdf_pages(_download(app, officer, "pdf", child.amelia).data)
    assert len(pages) >= 3  # the cover, then each dispute from a new page
    for number, text in enumerate(pages, start=1):
        assert "OFFICIAL-SENSITIVE" in text, number
        assert f"Page {number} of {len(pages)}" in text, number
        assert "Prepared for Dana Officer, 8 December 2026" in text, number


def test_the_pdf_is_tagged_and_titled(app, child, officer):
    reader = PdfReader(io.BytesIO(_download(app, officer, "pdf", child.amelia).data))
    root = reader.trailer["/Root"]
    assert "/StructTreeRoot" in root and root["/Lang"] == "en-GB"
    assert reader.metadata.title == "Subject access: the records held about one child"


# Audit ----------------------------------------------------------------------------------------


def _identity_in(detail):
    text = json.dumps(detail).lower()
    return [part for part in ("amelia", "jones", "2021", "ns-1001") if part in text]


def test_each_search_and_export_is_audited_without_the_child_s_identity(app, as_, db, child,
                                                                        officer, audited):
    browser = as_(officer)
    _search(browser, AMELIA_SEARCH)
    _search(browser, {"case_number": "NS-1001"})
    namesake = child.others[0]
    _export(browser, AMELIA_SEARCH, "pdf", [*child.amelia, namesake])
    _export(browser, {"case_number": "NS-1001"}, "json", child.amelia[1:])
    ids = child.amelia
    assert [detail for _, detail in audited("subject_access_searched")] == [
        {"searched_by": "name and date of birth", "found": 2, "disputes": ids,
         "possible": [namesake]},
        {"searched_by": "case number", "found": 2, "disputes": ids, "possible": []}]
    assert [detail for _, detail in audited("subject_access_exported")] == [
        {"searched_by": "name and date of birth", "format": "pdf", "exported": 3,
         "disputes": [*ids, namesake]},
        {"searched_by": "case number", "format": "json", "exported": 1, "disputes": ids[1:]}]
    for action in ("subject_access_searched", "subject_access_exported"):
        for object_id, detail in audited(action):
            assert object_id is None and _identity_in(detail) == []


def test_the_search_terms_never_reach_an_address(app, as_, child, officer):
    browser = as_(officer)
    response = _search(browser, AMELIA_SEARCH)
    forms = response.select("form[method=post]")
    actions = [form.get("action", "") for form in forms]
    assert all("amelia" not in a.lower() and "NS-" not in a for a in actions)
    assert browser.url("subject_access.export") in actions


# Case numbers however typed, and possible matches (#24) ---------------------------------------


@pytest.mark.parametrize("typed", ["ns-1001", "NS 1001", "ns1001", "(NS/1001)", " n s - 1 0 0 1 "])
def test_a_case_number_is_found_in_any_case_with_any_spaces_or_punctuation(app, as_, db, child,
                                                                           officer, typed):
    response = _search(as_(officer), {"case_number": typed})
    assert _results(response) == _references(app, db, child.amelia)
    assert "No records found" not in response.get_text(" ", strip=True)


def test_a_case_number_is_not_found_inside_a_longer_one(app, as_, child, officer):
    response = _search(as_(officer), {"case_number": "NS-10011"})
    assert "No records found for this child" in response.get_text(" ", strip=True)


def test_a_name_with_another_date_of_birth_offers_the_same_child_s_other_disputes(
        app, as_, db, child, officer):
    # Searching with the namesake's date of birth: hers is the exact match, and Amelia's two
    # (the same name, another date of birth) are offered, not ticked.
    browser = as_(officer)
    response = _search(browser, {"child_name": "Amelia Jones", "child_dob": ["1", "5", "2019"]})
    namesake, _ = _references(app, db, child.others)
    first, second = _references(app, db, child.amelia)
    assert _results(response) == [namesake]
    assert _offered(response) == {first: "Same name, another date of birth",
                                  second: "Same name, another date of birth"}
    assert _ticked(response) == [str(child.others[0])]


def test_a_similar_name_born_the_same_day_is_offered(app, as_, db, child, officer, make_dispute):
    leah = make_dispute(child_name="Amélie Jones", child_dob=AMELIA["child_dob"])
    reordered = make_dispute(child_name="JONES Amelia Rose", child_dob=AMELIA["child_dob"])
    response = _search(as_(officer), AMELIA_SEARCH)
    namesake, oliver = _references(app, db, child.others)
    leah_ref, reordered_ref = _references(app, db, [leah, reordered])
    assert _offered(response) == {namesake: "Same name, another date of birth",
                                  leah_ref: "Same date of birth, similar name",
                                  reordered_ref: "Same date of birth, similar name"}
    assert oliver not in response.get_text(" ", strip=True)


def test_a_dispute_linked_by_its_case_number_and_as_a_repeat_is_offered(app, as_, db, child,
                                                                          officer, make_dispute):
    # Raised under another name and a mistyped date of birth, but the same case number typed
    # differently: repeat matching joined it to Amelia's second dispute.
    millie = make_dispute(on=date(2026, 11, 30), child_name="Millie Jones",
                          child_dob=date(2021, 3, 15), child_case_number="ns 1001")
    with app.app_context():
        assert db.session.get(Dispute, millie).repeat_of_id == child.amelia[1]
    response = _search(as_(officer), AMELIA_SEARCH)
    second = _references(app, db, child.amelia)[1]
    assert _offered(response)[_references(app, db, [millie])[0]] == (
        f"Same case number as {_references(app, db, child.amelia)[0]}; "
        f"Raised as a repeat of {second}")


def test_an_anonymised_dispute_is_never_a_possible_match(app, as_, db, child, officer):
    from moderation.retention import anonymise

    with app.app_context():
        anonymise.anonymise([child.others[0]], date(2026, 12, 1))  # the namesake's
        db.session.commit()
    response = _search(as_(officer), AMELIA_SEARCH)
    assert _offered(response) == {}
    assert _results(response) == _references(app, db, child.amelia)


def test_only_the_disputes_ticked_are_exported(app, db, child, officer):
    namesake, oliver = child.others
    data = json.loads(_download(app, officer, "json", [child.amelia[1], namesake]).data)
    assert [d["reference"] for d in data["disputes"]] == _references(
        app, db, [child.amelia[1], namesake])
    text = json.dumps(data)
    assert _references(app, db, child.amelia[:1])[0] not in text
    assert NAMESAKE["grounds"] in text and SAME_BIRTHDAY["grounds"] not in text


def test_ids_the_search_did_not_return_are_ignored(app, db, child, officer, audited):
    # Oliver's dispute, a dispute that does not exist and nonsense, sent beside Amelia's first.
    oliver = child.others[1]
    data = json.loads(_download(app, officer, "json",
                                [oliver, 99999, "abc", "", child.amelia[0]]).data)
    assert [d["reference"] for d in data["disputes"]] == _references(app, db, child.amelia[:1])
    text = json.dumps(data)
    for detail in OTHER_CHILDREN:
        assert detail not in text, detail
    assert [d["disputes"] for _, d in audited("subject_access_exported")] == [child.amelia[:1]]


@pytest.mark.parametrize("chosen", [[], ["99999"], "oliver"], ids=["none", "unknown", "oliver"])
def test_nothing_chosen_that_the_search_returned_is_refused(app, as_, db, child, officer, audited,
                                                            chosen):
    if chosen == "oliver":
        chosen = [child.others[1]]
    response = _export(as_(officer), AMELIA_SEARCH, "pdf", chosen)
    assert response.response.mimetype == "text/html"
    assert "Content-Disposition" not in response.response.headers
    assert error_summary(response) == ["Select the records to export"]
    assert response.select_one(".govuk-error-summary a")["href"] == "#chosen"
    assert response.select_one("#chosen")["value"] == str(child.amelia[0])
    assert response.select_one("#chosen-error").get_text(" ", strip=True).endswith(
        "Select the records to export")
    # The results are shown again as the officer left them: nothing ticked.
    assert _results(response) == _references(app, db, child.amelia)
    assert _ticked(response) == []
    assert audited("subject_access_exported") == []


def test_the_search_takes_the_same_queries_for_few_or_many_matches(app, as_, child, officer,
                                                                   make_dispute):
    browser = as_(officer)
    _search(browser, AMELIA_SEARCH)  # the first request of a client warms it up
    with counting_queries(app) as few:
        _search(browser, AMELIA_SEARCH)
    for day in (24, 25):
        make_dispute(on=date(2026, 11, day), **AMELIA)
        make_dispute(on=date(2026, 11, day), child_name="Amelia Jones",
                     child_dob=date(2018, 1, day))
        make_dispute(on=date(2026, 11, day), child_name="Amelie Jones",
                     child_dob=AMELIA["child_dob"])
    with counting_queries(app) as many:
        response = _search(browser, AMELIA_SEARCH)
    assert len(_results(response)) == 4 and len(_offered(response)) == 5
    assert many["n"] == few["n"]


# Access ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["partnership_manager", "data_protection_officer"])
def test_the_partnership_manager_and_the_data_protection_officer_may_search(app, as_, child,
                                                                            make_user, role):
    browser = as_(make_user(role))
    assert heading(browser.get("subject_access.search")) == "Find the records about a child"
    exported = _export(browser, AMELIA_SEARCH, "json", child.amelia)
    assert exported.response.mimetype == "application/json"


REFUSED = ["referrer", "csc_manager", "chair", "panel_member", "admin"]


@pytest.mark.parametrize("role", REFUSED)
def test_everyone_else_is_refused(app, as_, child, make_user, role, audited):
    browser = as_(make_user(role))
    for response in (browser.get("subject_access.search", _expected_status=403),
                     _search(browser, AMELIA_SEARCH, _expected_status=403),
                     _export(browser, AMELIA_SEARCH, "json", child.amelia, _expected_status=403)):
        assert heading(response) == "You do not have access to this page"
    assert audited("subject_access_searched") == audited("subject_access_exported") == []


def test_the_child_s_own_referrer_is_refused(app, as_, child):
    browser = as_(child.referrer)
    response = _export(browser, AMELIA_SEARCH, "json", child.amelia, _expected_status=403)
    assert "Amelia" not in response.response.text


def test_anonymous_users_go_to_sign_in(app, child):
    anonymous = ClientRequest(app.test_client())
    response = anonymous.get("subject_access.search", _expected_status=302).response
    assert response.location.startswith("/sign-in?next=")


# The data protection officer's home -----------------------------------------------------------


def _data_protection_links(home):
    return {a.get_text(strip=True): a["href"]
            for a in home.select("#data-protection ~ ul a")}


def test_the_data_protection_officer_lands_on_their_home_with_its_links(app, as_, make_user):
    browser = as_(make_user("data_protection_officer"))
    home = browser.get("home.index", _follow_redirects=True)
    assert heading(home) == "Data protection officer"
    links = _data_protection_links(home)
    assert links["Find the records about a child"] == browser.url("subject_access.search")
    for address in links.values():  # every page linked opens for them
        browser.get_url(address)


def test_the_partnership_manager_s_home_has_the_data_protection_links(app, as_, make_user):
    browser = as_(make_user("partnership_manager"))
    home = browser.get("home.partnership")
    assert home.select_one("#data-protection").get_text(strip=True) == "Data protection"
    links = _data_protection_links(home)
    assert links["Find the records about a child"] == browser.url("subject_access.search")
    for address in links.values():
        browser.get_url(address)


def test_a_referrer_s_home_has_no_data_protection_links(app, as_, make_user):
    browser = as_(make_user("referrer"))
    home = browser.get("home.index", _follow_redirects=True)
    assert home.select_one("#data-protection") is None


@pytest.mark.parametrize("role, endpoint", [("partnership_manager", "home.partnership"),
                                            ("data_protection_officer", "home.data_protection")])
def test_the_data_protection_links_add_no_query_to_the_home_page(app, as_, make_user, monkeypatch,
                                                                 role, endpoint):
    from moderation.home import views

    browser = as_(make_user(role))
    browser.get(endpoint)
    with counting_queries(app) as with_links:
        assert "Find the records about a child" in browser.get(endpoint).response.text
    monkeypatch.setattr(views, "data_protection_links", lambda: [])
    with counting_queries(app) as without:
        browser.get(endpoint)
    assert with_links["n"] == without["n"]
