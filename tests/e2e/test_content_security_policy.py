"""The Content-Security-Policy in Debian's Chromium: what it blocks is caught by every e2e test
(conftest.csp_violations), and the pages whose scripts and styles moved to static files, the
admin's and the error pages work under it."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from letters_app.models import ExportJob
from tests.e2e.pages import log_in
from tests.factories import UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct horse battery staple"


def _is_violation(message) -> bool:
    return message.type == "error" and "Content Security Policy" in message.text


def test_an_injected_script_or_style_is_blocked_and_caught(
    live_server, page, open_letter, csp_violations
):
    page.goto(live_server.url + open_letter.get_absolute_url())
    with page.expect_console_message(_is_violation):
        page.evaluate("""() => {
            const script = document.createElement("script");
            script.textContent = "window.injected = true";
            document.body.append(script);
        }""")
    with page.expect_console_message(_is_violation):
        page.evaluate("""() => document.querySelector("h1").insertAdjacentHTML(
            "beforeend", '<span id="painted" style="color: rgb(255, 0, 0)">!</span>')""")

    assert page.evaluate("() => window.injected") is None
    assert page.locator("#painted").evaluate("e => getComputedStyle(e).color") != "rgb(255, 0, 0)"
    blocked = "\n".join(csp_violations)
    assert "script-src" in blocked and "style-src" in blocked
    csp_violations.clear()  # caught as it should be: this test passes


def test_the_admin_runs_its_scripts_under_the_policy(live_server, page, open_letter):
    UserFactory(username="root", password=PASSWORD, is_staff=True, is_superuser=True)
    log_in(page, live_server, "root", reverse("admin:letters_app_letter_changelist"), PASSWORD)

    expect(page.get_by_role("link", name=open_letter.title)).to_be_visible()
    page.locator("#action-toggle").check()  # admin/js/actions.js counts the chosen rows
    expect(page.locator(".action-counter")).to_contain_text("1 of 1 selected")
    page.get_by_role("link", name=open_letter.title).click()
    expect(page.locator("#letter_form")).to_be_visible()


def test_the_export_page_copies_the_list(live_server, page, open_letter, signer, coordinator):
    coordinator.set_password(PASSWORD)
    coordinator.save()
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    log_in(
        page,
        live_server,
        coordinator.username,
        reverse("staff:letter-export", args=[open_letter.pk]),
        PASSWORD,
    )

    page.get_by_role("button", name="Copy").click()

    area = page.locator("#signatures-text")
    assert signer.name in area.input_value()
    selected = area.evaluate("a => a.value.substring(a.selectionStart, a.selectionEnd)")
    assert selected == area.input_value()
    assert page.evaluate("() => navigator.clipboard.readText()") == area.input_value()


def test_a_prepared_exports_progress_bar_shows_its_share(
    live_server, page, open_letter, coordinator
):
    coordinator.set_password(PASSWORD)
    coordinator.save()
    ExportJob.objects.create(
        letter=open_letter, format="xlsx", requested_by=coordinator,
        status=ExportJob.Status.RUNNING, rows_done=2, rows_total=5,
    )  # fmt: skip
    log_in(page, live_server, coordinator.username, reverse("staff:export-jobs"), PASSWORD)

    bar = page.locator('[data-field="bar"]')
    expect(bar).to_have_attribute("style", "width: 40%;")
    track = page.locator(".progress").bounding_box()
    assert bar.bounding_box()["width"] == pytest.approx(track["width"] * 0.4, abs=2)


@pytest.mark.parametrize(("prefix", "heading"), [("", "Page not found"), ("/km", "រកមិនឃើញទំព័រ")])
def test_a_missing_page_shows_the_sites_404_page(live_server, page, settings, prefix, heading):
    settings.DEBUG = False
    response = page.goto(f"{live_server.url}{prefix}/letters/no-such-letter/")
    assert response.status == 404
    expect(page.get_by_role("heading", name=heading)).to_be_visible()
    expect(page.locator(".navbar-brand")).to_have_text("Cosign")
