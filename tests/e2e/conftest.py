import os
import shutil
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in this thread; the ORM must still be usable here.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[2] / "var" / "e2e"
# Each page reports what its Content-Security-Policy blocked as a console error, besides the
# browser's own "Refused to …" line (which a page without JavaScript still logs).
CSP_REPORTER = """
document.addEventListener("securitypolicyviolation", (event) => {
  console.error(`CSP violation: ${event.effectiveDirective} blocked ${event.blockedURI || "inline"}`
    + ` in ${event.sourceFile || event.documentURI}:${event.lineNumber}: ${event.sample}`);
});
"""


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    # Debian's Chromium: nothing may download a browser; no background traffic on a closed network.
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ],
    }


@pytest.fixture
def artifacts_dir():
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


@pytest.fixture
def worker_env(smtp_server, live_server):
    # The worker mails through the test's SMTP server, with links back to the live server.
    return {
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": str(smtp_server.port),
        "SMTP_USE_TLS": "false",
        "SITE_URL": live_server.url,
    }


@pytest.fixture(autouse=True)
def csp_violations(browser, monkeypatch):
    """Every browser context the test opens, through the `page` fixture or browser.new_context(),
    watches its pages' consoles: the test fails when the policy blocked anything on any page."""
    seen: dict[str, None] = {}  # in order, once each

    def note(message):
        text = message.text
        if message.type == "error" and ("Content Security Policy" in text or "CSP " in text):
            seen[f"{message.page.url if message.page else '?'}: {text}"] = None

    def watched(*args, **kwargs):
        context = new_context(*args, **kwargs)
        context.add_init_script(CSP_REPORTER)
        context.on("console", note)
        return context

    new_context = browser.new_context
    monkeypatch.setattr(browser, "new_context", watched)
    yield seen
    if seen:
        pytest.fail("The Content-Security-Policy blocked:\n" + "\n".join(seen), pytrace=False)
