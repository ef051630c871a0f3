"""Connect › Embed and share: the sites that may show a letter's sign form, the code partners
paste, in the language chosen, and a preview of the embed page."""

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils.html import escape

from letters_app.models import AuditAction, AuditEvent
from letters_app.services.embed import letter_set_embed_origins
from letters_app.services.letters import letter_update

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


def url(letter, query: str = "") -> str:
    return reverse("author:letter-embed", kwargs={"pk": letter.pk}) + query


@pytest.mark.parametrize("persona", ["coordinator", "co_coordinator", "admin"])
def test_people_who_run_the_letter_save_its_sites_normalized_and_audited(
    request, client_for, open_letter, persona
):
    user = request.getfixturevalue(persona)
    client = client_for(user)
    typed = (
        "https://Partner.Example.org/\n\n  https://ngo.example.net:443  \nhttp://localhost:8001\n"
        "https://münchen.example\n"
    )
    response = client.post(url(open_letter), {"origins": typed})
    assert response.status_code == 302
    open_letter.refresh_from_db()
    assert open_letter.embed_origin_list == [
        "https://partner.example.org", "https://ngo.example.net", "http://localhost:8001",
        "https://xn--mnchen-3ya.example",
    ]  # fmt: skip
    event = AuditEvent.objects.get(action=AuditAction.LETTER_EMBED_ORIGINS)
    assert event.actor == user
    assert event.letter == open_letter
    assert event.detail["sites_added"] == open_letter.embed_origin_list
    page = client.get(response["Location"]).content.decode()
    assert "The list of sites is saved." in page
    assert (
        "https://partner.example.org\nhttps://ngo.example.net\nhttp://localhost:8001\n"
        "https://xn--mnchen-3ya.example</textarea>" in page
    )


def test_saving_the_same_sites_again_records_nothing(client_for, coordinator, open_letter):
    client = client_for(coordinator)
    client.post(url(open_letter), {"origins": "https://partner.example.org"})
    client.post(url(open_letter), {"origins": "https://PARTNER.example.org/"})
    assert AuditEvent.objects.filter(action=AuditAction.LETTER_EMBED_ORIGINS).count() == 1


def test_the_history_tells_which_sites_came_and_went(client_for, coordinator, open_letter):
    client = client_for(coordinator)
    client.post(url(open_letter), {"origins": "https://a.example.org\nhttps://b.example.org"})
    client.post(url(open_letter), {"origins": "https://b.example.org\nhttps://c.example.org"})
    history = reverse("author:letter-history", kwargs={"pk": open_letter.pk})
    content = client.get(history).content.decode()
    assert "Changed the sites that may embed the sign form" in content
    assert "sites added: https://a.example.org, https://b.example.org" in content
    assert "sites added: https://c.example.org; sites removed: https://a.example.org" in content


@pytest.mark.parametrize(
    ("line", "message"),
    [
        (
            "http://partner.example.org",
            "the site must use https:// (plain http:// only for localhost)",
        ),
        ("https://*.example.org", "a * for several sites is not accepted"),
        ("https://partner.example.org/petition", "without a page&#x27;s path"),
        ("https://partner.example.org?x=1", "without a page&#x27;s path"),
        ("partner.example.org", "is not a site&#x27;s address: write it as https://example.org"),
        ("javascript:alert(1)", "is not a site&#x27;s address"),
        ("https://user:pw@partner.example.org", "leave out the name and password"),
        ("https://partner.example.org:99999", "is not a site&#x27;s address"),
        ("ftp://partner.example.org", "is not a site&#x27;s address"),
    ],
)
def test_a_site_that_cannot_be_listed_is_refused_with_a_clear_message(
    client_for, coordinator, open_letter, line, message
):
    typed = f"https://fine.example.org\n{line}"
    response = client_for(coordinator).post(url(open_letter), {"origins": typed})
    assert response.status_code == 200
    content = response.content.decode()
    assert message in content
    assert f"{escape(typed)}</textarea>" in content  # what was typed stays
    open_letter.refresh_from_db()
    assert open_letter.embed_origins == ""
    assert not AuditEvent.objects.filter(action=AuditAction.LETTER_EMBED_ORIGINS).exists()


