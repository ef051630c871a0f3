"""Lists too big for one form: a paste past Django's limit on form fields, and a preview whose
confirmation would post back more than that, get a clear message, never a bare 400."""

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from letters_app.models import Signature

pytestmark = pytest.mark.django_db


def import_url(letter):
    return reverse("author:letter-import", kwargs={"pk": letter.pk})


def big_paste() -> str:
    line = "Association TEP NIMITH (ATN), France\n"
    return line * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE // len(line) + 10)


def test_a_paste_past_the_form_limit_is_answered_on_the_import_page(
    client_for, coordinator, open_letter
):
    response = client_for(coordinator).post(
        import_url(open_letter), {"kind": "organization", "text": big_paste()}
    )

    assert response.status_code == 413
    page = response.content.decode()
    assert "The pasted list is larger than 2.5 MB: upload it as a file" in page
    assert 'name="text"' in page and 'type="file"' in page  # the form, to upload it
    assert not Signature.objects.exists()


def test_the_page_tells_the_browser_the_limit_so_the_paste_stays_in_the_box(
    client_for, coordinator, open_letter
):
    page = client_for(coordinator).get(import_url(open_letter)).content.decode()

    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE - 64 * 1024
    assert f'data-paste-limit="{limit}"' in page
    assert "js/import-size.js" in page


def test_strangers_still_get_404_and_a_missing_csrf_token_403(stranger, coordinator, open_letter):
    client = Client(enforce_csrf_checks=True)
    client.force_login(stranger)
    assert client.post(import_url(open_letter), {"kind": "organization"}).status_code == 404
    client.force_login(coordinator)
    data = {"kind": "organization", "text": "Association TEP NIMITH, France"}
    assert client.post(import_url(open_letter), data).status_code == 403
    assert client.post(import_url(open_letter), {**data, "text": big_paste()}).status_code == 413
    assert not Signature.objects.exists()


def test_an_upload_too_large_to_confirm_in_one_form_says_so(
    client_for, coordinator, open_letter, settings
):
    rows = "".join(f"Association number {n:05d} {n * 7919 % 100003}, France\n" for n in range(3000))
    file = SimpleUploadedFile("list.csv", rows.encode(), content_type="text/csv")
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 20_000

    response = client_for(coordinator).post(
        import_url(open_letter), {"kind": "organization", "text": "", "file": file}
    )

    assert response.status_code == 200
    page = response.content.decode()
    assert "This list is too large to add at once" in page
    assert reverse("author:letter-import-confirm", kwargs={"pk": open_letter.pk}) not in page
