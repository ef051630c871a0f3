"""The partners page: add organizations from a list (preview, confirm) or from earlier letters;
each persona; three languages; bad input adds nothing."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from letters_app.models import Partner, PartnerMail
from letters_app.services import partners as partner_services
from tests.factories import LetterFactory, listed
from tests.partners import partners_add

pytestmark = pytest.mark.django_db

LIST = """\
Association TEP NIMITH (ATN), France, contact@tep.example.org, fr
សមាគមនិស្សិតខ្មែរ (សនខ), Cambodia, office@khmer.example.org, km
<script>alert(1)</script>, France, xss@example.org
Broken, France, broken@@example.org
"""
RUNNERS = ["coordinator", "co_coordinator", "admin"]


def page_url(letter):
    return reverse("author:letter-partners", kwargs={"pk": letter.pk})


def confirm_url(letter):
    return reverse("author:letter-partners-confirm", kwargs={"pk": letter.pk})


@pytest.mark.parametrize("persona", RUNNERS)
def test_people_who_run_the_letter_add_partners_from_a_list(
    request, client_for, open_letter, persona
):
    client = client_for(request.getfixturevalue(persona))
    assert client.get(page_url(open_letter)).status_code == 200

    shown = client.post(page_url(open_letter), {"text": LIST})
    assert shown.status_code == 200
    body = shown.content.decode()
    assert "Not an e-mail address: “broken@@example.org”." in body
    assert "<script>alert(1)</script>" not in body
    assert not Partner.objects.exists()  # nothing before the confirmation

    payload = shown.context["confirm_form"].initial["payload"]
    done = client.post(confirm_url(open_letter), {"payload": payload})
    assert done.status_code == 302
    assert sorted(Partner.objects.values_list("email", flat=True)) == [
        "contact@tep.example.org", "office@khmer.example.org", "xss@example.org"
    ]  # fmt: skip
    listing = client.get(done["Location"]).content.decode()
    assert "3 partners added. 1 line skipped." in listing
    assert "សមាគមនិស្សិតខ្មែរ" in listing


def test_confirming_twice_adds_each_partner_once(client_for, coordinator, open_letter):
    client = client_for(coordinator)
    shown = client.post(page_url(open_letter), {"text": LIST})
    payload = shown.context["confirm_form"].initial["payload"]
    client.post(confirm_url(open_letter), {"payload": payload})
    client.post(confirm_url(open_letter), {"payload": payload})
    assert Partner.objects.filter(letter=open_letter).count() == 3


def test_an_uploaded_csv_goes_through_the_same_preview(client_for, coordinator, open_letter):
    data = "Name,Acronym,Country,E-mail,Language\nRéseau,RN,France,r@example.org,fr\n"
    upload = SimpleUploadedFile("partners.csv", data.encode(), content_type="text/csv")
    shown = client_for(coordinator).post(page_url(open_letter), {"file": upload})
    (line,) = shown.context["preview"].importable
    assert (line.name, line.email, line.language) == ("Réseau", "r@example.org", "fr")


def test_a_file_that_is_not_a_list_gets_a_message(client_for, coordinator, open_letter):
    upload = SimpleUploadedFile("partners.csv", "Name\n".encode("utf-16"))
    response = client_for(coordinator).post(page_url(open_letter), {"file": upload})
    assert "UTF-8" in response.content.decode()
    assert not Partner.objects.exists()


def test_a_preview_of_another_letter_adds_nothing(client_for, coordinator, open_letter):
    other = LetterFactory(created_by=coordinator)
    client = client_for(coordinator)
    shown = client.post(page_url(other), {"text": LIST})
    payload = shown.context["confirm_form"].initial["payload"]
    client.post(confirm_url(open_letter), {"payload": payload})
    assert not Partner.objects.exists()


def test_a_signatures_preview_is_not_taken_for_partners(client_for, coordinator, open_letter):
    client = client_for(coordinator)
    shown = client.post(
        reverse("author:letter-import", kwargs={"pk": open_letter.pk}),
        {"kind": "organization", "text": "Org, France"},
    )
    payload = shown.context["confirm_form"].initial["payload"]
    done = client.post(confirm_url(open_letter), {"payload": payload}, follow=True)
    assert "This preview cannot be read: preview the list again." in done.content.decode()
    assert not Partner.objects.exists()


def test_too_many_partners_are_refused_with_a_message(
    client_for, coordinator, open_letter, monkeypatch
):
    monkeypatch.setattr(partner_services, "MAX_PARTNERS", 2)
    client = client_for(coordinator)
    shown = client.post(page_url(open_letter), {"text": LIST})
    assert "A letter has at most 2 partners" in shown.content.decode()
    payload = shown.context["confirm_form"].initial["payload"]
    done = client.post(confirm_url(open_letter), {"payload": payload}, follow=True)
    assert "A letter has at most 2 partners" in done.content.decode()
    assert not Partner.objects.exists()


def test_organizations_from_earlier_letters_are_offered_and_added(
    client_for, coordinator, open_letter
):
    earlier = LetterFactory(created_by=coordinator, status="open", version=1)
    old = listed(earlier, email="old@example.org", name="Old Friend")
    client = client_for(coordinator)
    assert "old@example.org" in client.get(page_url(open_letter)).content.decode()
    url = reverse("author:letter-partners-earlier", kwargs={"pk": open_letter.pk})
    client.post(url, {"signatures": [str(old.pk)]})
    partner = Partner.objects.get(letter=open_letter)
    assert (partner.email, partner.source) == ("old@example.org", Partner.Source.EARLIER)


def test_a_co_coordinator_is_not_offered_the_creators_other_letters(
    client_for, coordinator, co_coordinator, open_letter
):
    earlier = LetterFactory(created_by=coordinator, status="open", version=1)
    old = listed(earlier, email="old@example.org")
    client = client_for(co_coordinator)
    assert "old@example.org" not in client.get(page_url(open_letter)).content.decode()
    url = reverse("author:letter-partners-earlier", kwargs={"pk": open_letter.pk})
    client.post(url, {"signatures": [str(old.pk)]})
    assert not Partner.objects.exists()


@pytest.mark.parametrize(
    ("language", "words"),
    [("en", "Add partners from a list"), ("fr", "Ajouter des partenaires depuis une liste"),
     ("km", "បន្ថែមដៃគូពីបញ្ជី")],
)  # fmt: skip
def test_the_page_speaks_the_persons_language(
    client_for, coordinator, open_letter, language, words
):
    with translation.override(language):
        url = page_url(open_letter)
    response = client_for(coordinator).get(url, HTTP_ACCEPT_LANGUAGE=language)
    assert words in response.content.decode()


@pytest.mark.parametrize("persona", RUNNERS)
def test_people_who_run_the_letter_invite_partners(request, client_for, coordinator, open_letter,
                                                   persona):  # fmt: skip
    partners = partners_add(open_letter, coordinator, LIST)
    client = client_for(request.getfixturevalue(persona))
    invite = reverse("author:letter-partners-invite", kwargs={"pk": open_letter.pk})
    done = client.post(invite, {"partners": [str(partners[0].pk)]}, follow=True)
    assert "1 invitation is on its way." in done.content.decode()
    assert PartnerMail.objects.count() == 1
    done = client.post(invite, {"everyone": "1"}, follow=True)
    assert "2 invitations are on their way." in done.content.decode()
    assert set(Partner.objects.values_list("status", flat=True)) == {Partner.Status.INVITED}
    assert PartnerMail.objects.count() == 3


def test_a_draft_letters_partners_are_not_invited(client_for, coordinator, letter):
    partners_add(letter, coordinator, LIST)
    invite = reverse("author:letter-partners-invite", kwargs={"pk": letter.pk})
    done = client_for(coordinator).post(invite, {"everyone": "1"}, follow=True)
    assert "Partners are invited while the letter is open for signing." in done.content.decode()
    assert not PartnerMail.objects.exists()


def test_the_funnel_counts_filters_and_dates_each_step(client_for, coordinator, open_letter):
    first, second, third = partners_add(open_letter, coordinator, LIST)
    partner_services.partners_invite(letter=open_letter, actor=coordinator)
    partner_services.partner_decline(partner=second, reason="Pas cette fois")
    partner_services.partner_open(partner=third)
    client = client_for(coordinator)

    page = client.get(page_url(open_letter))
    funnel = {value: count for value, _label, count in page.context["funnel"]}
    assert funnel == {"new": 0, "invited": 1, "mail_failed": 0, "opened": 1, "signed": 0,
                      "declined": 1, "unsubscribed": 0}  # fmt: skip
    assert "Pas cette fois" in page.content.decode()

    declined = client.get(page_url(open_letter) + "?status=declined")
    assert [p.pk for p in declined.context["partners"]] == [second.pk]
    second.refresh_from_db()
    assert second.invited_at is not None and second.declined_at is not None


def test_the_csv_export_is_formula_safe_and_keeps_khmer(client_for, coordinator, open_letter):
    partners_add(open_letter, coordinator, '=HYPERLINK("http://x"), France, f@example.org\n' + LIST)
    Partner.objects.filter(email="f@example.org").update(decline_reason="@SUM(A1)")
    url = reverse("author:letter-partners-export", kwargs={"pk": open_letter.pk})
    response = client_for(coordinator).get(url)
    assert response.status_code == 200
    assert response["Content-Disposition"].endswith('-partners.csv"')
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    header, *rows = text.splitlines()
    assert header.startswith("n,name,acronym,country,country_name,email,language,status")
    assert len(rows) == 4
    assert rows[0].startswith('1,"\'=HYPERLINK(""http://x"")"')
    assert "'@SUM(A1)" in rows[0]
    assert "សមាគមនិស្សិតខ្មែរ" in text
    filtered = client_for(coordinator).get(url + "?status=signed")
    assert b"".join(filtered.streaming_content).decode("utf-8-sig").count("\n") == 1


@pytest.mark.parametrize("persona", ["coordinator", "co_coordinator", "admin", "stranger"])
def test_only_people_who_run_the_letter_export_its_partners(
    request, client_for, coordinator, open_letter, persona
):
    partners_add(open_letter, coordinator, LIST)
    url = reverse("author:letter-partners-export", kwargs={"pk": open_letter.pk})
    response = client_for(request.getfixturevalue(persona)).get(url)
    assert response.status_code == (404 if persona == "stranger" else 200)


def test_the_partners_table_comes_in_pages_that_keep_the_filter(
    client_for, coordinator, open_letter
):
    many = "".join(f"Organization {i}, France, org{i}@example.org\n" for i in range(150))
    partners = partners_add(open_letter, coordinator, many + LIST)
    invited = [p.pk for p in partners[:150]]
    partner_services.partners_invite(letter=open_letter, actor=coordinator, partner_ids=invited)
    client = client_for(coordinator)

    first = client.get(page_url(open_letter) + "?status=invited")
    assert [p.pk for p in first.context["partners"]] == invited[:50]
    body = first.content.decode()
    assert "1–50 of 150" in body
    assert 'href="?status=invited&amp;page=2"' in body
    funnel = {value: count for value, _label, count in first.context["funnel"]}
    assert (funnel["invited"], funnel["new"]) == (150, 3)  # counted whole, not by page

    second = client.get(page_url(open_letter) + "?status=invited&page=2")
    assert [p.pk for p in second.context["partners"]] == invited[50:100]
    body = second.content.decode()
    assert "51–100 of 150" in body
    assert 'href="?status=invited&amp;page=1"' in body
    assert 'href="?status=invited&amp;page=3"' in body

    every = client.get(page_url(open_letter) + "?page=4")
    assert [p.pk for p in every.context["partners"]] == [p.pk for p in partners[150:]]


def test_the_preview_keeps_the_paste_limit_for_the_list_pasted_again(
    client_for, coordinator, open_letter, settings
):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
    with translation.override("fr"):
        url = page_url(open_letter)
    shown = client_for(coordinator).post(url, {"text": "Ligue (LI), France, li@example.org"})
    page = shown.content.decode()
    assert shown.context["preview"].importable
    assert f'data-paste-limit="{5 * 1024 * 1024 - 64 * 1024}"' in page
    assert "La liste collée dépasse 5 Mo" in page.replace("\xa0", " ")  # the paste form's warning
