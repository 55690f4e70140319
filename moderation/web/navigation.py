"""What every page template needs: service navigation by role, the CSP nonce, names."""

from flask import current_app, g, request
from flask_login import current_user

from moderation.models import Role
from moderation.web.access import rule_for
from moderation.web.security import csp_nonce

# (label, endpoint): shown to a user only if the endpoint's access rule lets them in.
NAVIGATION = [
    ("Home", "home.index"),
    ("Panel sessions", "panels.schedule"),
    ("Panel queue", "disputes.panel_queue"),
    ("Actions", "actions.index"),
    ("Notifications", "notifications.index"),
    ("Escalation policy", "disputes.policy"),
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
}


def navigation_items():
    if not current_user.is_authenticated or current_user.must_change_password:
        return []
    items = []
    for label, endpoint in NAVIGATION:
        if rule_for(endpoint).allows(current_user):
            if endpoint == "notifications.index":
                label = _with_unread(label)
            items.append({"text": label, "href": _url(endpoint), "active": _is_active(endpoint)})
    return items


def _with_unread(label):
    from moderation.notifications.services import unread_count

    unread = unread_count(current_user)
    return f"{label} ({unread} new)" if unread else label


def _url(endpoint):
    from flask import url_for

    return url_for(endpoint)


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
        "Role": Role,
    }
