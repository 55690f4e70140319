"""GOV.UK-style error pages."""

from flask import render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

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
    429: ("Too many requests", "Wait a few minutes, then try again."),
    500: ("Sorry, there is a problem with the service", "Try again later."),
    503: (
        "Sorry, the service is unavailable",
        "The service is closed for maintenance. Try again later.",
    ),
}


def render_error(status, title=None, body=None):
    default_title, default_body = ERROR_PAGES.get(status, ERROR_PAGES[500])
    page = render_template(
        "errors/error.html", title=title or default_title, body=body or default_body
    )
    return page, status


def handle_http_error(error: HTTPException):
    return render_error(error.code or 500)


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
    from flask import current_app

    current_app.logger.exception("Unhandled error on %s", request.path)
    return render_error(500)


def register_error_handlers(app):
    app.register_error_handler(CSRFError, handle_csrf_error)
    app.register_error_handler(HTTPException, handle_http_error)
    app.register_error_handler(Exception, handle_unexpected_error)
