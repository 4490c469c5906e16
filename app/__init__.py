"""The parking service: `create_app()` builds the Flask application."""

from __future__ import annotations

from collections.abc import Mapping

from flask import Flask
from flask_smorest import Api
from werkzeug.middleware.proxy_fix import ProxyFix

from app.config import Settings


def create_app(env: Mapping[str, str] | None = None) -> Flask:
    """Build the app from the environment (or from `env`, which tests pass)."""
    settings = Settings.from_env(env)
    app = Flask(__name__, static_folder=None)
    app.config.update(settings.flask_config())
    app.json.sort_keys = False  # type: ignore[attr-defined]  (answers keep the schema's order)

    from app.observability import configure_logging, init_observability

    if not app.testing:
        configure_logging(settings.log_level)
    if settings.trusted_proxy_count:
        hops = settings.trusted_proxy_count
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)  # type: ignore[method-assign]

    api = _init_extensions(app)
    init_observability(app)
    _init_request_pipeline(app)
    _register_blueprints(app, api)

    from app.cli import register_cli

    register_cli(app)
    return app


def _init_extensions(app: Flask) -> Api:
    from app.config import MIGRATIONS_DIR
    from app.db import db
    from app.extensions import build_api, migrate
    from app.models import all_models  # noqa: F401  (every table known to Alembic)
    from payments.gateway import init_gateway

    db.init_app(app)
    migrate.init_app(app, db, directory=str(MIGRATIONS_DIR))
    init_gateway(app)
    return build_api(app)


def _init_request_pipeline(app: Flask) -> None:
    """Order matters: body checks, then who is calling, then their rate limit."""
    from app.accounts.guard import enforce_access_policy
    from app.errors import register_error_handlers
    from app.extensions import limiter
    from app.request_checks import check_request_body

    app.before_request(check_request_body)
    app.before_request(enforce_access_policy)
    limiter.init_app(app)
    # After api.init_app, so these replace flask-smorest's own handler with the contract's shape.
    register_error_handlers(app)


def _register_blueprints(app: Flask, api: Api) -> None:
    from app.accounts import admin_routes
    from app.accounts import routes as accounts
    from app.api_docs import init_api_docs
    from app.ops_routes import blp as operations
    from app.reports import routes as reports
    from app.sessions import routes as sessions
    from enforcement import routes as enforcement
    from payments import routes as payments
    from zones import permit_routes, tariff_routes
    from zones import routes as zone_routes

    blueprints = (
        accounts.blp,
        admin_routes.blp,
        zone_routes.blp,
        tariff_routes.blp,
        permit_routes.blp,
        sessions.blp,
        payments.blp,
        reports.blp,
        enforcement.blp,
        operations,
    )
    for blueprint in blueprints:
        api.register_blueprint(blueprint)
    init_api_docs(app, api)
