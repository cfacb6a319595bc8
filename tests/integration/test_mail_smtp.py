"""The outbox over SMTP, against a real SMTP server (aiosmtpd) on a loopback port: delivery, login,
STARTTLS, retries after failures, permanent refusals, and exactly-once with two senders at once."""

from __future__ import annotations

import asyncio
import email
import email.policy
import shutil
import socket
import subprocess
import threading
from datetime import UTC, datetime, timedelta

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult
from sqlalchemy import select, update

from accelerator.extensions import db as _db
from accelerator.models import EmailMessage
from accelerator.services.mail import send_pending
from accelerator.services.reminders import queue_due_reminders
from tests.factories import make_email_message, make_policy, make_seller_user

NOW = datetime(2026, 12, 2, 7, 30, tzinfo=UTC)
LOGIN, PASSWORD = "mailer", "s3cret-pass"


def free_port() -> int:
    """A loopback port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Recorder:
    """An SMTP handler that keeps what it accepts and can refuse on demand."""

    def __init__(self):
        self.messages: list[dict] = []
        self.fail_data: list[str] = []  # answers to give to the next DATA commands, in turn
        self.refuse: dict[str, str] = {}  # recipient -> answer to RCPT
        self.delay = 0.0
        self.sessions = 0
        self.on_data = None  # called (in the server's thread) before a message is accepted

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        self.sessions += 1
        session.host_name = hostname
        return responses

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return self.refuse[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.fail_data:
            return self.fail_data.pop(0)
        if self.delay:
            await asyncio.sleep(self.delay)
        if self.on_data is not None:
            self.on_data()
        login = session.auth_data.login.decode() if session.authenticated and session.auth_data else None
        self.messages.append({"from": envelope.mail_from, "to": list(envelope.rcpt_tos), "login": login,
                              "tls": session.ssl is not None,
                              "parsed": email.message_from_bytes(envelope.content, policy=email.policy.default)})
        return "250 2.0.0 Accepted"


def authenticator(server, session, envelope, mechanism, auth_data):
    """Accept only LOGIN / PASSWORD."""
    ok = auth_data.login == LOGIN.encode() and auth_data.password == PASSWORD.encode()
    # handled=False: aiosmtpd answers the failure itself (535).
    return AuthResult(success=ok, handled=False, auth_data=auth_data if ok else None)


def configure(monkeypatch, application, port: int, **settings) -> None:
    """Point an app's mail settings at the test server."""
    values = {"MAIL_SERVER": "127.0.0.1", "MAIL_PORT": port, "MAIL_USE_TLS": False, "MAIL_USERNAME": None,
              "MAIL_PASSWORD": None, "MAIL_FROM": "Insurance Accelerator <reminders@accelerator.example>",
              "MAIL_RETRY_SECONDS": 120, "MAIL_MAX_ATTEMPTS": 4, "MAIL_TIMEOUT_SECONDS": 10,
              "SITE_URL": "https://accelerator.example"}
    values.update(settings)
    for name, value in values.items():
        monkeypatch.setitem(application.config, name, value)


@pytest.fixture()
def smtp(app, monkeypatch):
    """A real SMTP server on a loopback port (AUTH offered without TLS), the app pointed at it."""
    recorder = Recorder()
    port = free_port()
    controller = Controller(recorder, hostname="127.0.0.1", port=port, authenticator=authenticator,
                            auth_require_tls=False)
    controller.start()
    configure(monkeypatch, app, port)
    yield recorder
    controller.stop()


def reload(message_id: int) -> EmailMessage:
    """The message as stored now."""
    _db.session.expire_all()
    return _db.session.get(EmailMessage, message_id)


def test_a_reminder_is_delivered_over_smtp_with_both_parts_and_the_link(db, smtp):
    seller = make_seller_user()
    policy = make_policy(seller_id=seller.seller_id)
    assert queue_due_reminders(NOW.date()) == 1
    assert send_pending(NOW).sent == 1

    (received,) = smtp.messages
    assert received["from"] == "reminders@accelerator.example"
    assert received["to"] == [seller.email]
    assert received["login"] is None
    parsed = received["parsed"]
    assert parsed["Subject"] == f"Your policy {policy.policy_number} expires in 30 days"
    link = f"https://accelerator.example/seller/policies/{policy.id}"
    assert link in parsed.get_body(("plain",)).get_content()
    assert f'href="{link}"' in parsed.get_body(("html",)).get_content()
    message = reload(_db.session.execute(select(EmailMessage.id)).scalar_one())
    assert (message.status, message.attempts, message.sent_at) == ("sent", 1, NOW)
    assert send_pending(NOW + timedelta(days=1)).claimed == 0
    assert len(smtp.messages) == 1


