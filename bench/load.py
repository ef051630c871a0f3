"""A load generator for form POSTs: asyncio, raw HTTP/1.1 over loopback, no third-party client.

Each virtual user GETs the form once for its CSRF cookie and token, then POSTs the form with a
unique e-mail address per request, on a kept-alive connection where the server allows one (a
gunicorn sync worker closes it after each response; the user then reconnects).

`run_closed` keeps every user busy (throughput at saturation); `run_open` sends at a fixed rate
and times each request from when it was due, so queueing behind a slow server counts as latency.
"""

import asyncio
import math
import re
import statistics
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlencode, urlsplit

TOKEN_RE = re.compile(rb'name="csrfmiddlewaretoken" value="([^"]+)"')
TIMEOUT = 30.0


class HttpError(Exception):
    """The server's answer could not be read as HTTP/1.1."""


# What a request may fail with: counted as that request's outcome, never the end of a round.
FAILURES = (OSError, TimeoutError, ValueError, HttpError, asyncio.IncompleteReadError,
            asyncio.LimitOverrunError)  # fmt: skip


@dataclass
class Response:
    status: int
    headers: dict[str, list[str]]
    body: bytes

    def header(self, name: str) -> str:
        return (self.headers.get(name.lower()) or [""])[-1]


class HttpClient:
    """One HTTP/1.1 connection with a cookie jar, reopened whenever the server closes it."""

    def __init__(self, host: str, port: int):
        self.host, self.port = host, port
        self.cookies: dict[str, str] = {}
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None

    async def request(
        self, method: str, path: str, *, form: dict | None = None, headers: dict | None = None
    ) -> Response:
        try:
            async with asyncio.timeout(TIMEOUT):
                return await self._request(method, path, form, headers or {})
        except BaseException:
            await self.close()
            raise

    async def _request(self, method, path, form, headers) -> Response:
        if self._writer is None:
            self._reader, self._writer = await asyncio.open_connection(self.host, self.port)
        body = urlencode(form).encode() if form is not None else b""
        lines = [f"{method} {path} HTTP/1.1", f"Host: {self.host}:{self.port}"]
        if self.cookies:
            lines.append("Cookie: " + "; ".join(f"{k}={v}" for k, v in self.cookies.items()))
        if form is not None:
            lines += ["Content-Type: application/x-www-form-urlencoded"]
        if method != "GET":
            lines.append(f"Content-Length: {len(body)}")
        lines += [f"{k}: {v}" for k, v in headers.items()]
        self._writer.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body)
        response = await self._read_response(method)
        for cookie in response.headers.get("set-cookie", []):
            name, _eq, value = cookie.split(";", 1)[0].partition("=")
            self.cookies[name.strip()] = value.strip()
        if response.header("connection").lower() == "close":
            await self.close()
        return response

    async def _read_response(self, method: str) -> Response:
        head = await self._reader.readuntil(b"\r\n\r\n")
        status_line, *header_lines = head.decode("latin-1").split("\r\n")
        parts = status_line.split(" ", 2)
        if len(parts) < 2 or not parts[0].startswith("HTTP/1.") or not parts[1].isdigit():
            raise HttpError(f"not an HTTP/1.x status line: {status_line!r}")
        status = int(parts[1])
        headers: dict[str, list[str]] = {}
        for line in header_lines:
            if line:
                name, _colon, value = line.partition(":")
                headers.setdefault(name.strip().lower(), []).append(value.strip())
        response = Response(status, headers, b"")
        if method == "HEAD" or status in (204, 304) or 100 <= status < 200:
            return response
        if "chunked" in response.header("transfer-encoding").lower():
            chunks = []
            while True:
                size = int((await self._reader.readuntil(b"\r\n")).split(b";")[0], 16)
                chunks.append(await self._reader.readexactly(size + 2))
                if size == 0:
                    break
            response.body = b"".join(c[:-2] for c in chunks)
        elif response.header("content-length"):
            response.body = await self._reader.readexactly(int(response.header("content-length")))
        else:
            response.body = await self._reader.read()
            await self.close()
        return response

    async def close(self) -> None:
        writer, self._reader, self._writer = self._writer, None, None
        if writer is not None:
            writer.close()
            try:
                await writer.wait_closed()
            except OSError:
                pass


