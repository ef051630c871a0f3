"""A real HTTP receiver for webhook tests: http.server in a thread on 127.0.0.1, answering each
POST with the next status it is told to (200 once the list is used up), keeping every request."""

import hashlib
import hmac
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Receiver(ThreadingHTTPServer):
    def __init__(self):
        super().__init__(("127.0.0.1", 0), _Handler)
        self.requests: list[tuple[dict[str, str], bytes]] = []
        self.statuses: list[int] = []
        self.arrived = threading.Condition()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/hooks/cosign?source=test"

    def wait(self, count: int, timeout: float = 30.0) -> bool:
        """Whether `count` requests have arrived within `timeout` seconds."""
        with self.arrived:
            return self.arrived.wait_for(lambda: len(self.requests) >= count, timeout)


class _Handler(BaseHTTPRequestHandler):
    server: Receiver

    def do_POST(self):  # noqa: N802 - http.server's name
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        status = self.server.statuses.pop(0) if self.server.statuses else 200
        self.send_response(status)
        self.send_header("Content-Type", "text/plain")
        self.end_headers()
        self.wfile.write(b"ok" if status < 300 else b"receiver says no")
        with self.server.arrived:
            self.server.requests.append((dict(self.headers), body))
            self.server.arrived.notify_all()

    def log_message(self, format, *args):
        pass


def receiver_start() -> Receiver:
    receiver = Receiver()
    threading.Thread(target=receiver.serve_forever, daemon=True).start()
    return receiver


def receiver_stop(receiver: Receiver) -> None:
    receiver.shutdown()
    receiver.server_close()


def signature_verifies(headers: dict[str, str], body: bytes, secret: str) -> bool:
    """The check the webhooks page shows a receiver: HMAC-SHA256 of "<t>.<body>" by the secret."""
    parts = dict(item.split("=", 1) for item in headers["Cosign-Signature"].split(","))
    expected = hmac.new(secret.encode(), f"{parts['t']}.".encode() + body, hashlib.sha256)
    return parts["t"] == headers["Cosign-Timestamp"] and hmac.compare_digest(
        expected.hexdigest(), parts["v1"]
    )