def test_every_mistake_is_told_at_once(client_for, coordinator, open_letter):
    typed = "http://a.example.org\nhttps://*.b.example.org"
    content = client_for(coordinator).post(url(open_letter), {"origins": typed}).content.decode()
    assert "“http://a.example.org”: the site must use https://" in content
    assert "“https://*.b.example.org”: name each site in full" in content


def test_too_many_sites_are_refused(client_for, coordinator, open_letter):
    typed = "\n".join(f"https://site{n}.example.org" for n in range(21))
    content = client_for(coordinator).post(url(open_letter), {"origins": typed}).content.decode()
    assert "List 20 sites at most." in content


def test_a_stranger_can_neither_see_nor_change_the_sites(client_for, stranger, open_letter):
    client = client_for(stranger)
    assert client.get(url(open_letter)).status_code == 404
    response = client.post(url(open_letter), {"origins": "https://evil.example.org"})
    assert response.status_code == 404
    open_letter.refresh_from_db()
    assert open_letter.embed_origins == ""


def test_saved_sites_may_frame_the_embed_page_at_once(client_for, coordinator, open_letter, client):
    embed = f"/letters/{open_letter.slug}/embed/"
    assert "frame-ancestors 'self';" in client.get(embed)["Content-Security-Policy"] + ";"
    client_for(coordinator).post(url(open_letter), {"origins": "https://partner.example.org"})
    client.logout()
    policy = client.get(embed)["Content-Security-Policy"]
    assert "frame-ancestors 'self' https://partner.example.org" in policy


def test_the_page_gives_the_code_in_the_letters_language(client_for, coordinator, open_letter):
    content = client_for(coordinator).get(url(open_letter)).content.decode()
    slug = open_letter.slug
    assert (
        f"&lt;iframe src=&quot;http://localhost:8000/letters/{slug}/embed/&quot; "
        f"title=&quot;Sign: {escape(escape(open_letter.title))}&quot;" in content
    )
    assert f"&lt;img src=&quot;http://localhost:8000/letters/{slug}/badge.svg&quot;" in content
    assert (
        f"&lt;a href=&quot;http://localhost:8000/letters/{slug}/&quot;&gt;Read and sign" in content
    )
    assert 'data-copy-target="snippet-embed"' in content
    assert '<script src="/static/js/copy-text.js" defer></script>' in content
    # The preview frames the embed page, which Cosign itself may frame.
    assert (
        f'<iframe class="embed-preview w-100 border rounded" src="/letters/{slug}/embed/"'
        in content
    )


def test_the_code_in_french_when_the_coordinator_chooses_french(
    client_for, coordinator, open_letter
):
    content = client_for(coordinator).get(url(open_letter, "?lang=fr")).content.decode()
    slug = open_letter.slug
    assert (
        f"http://localhost:8000/fr/letters/{slug}/embed/&quot; title=&quot;Signer\u00a0:" in content
    )
    assert f"http://localhost:8000/fr/letters/{slug}/badge.svg" in content
    assert "Lire et signer" in content
    assert f'src="/fr/letters/{slug}/embed/"' in content
    assert '<option value="fr" selected>' in content


def test_a_draft_has_no_preview_yet(client_for, coordinator, letter):
    content = client_for(coordinator).get(url(letter)).content.decode()
    assert "The sign form can be shown once the letter is published." in content
    assert "embed-preview" not in content


def test_a_title_with_markup_is_escaped_in_the_code(client_for, coordinator, open_letter):
    letter_update(
        letter=open_letter, data={"title": '</textarea><script>alert(1)</script>'},
        actor=coordinator,
    )  # fmt: skip
    content = client_for(coordinator).get(url(open_letter)).content.decode()
    assert "<script>alert(1)" not in content
    assert "</textarea><script>" not in content


def test_the_admin_shows_the_sites_and_leaves_changing_them_to_this_page(
    client_for, admin, coordinator, open_letter
):
    letter_set_embed_origins(letter=open_letter, text="https://partner.example.org", actor=admin)
    change = reverse("admin:letters_app_letter_change", args=[open_letter.pk])
    content = client_for(admin).get(change).content.decode()
    assert "https://partner.example.org" in content
    assert 'name="embed_origins"' not in content
