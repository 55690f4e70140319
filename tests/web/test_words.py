"""Counts, articles and labels read as a person would write them (issue #25, point 7)."""

import pytest

from moderation.web.words import (
    article,
    count,
    in_sentence,
    number_agrees,
    plural,
    signed_change,
    with_article,
)


@pytest.mark.parametrize(("number", "noun", "expected"), [
    (1, "repeat dispute", "1 repeat dispute"),
    (2, "repeat dispute", "2 repeat disputes"),
    (0, "repeat dispute", "0 repeat disputes"),
    (1, "urgent case", "1 urgent case"),
    (3, "contact/referral mismatch", "3 contact/referral mismatches"),
    (2, "working day", "2 working days"),
    (2, "policy", "2 policies"),
    (2, "child", "2 children"),
    (12_345, "audit event", "12,345 audit events"),
])
def test_a_count_agrees_with_its_noun(number, noun, expected):
    assert count(number, noun) == expected


def test_a_phrase_whose_plural_is_not_its_last_word_gives_it():
    assert count(2, "person waiting", "people waiting") == "2 people waiting"
    assert count(1, "person waiting", "people waiting") == "1 person waiting"


def test_the_words_that_agree_with_a_count():
    assert number_agrees(1, "has") == "has"
    assert number_agrees(4, "has") == "have"
    assert number_agrees(2, "it", "them") == "them"
    assert plural("box") == "boxes" and plural("day") == "days"


@pytest.mark.parametrize(("phrase", "expected"), [
    ("education professional", "an education professional"),
    ("health professional", "a health professional"),
    ("police professional", "a police professional"),
    ("independent second screening", "an independent second screening"),
    ("universal service", "a universal service"),
    ("one-off meeting", "a one-off meeting"),
    ("hour", "an hour"),
    ("NHS trust", "an NHS trust"),
    ("LSCB manager", "an LSCB manager"),
    ("CSC manager", "a CSC manager"),
    ("s47 enquiry", "an s47 enquiry"),
    ("8-day limit", "an 8-day limit"),
    ("11 o'clock meeting", "an 11 o'clock meeting"),
    ("2 o'clock meeting", "a 2 o'clock meeting"),
    ("Early help referral", "an Early help referral"),
])
def test_an_article_goes_by_how_the_word_is_said(phrase, expected):
    assert with_article(phrase) == expected
    assert article(phrase) == expected.split()[0]


@pytest.mark.parametrize(("label", "expected"), [
    ("Uphold CSC's decision", "uphold CSC's decision"),
    ("CSC team manager", "CSC team manager"),
    ("CSC's head of service", "CSC's head of service"),
    ("NHS trust", "NHS trust"),
    ("Head of service", "head of service"),
    ("Contact", "contact"),
    ("Strategy discussion / s47 enquiry", "strategy discussion / s47 enquiry"),
    ("A referral", "a referral"),
    ("", ""),
])
def test_a_label_inside_a_sentence_keeps_its_acronyms(label, expected):
    assert in_sentence(label) == expected


def test_a_change_on_the_previous_period_is_said_in_words():
    assert signed_change(14, 0) == "up 14"
    assert signed_change(2, 5) == "down 3"
    assert signed_change(4, 4) == "no change"
    assert signed_change(4, None) == ""
