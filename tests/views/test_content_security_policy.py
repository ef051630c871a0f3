"""Every page carries a Content-Security-Policy with a fresh nonce and refuses to be framed; no
page relies on an inline script, style element or style attribute the policy would block."""

import re
from html.parser import HTMLParser

import pytest
from django.urls import reverse

from letters_app import emails
from letters_app.services.letters import letter_update

pytestmark = pytest.mark.django_db

NONCE = re.compile(r"'nonce-([A-Za-z0-9_-]+)'")


class _Inline(HTMLParser):
    """What in a page the policy would block, given the response's nonce."""

    def __init__(self, nonce: str):
        super().__init__()
        self.nonce = nonce
        self.blocked: list[str] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if "style" in attributes:
            self.blocked.append(f"<{tag} style={attributes['style']!r}>")
        self.blocked += [f"<{tag} {name}=…>" for name in attributes if name.startswith("on")]
        inline = tag == "style" or (tag == "script" and "src" not in attributes)
        if inline and attributes.get("nonce") != self.nonce:
            self.blocked.append(f"<{tag}> without the page's nonce")


def assert_policed(response) -> None:
    assert response.status_code == 200
    policy = response.headers["Content-Security-Policy"]
    directives = dict(d.strip().split(" ", 1) for d in policy.split(";"))
    assert directives["frame-ancestors"] == "'none'"
    assert "'unsafe-inline'" not in policy
    nonce = NONCE.search(directives["script-src"])
    assert nonce, policy
    assert response.headers["X-Frame-Options"] == "DENY"
    page = _Inline(nonce.group(1))
    page.feed(response.content.decode())
    assert page.blocked == []
    # The page's own scripts carry the nonce the header names.
    assert f'nonce="{nonce.group(1)}"' in response.content.decode()


def test_a_new_nonce_for_each_response(client, open_letter):
    first = client.get(reverse("public:home")).headers["Content-Security-Policy"]
    second = client.get(reverse("public:home")).headers["Content-Security-Policy"]
    assert NONCE.search(first).group(1) != NONCE.search(second).group(1)


@pytest.mark.parametrize("prefix", ["", "/fr", "/km"])
def test_public_pages(client, open_letter, prefix):
    for url in (
        reverse("public:home"),
        open_letter.get_absolute_url(),
        reverse("public:letter-sign", args=[open_letter.slug]),
        reverse("login"),
    ):
        assert_policed(client.get(prefix + url))


def test_a_readers_page_from_the_cache_needs_no_nonce(client, open_letter):
    # Rendered once for every reader, it keeps the nonce of its first response; later responses
    # name none, and the page runs nothing that would need one.
    url = open_letter.get_absolute_url()
    assert_policed(client.get(url))
    again = client.get(url)
    policy = again.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in policy and "'nonce-" not in policy
    page = _Inline(nonce="")  # any inline script or style would be blocked
    page.feed(again.content.decode())
    assert page.blocked == []


def test_author_pages(client_for, coordinator, open_letter, signer):
    client = client_for(coordinator)
    stats = client.get(reverse("author:letter-stats", args=[open_letter.pk])).content.decode()
    assert "<svg" in stats  # the charts, drawn with classes only
    for name in (
        "author:letter-edit",
        "author:letter-recipients",
        "author:letter-signatures",
        "author:letter-stats",
        "author:letter-history",
    ):
        assert_policed(client.get(reverse(name, args=[open_letter.pk])))
    assert_policed(client.get(reverse("author:dashboard")))


def test_staff_pages(client_for, admin, open_letter):
    client = client_for(admin)
    assert_policed(client.get(reverse("staff:letter-export", args=[open_letter.pk])))
    assert_policed(client.get(reverse("staff:signatures-export")))
    assert_policed(client.get(reverse("staff:export-jobs")))


def test_admin_pages(client_for, admin, open_letter, signer):
    client = client_for(admin)
    for url in (
        reverse("admin:index"),
        reverse("admin:letters_app_letter_changelist"),
        reverse("admin:letters_app_letter_change", args=[open_letter.pk]),
        reverse("admin:letters_app_signature_changelist"),
        reverse("admin:auth_user_add"),
    ):
        assert_policed(client.get(url))


def test_admin_login_page(client):
    assert_policed(client.get(reverse("admin:login")))


def test_what_changed_is_styled_by_classes_on_pages_and_inline_in_mails(
    client_for, coordinator, open_letter, signer
):
    letter = letter_update(
        letter=open_letter, data={"title": "A new title"}, actor=coordinator,
        confirm_new_version=True,
    )  # fmt: skip
    history = client_for(coordinator).get(reverse("author:letter-history", args=[letter.pk]))
    assert_policed(history)
    assert '<del lang="en">' in history.content.decode()

    # A mail carries no stylesheet: the same fragment brings its styles along.
    signer.refresh_from_db()
    mail = emails.signature_new_version(signer)
    html = mail.alternatives[0].content
    assert '<del lang="en" style="color: #842029; background: #f8d7da">' in html
