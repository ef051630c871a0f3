"""Cosign in English, French and Khmer: complete catalogues, the language a visitor gets, URLs
that keep it, the switcher, English where a catalogue lacks a string, localized country names."""

import io
import re
import shutil
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation
from django_countries import countries

BASE_DIR = Path(settings.BASE_DIR)
LANGUAGE_COOKIE = settings.LANGUAGE_COOKIE_NAME
# %(name)s, %s, %d as Python and Django templates write them; {name} as str.format does.
PERCENT = re.compile(r"%(?:\([^)]*\))?[#0 +-]?\d*(?:\.\d+)?[sdifr%]")
BRACES = re.compile(r"\{\w*\}")


@pytest.fixture(autouse=True)
def _english_outside_requests():
    # A request leaves its language active in this thread: the next test's reverse() and
    # gettext must not inherit it.
    translation.deactivate()
    yield
    translation.deactivate()


def _placeholders(text: str) -> list[str]:
    return sorted(p for p in PERCENT.findall(text) if p != "%%") + sorted(BRACES.findall(text))


def _label(message) -> str:
    msgid = message.id[0] if isinstance(message.id, tuple) else message.id
    return f"{message.context}|{msgid}" if message.context else msgid


def catalogue_problems(pot_path: Path, po_path: Path) -> list[str]:
    """Every msgid of the .pot lacking a non-fuzzy translation in the .po, and every translated
    entry of the .po whose placeholders differ from its msgid's."""
    # xgettext leaves the template's plural rule a placeholder that Babel cannot parse.
    pot = pot_path.read_bytes().replace(b"nplurals=INTEGER; plural=EXPRESSION;", b"")
    template = read_po(io.BytesIO(pot))
    with po_path.open("rb") as f:
        catalogue = read_po(f, locale=po_path.parts[-3])
    problems = []
    for wanted in template:
        if not wanted.id:
            continue
        found = catalogue.get(wanted.id, context=wanted.context)
        strings = (
            found.string
            if found and isinstance(found.string, tuple)
            else (found and (found.string,))
        )
        if not found or found.fuzzy or not strings or not all(strings):
            problems.append(f"untranslated: {_label(wanted)!r}")
    for message in catalogue:
        if not message.id or message.fuzzy or not message.string:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        expected = {tuple(_placeholders(i)) for i in ids}
        for string in strings:
            # A plural form may name the number or not ("one signatory"), never another name.
            if (
                string
                and tuple(_placeholders(string)) not in expected
                and not (len(ids) > 1 and set(_placeholders(string)) <= set().union(*expected))
            ):
                problems.append(
                    f"placeholders differ: {_label(message)!r}: {_placeholders(string)} "
                    f"instead of {sorted(expected)[0]}"
                )
    return problems


def test_every_marked_string_has_a_french_and_khmer_translation(tmp_path, settings, monkeypatch):
    if not shutil.which("xgettext"):
        pytest.skip("xgettext is not installed (Debian package gettext): cannot extract msgids")
    # Extract what the code marks today from a copy of it (makemessages writes beside any
    # locale folder it walks past), into a .pot of its own, leaving the catalogues alone.
    source = tmp_path / "source"
    for folder in ("letters_app", "templates"):
        shutil.copytree(
            BASE_DIR / folder,
            source / folder,
            ignore=shutil.ignore_patterns("locale", "__pycache__", "migrations"),
        )
    settings.LOCALE_PATHS = [tmp_path]
    monkeypatch.chdir(source)
    call_command("makemessages", all=True, keep_pot=True, verbosity=0)
    pot = tmp_path / "django.pot"
    assert pot.exists()
    problems = []
    for language in ("fr", "km"):
        po = BASE_DIR / "letters_app" / "locale" / language / "LC_MESSAGES" / "django.po"
        problems += [f"{language}: {p}" for p in catalogue_problems(pot, po)]
    assert not problems, f"{len(problems)} problems:\n" + "\n".join(problems)


PO_HEADER = 'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n'


def test_the_completeness_check_finds_missing_fuzzy_and_broken_translations(tmp_path):
    # The check above can only fail if it sees these: its own test, on a catalogue made here.
    pot = tmp_path / "django.pot"
    pot.write_text(
        PO_HEADER
        + 'msgid "Sign this letter"\nmsgstr ""\n\n'
        + 'msgid "Signed by %(name)s"\nmsgstr ""\n\n'
        + 'msgid "Open"\nmsgstr ""\n\n'
        + 'msgctxt "letter status"\nmsgid "Open"\nmsgstr ""\n\n'
        + 'msgid "%(n)s signatory"\nmsgid_plural "%(n)s signatories"\nmsgstr[0] ""\nmsgstr[1] ""\n'
    )
    po = tmp_path / "fr" / "LC_MESSAGES" / "django.po"
    po.parent.mkdir(parents=True)
    po.write_text(
        PO_HEADER
        + 'msgid "Sign this letter"\nmsgstr "Signer cette lettre"\n\n'
        + 'msgid "Signed by %(name)s"\nmsgstr "Signé par %(nom)s"\n\n'
        + '#, fuzzy\nmsgid "Open"\nmsgstr "Ouvert"\n\n'
        + 'msgid "%(n)s signatory"\nmsgid_plural "%(n)s signatories"\n'
        + 'msgstr[0] "un signataire"\nmsgstr[1] "%(n)s signataires"\n'
    )
    assert catalogue_problems(pot, po) == [
        "untranslated: 'Open'",
        "untranslated: 'letter status|Open'",
        "placeholders differ: 'Signed by %(name)s': ['%(nom)s'] instead of ('%(name)s',)",
    ]


