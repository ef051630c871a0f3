"""Log records as the web log should read them (configured in settings.LOGGING)."""

import logging


class RefusalFilter(logging.Filter):
    """A refused request (any 4xx: a page not found, a private download refused, a bad Host
    header) is expected and logs one line: method, path, status and reason, without the
    traceback Django attaches to some of them. Server errors (5xx) keep theirs."""

    def filter(self, record: logging.LogRecord) -> bool:
        status = getattr(record, "status_code", None)
        request = getattr(record, "request", None)
        if status is None or not 400 <= status < 500 or request is None:
            return True
        path = _escaped(request.path)
        if record.exc_info and record.exc_info[1] is not None:
            exc = record.exc_info[1]
            reason = _escaped(f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__)
        else:
            # Django's own line, escaped already, with the path last ("Not Found: /x").
            reason = record.getMessage().removesuffix(f": {path}")
        record.msg = "%s %s %s: %s"
        record.args = (_escaped(str(request.method)), path, status, reason)
        record.exc_info = None
        record.exc_text = None
        return True


def _escaped(text: str) -> str:
    """As Django escapes what it logs: no line break or control character a visitor sent can
    forge a line of the log."""
    return text.encode("unicode_escape").decode("ascii")
