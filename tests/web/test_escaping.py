"""Pages show what people typed as text, and the page's own markup as markup."""

import re
from datetime import date

from moderation.config import PROJECT_ROOT
from tests.conftest import page, post, sign_in, url

# A string joined with ~ to an escaped value is escaped as a whole: its tags show as text.
JOINED_MARKUP = re.compile(r"""['"]html['"]\s*:[^}]*~""")


def test_no_template_joins_strings_into_markup():
    joined = [str(path.relative_to(PROJECT_ROOT))
              for folder in ("templates", "reports") for path in (PROJECT_ROOT / folder).rglob(
                  "*.html") if JOINED_MARKUP.search(path.read_text())]
    assert joined == []


def test_the_confirmation_shows_the_reference_in_bold(client, make_user):
    referrer = make_user("referrer")
    sign_in(client, referrer)
    form = {"child_name": "Amelia Jones", "child_dob": ["14", "3", "2021"],
            "referral_date": ["2", "11", "2026"], "referral_method": "phone",
            "referrer_intent": "referral", "concern_categories": ["neglect"],
            "level_of_need": "3", "referral_summary": "Poor home conditions.",
            "csc_decision_date": ["4", "11", "2026"], "told_recorded_as": "contact",
            "told_outcome": "no_further_action", "dispute_type": "threshold_not_met",
            "grounds": "Threshold met.", "immediate_risk": "no", "action": "submit"}
    raised = post(client, url(client, "disputes.raise_dispute"), form, follow_redirects=True)
    panel = page(raised).select_one(".govuk-panel__body")
    assert panel.strong.get_text(strip=True).startswith("D-")
    assert "<br>" not in panel.get_text() and "&lt;" not in raised.text


def test_an_earlier_dispute_about_the_same_child_is_a_link(client, make_user, make_dispute):
    referrer = make_user("referrer")
    first = make_dispute(referrer, on=date(2026, 11, 9))
    second = make_dispute(referrer)
    sign_in(client, referrer)
    shown = page(client.get(url(client, "disputes.show", dispute_id=second)))
    link = shown.find("a", href=url(client, "disputes.show", dispute_id=first))
    assert link is not None and link.get_text(strip=True).startswith("D-")
    assert "<a" not in shown.get_text()
