"""The interactive API docs, served with their own assets so they work with no internet."""

from __future__ import annotations

from flask import Blueprint, Flask, Response, send_from_directory
from flask_smorest import Api
from swagger_ui_bundle import swagger_ui_path

from app.accounts.guard import API_KEY_SCHEME, BEARER_SCHEME, public

docs_assets = Blueprint("docs_assets", __name__)


@docs_assets.get("/api/v1/docs/assets/<path:filename>")
@public
def swagger_ui_asset(filename: str) -> Response:
    return send_from_directory(swagger_ui_path, filename, max_age=86400)


def init_api_docs(app: Flask, api: Api) -> None:
    api.spec.components.security_scheme("bearerAuth", BEARER_SCHEME)
    api.spec.components.security_scheme("apiKeyAuth", API_KEY_SCHEME)
    app.register_blueprint(docs_assets)
