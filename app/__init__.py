"""Composure: answer angry customers without making things worse."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Flask
from sqlalchemy import event

from config import BASE_DIR, INSTANCE_DIR, Config


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    app = Flask(
        __name__,
        template_folder=str(BASE_DIR / "templates"),
        instance_path=str(INSTANCE_DIR),
        instance_relative_config=True,
    )
    app.config.from_object(Config)
    if config:
        app.config.update(config)

    from app.serving import prepare as prepare_serving

    prepare_serving(app)  # a configuration production cannot trust stops start-up, named

    from app.core.clock import SystemClock

    app.extensions["composure.clock"] = app.config.get("CLOCK") or SystemClock()
    from app.web.ids import IdConverter

    # Before any blueprint: every `<int:...>` in a route is an id in the database's range.
    app.url_map.converters["int"] = IdConverter

    register_extensions(app)
    register_language(app)
    register_blueprints(app)
    register_errorhandlers(app)
    register_commands(app)
    from app.serving import finish as finish_serving

    finish_serving(app)  # /healthz, rate limits, 413 and 429 answers

    from app.services import imports_run_by, webhook_adapter, workflow_defaults
    from app.web.filters import register_template_filters
    from app.web.headers import register_security_headers

    register_template_filters(app)
    register_security_headers(app)
    workflow_defaults(app.config)  # a mistake in the workflow settings stops start-up, named
    webhook_adapter(app.config)  # so does a webhook address nobody may choose (README "Workers")
    imports_run_by(app.config)
    return app


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    # WAL lets the inbox read while an import writes; foreign keys are off by default.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _sqlite_savepoint_in_transaction(connection, _name) -> None:
    """pysqlite opens a transaction only before a write, so a SAVEPOINT issued first would
    open a transaction of its own, and its RELEASE would commit it, out of the caller's
    hands. Open the caller's transaction first, so a savepoint nests as it does elsewhere.

    IMMEDIATE: the transaction takes the write lock now, waiting up to busy_timeout. A
    deferred one reads first and then cannot write if another connection committed
    meanwhile ("database is locked" at once, busy_timeout or not: bench/load.py's
    publishes hit it with 20 clients)."""
    dbapi_connection = connection.connection.dbapi_connection
    if not dbapi_connection.in_transaction:
        dbapi_connection.execute("BEGIN IMMEDIATE")


def register_extensions(app: Flask) -> None:
    from flask_babel import lazy_gettext

    from app import models  # noqa: F401  (every table known before migrations compare)
    from app.audit import log as audit_log
    from app.extensions import api, csrf, db, login_manager, migrate

    db.init_app(app)
    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            event.listen(db.engine, "connect", _sqlite_pragmas)
            event.listen(db.engine, "savepoint", _sqlite_savepoint_in_transaction)
        # The audit chain's key, built once from config; record() finds it by the engine.
        audit_log.bind_keyring(db.engine, audit_log.Keyring.from_config(app.config))
    migrate.init_app(
        app, db, directory=str(BASE_DIR / "migrations"), render_as_batch=True, compare_type=True
    )
    csrf.init_app(app)
    from app.web.language import register_language_selection

    register_language_selection(app)  # Flask-Babel: the person's language and time zone

    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = lazy_gettext("Please sign in to continue.")
    login_manager.localize_callback = str  # the message in the request's language, flashed
    login_manager.login_message_category = "info"
    login_manager.session_protection = "strong"

    @login_manager.user_loader
    def load_user(session_key: str):
        """The cookies carry a `UserSession` key: an ended session signs nobody in."""
        from app.accounts import operations
        from app.web.services import now

        user = operations.load_session(
            db.session,
            session_key,
            now=now(),
            idle_limit=app.config["REMEMBER_COOKIE_DURATION"],
        )
        if user is not None and db.session.dirty:
            db.session.commit()  # last_seen_at, at most once a minute
        return user

    api.init_app(
        app,
        spec_kwargs={
            "components": {
                "securitySchemes": {
                    "bearerAuth": {
                        "type": "http",
                        "scheme": "bearer",
                        "description": "Create one with `flask --app wsgi tokens create`.",
                    }
                }
            },
            "security": [{"bearerAuth": []}],
        },
    )


def register_language(app: Flask) -> None:
    """The rules and pipelines (once per process) and the reply template library, checked.

    A mistake in a rule or template file stops start-up with the file and line at fault.
    The rules are loaded by the first app of a process and reused by every later one.
    """
    from app import nlp
    from app.analysis import rules as analysis_rules
    from app.analysis import warm_up
    from app.drafts.response_templates import load_library
    from app.nlp import pipeline
    from app.tone import checker
    from app.tone import rules as tone_rules

    pipeline.configure(app.config["SPACY_PIPELINES"])
    nlp.check_all()
    analysis_rules.check_all()
    tone_rules.check_all()
    app.extensions["composure.templates"] = load_library(app.config["RESPONSE_TEMPLATES_DIR"])
    if app.config["ANALYSIS_WARM_UP"]:
        warm_up()
        checker.warm_up()


def register_blueprints(app: Flask) -> None:
    from app.accounts.account_views import account_blueprint
    from app.accounts.views import admin_blueprint, auth_blueprint
    from app.api import register_api
    from app.audit.views import blueprint as audit_blueprint
    from app.complaints.bulk_views import blueprint as inbox_actions_blueprint
    from app.complaints.case_views import blueprint as cases_blueprint
    from app.complaints.views import blueprint as complaints_blueprint
    from app.drafts.views import blueprint as drafts_blueprint
    from app.drafts.workflow_views import blueprint as workflow_blueprint
    from app.live.views import blueprint as live_blueprint
    from app.notifications.views import blueprint as notifications_blueprint
    from app.reports.views import blueprint as reports_blueprint
    from app.settings.market_views import blueprint as markets_blueprint
    from app.settings.views import blueprint as settings_blueprint

    app.register_blueprint(auth_blueprint)
    app.register_blueprint(account_blueprint)
    app.register_blueprint(complaints_blueprint)
    app.register_blueprint(cases_blueprint)
    app.register_blueprint(markets_blueprint)
    app.register_blueprint(inbox_actions_blueprint)
    app.register_blueprint(drafts_blueprint)
    app.register_blueprint(workflow_blueprint)
    app.register_blueprint(notifications_blueprint)
    app.register_blueprint(live_blueprint)
    app.register_blueprint(admin_blueprint)
    app.register_blueprint(settings_blueprint)
    app.register_blueprint(audit_blueprint)
    app.register_blueprint(reports_blueprint)
    register_api(app)


def register_errorhandlers(app: Flask) -> None:
    from app.web.errors import register_error_handlers

    register_error_handlers(app)


def register_commands(app: Flask) -> None:
    from app.cli import register_cli

    register_cli(app)
