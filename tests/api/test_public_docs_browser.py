"""The API's interactive documentation (ninja's Swagger UI, from its static files) in Chromium,
under Cosign's Content-Security-Policy unchanged."""

# Debian's Chromium, and the failure of any test whose pages the CSP blocked anything on.
from tests.e2e.conftest import browser_type_launch_args, csp_violations  # noqa: F401


def test_swagger_ui_shows_the_endpoints_under_the_csp(live_server, page, transactional_db):
    page.goto(live_server.url + "/api/v1/docs/")

    page.get_by_text("Published letters").first.wait_for()
    for summary in ("One letter", "The public list of signatories", "The letter's counts"):
        assert page.get_by_text(summary, exact=True).count() == 1
