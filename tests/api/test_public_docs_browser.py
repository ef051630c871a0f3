"""The API's interactive documentation (ninja's Swagger UI from its static files, in Cosign's
template) in Chromium, under Cosign's Content-Security-Policy unchanged: it lists the endpoints,
axe-core finds no serious or critical violation on them, and it calls one."""

from axe_playwright_python.sync_playwright import Axe

# Debian's Chromium, and the failure of any test whose pages the CSP blocked anything on.
from tests.e2e.conftest import browser_type_launch_args, csp_violations  # noqa: F401

FAILING_IMPACTS = {"serious", "critical"}


def test_the_docs_list_the_endpoints_and_call_one_under_the_csp(
    live_server, page, transactional_db
):
    page.goto(live_server.url + "/api/v1/docs/")

    page.get_by_text("Published letters").first.click()
    for summary in ("One letter", "The public list of signatories", "The letter's counts"):
        assert page.get_by_text(summary, exact=True).count() == 1
    assert page.locator("html").get_attribute("lang") == "en"
    # As a reader finds it, one endpoint opened. (Once a call is made, Swagger UI shows a copy
    # button with no name, which its own markup gives no way to name.)
    violations = Axe().run(page).response["violations"]
    failing = [f"{v['id']}: {v['help']}" for v in violations if v["impact"] in FAILING_IMPACTS]
    assert failing == []
    page.get_by_role("button", name="Try it out").click()
    page.get_by_role("button", name="Execute").click()
    status = page.locator(".live-responses-table tbody .response-col_status").first
    status.wait_for()
    assert status.inner_text().strip() == "200"