@dataclass
class Target:
    """A form to sign: where to GET it, where to POST it, and the redirect that means accepted."""

    name: str
    form_path: str
    post_path: str
    done_path: str
    fields: Callable[[int, int], dict[str, str]]  # (user, n) -> form fields, e-mail included


@dataclass
class Sample:
    started: float
    finished: float
    latency: float
    outcome: str  # "accepted", an HTTP status such as "403", or an exception's name
    email: str


@dataclass
class RoundResult:
    target: str
    mode: str  # "closed" (every user busy) or "open" (a fixed rate)
    users: int
    warmup: float
    duration: float
    rate: float | None = None  # the offered rate of an open round
    samples: list[Sample] = field(default_factory=list)
    setup_errors: Counter = field(default_factory=Counter)
    error_bodies: dict[str, str] = field(default_factory=dict)
    window: tuple[float, float] = (0.0, 0.0)
    # CPU seconds the server's processes spent over the whole round, when the caller measured it.
    app_cpu: float | None = None
    db_cpu: float | None = None

    @property
    def measured(self) -> list[Sample]:
        """Requests that finished inside the measured window (after the warm-up)."""
        start, end = self.window
        return [s for s in self.samples if start <= s.finished <= end]

    @property
    def accepted_per_second(self) -> float:
        return sum(s.outcome == "accepted" for s in self.measured) / self.duration

    def percentile(self, p: float) -> float:
        """Latency in ms at percentile p of the measured requests (nearest rank)."""
        latencies = sorted(s.latency for s in self.measured)
        if not latencies:
            return float("nan")
        rank = max(0, min(len(latencies) - 1, math.ceil(p / 100 * len(latencies)) - 1))
        return latencies[rank] * 1000

    def cpu_ms_per_post(self, seconds: float | None) -> float | None:
        return None if seconds is None or not self.samples else seconds / len(self.samples) * 1000

    @property
    def outcomes(self) -> Counter:
        return Counter(s.outcome for s in self.samples) + self.setup_errors

    @property
    def errors(self) -> int:
        """Every request of the round, warm-up included, that was not accepted."""
        return sum(n for outcome, n in self.outcomes.items() if outcome != "accepted")

    @property
    def accepted_emails(self) -> list[str]:
        return [s.email for s in self.samples if s.outcome == "accepted"]


class VirtualUser:
    def __init__(self, host: str, port: int, target: Target, number: int, result: RoundResult):
        self.client = HttpClient(host, port)
        self.target, self.number, self.result = target, number, result
        self.origin = f"http://{host}:{port}"
        self.token = ""
        self.sent = 0

    async def prepare(self) -> bool:
        """GET the form once: the CSRF cookie and the token of its hidden input."""
        try:
            response = await self.client.request("GET", self.target.form_path)
        except FAILURES as exc:
            self.result.setup_errors[f"GET {type(exc).__name__}"] += 1
            return False
        match = TOKEN_RE.search(response.body)
        if response.status != 200 or match is None or "csrftoken" not in self.client.cookies:
            self.result.setup_errors[f"GET {response.status} without a CSRF token"] += 1
            return False
        self.token = match.group(1).decode()
        return True

    async def sign(self, due: float | None = None) -> None:
        """POST the form once; latency counts from `due` when given (open rounds)."""
        self.sent += 1
        fields = self.target.fields(self.number, self.sent)
        started = time.perf_counter()
        try:
            response = await self.client.request(
                "POST",
                self.target.post_path,
                form={**fields, "csrfmiddlewaretoken": self.token},
                headers={"Origin": self.origin, "Referer": self.origin + self.target.form_path},
            )
        except FAILURES as exc:
            outcome = type(exc).__name__
        else:
            location = urlsplit(response.header("location")).path
            if response.status == 302 and location == self.target.done_path:
                outcome = "accepted"
            else:
                outcome = str(response.status)
                self.result.error_bodies.setdefault(
                    outcome, f"Location: {location} " + response.body[:300].decode(errors="replace")
                )
        finished = time.perf_counter()
        latency = finished - (started if due is None else due)
        self.result.samples.append(Sample(started, finished, latency, outcome, fields["email"]))


async def _prepare_users(host, port, target, users, result) -> list[VirtualUser]:
    candidates = [VirtualUser(host, port, target, n, result) for n in range(1, users + 1)]
    ready = await asyncio.gather(*(vu.prepare() for vu in candidates))
    return [vu for vu, ok in zip(candidates, ready, strict=True) if ok]


