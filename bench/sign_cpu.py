"""Server time of one sign POST, in this process: Django's WSGI handler with the bench's
settings (bench/settings.py, DEBUG off, the rate limits' cache and Celery's broker on Redis),
called as gunicorn calls it, with the same form the load generator posts. No network, no
gunicorn: what is left is the application's own CPU time, steady enough to compare two versions
of the code on a busy machine.

    .venv/bin/python bench/sign_cpu.py                  # CPU ms per POST, baseline and Cosign
    .venv/bin/python bench/sign_cpu.py --cprofile 30    # and where Cosign's time goes

It sets up and drops its own database as the bench does (bench/run.py's run_alone)."""

import argparse
import cProfile
import io
import pstats
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
if not __package__:
    sys.path[:1] = [str(ROOT)]

from bench import load, run  # noqa: E402


def wsgi_call(app, method: str, path: str, body: bytes = b"", cookie: str = ""):
    environ = {
        "REQUEST_METHOD": method, "PATH_INFO": path, "QUERY_STRING": "",
        "SERVER_NAME": run.HOST, "SERVER_PORT": "80", "HTTP_HOST": run.HOST,
        "REMOTE_ADDR": run.HOST, "SERVER_PROTOCOL": "HTTP/1.1", "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(body), "wsgi.errors": sys.stderr,
        "CONTENT_LENGTH": str(len(body)), "HTTP_COOKIE": cookie,
        "CONTENT_TYPE": "application/x-www-form-urlencoded" if body else "",
    }  # fmt: skip
    answer = {}

    def start_response(status, headers):
        answer["status"], answer["headers"] = int(status.split()[0]), headers

    response = app(environ, start_response)
    content = b"".join(response)
    response.close()
    return answer["status"], answer["headers"], content


def cpu_per_post(
    app, name: str, form_path: str, post_path: str, requests: int, profiler=None, tag="profile"
):
    """CPU ms of one POST, over `requests` POSTs after a warm-up, each with its own e-mail: a
    new `tag` for each call on the same database, or they all sign again (a duplicate)."""
    status, headers, content = wsgi_call(app, "GET", form_path)
    token = load.TOKEN_RE.search(content)
    if status != 200 or token is None:
        raise run.BenchError(f"GET {form_path}: {status}, no CSRF token")
    cookie = "; ".join(v.split(";")[0] for k, v in headers if k.lower() == "set-cookie")
    fields = run.signing_fields(name, tag)

    def body(n: int) -> bytes:
        return urlencode({**fields(0, n), "csrfmiddlewaretoken": token.group(1).decode()}).encode()

    for n in range(50):
        status, _headers, content = wsgi_call(app, "POST", post_path, body(n), cookie)
        if status != 302:
            raise run.BenchError(f"POST {post_path}: {status}: {run.form_errors(content.decode())}")
    bodies = [body(n) for n in range(50, 50 + requests)]
    if profiler:
        profiler.enable()
    started = time.process_time()
    for data in bodies:
        wsgi_call(app, "POST", post_path, data, cookie)
    spent = time.process_time() - started
    if profiler:
        profiler.disable()
    return spent / requests * 1000


def report(bench: run.Bench, *, requests: int, top: int) -> bool:
    from django.core.wsgi import get_wsgi_application

    from bench import data

    letters = data.letters_create(page_signatures=100, small_signatures=100)
    app = get_wsgi_application()
    sign = f"/letters/{letters.signing.slug}/sign/"
    profiler = cProfile.Profile(time.process_time) if top else None
    base = cpu_per_post(app, "baseline", "/bench/baseline/", "/bench/baseline/", requests)
    cosign = cpu_per_post(app, "Cosign", sign, sign, requests, profiler)
    bench.out(f"CPU per POST, in this process, {requests:,} POSTs each: baseline {base:.2f} ms, "
              f"Cosign {cosign:.2f} ms ({base / cosign:.2f} × as many per CPU second)")  # fmt: skip
    if profiler:
        bench.out(f"(Cosign under cProfile, which slows it; the {top} costliest, cumulative)")
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(top)
        bench.out(out.getvalue())
    return True


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--requests", type=int, default=2000, help="POSTs measured per target (2000)")
    p.add_argument("--cprofile", type=int, default=0, metavar="N", help="show N functions")
    args = p.parse_args(argv)
    bench = run.Bench(run.parse_args([]))
    return run.run_alone(
        bench, lambda b: report(b, requests=args.requests, top=args.cprofile),
        title="Sign POST, in-process",
    )  # fmt: skip


if __name__ == "__main__":
    sys.exit(main())
