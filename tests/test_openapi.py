from __future__ import annotations

from openapi_spec_validator import validate


def test_openapi_document_lists_the_endpoints_with_auth_schemes(client):
    spec = client.get("/api/v1/openapi.json").get_json()

    assert spec["openapi"].startswith("3.")
    assert {"bearerAuth", "apiKeyAuth"} <= set(spec["components"]["securitySchemes"])
    assert "/api/v1/auth/login" in spec["paths"]
    assert "/api/v1/me/vehicles" in spec["paths"]


def test_every_operation_declares_its_security(client):
    spec = client.get("/api/v1/openapi.json").get_json()

    undeclared = [
        f"{method.upper()} {path}"
        for path, operations in spec["paths"].items()
        for method, operation in operations.items()
        if method != "parameters" and "security" not in operation
    ]

    assert undeclared == []


def test_interactive_docs_are_served_with_local_assets(client):
    page = client.get("/api/v1/docs").get_data(as_text=True)
    script = client.get("/api/v1/docs/assets/swagger-ui-bundle.js")

    assert "/api/v1/docs/assets/swagger-ui-bundle.js" in page
    assert "//cdn" not in page
    assert "unpkg" not in page
    assert script.status_code == 200


def test_the_openapi_document_is_valid_openapi_3(client):
    spec = client.get("/api/v1/openapi.json").get_json()

    validate(spec)  # raises on any violation of the OpenAPI 3 schema