@pytest.fixture
def page_url(open_letter):
    return reverse("public:letter-detail", kwargs={"slug": open_letter.slug})


@pytest.mark.django_db
@pytest.mark.parametrize("accept, language", [("fr-FR,fr;q=0.9,en;q=0.5", "fr"), ("km", "km")])
def test_the_browser_language_picks_french_or_khmer(client, page_url, accept, language):
    response = client.get(page_url, HTTP_ACCEPT_LANGUAGE=accept)
    assert response.status_code == 302
    assert response["Location"] == f"/{language}{page_url}"
    assert "Accept-Language" in response["Vary"]

    response = client.get(response["Location"], HTTP_ACCEPT_LANGUAGE=accept)
    assert response.status_code == 200
    assert response["Content-Language"] == language
    assert f'<html lang="{language}">' in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("accept", ["", "de-DE,de;q=0.9", "en-US,en;q=0.9"])
def test_any_other_browser_language_gets_english_at_the_same_url(client, page_url, accept):
    response = client.get(page_url, HTTP_ACCEPT_LANGUAGE=accept)
    assert response.status_code == 200
    assert response["Content-Language"] == "en"
    content = response.content.decode()
    assert '<html lang="en">' in content
    assert "Sign this letter" in content


@pytest.mark.django_db
def test_a_chosen_language_wins_over_the_browsers(client, page_url):
    client.cookies[LANGUAGE_COOKIE] = "en"
    response = client.get(page_url, HTTP_ACCEPT_LANGUAGE="fr")
    assert response.status_code == 200
    assert response["Content-Language"] == "en"


@pytest.mark.django_db
def test_a_form_posted_to_an_english_url_is_not_redirected(client, open_letter):
    # A redirect would turn the POST into a GET and lose what the signer typed.
    url = reverse("public:letter-sign", kwargs={"slug": open_letter.slug})
    response = client.post(url, {"kind": "individual"}, HTTP_ACCEPT_LANGUAGE="fr")
    assert response.status_code == 200
    assert response["Content-Language"] == "en"


@pytest.mark.django_db
@pytest.mark.parametrize("language, password_label", [("fr", "Mot de passe"), ("km", "ពាក្យសំងាត់")])
def test_prefixed_pages_are_in_their_language_and_their_links_keep_the_prefix(
    client, page_url, open_letter, language, password_label
):
    sign_url = reverse("public:letter-sign", kwargs={"slug": open_letter.slug})
    response = client.get(f"/{language}{page_url}")
    assert response.status_code == 200
    content = response.content.decode()
    assert f'<html lang="{language}">' in content
    assert f'href="/{language}{sign_url}"' in content
    assert f'href="/{language}/accounts/login/"' in content
    assert f'href="/{language}/"' in content  # the brand, to the home page

    response = client.get(f"/{language}/accounts/login/")
    content = response.content.decode()
    assert password_label in content  # Django's own catalogue, for its own form
    assert f'action="/{language}/accounts/login/"' in content


@pytest.mark.django_db
def test_the_admin_keeps_its_url_and_speaks_the_visitors_language(client, admin):
    client.force_login(admin)
    response = client.get("/admin/", HTTP_ACCEPT_LANGUAGE="fr")
    assert response.status_code == 200
    assert response["Content-Language"] == "fr"
    assert "Administration de Django" in response.content.decode() or "Déconnexion" in (
        response.content.decode()
    )
    assert client.get("/fr/admin/").status_code == 404


@pytest.mark.django_db
def test_the_switcher_changes_the_language_and_returns_to_the_same_page(client, page_url):
    content = client.get(page_url).content.decode()
    assert "csrfmiddlewaretoken" not in content  # plain links: the page holds no form to post
    for code, name in (("en", "English"), ("fr", "Français"), ("km", "ខ្មែរ")):
        assert f'href="/language/{code}/?next={page_url}" lang="{code}"' in content
        assert f">{name}</a>" in content

    response = client.get(f"/language/km/?next={page_url}")
    assert response.status_code == 302
    assert response["Location"] == f"/km{page_url}"
    assert client.cookies[LANGUAGE_COOKIE].value == "km"
    content = client.get(response["Location"]).content.decode()
    assert '<html lang="km">' in content
    for name in ("English", "Français", "ខ្មែរ"):  # each named in its own language, always
        assert f">{name}</a>" in content
    assert f'href="/language/en/?next=/km{page_url}"' in content

    # Back to English, which a Khmer browser would otherwise be sent away from: the choice wins.
    response = client.get(f"/language/en/?next=/km{page_url}")
    assert response["Location"] == page_url
    assert client.cookies[LANGUAGE_COOKIE].value == "en"
    response = client.get(page_url, HTTP_ACCEPT_LANGUAGE="km")
    assert response.status_code == 200
    assert response["Content-Language"] == "en"


