"""Who may do what: one vocabulary for routes, services, views and templates.

Each feature declares its actions beside its services (`disputes/permissions.py`,
`panels/permissions.py`, ...) with `rule`: the roles that may ever take the action and, for one
record, the test that says whether this user may take it on this record (rule 12: need-to-know
is per record, not per role). Everything else asks `can(user, action, record)`:

- a route declares its action with `permits(action)`; the access hook refuses users without one
  of the action's roles before the view runs (sign-in for anonymous users, 403 otherwise);
- some actions need more than a role held: a seat on the panel today, say. The rule's `standing`
  test (user) -> bool says so. The access hook asks it of a route that opens no record (a list,
  a form), with the rule's own words for a 403; where the route opens a record, the record's
  test asks it, so that everyone who holds the role and is refused a record gets the same
  "Page not found";
- a view loads its record with `record_or_404(Model, id, action)`: a record the user may not
  take the action on is answered as if it did not exist;
- a template asks `can(action, record)` (the signed-in user is implied) before it offers a link
  or a button, so no template tests roles or statuses itself.

"May this person do X to this record now" has one home: `why_not_X(user, record)`, beside the
service that does X. It answers one of three things:

- `None`: they may;
- `NOT_YOURS`: the record is not this person's to see (rule 12). The route answers "Page not
  found" and says nothing more, not even that the record exists;
- a `str`: not now, and why, in words the person reads. The service raises `Refusal(reason)`.

The permission rule and the service both read it: the rule's check is
`return may(why_not_X(user, record))`, the service calls `enforce(why_not_X(user, record))`.
"""

from collections.abc import Callable
from dataclasses import dataclass

from flask import abort
from flask_login import current_user

from moderation.extensions import db
from moderation.web.boundary import Refusal


class _NotYours:
    """The type of `NOT_YOURS`: one value, truthy like a reason (a why_not answer is a refusal
    unless it is None), never equal to any reason."""

    _instance = None

    def __new__(cls):
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self):
        return "NOT_YOURS"

    def __reduce__(self):
        return (_NotYours, ())


NOT_YOURS = _NotYours()  # a why_not answer: this record is not theirs to see (404, rule 12)


def may(why_not):
    """A why_not answer as the yes or no a rule's check gives: yes only when nothing stands in
    the way (None); a reason or NOT_YOURS is a no."""
    return why_not is None


def enforce(why_not, field=None):
    """What a service does with a why_not answer: nothing when it is None; "Page not found" for a
    record that is not this person's (NOT_YOURS); otherwise refuse with the reason, on `field`
    (None: the request as a whole)."""
    if why_not is None:
        return
    if why_not is NOT_YOURS:
        abort(404)
    raise Refusal(why_not, field)


@dataclass(frozen=True)
class Rule:
    action: str
    roles: frozenset  # empty: any signed-in user
    check: Callable | None = None  # (user, record) -> bool; None: the roles decide alone
    on: type | None = None  # the kind of record the check is asked about
    standing: Callable | None = None  # (user) -> bool: beyond the roles, on any record at all
    refusal: str | None = None  # what the door tells a user whose standing it refuses

    def allows_role(self, user):
        if not user.is_authenticated:
            return False
        return not self.roles or user.has_role(*self.roles)

    def allows_standing(self, user):
        return self.allows_role(user) and (self.standing is None or bool(self.standing(user)))

    def allows_at_the_door(self, user):
        """What the access hook asks before the view: the roles, and the standing of a route
        that opens no record (a record's own test asks it, so its refusal is "Page not found",
        the same as for a record that is not there)."""
        if self.check is not None:
            return self.allows_role(user)
        return self.allows_standing(user)

    def allows(self, user, record=None):
        if not self.allows_standing(user):
            return False
        if record is None or self.check is None:
            return True
        return bool(self.check(user, record))


RULES: dict[str, Rule] = {}


def rule(action, *roles, on=None, standing=None, refusal=None):
    """Declare `action`: who may ever take it (`roles`; none: anyone signed in), whether they
    may take it now at all (`standing`, with the door's words for those it refuses) and, used as
    a decorator, the test for one record of the kind `on` (a model)."""
    RULES[action] = Rule(action, frozenset(roles), standing=standing, refusal=refusal)

    def decorate(check):
        if on is None:
            raise TypeError(f"Say which kind of record {action!r} is asked about (on=...)")
        RULES[action] = Rule(action, frozenset(roles), check, on, standing, refusal)
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
