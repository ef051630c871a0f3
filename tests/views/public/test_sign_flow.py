"""The way from reading a letter to signing it: where the sign buttons are, what the form says
before it is sent (who signs, what is listed, which country), and how lists and counts read."""

import json
import re
import subprocess

import pytest
from django.utils.html import escape

from letters_app.exports import signatures as exports
from letters_app.exports.letter_pdf import render_letter_pdf
from letters_app.forms.public import KIND_FIELDS, SignForm
from letters_app.models import Letter, Signature, SiteSwitch
from letters_app.rendering import SIGNATORY_FIELDS, signatory_lines
from letters_app.services.deliveries import letter_finalize
from letters_app.services.letters import letter_close, letter_update
from letters_app.services.signatures import signature_confirm
from tests.exports.pdf_reading import text_of
from tests.factories import listed
from tests.views.public.signing import MP, ORGANIZATION, sign_url

pytestmark = pytest.mark.django_db


@pytest.fixture
def capture(django_capture_on_commit_callbacks, eager_tasks):
    return django_capture_on_commit_callbacks


def post(client, letter, data, capture, prefix=""):
    url = f"{prefix}/letters/{letter.slug}/sign/"  # a page leaves its language active
    with capture(execute=True):
        return client.post(url, data, REMOTE_ADDR="203.0.113.7")


def section(content: str, start: str, end: str) -> str:
    return content[content.index(start) : content.index(end, content.index(start))]


# The letter's page: the way to sign, at the top, after the letter and beside its list


def test_an_empty_list_says_be_the_first_and_offers_the_button(client, open_letter):
    content = client.get(open_letter.get_absolute_url()).content.decode()
    sign = f'href="{sign_url(open_letter)}">Sign this letter</a>'
    assert content.count(sign) == 2
    signatories = section(content, 'id="signatories"', "</section>")
    after = signatories.split("Nobody is listed yet: be the first to sign.", 1)[1]
    assert sign in after  # right after the words, under the letter
    assert content.index("</article>") < content.rindex(sign)


def test_a_listed_letter_offers_each_kind_after_its_list_and_before_a_long_one(client, all_kinds):
    listed(all_kinds, name="Early association")
    content = client.get(all_kinds.get_absolute_url()).content.decode()
    signatories = section(content, 'id="signatories"', "</section>")
    links = [(f'href="{sign_url(all_kinds)}?kind={kind}">{words}</a>')
             for kind, words in [("organization", "Sign as an organization"),
                                 ("individual", "Sign as an individual"),
                                 ("mp", "Sign as a member of parliament")]]  # fmt: skip
    for link in links:
        assert content.count(link) == 2  # at the top, and after the list
        assert signatories.index(link) > signatories.index("</ol>")

    for n in range(10):
        listed(all_kinds, name=f"Association {n}")
    content = client.get(all_kinds.get_absolute_url()).content.decode()
    signatories = section(content, 'id="signatories"', "</section>")
    for link in links:
        assert content.count(link) == 3  # and right after the letter, before the long list
        assert signatories.index(link) < signatories.index("Early association")
        assert signatories.rindex(link) > signatories.index("</ol>")


def test_a_paused_letter_says_so_where_the_buttons_were(client, open_letter, coordinator):
    letter_update(letter=open_letter, data={"signing_paused": True}, actor=coordinator)
    content = client.get(open_letter.get_absolute_url()).content.decode()
    assert "Sign this letter" not in content
    signatories = section(content, 'id="signatories"', "</section>")
    assert "Signing is paused for a moment. Please try again later." in signatories


def test_the_shared_page_holds_nothing_of_its_reader(client, open_letter):
    response = client.get(open_letter.get_absolute_url())
    assert "public" in response["Cache-Control"]
    content = response.content.decode()
    assert "csrfmiddlewaretoken" not in content
    assert not response.cookies


# Counts, written as the language of the page writes numbers


@pytest.mark.parametrize(
    ("prefix", "said"),
    [
        ("", "100,000 signatures"),
        ("/fr", "100\u202f000 signatures"),
        ("/km", "ហត្ថលេខាចំនួន 100.000"),
    ],
)
def test_counts_group_their_digits_as_the_language_does(client, open_letter, prefix, said):
    listed(open_letter, name="One association")
    Letter.objects.filter(pk=open_letter.pk).update(count_organizations=100_000)
    content = client.get(prefix + open_letter.get_absolute_url()).content.decode()
    counts = section(content, 'class="signatory-counts"', "</p>")
    assert said in counts
    assert "100000" not in counts


# The sign form


