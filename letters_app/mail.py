"""Django's SMTP backend, keeping the server's reply to each message it sends.

smtplib's `sendmail` raises when the server refuses a message, but drops the reply to DATA when
it takes one: "250 2.0.0 Ok: queued as 4bX2" is what a coordinator needs to follow a letter up
with a mail server's administrator. The connection records it (smtplib's public `data`
command), and the backend hands it to each message as `message.smtp_reply`, as django-anymail
hands a provider's answer over as `message.anymail_status`."""

import smtplib
from collections.abc import Buffer, Sequence

from django.core.mail import EmailMessage
from django.core.mail.backends import smtp


class _SMTP(smtplib.SMTP):
    data_reply: tuple[int, bytes] | None = None

    def data(self, msg: Buffer | str) -> tuple[int, bytes]:
        self.data_reply = reply = super().data(msg)
        return reply


class _SMTP_SSL(_SMTP, smtplib.SMTP_SSL):  # noqa: N801 - as smtplib names it
    pass


def reply_text(code: int, words: bytes | str) -> str:
    """An SMTP reply on one line, as a server's log writes it: "550 5.1.1 mailbox unavailable"."""
    if isinstance(words, bytes):
        words = words.decode("utf-8", errors="replace")
    return " ".join(f"{code} {words}".split())


class EmailBackend(smtp.EmailBackend):
    connection: _SMTP | None

    @property
    def connection_class(self) -> type[_SMTP]:
        return _SMTP_SSL if self.use_ssl else _SMTP

    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        """As Django's, one message at a time over one connection, so that each keeps its own
        reply (`message.smtp_reply`, "" if the server's answer was not seen)."""
        opened = self.open()
        try:
            sent = 0
            for message in email_messages:
                if self.connection is not None:
                    self.connection.data_reply = None
                sent += super().send_messages([message])
                reply = self.connection.data_reply if self.connection is not None else None
                # An attribute of our own on the message, as anymail's `anymail_status`.
                message.smtp_reply = reply_text(*reply) if reply else ""  # type: ignore[attr-defined]
            return sent
        finally:
            if opened:
                self.close()
