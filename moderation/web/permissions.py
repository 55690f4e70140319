"""Who may do what: one vocabulary for routes, services, views and templates.

Each feature declares its actions beside its services (`disputes/permissions.py`,
`panels/permissions.py`, ...) with `rule`: the roles that may ever take the action and, for one
record, the test that says whether this user may take it on this record (rule 12: need-to-know
is per record, not per role). Everything else asks `can(user, action, record)`:

- a route declares its action with `permits(action)`; the access hook refuses users without one
  of the action's roles before the view runs (sign-in for anonymous users, 403 otherwise);
- a view loads its record with `record_or_404(Model, id, action)`: a record the user may not
  take the action on is answered as if it did not exist;
- a template asks `can(action, record)` (the signed-in user is implied) before it offers a link
  or a button, so no template tests roles or statuses itself.
"""

from collections.abc import Callable
from dataclasses import dataclass

from flask import abort
from flask_login import current_user

from moderation.extensions import db


@dataclass(frozen=True)
class Rule:
    action: str
    roles: frozenset  # empty: any signed-in user
    check: Callable | None = None  # (user, record) -> bool; None: the roles decide alone
    on: type | None = None  # the kind of record the check is asked about

    def allows_role(self, user):
        if not user.is_authenticated:
            return False
        return not self.roles or user.has_role(*self.roles)

    def allows(self, user, record=None):
        if not self.allows_role(user):
            return False
        if record is None or self.check is None:
            return True
        return bool(self.check(user, record))


RULES: dict[str, Rule] = {}


def rule(action, *roles, on=None):
    """Declare `action`: who may ever take it (`roles`; none: anyone signed in) and, used as a
    decorator, the test for one record of the kind `on` (a model)."""
    RULES[action] = Rule(action, frozenset(roles))

    def decorate(check):
        if on is None:
            raise TypeError(f"Say which kind of record {action!r} is asked about (on=...)")
        RULES[action] = Rule(action, frozenset(roles), check, on)
        return check

    return decorate


def rule_of(action):
    try:
        return RULES[action]
    except KeyError:
        raise LookupError(f"No permission rule named {action!r}") from None


def can(user, action, record=None):
    """May `user` take `action` (on `record`, when given)?"""
    return rule_of(action).allows(user, record)


def require(user, action, record):
    """Answer "Page not found" unless `user` may take `action` on `record`: nobody learns what a
    record they may not see holds, or that it exists."""
    if record is None or not can(user, action, record):
        abort(404)
    return record


def record_or_404(model, record_id, action, *options):
    """The `model` row with this id, if the signed-in user may take `action` on it."""
    record = db.session.get(model, record_id, options=options)
    return require(current_user, action, record)


def template_can(action, record=None):
    """`can` for templates: the signed-in user is implied."""
    return can(current_user, action, record)


def register(app):
    app.jinja_env.globals["can"] = template_can