def test_the_form_names_the_letter_in_its_own_language_and_links_back(client, open_letter):
    Letter.objects.filter(pk=open_letter.pk).update(language="fr", title="Lettre & appel")
    content = client.get("/km" + sign_url(open_letter)).content.decode()
    assert '<span lang="fr">Lettre &amp; appel</span>' in content
    assert f'href="/km/letters/{open_letter.slug}/">' in content


def test_signing_as_is_a_legend_over_the_choices_and_each_kinds_fields_are_in_the_page(
    client, all_kinds
):
    content = client.get(sign_url(all_kinds), {"kind": "individual"}).content.decode()
    kind = section(content, '<fieldset class="sign-kind', "</fieldset>")
    assert "Signing as</legend>" in kind
    assert re.search(r'type="radio" name="kind" value="individual"[^>]* checked', kind)
    # The other kinds' fields are there, out of sight until chosen; what is typed stays.
    assert re.search(r'<div data-kinds="organization" hidden>\s*<div id="div_id_acronym"', content)
    assert re.search(r'<div data-kinds="mp" hidden>\s*<div id="div_id_parliament"', content)
    assert re.search(r'<div data-kinds="individual">\s*<div id="div_id_affiliation"', content)
    assert '<span data-kinds="individual mp">Full name' in content
    assert "js/sign-form.js" in content


def test_choosing_another_kind_without_javascript_keeps_what_was_typed(client, all_kinds, capture):
    typed = {**ORGANIZATION, "kind": "mp", "choose_kind": "1", "title": "Senator"}
    response = post(client, all_kinds, typed, capture)
    assert response.status_code == 200
    content = response.content.decode()
    assert re.search(r'type="radio" name="kind" value="mp"[^>]* checked', content)
    for field in ("name", "acronym", "contact_name", "email", "title"):
        assert f'value="{escape(typed[field])}"' in content, field
    assert 'name="country" value="France"' in content
    assert "This field is required." not in content
    assert Signature.objects.count() == 0


def test_the_fields_of_another_kind_are_neither_checked_nor_kept(client, all_kinds, capture):
    data = {**MP, "acronym": "x" * 500, "website": "not a site", "affiliation": "Kept out"}
    assert post(client, all_kinds, data, capture).status_code == 302
    signature = Signature.objects.get()
    assert (signature.kind, signature.acronym, signature.website) == ("mp", "", "")
    assert signature.affiliation == ""


def test_the_consent_says_what_is_listed_and_the_browser_asks_for_it(client, all_kinds):
    content = client.get(sign_url(all_kinds), {"kind": "organization"}).content.decode()
    assert re.search(r'<input type="checkbox" name="consent_public"[^>]* required', content)
    assert "I agree to be listed publicly under this letter" in content
    assert (
        '<span data-kinds="organization">Signing means being listed publicly under the letter: '
        "the list shows the organization&#x27;s name, acronym and country as typed above."
    ) in content
    assert '<span data-kinds="mp" hidden>Signing means being listed publicly' in content
    assert "Show my name on the public list" not in content


def test_the_country_is_typed_or_picked_from_names_in_the_language_of_the_page(
    client, open_letter, capture
):
    content = client.get("/fr" + sign_url(open_letter)).content.decode()
    assert re.search(r'<input type="text" name="country" list="country-names"', content)
    assert 'placeholder="Tapez pour choisir un pays"' in content
    assert '<option value="Cambodge"></option>' in content
    assert '---------</option>\n\n  <option value="AF"' not in content

    for typed in ("Cambodge", "cambodge ", "KH", "Cambodia"):
        Signature.objects.all().delete()
        response = post(client, open_letter, {**ORGANIZATION, "country": typed}, capture, "/fr")
        assert response.status_code == 302, typed
        assert Signature.objects.get().country == "KH"


def test_a_country_that_names_none_is_refused_and_kept(client, open_letter, capture):
    response = post(client, open_letter, {**ORGANIZATION, "country": "Cambdia"}, capture)
    assert response.status_code == 200
    content = response.content.decode()
    assert "Choose a country from the list." in content
    assert 'name="country" value="Cambdia"' in content
    assert Signature.objects.count() == 0


def test_a_paused_form_is_disabled_and_says_why_before_anything_is_typed(client, open_letter):
    switch = SiteSwitch.get()
    switch.signing_paused = True
    switch.save()
    content = client.get(sign_url(open_letter)).content.decode()
    assert "Signing is paused for a moment. Please try again later." in content
    assert "The form below cannot be sent until then." in content
    assert '<fieldset class="sign-form-fields" disabled aria-describedby="sign-refusal">' in (
        content
    )


