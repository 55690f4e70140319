"""GOV.UK-style error pages."""

from flask import current_app, render_template, request
from flask_wtf.csrf import CSRFError
from sqlalchemy import exc as sa_exc
from werkzeug.exceptions import HTTPException

from moderation.extensions import db
from moderation.web import audit
from moderation.web.security import csp_nonce

ERROR_PAGES = {
    400: ("There was a problem with your request", "Go back and try again."),
    403: (
        "You do not have access to this page",
        "Your account does not allow this. If you need it, ask your partnership's administrator.",
    ),
    404: (
        "Page not found",
        "If you typed the web address, check it is correct. "
        "If you pasted the web address, check you copied the entire address.",
    ),
    405: ("There was a problem with your request", "Go back and try again."),
    413: (
        "The file is too big",
        "Each file you attach must be smaller than 20 MB. Go back and choose a smaller file.",
    ),
    429: ("Too many requests", "Wait a few minutes, then try again."),
    500: ("Sorry, there is a problem with the service", "Try again later."),
    503: (
        "Sorry, the service is unavailable",
        "The service is closed for maintenance. Try again later.",
    ),
}
DATABASE_UNAVAILABLE = ("Sorry, the service is unavailable", "Try again later.")


def render_error(status, title=None, body=None):
    default_title, default_body = ERROR_PAGES.get(status, ERROR_PAGES[500])
    page = render_template(
        "errors/error.html", title=title or default_title, body=body or default_body
    )
    return page, status


def render_standalone_error(status, title, body):
    """The error page without the signed-in layout, rendered without the context processors
    (they load the signed-in user and count their notifications): it needs no database."""
    template = current_app.jinja_env.get_template("errors/standalone.html")
    page = template.render(
        title=title,
        body=body,
        service_name=current_app.config["SERVICE_NAME"],
        partnership_name=current_app.config["PARTNERSHIP_NAME"],
        cspNonce=csp_nonce(),
    )
    return page, status


def _roll_back():
    """End a failed transaction, so the error page's own queries can run. Never raises: with
    the database gone, the rollback fails too, and the page must still be shown."""
    audit.discard_pending()
    try:
        db.session.rollback()
    except Exception:
        current_app.logger.warning("Rollback failed while handling an error", exc_info=True)


# psycopg reports a lost or refused connection as OperationalError, some drivers as
# InterfaceError; TimeoutError is a pool with no connection to spare.
_UNREACHABLE = (sa_exc.OperationalError, sa_exc.InterfaceError, sa_exc.TimeoutError)


def _database_unreachable(error):
    # SQLAlchemy also marks any other driver error that cost it the connection.
    return isinstance(error, _UNREACHABLE) or (
        isinstance(error, sa_exc.DBAPIError) and error.connection_invalidated
    )


def handle_database_error(error: sa_exc.SQLAlchemyError):
    if not _database_unreachable(error):
        return handle_unexpected_error(error)
    current_app.logger.error("Database unavailable on %s: %s", request.path, error)
    _roll_back()
    return render_standalone_error(503, *DATABASE_UNAVAILABLE)


def handle_http_error(error: HTTPException):
    _roll_back()
    return _render_error_safely(error.code or 500, getattr(error, "explanation", None))


def _render_error_safely(status, body=None):
    try:
        return render_error(status, body=body)
    except Exception:
        # The usual page reads the database for its navigation; never answer with a bare 500.
        current_app.logger.exception("The error page failed on %s", request.path)
        return render_standalone_error(status, *ERROR_PAGES.get(status, ERROR_PAGES[500]))


def handle_csrf_error(error: CSRFError):
    return render_error(
        400,
        "Your form could not be sent",
        "This can happen if the page was open for a long time or you signed out. "
        "Go back, reload the page and try again.",
    )


def handle_unexpected_error(error):
    if isinstance(error, HTTPException):
        return handle_http_error(error)
    current_app.logger.exception("Unhandled error on %s", request.path)
    _roll_back()  # a failed flush leaves the session unusable until rolled back
    return _render_error_safely(500)


def register_error_handlers(app):
    app.register_error_handler(CSRFError, handle_csrf_error)
    app.register_error_handler(HTTPException, handle_http_error)
    app.register_error_handler(sa_exc.SQLAlchemyError, handle_database_error)
    app.register_error_handler(Exception, handle_unexpected_error)
