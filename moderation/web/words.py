"""Words that read right: counts, articles and labels inside a sentence, from one place.

Pages, PDFs, notices and refusals build sentences around numbers and stored labels. Each of
these helpers is a Jinja filter too (registered in web/formatting.py), so that a template never
spells its own plural ("{{ n }} dispute{{ 's' if ... }}") or its own lower-casing.
"""

import re

from moderation.models.dispute_terms import Route

# Plurals no rule below makes.
IRREGULAR = {"child": "children", "person": "people", "was": "were", "has": "have",
             "is": "are", "it": "they", "this": "these"}


def plural(noun):
    """The plural of a noun, or of a phrase's last word ("repeat dispute" -> "repeat disputes",
    "working day" -> "working days", "policy" -> "policies", "match" -> "matches")."""
    head, _, last = noun.rpartition(" ")
    lead = f"{head} " if head else ""
    if last.lower() in IRREGULAR:
        return lead + IRREGULAR[last.lower()]
    if re.search(r"[^aeiou]y$", last):
        return lead + last[:-1] + "ies"
    if re.search(r"(s|x|z|ch|sh)$", last):
        return lead + last + "es"
    return lead + last + "s"


def count(number, noun, plural_noun=None):
    """'1 repeat dispute', '2 repeat disputes', '0 repeat disputes'; thousands with commas.
    `plural_noun` for a phrase whose plural is not its last word's ("person waiting")."""
    words = noun if number == 1 else (plural_noun or plural(noun))
    return f"{number:,} {words}" if isinstance(number, int) else f"{number} {words}"


def number_agrees(number, singular, plural_words=None):
    """The words that agree with a count, without the count: ('has', 'have'), ('it', 'them')."""
    return singular if number == 1 else (plural_words or plural(singular))


# Letters whose names start with a vowel sound: "an NHS trust", "an LSCB", but "a CSC manager".
_VOWEL_SOUND_LETTERS = set("AEFHILMNORSX")
# Words that start with a vowel letter but sound like a consonant ("a universal service",
# "a one-off"), or the other way round ("an hour", "an honest").
_CONSONANT_SOUND = re.compile(r"^(uni|use|usu|uti|eu|ewe|one|once|ouija)", re.IGNORECASE)
_VOWEL_SOUND = re.compile(r"^(hour|honest|honour|heir)", re.IGNORECASE)


def article(phrase):
    """'a' or 'an' for the phrase, as it is said: 'an education professional', 'a universal
    service', 'an NHS trust', 'a CSC manager', 'an hour', 'an s47 enquiry'."""
    word = re.split(r"[\s/,-]", phrase.strip(), maxsplit=1)[0]
    letters = re.sub(r"[^A-Za-z0-9]", "", word)
    if not letters:
        return "a"
    if _is_acronym(word) or re.fullmatch(r"[a-z]\d+", letters):  # "NHS", "s17"
        return "an" if letters[0].upper() in _VOWEL_SOUND_LETTERS else "a"
    if letters[0].isdigit():
        spoken_an = letters.startswith("8") or re.fullmatch(r"(11|18)(\d{3})*", letters)
        return "an" if spoken_an else "a"
    if _VOWEL_SOUND.match(letters):
        return "an"
    if _CONSONANT_SOUND.match(letters):
        return "a"
    return "an" if letters[0].lower() in "aeiou" else "a"


def with_article(phrase):
    """The phrase after its article: 'an education professional'."""
    return f"{article(phrase)} {phrase}"


def _is_acronym(word):
    """'CSC', 'CSC's', 'NHS', 'LSCB': two or more capitals, perhaps with a possessive."""
    letters = re.sub(r"['\u2019]s$", "", word)
    letters = re.sub(r"[^A-Za-z]", "", letters)
    return len(letters) >= 2 and letters.isupper()


def in_sentence(label):
    """A label as it reads inside a sentence: its first letter lower-cased, unless its first
    word is an acronym ('Uphold CSC's decision' -> 'uphold CSC's decision'; 'CSC team manager'
    stays). The rest is left as written: labels are in sentence case, so any other capital is
    a name or an acronym."""
    if not label:
        return label or ""
    first = label.split(maxsplit=1)[0]
    if _is_acronym(first):
        return label
    return label[0].lower() + label[1:]


def stage_called(stage):
    """How a sentence names one of a dispute's stages: by its number and its own name on the
    dispute's route, never by what a stage of that number is on another route ('stage 3
    (independent second screening)'; 'urgent stage 2 (head of service)')."""
    # A policy's stage knows its route; a dispute's stage runs on its dispute's.
    route = getattr(stage, "route", None) or stage.dispute.route
    route = "urgent stage" if route == Route.URGENT else "stage"
    return f"{route} {stage.position} ({in_sentence(stage.name)})"


def sentence_start(text):
    """The text with its first letter a capital, the rest as it is ('an NHS trust' -> 'An NHS
    trust'; str.capitalize() would lower-case the acronym)."""
    return text[:1].upper() + text[1:]


def signed_change(now, before):
    """How a figure moved since the previous period, in words: 'up 14', 'down 3', 'no change';
    '' when either is unknown."""
    if now is None or before is None:
        return ""
    difference = now - before
    if difference == 0:
        return "no change"
    return f"{'up' if difference > 0 else 'down'} {abs(difference):,}"


def register(app):
    app.add_template_filter(count)
    app.add_template_filter(number_agrees, "agrees")
    app.add_template_filter(article)
    app.add_template_filter(with_article)
    app.add_template_filter(in_sentence)
    app.add_template_filter(stage_called)
    app.add_template_filter(sentence_start)
    app.add_template_global(signed_change)