async def run_closed(
    host: str,
    port: int,
    target: Target,
    *,
    users: int,
    warmup: float,
    duration: float,
    on_start: Callable[[], None] = lambda: None,
) -> RoundResult:
    """Every user POSTs again as soon as its last answer came: the server's throughput.
    `on_start` is called once the users hold their tokens, just before the first POST."""
    result = RoundResult(target.name, "closed", users, warmup, duration)
    ready = await _prepare_users(host, port, target, users, result)
    on_start()
    start = time.perf_counter()
    result.window = (start + warmup, start + warmup + duration)

    async def loop(vu: VirtualUser) -> None:
        while time.perf_counter() < result.window[1]:
            await vu.sign()
        await vu.client.close()

    await asyncio.gather(*(loop(vu) for vu in ready))
    return result


async def run_open(
    host: str,
    port: int,
    target: Target,
    *,
    rate: float,
    users: int,
    warmup: float,
    duration: float,
    on_start: Callable[[], None] = lambda: None,
) -> RoundResult:
    """POSTs due at a fixed rate, each taken by the next idle user; latency from when it was
    due, so that a server falling behind shows as latency rather than as a lower rate."""
    result = RoundResult(target.name, "open", users, warmup, duration, rate=rate)
    ready = await _prepare_users(host, port, target, users, result)
    on_start()
    due_times: asyncio.Queue[float | None] = asyncio.Queue()
    start = time.perf_counter()
    result.window = (start + warmup, start + warmup + duration)

    async def ticker() -> None:
        n = 0
        while (due := start + n / rate) < result.window[1]:
            delay = due - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            due_times.put_nowait(due)
            n += 1
        for _vu in ready:
            due_times.put_nowait(None)

    async def worker(vu: VirtualUser) -> None:
        while (due := await due_times.get()) is not None:
            await vu.sign(due)
        await vu.client.close()

    await asyncio.gather(ticker(), *(worker(vu) for vu in ready))
    return result


@dataclass
class PageTiming:
    latencies: list[float] = field(default_factory=list)  # seconds
    size: int = 0  # bytes of the last answer

    @property
    def median_ms(self) -> float:
        return statistics.median(self.latencies) * 1000


async def time_gets(
    host: str, port: int, paths: list[str], *, rounds: int, cookies: dict[str, str] | None = None
) -> dict[str, PageTiming]:
    """GET each path in turn, `rounds` times, on one connection (with `cookies`). Taking the
    paths in turn spreads any drift of the machine evenly over them."""
    client = HttpClient(host, port)
    client.cookies.update(cookies or {})
    timings = {path: PageTiming() for path in paths}
    try:
        for _round in range(rounds):
            for path in paths:
                started = time.perf_counter()
                response = await client.request("GET", path)
                timings[path].latencies.append(time.perf_counter() - started)
                timings[path].size = len(response.body)
                if response.status != 200:
                    raise HttpError(f"GET {path} answered {response.status}")
    finally:
        await client.close()
    return timings


@dataclass
class GetRound:
    """Answers to GETs of one path finished inside the measured window, by status."""

    path: str
    seconds: float
    statuses: Counter = field(default_factory=Counter)
    size: int = 0  # bytes of the last 200 answer

    @property
    def per_second(self) -> float:
        return self.statuses["200"] / self.seconds


async def run_gets(
    host: str, port: int, path: str, *, users: int, warmup: float, duration: float,
    cookies: dict[str, str] | None = None,
) -> GetRound:  # fmt: skip
    """Every user GETs `path` again and again, with `cookies` and no others (a cookie the server
    sets is not sent back): the most answers per second the server gives to readers."""
    result = GetRound(path, duration)
    start = time.perf_counter() + warmup
    end = start + duration

    async def user() -> None:
        client = HttpClient(host, port)
        try:
            while time.perf_counter() < end:
                client.cookies = dict(cookies or {})
                try:
                    response = await client.request("GET", path)
                    outcome = str(response.status)
                except FAILURES as exc:
                    outcome = type(exc).__name__
                if start <= time.perf_counter() < end:
                    result.statuses[outcome] += 1
                    if outcome == "200":
                        result.size = len(response.body)
        finally:
            await client.close()

    await asyncio.gather(*(user() for _ in range(users)))
    return result
