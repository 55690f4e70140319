"""Need-to-know access at the door: which users may reach each route at all.

Every view declares a rule with one of the decorators below: `public`, `signed_in`, or
`permits(action)`, the action of the permission vocabulary (web/permissions.py) whose roles may
reach it; the view then asks the same action of the record it opens. A before-request hook
enforces the rule on the server, and create_app refuses to start if any route has no rule, so a
new page can never be open by accident.
"""

from dataclasses import dataclass

from flask import abort, current_app, request
from flask_login import current_user
from werkzeug.exceptions import Forbidden

from moderation.extensions import login_manager
from moderation.web.permissions import rule_of

# Flask's own static route and the GOV.UK assets route carry no case data.
ASSET_ENDPOINTS = {"static", "assets"}


@dataclass(frozen=True)
class AccessRule:
    public: bool = False
    action: str | None = None  # the permission rule's roles decide; none: anyone signed in

    def allows(self, user):
        if self.public:
            return True
        if self.action is not None:
            return rule_of(self.action).allows_at_the_door(user)
        return user.is_authenticated

    def refusal(self, user):
        """The rule's own words for a 403 to a user who holds one of its roles, if it has some:
        their role reaches the page, but they may not use it now."""
        if self.action is None or not rule_of(self.action).allows_role(user):
            return None
        return rule_of(self.action).refusal


def _declare(rule):
    def decorate(view):
        view.access_rule = rule
        return view

    return decorate


def public(view):
    """Anyone may reach this route, signed in or not."""
    return _declare(AccessRule(public=True))(view)


def signed_in(view):
    """Any signed-in user may reach this route."""
    return _declare(AccessRule())(view)


def permits(action):
    """Only users who may take `action` on some record may reach this route; the view asks it
    again of the record it opens."""
    return _declare(AccessRule(action=action))


def rule_for(endpoint):
    if endpoint in ASSET_ENDPOINTS:
        return AccessRule(public=True)
    view = current_app.view_functions.get(endpoint)
    return getattr(view, "access_rule", None)


def enforce_access():
    """Before-request hook: sign-in redirect for anonymous users, 403 for the wrong role."""
    if request.endpoint is None:
        return None  # no such route: the 404 handler answers
    rule = rule_for(request.endpoint)
    if rule is None:
        abort(403)  # fail closed; create_app should already have refused to start
    if rule.public or rule.allows(current_user):
        return None
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    raise Refused(rule.refusal(current_user))


class Refused(Forbidden):
    """403, in the words of the rule that refused (errors.py shows them), when it has some:
    "the queue is for the panel's chair" says more than "your account does not allow this"."""

    def __init__(self, explanation=None):
        super().__init__()
        self.explanation = explanation


def check_every_route_has_a_rule(app):
    """Refuse to start when a route was added without an access rule."""
    missing = sorted(
        endpoint
        for endpoint, view in app.view_functions.items()
        if endpoint not in ASSET_ENDPOINTS and not hasattr(view, "access_rule")
    )
    if missing:
        raise RuntimeError("Routes without an access rule: " + ", ".join(missing))
    for view in app.view_functions.values():
        action = getattr(getattr(view, "access_rule", None), "action", None)
        if action is not None:
            rule_of(action)  # a route naming an action nobody declared fails at start