def test_one_connection_carries_a_whole_batch(db, smtp):
    for _ in range(5):
        make_email_message()
    assert send_pending(NOW).sent == 5
    assert len(smtp.messages) == 5
    assert smtp.sessions == 1


def test_the_sender_logs_in_when_a_user_name_is_set(db, smtp, app, monkeypatch):
    monkeypatch.setitem(app.config, "MAIL_USERNAME", LOGIN)
    monkeypatch.setitem(app.config, "MAIL_PASSWORD", PASSWORD)
    make_email_message()
    assert send_pending(NOW).sent == 1
    assert smtp.messages[0]["login"] == LOGIN


def test_a_wrong_password_is_retried_later_and_nothing_is_delivered(db, smtp, app, monkeypatch):
    monkeypatch.setitem(app.config, "MAIL_USERNAME", LOGIN)
    monkeypatch.setitem(app.config, "MAIL_PASSWORD", "wrong")
    message = make_email_message()
    assert send_pending(NOW).retrying == 1
    row = reload(message.id)
    assert (row.status, row.attempts) == ("pending", 1)
    assert "SMTPAuthenticationError" in row.last_error
    assert smtp.messages == []


def test_a_temporary_refusal_is_retried_after_the_backoff_and_then_delivered_once(db, smtp):
    make_policy(seller_id=make_seller_user().seller_id)
    queue_due_reminders(NOW.date())
    message_id = _db.session.execute(select(EmailMessage.id)).scalar_one()
    smtp.fail_data.append("451 4.3.0 Mailbox busy, try again later")

    first = send_pending(NOW)
    assert (first.sent, first.retrying) == (0, 1)
    row = reload(message_id)
    assert (row.status, row.attempts) == ("pending", 1)
    assert "451" in row.last_error
    assert row.next_attempt_at == NOW + timedelta(seconds=120)
    assert send_pending(NOW + timedelta(seconds=119)).claimed == 0
    assert smtp.messages == []

    second = send_pending(NOW + timedelta(seconds=120))
    assert second.sent == 1
    row = reload(message_id)
    assert (row.status, row.attempts, row.last_error) == ("sent", 2, None)
    assert row.sent_at == NOW + timedelta(seconds=120)
    assert len(smtp.messages) == 1
    assert send_pending(NOW + timedelta(days=2)).claimed == 0
    assert len(smtp.messages) == 1


def test_after_a_failure_the_rest_of_the_batch_still_goes_out(db, smtp):
    first, second = make_email_message(), make_email_message()
    smtp.fail_data.append("421 4.7.0 Too busy, closing connection")
    report = send_pending(NOW)
    assert (report.retrying, report.sent) == (1, 1)
    assert reload(first.id).status == "pending" and reload(second.id).status == "sent"
    assert [m["to"] for m in smtp.messages] == [[second.to_address]]


def test_a_server_that_is_down_is_retried_until_the_last_attempt_then_failed(db, app, monkeypatch):
    configure(monkeypatch, app, free_port(), MAIL_MAX_ATTEMPTS=3)
    message = make_email_message()
    moment, outcomes = NOW, []
    for _ in range(3):
        report = send_pending(moment)
        outcomes.append((report.retrying, report.failed))
        moment = reload(message.id).next_attempt_at
    assert outcomes == [(1, 0), (1, 0), (0, 1)]
    row = reload(message.id)
    assert (row.status, row.attempts) == ("failed", 3)
    assert "ConnectionRefusedError" in row.last_error
    assert send_pending(NOW + timedelta(days=3)).claimed == 0


