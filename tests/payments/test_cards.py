from __future__ import annotations

from app.accounts.models import User
from app.db import db
from tests.conftest import bearer
from tests.test_errors import assert_error


def test_saving_a_card_starts_a_setup_intent_for_the_apps_card_form(client, driver, driver_headers):
    first = client.post("/api/v1/me/payment-methods", headers=driver_headers)
    second = client.post("/api/v1/me/payment-methods", headers=driver_headers)

    assert first.status_code == 201
    assert first.get_json()["client_secret"].startswith("seti_")
    assert first.get_json()["publishable_key"].startswith("pk_")
    assert second.get_json()["client_secret"] != first.get_json()["client_secret"]
    assert db.session.get(User, driver.id).stripe_customer_id.startswith("cus_")


def test_cards_used_to_pay_are_listed_without_their_number_and_can_be_removed(
    clock, zone, start, client, auth, stripe_app
):
    card = stripe_app.card()
    start(duration_minutes=30, payment_method_id=card)

    listed = client.get("/api/v1/me/payment-methods", headers=auth()).get_json()
    removed = client.delete(f"/api/v1/me/payment-methods/{card}", headers=auth())
    after = client.get("/api/v1/me/payment-methods", headers=auth()).get_json()

    assert listed["items"] == [
        {"id": card, "brand": "visa", "last4": "4242", "exp_month": 12, "exp_year": 2035}
    ]
    assert removed.status_code == 204
    assert after["items"] == []


def test_another_drivers_card_cannot_be_removed(clock, zone, start, client, make_user, stripe_app):
    card = stripe_app.card()
    start(duration_minutes=30, payment_method_id=card)

    response = client.delete(f"/api/v1/me/payment-methods/{card}", headers=bearer(make_user()))
    unknown = client.delete("/api/v1/me/payment-methods/pm_nope", headers=bearer(make_user()))

    assert_error(response, 404, "payment_method_not_found")
    assert_error(unknown, 404, "payment_method_not_found")


def test_a_driver_without_cards_lists_none(client, driver_headers):
    assert client.get("/api/v1/me/payment-methods", headers=driver_headers).get_json() == {
        "items": [],
        "next_cursor": None,
    }