def test_an_open_form_is_not_disabled(client, open_letter):
    content = client.get(sign_url(open_letter)).content.decode()
    assert '<fieldset class="sign-form-fields">' in content
    assert "disabled" not in content


# A member of parliament's line: title, chamber, party and country, in the letter's language

MP_SIGNING = {
    **MP,
    "name": "Hon. Jane Doe",
    "title": "Member of the National Assembly",
    "parliament": "National Assembly",
    "party": "",
    "country": "FR",
}


def test_a_member_of_parliament_is_listed_with_title_and_country_everywhere(
    client, all_kinds, capture
):
    assert post(client, all_kinds, MP_SIGNING, capture).status_code == 302
    signature = Signature.objects.get()
    signature_confirm(signature=signature)
    line = "Hon. Jane Doe, Member of the National Assembly, France"

    assert f'<span class="signatory-line">{line}</span>' in (
        client.get(all_kinds.get_absolute_url()).content.decode()
    )
    queryset = exports.signature_queryset(letters=[all_kinds], private=False)
    assert b"".join(exports.text_stream(queryset)).decode() == f"1. {line}\n"
    (row,) = json.loads(b"".join(exports.json_stream(queryset, exports.PUBLIC_COLUMNS)))
    assert (row["name"], row["title"], row["parliament"], row["country"]) == (
        "Hon. Jane Doe", "Member of the National Assembly", "National Assembly", "FR",
    )  # fmt: skip
    row = Signature.objects.values_list(*SIGNATORY_FIELDS).get()
    assert signatory_lines([row], all_kinds.language) == [line]  # the letter's PDF and JSON


def test_a_french_letter_lists_its_members_of_parliament_in_french(
    client, all_kinds, capture, tmp_path
):
    Letter.objects.filter(pk=all_kinds.pk).update(language="fr")
    all_kinds.refresh_from_db()
    data = {**MP_SIGNING, "title": "", "parliament": "Bundestag", "party": "Die Linke",
            "country": "DE"}  # fmt: skip
    assert post(client, all_kinds, data, capture).status_code == 302
    signature_confirm(signature=Signature.objects.get())
    line = "Hon. Jane Doe, Parlementaire, Bundestag, Die Linke, Allemagne"

    assert line in client.get(all_kinds.get_absolute_url()).content.decode()  # English pages
    queryset = exports.signature_queryset(letters=[all_kinds], private=False)
    assert b"".join(exports.text_stream(queryset)).decode() == f"1. {line}\n"
    path = tmp_path / "list.pdf"
    path.write_bytes(exports.pdf_bytes(queryset, title=all_kinds.title))
    text = subprocess.run(["pdftotext", "-raw", str(path), "-"], capture_output=True,
                          text=True, check=True).stdout  # fmt: skip
    assert f"1. {line}" in text


def test_each_kind_reads_its_fields_in_its_own_order_on_a_page_of_every_kind(all_kinds):
    for kind, fields in KIND_FIELDS.items():
        form = SignForm(letter=all_kinds, kind=kind)
        page_order = [name for name in form.fields if name in fields]
        assert page_order == fields, kind


def test_the_letter_pdf_lists_members_of_parliament_as_the_page_does(
    client, all_kinds, coordinator, capture, django_capture_on_commit_callbacks
):
    Letter.objects.filter(pk=all_kinds.pk).update(language="fr")
    all_kinds.refresh_from_db()
    untitled = {**MP_SIGNING, "email": "sok@example.org", "name": "Sok Dara", "title": "",
                "parliament": "Sénat", "party": "PPC", "country": "KH"}  # fmt: skip
    for data in (MP_SIGNING, untitled):
        assert post(client, all_kinds, data, capture).status_code == 302
    for signature in Signature.objects.order_by("pk"):
        signature_confirm(signature=signature)
    lines = [
        "Hon. Jane Doe, Member of the National Assembly, France",
        "Sok Dara, Parlementaire, Sénat, PPC, Cambodge",
    ]
    letter = letter_close(letter=all_kinds, actor=coordinator)
    with django_capture_on_commit_callbacks(execute=False):
        snapshot = letter_finalize(letter=letter, actor=coordinator)

    assert [s["line"] for s in snapshot.content["signatories"]] == lines
    text = " ".join(text_of(render_letter_pdf(snapshot)).split())
    assert f"1. {lines[0]}" in text and f"2. {lines[1]}" in text
    page = client.get(letter.get_absolute_url()).content.decode()
    for line in lines:
        assert f'<span class="signatory-line">{line}</span>' in page
