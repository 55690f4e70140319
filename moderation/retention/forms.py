"""Forms for the retention schedule and legal holds. The rules (whole numbers, their bounds, a
reason) are the services' (schedule.change, holds.place): the forms carry what was typed."""

from govuk_frontend_wtf.wtforms_widgets import GovSubmitInput, GovTextArea, GovTextInput
from wtforms import StringField, SubmitField, TextAreaField

from moderation.models import RecordKind
from moderation.retention import schedule
from moderation.web.forms import Form

PERIOD_LABELS = {
    RecordKind.DISPUTES: "Years to keep a dispute after it closed",
    RecordKind.INACTIVE_DISPUTES: "Months with no activity before an open dispute is listed",
    RecordKind.NOTIFICATIONS: "Months to keep notifications and emails",
    RecordKind.AUDIT_EVENTS: "Years to keep audit events",
}


class RuleForm(Form):
    keep_for = StringField(widget=GovTextInput())
    until_age = StringField(
        "Keep it at least until the child is this age", widget=GovTextInput(),
        description="A dispute is anonymised at the later of the two dates.")
    reason = TextAreaField(
        "Why the partnership keeps them this long", widget=GovTextArea(),
        description="The schedule shows this reason beside the rule. Say where the period comes "
                    "from, such as a law or guidance.")
    submit = SubmitField("Save the rule", widget=GovSubmitInput())

    @classmethod
    def for_rule(cls, rule):
        """The form for one kind: its period and the child's age only where the kind has them,
        filled with the rule as it stands."""
        form = cls(data={"keep_for": _text(rule.keep_for), "until_age": _text(rule.until_age),
                         "reason": rule.reason})
        if schedule.has_period(rule):
            form.keep_for.label.text = PERIOD_LABELS[rule.record_kind]
        else:
            del form.keep_for
        if not schedule.has_age(rule):
            del form.until_age
        return form

    def typed(self):
        """What was typed, as schedule.change takes it."""
        return {name: getattr(self, name).data for name in ("keep_for", "until_age", "reason")
                if name in self}


class HoldForm(Form):
    reason = TextAreaField(
        "Why is the dispute held?", widget=GovTextArea(),
        description="For example, the child safeguarding practice review that uses it. Do not "
                    "write the child's name, date of birth or case number: the list of holds "
                    "shows the reason.")
    submit = SubmitField("Hold this dispute", widget=GovSubmitInput())


class ReleaseForm(Form):
    reason = TextAreaField(
        "Why is the hold released?", widget=GovTextArea(),
        description="Do not write the child's name, date of birth or case number.")
    submit = SubmitField("Release the hold", widget=GovSubmitInput())


class WithdrawForm(Form):
    reason = TextAreaField(
        "Why is the dispute withdrawn?", widget=GovTextArea(),
        description="For example, that the referrer has left and nobody has taken the dispute "
                    "on. The referrer and CSC read this on the dispute. Do not write the child's "
                    "name, date of birth or case number.")
    submit = SubmitField("Withdraw this dispute", widget=GovSubmitInput())


def _text(number):
    return "" if number is None else str(number)