def test_a_server_that_comes_back_gets_the_message(db, app, monkeypatch):
    port = free_port()
    configure(monkeypatch, app, port)
    message = make_email_message()
    assert send_pending(NOW).retrying == 1  # nobody listens yet
    recorder = Recorder()
    controller = Controller(recorder, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        assert send_pending(reload(message.id).next_attempt_at).sent == 1
    finally:
        controller.stop()
    assert len(recorder.messages) == 1
    assert reload(message.id).attempts == 2


def test_a_recipient_refused_for_good_fails_at_once(db, smtp):
    message = make_email_message(to_address="gone@shop.example")
    smtp.refuse["gone@shop.example"] = "550 5.1.1 No such user here"
    assert send_pending(NOW).failed == 1
    row = reload(message.id)
    assert (row.status, row.attempts) == ("failed", 1)
    assert "550" in row.last_error
    assert send_pending(NOW + timedelta(days=1)).claimed == 0
    assert smtp.messages == []


def test_content_refused_for_good_fails_at_once_and_a_4xx_recipient_is_retried(db, smtp):
    refused = make_email_message()
    busy = make_email_message(to_address="busy@shop.example")
    smtp.fail_data.append("554 5.6.0 Message content rejected")
    smtp.refuse["busy@shop.example"] = "450 4.2.1 Mailbox busy"
    report = send_pending(NOW)
    assert (report.failed, report.retrying) == (1, 1)
    assert reload(refused.id).status == "failed"
    assert reload(busy.id).status == "pending"


def test_a_message_whose_lease_another_sender_took_meanwhile_is_left_to_it(db, smtp):
    first, second = make_email_message(), make_email_message()
    engine, first_to, second_id = _db.engine, first.to_address, second.id

    def steal() -> None:
        """While the first message is in transit, another sender takes over the second one's lease."""
        with engine.begin() as conn:
            conn.execute(update(EmailMessage).where(EmailMessage.id == second_id)
                         .values(claimed_by="thief/1", locked_until=NOW + timedelta(hours=1)))
        smtp.on_data = None

    smtp.on_data = steal
    report = send_pending(NOW, batch=2)
    assert (report.sent, report.skipped) == (1, 1)
    assert [m["to"] for m in smtp.messages] == [[first_to]]
    row = reload(second_id)
    assert (row.status, row.attempts, row.claimed_by) == ("pending", 0, "thief/1")


# --- STARTTLS -----------------------------------------------------------------------------------


@pytest.fixture()
def certificate(tmp_path):
    """A self-signed certificate for 127.0.0.1 and localhost, made with the openssl command."""
    if shutil.which("openssl") is None:
        pytest.skip("the openssl command is needed to make a test certificate")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                    "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
                    "-keyout", str(key), "-out", str(cert)], check=True, capture_output=True)
    return cert, key


@pytest.fixture()
def tls_smtp(app, monkeypatch, certificate):
    """An SMTP server that offers STARTTLS with the test certificate, and requires it."""
    import ssl

    cert, key = certificate
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(str(cert), str(key))
    recorder = Recorder()
    port = free_port()
    controller = Controller(recorder, hostname="127.0.0.1", port=port, tls_context=context, require_starttls=True,
                            authenticator=authenticator)
    controller.start()
    configure(monkeypatch, app, port, MAIL_USE_TLS=True, MAIL_USERNAME=LOGIN, MAIL_PASSWORD=PASSWORD)
    yield recorder
    controller.stop()


def test_starttls_with_a_trusted_certificate_delivers_after_logging_in(db, tls_smtp, certificate, monkeypatch):
    monkeypatch.setenv("SSL_CERT_FILE", str(certificate[0]))
    make_email_message()
    assert send_pending(NOW).sent == 1
    (received,) = tls_smtp.messages
    assert received["tls"] is True and received["login"] == LOGIN


def test_starttls_with_an_untrusted_certificate_sends_nothing(db, tls_smtp, monkeypatch, tmp_path):
    empty = tmp_path / "no-authorities.pem"
    empty.write_text("")
    monkeypatch.setenv("SSL_CERT_FILE", str(empty))
    monkeypatch.setenv("SSL_CERT_DIR", str(tmp_path))
    message = make_email_message()
    assert send_pending(NOW).retrying == 1
    assert "SSL" in reload(message.id).last_error
    assert tls_smtp.messages == []


# --- two senders at once ------------------------------------------------------------------------


def test_two_senders_at_once_deliver_every_message_exactly_once(db, smtp, live_app, app, monkeypatch):
    """Both senders use the served app's engine (as two cron runs would) against one database."""
    port = app.config["MAIL_PORT"]
    configure(monkeypatch, live_app, port)
    smtp.delay = 0.005
    ids = [make_email_message().id for _ in range(40)]
    _db.session.rollback()  # hold no snapshot: read what the senders wrote afterwards
    barrier = threading.Barrier(2)
    sent_by: dict[str, int] = {}
    rounds: list[int] = []
    errors: list[BaseException] = []

    def sender(name: str) -> None:
        with live_app.app_context():
            try:
                barrier.wait()
                total = 0
                while True:
                    report = send_pending(NOW, batch=3, worker_id=name)
                    total += report.sent
                    rounds.append(report.claimed)
                    if report.claimed == 0:
                        break
                sent_by[name] = total
            except BaseException as exc:  # noqa: BLE001 - collected and asserted below
                errors.append(exc)
            finally:
                _db.session.remove()

    threads = [threading.Thread(target=sender, args=(f"sender-{n}",)) for n in (1, 2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors, errors
    delivered = [m["parsed"]["Message-ID"] for m in smtp.messages]
    assert len(delivered) == 40
    assert len(set(delivered)) == 40  # no message twice
    assert sum(sent_by.values()) == 40
    assert max(rounds) <= 3  # a sender leases at most its batch
    _db.session.rollback()
    rows = _db.session.execute(select(EmailMessage).where(EmailMessage.id.in_(ids))).scalars().all()
    assert {(r.status, r.attempts) for r in rows} == {("sent", 1)}
    expected = {f"<{r.id}." for r in rows}
    assert {mid.split(".", 1)[0] + "." for mid in delivered} == expected
