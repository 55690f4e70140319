"""Content Security Policy with a per-request nonce, and the usual security headers."""

import secrets

from flask import g, request, session

CSP = (
    "default-src 'self'; "
    "script-src 'self' 'nonce-{nonce}'; "
    "style-src 'self'; "
    "img-src 'self' data:; "
    "font-src 'self'; "
    "connect-src 'self'; "
    "object-src 'none'; "
    "base-uri 'none'; "
    "form-action 'self'; "
    "frame-ancestors 'none'"
)


def csp_nonce():
    if "csp_nonce" not in g:
        g.csp_nonce = secrets.token_urlsafe(16)
    return g.csp_nonce


def set_security_headers(response):
    headers = response.headers
    headers["Content-Security-Policy"] = CSP.format(nonce=csp_nonce())
    headers["X-Content-Type-Options"] = "nosniff"
    headers["X-Frame-Options"] = "DENY"
    headers["Referrer-Policy"] = "same-origin"
    headers["Cross-Origin-Opener-Policy"] = "same-origin"
    headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=(), payment=()"
    if request.is_secure:
        headers["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
    if _signed_in_session() and request.endpoint not in ("static", "assets"):
        # Pages behind sign-in may show case detail: keep them out of shared caches and history.
        headers["Cache-Control"] = "no-store"
    return response


def _signed_in_session():
    # Read from the session cookie, not by loading the user: this runs after every response,
    # error pages included, and must not need the database (it may be what failed).
    return "_user_id" in session
