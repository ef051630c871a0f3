"""A mail backend for tests: a server that fails as told, then keeps what it is sent."""

from django.core.mail.backends.base import BaseEmailBackend


class FlakyBackend(BaseEmailBackend):
    """Connecting raises the queued `refusals` one per try; sending raises the queued `errors`
    one per message (None: this one goes through), then keeps the message in `sent`. Counted on
    the class, so that a test can read them after the worker made its own connection:
    `connections` tried, `attempts` (the messages tried)."""

    errors: list[Exception] = []
    refusals: list[Exception] = []
    sent: list = []
    attempts = 0
    connections = 0
    connected = False

    @classmethod
    def reset(cls, errors=(), *, refusals=()):
        cls.errors, cls.refusals, cls.sent = list(errors), list(refusals), []
        cls.attempts = cls.connections = 0

    def open(self):
        if self.connected:
            return False
        type(self).connections += 1
        if self.refusals:
            raise self.refusals.pop(0)
        self.connected = True
        return True

    def close(self):
        self.connected = False

    def send_messages(self, email_messages):
        opened = self.open()
        try:
            type(self).attempts += 1
            error = self.errors.pop(0) if self.errors else None
            if error is not None:
                raise error
            self.sent.extend(email_messages)
            return len(email_messages)
        finally:
            if opened:
                self.close()
