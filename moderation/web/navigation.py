"""What every page template needs: the service navigation, the CSP nonce, names.

A menu item is shown to those who may take its page's action (its route's rule, the permission
vocabulary's `can`). A feature may show a count beside its item, such as unread notifications,
by registering it with `count_beside`: the web shell imports no feature.
"""

from flask import current_app, g, request, url_for
from flask_login import current_user

from moderation.models import Role
from moderation.web.access import rule_for
from moderation.web.security import csp_nonce

# (label, endpoint): shown to a user only if they may take the endpoint's action.
NAVIGATION = [
    ("Home", "home.index"),
    ("Panel sessions", "panels.schedule"),
    ("Panel queue", "disputes.panel_queue"),
    ("Actions", "actions.index"),
    ("Notifications", "notifications.index"),
    ("Escalation policy", "disputes.policy"),
    ("Retention", "retention.schedule"),
    ("Subject access", "subject_access.search"),
    ("Agencies", "admin.agencies"),
    ("Users", "admin.users"),
    ("Audit log", "admin.audit_log"),
    ("Email outbox", "admin.outbox"),
]

# The page each role lands on after signing in.
ROLE_HOMES = {
    Role.ADMIN: "admin.home",
    Role.PARTNERSHIP_MANAGER: "home.partnership",
    Role.CHAIR: "home.chair",
    Role.PANEL_MEMBER: "home.panel_member",
    Role.CSC_MANAGER: "home.csc_manager",
    Role.REFERRER: "home.referrer",
    Role.DATA_PROTECTION_OFFICER: "home.data_protection",
}


def navigation_items():
    if not current_user.is_authenticated or current_user.must_change_password:
        return []
    return [
        {"text": _with_count(label, endpoint), "href": url_for(endpoint),
         "active": _is_active(endpoint)}
        for label, endpoint in NAVIGATION
        if rule_for(endpoint).allows(current_user)
    ]


def count_beside(app, endpoint, count):
    """Show `count(user)` new things beside the menu item of `endpoint`, like "(2 new)"."""
    app.extensions.setdefault("menu_counts", {})[endpoint] = count


MOST_SHOWN = 99  # beside a menu item, more reads "99+"


def _with_count(label, endpoint):
    count = current_app.extensions.get("menu_counts", {}).get(endpoint)
    new = count(current_user) if count else 0
    shown = f"{MOST_SHOWN}+" if new > MOST_SHOWN else new
    return f"{label} ({shown} new)" if new else label


def _is_active(endpoint):
    if request.endpoint == endpoint:
        return True
    blueprint, _, name = endpoint.partition(".")
    return (
        blueprint == "admin"
        and request.endpoint is not None
        and request.endpoint.startswith(f"admin.{name.rstrip('s')}")
    )


def template_globals():
    # Every template rendered in a request asks for these, GOV.UK form widgets included (each
    # renders its own template), so they are worked out once per request.
    if "template_globals" not in g:
        g.template_globals = _template_globals()
    return g.template_globals


def _template_globals():
    return {
        "cspNonce": csp_nonce(),
        "service_name": current_app.config["SERVICE_NAME"],
        "partnership_name": current_app.config["PARTNERSHIP_NAME"],
        "navigation_items": navigation_items(),
    }
