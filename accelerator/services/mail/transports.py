"""The transports: the mail folder (.eml files) and SMTP, open_transport to pick one, PermanentFailure."""

from __future__ import annotations

import os
import smtplib
import ssl
import tempfile
from email.message import EmailMessage as MimeMessage
from pathlib import Path

from flask import current_app


class PermanentFailure(Exception):
    """The server refused the message for good (5xx for its recipient or content): do not retry."""


# --- transports ---------------------------------------------------------------------------------


class MailFolder:
    """Writes each message as <MAIL_FOLDER>/<id>-<kind>.eml (atomically, so a reader never sees half)."""

    def __init__(self, folder: str):
        self.folder = Path(folder)

    def send(self, mime: MimeMessage, name: str) -> None:
        """Write one message."""
        self.folder.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=self.folder, prefix=".tmp-", suffix=".eml")
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(mime.as_bytes())
            os.replace(tmp, self.folder / f"{name}.eml")
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    def close(self) -> None:
        """Nothing to close."""


class SmtpTransport:
    """One SMTP connection per run, opened on first use and reopened after an error."""

    def __init__(self, config):
        self.host = config["MAIL_SERVER"]
        self.port = int(config.get("MAIL_PORT", 587))
        self.use_tls = bool(config.get("MAIL_USE_TLS", True))
        self.username = config.get("MAIL_USERNAME")
        self.password = config.get("MAIL_PASSWORD") or ""
        self.timeout = float(config.get("MAIL_TIMEOUT_SECONDS", 30))
        self.connection: smtplib.SMTP | None = None

    def _connect(self) -> smtplib.SMTP:
        connection = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
        try:
            connection.ehlo()
            if self.use_tls:
                connection.starttls(context=ssl.create_default_context())
                connection.ehlo()
            if self.username:
                connection.login(self.username, self.password)
        except BaseException:
            connection.close()
            raise
        return connection

    def send(self, mime: MimeMessage, name: str) -> None:
        """Send one message; PermanentFailure when the server refuses it for good."""
        try:
            if self.connection is None:
                self.connection = self._connect()
            self.connection.send_message(mime)
        except smtplib.SMTPRecipientsRefused as exc:
            self._drop()
            codes = [code for code, _text in exc.recipients.values()]
            if codes and all(code >= 500 for code in codes):
                raise PermanentFailure(f"recipient refused: {exc.recipients}") from exc
            raise
        except smtplib.SMTPDataError as exc:
            self._drop()
            if exc.smtp_code >= 500:
                raise PermanentFailure(f"message refused: {exc.smtp_code} {exc.smtp_error!r}") from exc
            raise
        except BaseException:
            self._drop()
            raise

    def _drop(self) -> None:
        """Forget a connection that may be broken (the next message reconnects)."""
        if self.connection is not None:
            try:
                self.connection.close()
            finally:
                self.connection = None

    def close(self) -> None:
        """Say goodbye to the server."""
        if self.connection is not None:
            try:
                self.connection.quit()
            except (smtplib.SMTPException, OSError):
                pass
            finally:
                self._drop()


def open_transport() -> MailFolder | SmtpTransport:
    """SMTP when MAIL_SERVER is set, else the mail folder."""
    config = current_app.config
    if config.get("MAIL_SERVER"):
        return SmtpTransport(config)
    folder = config.get("MAIL_FOLDER") or os.path.join(current_app.instance_path, "mail")
    return MailFolder(folder)
