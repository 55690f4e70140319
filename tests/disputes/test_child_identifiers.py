"""Rule 13, the check itself: text that names, dates or numbers a child in scope is found."""

from datetime import date

import pytest

from moderation.disputes.child_identifiers import (
    Child,
    ChildIdentifiers,
    candidate_keys,
    case_key,
    name_pair,
    refusal,
)

YUSUF = Child("Yusuf Example", date(2015, 6, 5), "CS-204518")
IN_SCOPE = ChildIdentifiers([YUSUF, Child("Siobhán O'Brien-Kelly", date(2019, 12, 25))])


@pytest.mark.parametrize("text", [
    "Yusuf Example was seen at school.",
    "YUSUF EXAMPLE was seen at school.",
    "yusuf   example was seen at school.",
    "Example was seen at school.",  # the surname alone
    "The school said example's attendance fell.",
    "Siobhán O'Brien-Kelly's GP wrote.",
    "the o'brien-kelly family",
])
def test_a_name_is_found_in_any_case_on_word_boundaries(text):
    assert IN_SCOPE.found_in(text)


@pytest.mark.parametrize("text", [
    "Yusuf was seen at school.",  # a first name alone identifies no one in scope
    "Examples of good practice were shared.",
    "Counterexample: the school did not refer.",
    "The Brien report.",
])
def test_other_words_are_not_names(text):
    assert not IN_SCOPE.found_in(text)


@pytest.mark.parametrize("text", [
    "born 5 June 2015", "born 05 June 2015", "born 5th June 2015", "born 5th of June 2015",
    "born 5 Jun 2015", "born June 5, 2015", "born June 5th 2015", "born june 5 2015",
    "born 05/06/2015", "born 5/6/2015", "born 5/6/15", "born 05.06.2015", "born 5-6-15",
    "born 2015-06-05", "born 2015/6/5", "born 5 June, 2015", "born 5-Jun-2015",
    "born 06/05/2015",  # read in the US way, it is still the birthday
    "christmas baby 25/12/19",
])
def test_a_date_of_birth_is_found_in_every_common_format(text):
    assert IN_SCOPE.found_in(text)


@pytest.mark.parametrize("text", [
    "decided 5 June 2016", "decided 6 June 2015", "on 05/07/2015", "on 2015-06-15",
    "5 June", "in June 2015", "level 5, 2015 figures",
])
def test_other_dates_are_not_a_date_of_birth(text):
    assert not IN_SCOPE.found_in(text)


@pytest.mark.parametrize("text", [
    "case CS-204518", "case cs-204518", "case CS 204518", "case CS204518", "(CS/204518)"])
def test_a_case_number_is_found_with_any_separator_or_case(text):
    assert IN_SCOPE.found_in(text)


def test_a_very_short_case_number_is_not_looked_for():
    # A case number like "12" would refuse every text that holds the number 12.
    assert not ChildIdentifiers([Child("Amelia Jones", None, "12")]).found_in("12 visits")


def test_text_without_a_child_in_scope_is_accepted():
    assert not IN_SCOPE.found_in("A health professional referred concerns about neglect.")
    assert not IN_SCOPE.found_in("")
    assert not IN_SCOPE.found_in(None)
    assert not ChildIdentifiers([]).found_in("Yusuf Example, born 5 June 2015")


def test_the_first_refused_field_is_named_in_the_message():
    fields = [("Vignette 1", "vignette-1", "A school referred."),
              ("Vignette 2", "vignette-2", "Yusuf Example, born 5 June 2015, was seen."),
              ("Recommendations", "recommendations", "Example again")]
    assert refusal(fields, IN_SCOPE) == (
        "Vignette 2 must not contain a child's name, date of birth or case number", "vignette-2")
    assert refusal(fields[:1], IN_SCOPE) is None


# The keys every dispute keeps, and the keys a text could hold (#24) ---------------------------


@pytest.mark.parametrize("name", ["Leo Carter", "CARTER Leo", "carter,  leo", "Léo Carter",
                                  "Leo James Carter", " leo  CARTER "])
def test_a_name_keys_on_its_first_and_last_words_in_either_order_and_any_case(name):
    assert name_pair(name) == "carter leo"


def test_apostrophes_hyphens_and_accents_fold_into_the_word():
    assert name_pair("Siobhán O'Brien-Kelly") == "obrienkelly siobhan"
    assert name_pair("Zoë Brontë") == name_pair("ZOE BRONTE") == "bronte zoe"


@pytest.mark.parametrize("name", ["Leo", "", None, "  ", "12 34"])
def test_a_name_of_one_word_has_no_key(name):
    assert name_pair(name) is None


@pytest.mark.parametrize("number", ["NS-40211", "ns-40211", "NS 40211", "ns40211", "(NS/40211)",
                                    " n s 4 0 2 1 1 "])
def test_a_case_number_keys_without_case_spaces_or_punctuation(number):
    assert case_key(number) == "ns40211"


@pytest.mark.parametrize("number", [None, "", " - / "])
def test_a_case_number_without_letters_or_digits_has_no_key(number):
    assert case_key(number) is None


@pytest.mark.parametrize("text", [
    "Leo Carter was discussed.", "CARTER, Leo was discussed.", "We spoke of leo carter's school",
    "Léo Carter", "Leo James Carter was discussed.", "Leo (Carter)"])
def test_a_name_inside_a_sentence_is_a_candidate(text):
    assert "carter leo" in candidate_keys(text)


@pytest.mark.parametrize("text", ["Leo said Ms Carter came", "Leo. 12 visits. Carter"])
def test_words_far_apart_are_not_a_name(text):
    assert "carter leo" not in candidate_keys(text)


@pytest.mark.parametrize("text", ["case NS-40211.", "case ns 40211", "(NS/40211)", "NS 402 11"])
def test_a_case_number_inside_a_sentence_is_a_candidate(text):
    assert "ns40211" in candidate_keys(text)


def test_short_numbers_and_words_without_digits_are_not_case_candidates():
    # "12" alone would refuse every text holding the number 12; a word without a digit is
    # looked for only as part of a name.
    keys = candidate_keys("Level 3 of 12 visits")
    assert not {"3", "12", "level", "visits", "level3of12visits"} & keys
    assert candidate_keys("") == candidate_keys(None) == set()