@pytest.mark.django_db
def test_the_switcher_stays_on_this_site_and_is_kept_by_nobody(client, page_url):
    response = client.get("/language/fr/?next=https://evil.example/")
    assert response.status_code == 302
    assert response["Location"] == "/fr/"
    assert "no-cache" in response["Cache-Control"]  # it sets a cookie: no proxy may keep it
    response = client.get(f"/language/xx/?next={page_url}")
    assert response["Location"] == page_url
    assert client.cookies[LANGUAGE_COOKIE].value == "fr"  # unchanged by an unknown language
    response = client.get("/language/km/?next=//evil.example/letters/")
    assert response["Location"] == "/km/"


@pytest.mark.django_db
def test_a_string_missing_from_a_catalogue_falls_back_to_english(
    client, page_url, settings, tmp_path
):
    # German, with a catalogue of one string: every other string of the page stays English.
    po = tmp_path / "de" / "LC_MESSAGES" / "django.po"
    po.parent.mkdir(parents=True)
    po.write_text(
        PO_HEADER
        + 'msgid "Sign this letter"\nmsgstr "Diesen Brief unterzeichnen"\n\n'
        + 'msgid "Signatories"\nmsgstr ""\n\n'
        + '#, fuzzy\nmsgid "Skip to content"\nmsgstr "Zum Inhalt"\n'
    )
    settings.LOCALE_PATHS = [tmp_path]
    call_command("compile_catalogues", verbosity=0)
    settings.LANGUAGES = [*settings.LANGUAGES, ("de", "Deutsch")]

    response = client.get(f"/language/de/?next={page_url}")
    assert response["Location"] == f"/de{page_url}"
    response = client.get(response["Location"])
    assert response.status_code == 200
    content = response.content.decode()
    assert '<html lang="de">' in content
    assert "Diesen Brief unterzeichnen" in content
    assert "Sign this letter" not in content
    assert ">Signatories</h2>" in content  # empty in the catalogue
    assert "Skip to content" in content  # fuzzy: not trusted
    assert "Zum Inhalt" not in content


@pytest.mark.django_db
def test_country_names_in_the_sign_form_are_in_french(client, open_letter):
    url = reverse("public:letter-sign", kwargs={"slug": open_letter.slug})
    english = client.get(url).content.decode()
    assert '<option value="Cambodia"></option>' in english
    assert '<option value="Germany"></option>' in english

    french = client.get(f"/fr{url}").content.decode()
    assert '<option value="Cambodge"></option>' in french
    assert '<option value="Allemagne"></option>' in french
    assert "Cambodia" not in french


@pytest.mark.django_db
def test_the_confirmation_link_of_a_french_signer_opens_in_french(client, open_letter):
    from letters_app.emails import signature_confirmation
    from tests.factories import SignatureFactory

    signature = SignatureFactory(letter=open_letter, language="fr")
    message = signature_confirmation(signature)  # as the worker builds it, in English
    url = re.search(r"https?://\S+/confirm/", message.body).group(0)
    path = url.removeprefix(settings.SITE_URL)
    assert path.startswith(f"/fr/signatures/{signature.pk}/")
    response = client.get(path)
    assert response.status_code == 200
    assert response["Content-Language"] == "fr"


@pytest.fixture
def fresh_country_lists():
    # django-countries keeps its sorted, translated lists per language for the process: a page
    # drawn in Khmer before this test's catalogue was compiled would be read from there.
    del countries.countries
    yield
    del countries.countries


@pytest.mark.django_db
def test_country_names_in_the_sign_form_are_in_khmer_from_the_compiled_catalogue(
    client, open_letter, settings, tmp_path, fresh_country_lists
):
    # django-countries has no Khmer: compiling a Khmer catalogue adds CLDR's names to it.
    po = tmp_path / "km" / "LC_MESSAGES" / "django.po"
    po.parent.mkdir(parents=True)
    po.write_text(
        PO_HEADER
        + 'msgid "Cambodia"\nmsgstr ""\n\n'
        + 'msgid "Thailand"\nmsgstr "ព្រះរាជាណាចក្រថៃ"\n',  # a translator's own choice
        encoding="utf-8",
    )
    settings.LOCALE_PATHS = [tmp_path]
    call_command("compile_catalogues", verbosity=0)

    url = reverse("public:letter-sign", kwargs={"slug": open_letter.slug})
    content = client.get(f"/km{url}").content.decode()
    assert '<option value="កម្ពុជា"></option>' in content
    assert '<option value="បារាំង"></option>' in content
    assert '<option value="ព្រះរាជាណាចក្រថៃ"></option>' in content
    assert "Cambodia" not in content
