"""The transaction boundary: one commit per request, in one place.

Services add and flush; views neither commit nor roll back. When a request has run (its hooks,
its view and its after-request functions), the boundary commits what it wrote. When anything
raised on the way, the error handlers have already rolled it all back, so the page of an error
keeps nothing the request wrote, not even the audit event of a page that then failed.

A rule that says no raises `Refusal`, the one refusal type: its message for the user and the
form field it is about. The boundary rolls the request back and shows the page the view declared
with `on_refusal`, the refusal in its GOV.UK error summary.
"""

from collections.abc import Callable
from dataclasses import dataclass

from flask import Flask, g
from sqlalchemy.exc import SQLAlchemyError

from moderation.extensions import db
from moderation.web import audit
from moderation.web.errors import render_error
from moderation.web.forms import add_error


class Refusal(Exception):
    """A business rule refused what was asked, with every problem it found.

    `problems` maps a form field's name (None: the request as a whole) to the message a person
    reads, in the order the page shows them: `Refusal(message, field)` for one,
    `Refusal(problems={"child_dob": ..., "referral_date": ...})` for several, so a page names
    everything to put right at once. `message` and `field` are the first.
    """

    def __init__(self, message=None, field=None, *, problems=None):
        self.problems = dict(problems) if problems else {field: message}
        self.field, self.message = next(iter(self.problems.items()))
        super().__init__(self.message)


def every_answer(checks):
    """Check each answer of a form with several fields, and refuse once with every problem.

    `checks` maps a field's name to a function that returns the answer as the rule takes it,
    or raises `Refusal`. Returns the answers by name, or raises one `Refusal` holding the
    problems of every check that refused, in the order of `checks`."""
    answers, problems = {}, {}
    for name, check in checks.items():
        try:
            answers[name] = check()
        except Refusal as refusal:
            problems.update(refusal.problems)
    if problems:
        raise Refusal(problems=problems)
    return answers


@dataclass
class _Retry:
    render: Callable
    form: object = None
    field: str | None = None


def on_refusal(render, form=None, field=None):
    """Declare how this request shows its page again if a rule refuses what it asked.

    `render(problems)` returns the page; `problems` is the GOV.UK error summary's list
    (`text`, `href`). With a `form`, the refusal is also put on its field: the refusal's own,
    else `field`, else the form's submit button.
    """
    g.on_refusal = _Retry(render, form, field)


def refuse_unless_valid(form):
    """For a view that leaves every rule to its service: its form's own checks (a control
    character, rule 19) refuse like the service would, on the page declared with on_refusal."""
    if not form.validate():
        raise Refusal(problems={field.id: field.errors[0] for field in form if field.errors})


def show_refusal(refusal: Refusal):
    """Error handler: roll the request back and show its page again with the refusal."""
    db.session.rollback()
    audit.discard_pending()
    retry = g.get("on_refusal")
    if retry is None:
        # A refusal no page was declared for: say why, on the error page, having kept nothing.
        return render_error(400, "This could not be done", refusal.message)
    problems = []
    for field, message in refusal.problems.items():
        name = field or retry.field
        if retry.form is not None:
            target = getattr(retry.form, name or "", None) or getattr(retry.form, "submit", None)
            if target is not None:
                add_error(target, message)
        problems.append({"text": message, "href": f"#{name or 'main-content'}"})
    return retry.render(problems)


class TransactionalFlask(Flask):
    """Flask, with the commit at the end of every request (see the module's docstring)."""

    def full_dispatch_request(self):
        response = super().full_dispatch_request()
        try:
            db.session.add_all(audit.pending())
            db.session.commit()
        except SQLAlchemyError as error:
            # Too late for the page the view made: the database refused what it wrote.
            response = self.finalize_request(self.handle_user_exception(error),
                                             from_error_handler=True)
        return response


def commit_job(job):
    """Run `job` (a scheduler's or a command's unit of work) as one transaction."""
    try:
        result = job()
        db.session.commit()
        return result
    except BaseException:
        db.session.rollback()
        raise


def register(app):
    app.register_error_handler(Refusal, show_refusal)
