"""The request that caused a webhook event or an email is named in its delivery: X-Request-Id on the
webhook POST (a real receiver on a loopback port) and in the email's headers (a real SMTP server)."""

from __future__ import annotations

from datetime import timedelta

import requests
from sqlalchemy import select

from accelerator import clock
from accelerator.extensions import db as live_db
from accelerator.models import EmailMessage, WebhookEvent
from accelerator.services import mail, webhooks
from tests.api.conftest import policy_body
from tests.api.test_webhooks import deliver, receiver  # noqa: F401 - the receiver fixture
from tests.conftest import post_form
from tests.integration.test_mail_smtp import smtp  # noqa: F401 - the SMTP server fixture


def test_a_webhook_post_names_the_request_that_caused_it(api, live_app, live_server, insurer_key, receiver, db):  # noqa: F811
    api.register_webhook(receiver.url)
    api.report_policy(policy_body())
    with requests.post(live_server.url + "/api/v1/policies/HX-2026-000123/cancel",
                       json={"cancellation_date": "2026-06-01"}, timeout=30,
                       headers={"Authorization": f"Bearer {insurer_key}", "X-Request-Id": "cancel-req-77"}) as answer:
        assert answer.status_code == 200 and answer.headers["X-Request-Id"] == "cancel-req-77"
    db.session.rollback()
    assert db.session.execute(select(WebhookEvent.request_id)).scalar_one() == "cancel-req-77"
    assert deliver(live_app).delivered == 1
    (_, headers, _), = receiver.received
    assert headers["X-Request-Id"] == "cancel-req-77"
    assert headers["X-Accelerator-Event"] == "policy.cancelled"


def test_an_event_made_outside_a_request_is_sent_without_the_header(api, live_app, receiver, insurer, db):  # noqa: F811
    api.register_webhook(receiver.url)
    insurer_id = insurer.id
    with live_app.app_context():  # as a command or a job would (no request is being served)
        webhooks.emit(insurer_id, "claim_case.opened", {"claim_case": {"id": 1}})
        live_db.session.commit()
    db.session.rollback()
    assert db.session.execute(select(WebhookEvent.request_id)).scalar_one() is None
    assert deliver(live_app).delivered == 1
    (_, headers, _), = receiver.received
    assert "X-Request-Id" not in headers and headers["X-Accelerator-Event"] == "claim_case.opened"


def test_an_email_names_the_request_that_queued_it(client, db, smtp):  # noqa: F811
    form = {"email": "rid@shop.example", "password": "a long enough password",
            "confirm": "a long enough password", "seller_id": "RID0000001", "legal_name": "Request Id LLC"}
    answer = post_form(client, "/register", form, headers={"X-Request-Id": "register-req-5"})
    assert answer.status_code == 302 and answer.headers["X-Request-Id"] == "register-req-5"
    queued = db.session.execute(select(EmailMessage)).scalar_one()
    assert queued.request_id == "register-req-5"
    report = mail.send_pending(clock.now() + timedelta(seconds=1))
    assert report.sent == 1
    (message,) = smtp.messages
    assert message["parsed"]["X-Request-Id"] == "register-req-5"
    assert message["to"] == ["rid@shop.example"]
