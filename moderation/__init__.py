"""Threshold moderation: the Flask application factory."""

import os

from flask import send_from_directory
from jinja2 import ChoiceLoader, FileSystemLoader, PackageLoader, PrefixLoader
from werkzeug.middleware.proxy_fix import ProxyFix

from moderation.config import PROJECT_ROOT, config_from_environment
from moderation.extensions import csrf, db, limiter, login_manager, migrate
from moderation.web import access, boundary, errors, permissions, security, session_hooks, text

MIGRATIONS_DIR = PROJECT_ROOT / "moderation" / "migrations"
GOVUK_ASSETS_DIR = PROJECT_ROOT / "static" / "govuk" / "assets"


def create_app(config=None):
    """Build the application. `config` is a config class or mapping; the environment otherwise."""
    app = boundary.TransactionalFlask(
        __name__,
        template_folder=str(PROJECT_ROOT / "templates"),
        static_folder=str(PROJECT_ROOT / "static"),
        instance_path=str(PROJECT_ROOT / "instance"),
    )
    _load_config(app, config)
    _init_extensions(app)
    _init_templates(app)
    _register_blueprints(app)
    _register_hooks(app)
    errors.register_error_handlers(app)
    boundary.register(app)
    _register_cli(app)
    access.check_every_route_has_a_rule(app)
    return app


def _load_config(app, config):
    config = config or config_from_environment()
    if isinstance(config, dict):
        app.config.from_object(config_from_environment())
        app.config.update(config)
    else:
        config.check()
        app.config.from_object(config)
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite:///"):
        os.makedirs(app.instance_path, exist_ok=True)
    if app.config["PROXY_FIX_X_FOR"]:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=app.config["PROXY_FIX_X_FOR"], x_proto=1)


def _init_extensions(app):
    db.init_app(app)
    migrate.init_app(app, db, directory=str(MIGRATIONS_DIR))
    csrf.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)
    # The outcome figures are kept counted in the transaction of every change (its session
    # events), whichever part of the app, the scheduler or a command makes the change.
    from moderation.auth.services import load_user
    from moderation.outcomes import tallies  # noqa: F401

    login_manager.user_loader(load_user)
    login_manager.login_view = "auth.sign_in"
    login_manager.login_message = "Sign in to continue."
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"


def _init_templates(app):
    from govuk_frontend_wtf.main import WTFormsHelpers

    from moderation.web import formatting, navigation

    app.jinja_loader = ChoiceLoader(
        [
            FileSystemLoader(str(PROJECT_ROOT / "templates")),
            PrefixLoader(
                {
                    "govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja"),
                    "govuk_frontend_wtf": PackageLoader("govuk_frontend_wtf"),
                    # PDF templates and their print stylesheet (DESIGN.md §2).
                    "reports": FileSystemLoader(str(PROJECT_ROOT / "reports")),
                }
            ),
        ]
    )
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
    WTFormsHelpers(app)
    formatting.register(app)
    permissions.register(app)
    app.context_processor(navigation.template_globals)


def _register_blueprints(app):
    from moderation.actions.views import bp as actions_bp
    from moderation.admin.views import bp as admin_bp
    from moderation.auth.views import bp as auth_bp
    from moderation.disputes.documents.blueprint import bp as documents_bp
    from moderation.disputes.views import bp as disputes_bp
    from moderation.home.views import bp as home_bp
    from moderation.meeting import minutes_views, views  # noqa: F401 (their routes join bp)
    from moderation.meeting.blueprint import bp as meeting_bp
    from moderation.notifications.views import bp as notifications_bp
    from moderation.outcomes.views import bp as outcomes_bp
    from moderation.panels.views import bp as panels_bp
    from moderation.papers.views import bp as papers_bp
    from moderation.retention.subject_access.blueprint import bp as subject_access_bp
    from moderation.retention.views import bp as retention_bp
    from moderation.web.forms import IdConverter

    app.url_map.converters["int"] = IdConverter  # before any route: every <int:...> id bounded
    app.register_blueprint(auth_bp)
    app.register_blueprint(home_bp)
    app.register_blueprint(admin_bp)
    app.register_blueprint(disputes_bp)
    app.register_blueprint(documents_bp)
    app.register_blueprint(panels_bp)
    app.register_blueprint(papers_bp)
    app.register_blueprint(meeting_bp)
    app.register_blueprint(actions_bp)
    app.register_blueprint(notifications_bp)
    app.register_blueprint(outcomes_bp)
    app.register_blueprint(retention_bp)
    app.register_blueprint(subject_access_bp)
    app.add_url_rule("/assets/<path:filename>", "assets", _govuk_asset)


def _govuk_asset(filename):
    """GOV.UK Frontend's CSS expects its fonts and images under /assets."""
    return send_from_directory(GOVUK_ASSETS_DIR, filename, max_age=86400)


def _register_hooks(app):
    app.before_request(session_hooks.refuse_during_maintenance)
    # Before anything reads the address (the idle sign-out keeps it, access decides on it),
    # and for anonymous requests too.
    app.before_request(text.refuse_control_characters_in_address)
    app.before_request(session_hooks.end_idle_session)
    app.before_request(access.enforce_access)
    app.before_request(session_hooks.require_password_change)
    app.after_request(security.set_security_headers)


def _register_cli(app):
    from moderation import cli

    cli.register(app)
