"""Walk every route with every role and without credentials.

A new endpoint that forgets to name the roles it allows fails here (and answers 403 to everyone
in the meantime, because the guard denies what is not allowed).
"""

from __future__ import annotations

import uuid

import pytest
from werkzeug.routing import Rule

from app.accounts.guard import policy_for

CALLERS = (None, "driver", "officer", "finance", "admin", "device")


def _routes(app) -> list[tuple[Rule, str]]:
    return [
        (rule, method)
        for rule in app.url_map.iter_rules()
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"})
    ]


def _url(app, rule: Rule, method: str) -> str:
    """The rule's URL with a made-up value for each argument (a random UUID where one is due)."""
    values = {
        name: uuid.uuid4() if type(converter).__name__ == "UUIDConverter" else "X1"
        for name, converter in rule._converters.items()
    }
    return app.url_map.bind("localhost").build(rule.endpoint, values, method=method)


def test_every_endpoint_names_who_may_call_it(app):
    with app.test_request_context():
        undeclared = [
            f"{method} {rule.rule} ({rule.endpoint})"
            for rule, method in _routes(app)
            if policy_for(rule.endpoint, method) is None
        ]

    assert undeclared == []


@pytest.mark.parametrize("caller", CALLERS)
def test_every_endpoint_admits_exactly_its_roles(app, client, headers_for, caller):
    headers = headers_for(caller)
    wrong = []
    with app.test_request_context():
        policies = {
            (rule.rule, method): policy_for(rule.endpoint, method) for rule, method in _routes(app)
        }

    for rule, method in _routes(app):
        policy = policies[(rule.rule, method)]
        kwargs = {"json": {}} if method in ("POST", "PUT", "PATCH") else {}
        response = client.open(_url(app, rule, method), method=method, headers=headers, **kwargs)
        reason = (response.get_json(silent=True) or {}).get("reason")
        if policy.public or caller in policy.roles:
            admitted = response.status_code != 401 and reason not in (
                "role_not_allowed",
                "no_access_policy",
            )
        elif caller is None:
            admitted = response.status_code != 401
        else:
            admitted = reason != "role_not_allowed"
        if admitted != (policy.public or caller in policy.roles):
            wrong.append(f"{method} {rule.rule}: {response.status_code} {reason}")

    assert wrong == []
