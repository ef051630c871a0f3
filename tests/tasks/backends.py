"""A mail backend for tests: fails as told, then keeps what it sends."""

from django.core.mail.backends.base import BaseEmailBackend


class FlakyBackend(BaseEmailBackend):
    """Raises the queued errors one per send, then sends into `sent`. Class-level, so that a test
    can read them after the task built its own connection."""

    errors: list[Exception] = []
    sent: list = []
    attempts = 0

    @classmethod
    def reset(cls, errors=()):
        cls.errors, cls.sent, cls.attempts = list(errors), [], 0

    def send_messages(self, email_messages):
        type(self).attempts += 1
        if self.errors:
            raise self.errors.pop(0)
        self.sent.extend(email_messages)
        return len(email_messages)
