"""A new text version only when the text a reader sees changes, and what changed between two
versions, paragraph by paragraph and sentence by sentence."""

import unicodedata

import pytest
from django.core import mail
from django.core.exceptions import ValidationError

from letters_app.models import TEXT_FIELDS, AuditEvent, LetterVersion, SignerMail
from letters_app.services.letters import letter_create, letter_update, translation_save
from letters_app.text import Change, text_diff, text_normalize
from tests.factories import LetterTemplateFactory
from tests.translations import FRENCH, translate

pytestmark = pytest.mark.django_db

# As a template leaves it: paragraphs separated by LF, and a newline at the end.
BODY = (
    "We, the undersigned organizations, **urge** you to act. We ask for an answer.\n\n"
    "1. First demand\n2. Second demand\n"
)
TITLE = "Lettre ouverte à l'État"


def respaced(text: str) -> dict[str, str]:
    """What a browser or another editor may send for `text` unchanged, by kind of difference."""
    return {
        "crlf": text.replace("\n", "\r\n"),
        "no final newline": text.rstrip("\n"),
        "more final newlines": text + "\r\n\r\n",
        "a space after each line": text.replace("\n", " \n"),
        "tabs and no-break spaces at line ends": text.replace("\n", "\t\u00a0\n"),
        "decomposed accents": unicodedata.normalize("NFD", text),
    }


@pytest.fixture
def signed_letter(open_letter, signer):
    """Open, its text as a template leaves it, with a confirmed signer who would be e-mailed."""
    type(open_letter).objects.filter(pk=open_letter.pk).update(body=BODY, title=TITLE)
    LetterVersion.objects.filter(letter=open_letter).update(body=BODY, title=TITLE)
    open_letter.refresh_from_db()
    return open_letter


def edits(letter) -> list[dict]:
    return list(
        AuditEvent.objects.filter(letter=letter, action="letter.edited").values_list(
            "detail", flat=True
        )
    )


@pytest.mark.parametrize("variant", respaced(BODY + TITLE).keys())
def test_a_text_only_respaced_or_recomposed_makes_no_version(
    coordinator, signed_letter, variant, django_capture_on_commit_callbacks
):
    data = {"body": respaced(BODY)[variant], "title": respaced(TITLE)[variant]}
    with django_capture_on_commit_callbacks() as callbacks:
        letter = letter_update(letter=signed_letter, data=data, actor=coordinator)

    assert letter.version == 1
    assert LetterVersion.objects.filter(letter=letter).count() == 1
    assert edits(letter) == []
    assert callbacks == []
    assert not SignerMail.objects.filter(kind=SignerMail.Kind.NEW_VERSION).exists()


@pytest.mark.parametrize("variant", respaced(BODY).keys())
def test_saving_settings_with_the_text_as_a_browser_sends_it_asks_nothing_and_mails_nobody(
    coordinator, signed_letter, variant, django_capture_on_commit_callbacks
):
    data = {
        "body": respaced(BODY)[variant],
        "title": respaced(TITLE)[variant],
        "accepts_individuals": True,
    }
    with django_capture_on_commit_callbacks() as callbacks:
        letter = letter_update(letter=signed_letter, data=data, actor=coordinator)

    letter.refresh_from_db()
    assert letter.accepts_individuals is True
    assert letter.version == 1
    assert letter.signatures.get().version == 1
    assert edits(letter) == [{"fields": ["accepts_individuals"]}]  # no "text version" in history
    assert callbacks == []
    assert not SignerMail.objects.filter(kind=SignerMail.Kind.NEW_VERSION).exists()


def test_a_real_change_among_respaced_text_still_asks_and_makes_a_version(
    coordinator, signed_letter
):
    body = respaced(BODY)["crlf"].replace("an answer", "a written answer")
    with pytest.raises(ValidationError) as caught:
        letter_update(letter=signed_letter, data={"body": body}, actor=coordinator)
    assert caught.value.code == "needs_confirmation"

    letter = letter_update(
        letter=signed_letter, data={"body": body}, actor=coordinator, confirm_new_version=True
    )
    assert letter.version == 2
    assert LetterVersion.objects.get(letter=letter, number=2).body == (
        "We, the undersigned organizations, **urge** you to act. We ask for a written answer.\n\n"
        "1. First demand\n2. Second demand"
    )


def test_a_markdown_line_break_inside_a_paragraph_is_a_change_a_reader_sees(
    coordinator, signed_letter
):
    body = BODY.replace("you to act. We", "you to act.  \nWe")
    with pytest.raises(ValidationError) as caught:
        letter_update(letter=signed_letter, data={"body": body}, actor=coordinator)
    assert caught.value.code == "needs_confirmation"
    # However many spaces make the break, it is the same break.
    assert text_normalize(body.replace("  \n", "     \r\n"), markdown=True) == text_normalize(
        body, markdown=True
    )

    letter = letter_update(
        letter=signed_letter, data={"body": body}, actor=coordinator, confirm_new_version=True
    )
    assert letter.version == 2
    assert "act.  \nWe ask" in LetterVersion.objects.get(letter=letter, number=2).body


# Two spaces that end a line before a list item, a heading, a table row or at the end of a
# block render nothing: Markdown breaks a line with them only inside a paragraph.
SPACED_BODY = (
    "We, the undersigned organizations, urge you to act.  \nWe ask for an answer.\n\n"
    "## Our demands  \n"
    "1. Release the detained;  \n2. Open an inquiry;  \n3. Report back.  \n\n"
    "| Who | When |  \n|-----|------|  \n| You | Now |  \n\n"
    "> Quoted  \n> and broken.\n\n"
    "Closing words  \n"
)


@pytest.mark.usefixtures("eager_tasks")
@pytest.mark.parametrize("removed", [True, False], ids=["spaces removed", "spaces added"])
def test_spaces_that_render_nothing_make_no_version_and_mail_nobody(
    coordinator, signed_letter, removed, django_capture_on_commit_callbacks
):
    unspaced = SPACED_BODY.replace("  \n", "\n")
    saved, edited = (SPACED_BODY, unspaced) if removed else (unspaced, SPACED_BODY)
    # Only the spaces that render nothing: those inside a paragraph or a quote break the line.
    for kept in ("act.  \nWe", "> Quoted  \n"):
        edited = edited.replace(kept.replace("  ", ""), kept)
        saved = saved.replace(kept.replace("  ", ""), kept)
    type(signed_letter).objects.filter(pk=signed_letter.pk).update(body=saved)
    LetterVersion.objects.filter(letter=signed_letter).update(body=saved)

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        letter = letter_update(letter=signed_letter, data={"body": edited}, actor=coordinator)

    assert letter.version == 1
    assert LetterVersion.objects.filter(letter=letter).count() == 1
    assert letter.signatures.get().version == 1
    assert edits(letter) == []
    assert callbacks == []
    assert not SignerMail.objects.filter(kind=SignerMail.Kind.NEW_VERSION).exists()
    assert mail.outbox == []


def test_only_the_line_breaks_a_reader_sees_are_stored():
    assert text_normalize(SPACED_BODY, markdown=True) == (
        "We, the undersigned organizations, urge you to act.  \nWe ask for an answer.\n\n"
        "## Our demands\n1. Release the detained;\n2. Open an inquiry;\n3. Report back.\n\n"
        "| Who | When |\n|-----|------|\n| You | Now |\n\n"
        "> Quoted  \n> and broken.\n\n"
        "Closing words"
    )


@pytest.mark.usefixtures("eager_tasks")
def test_a_paragraph_wrapped_onto_other_lines_is_saved_without_a_version_or_a_mail(
    coordinator, signed_letter, django_capture_on_commit_callbacks
):
    # The same words and sentences, the lines broken elsewhere: a reader sees one paragraph.
    body = BODY.replace(
        "organizations, **urge** you to act. We", "organizations,\n**urge** you\nto act.\nWe"
    )
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        letter = letter_update(letter=signed_letter, data={"body": body}, actor=coordinator)

    letter.refresh_from_db()
    assert letter.body == body.rstrip("\n")
    assert letter.version == 1
    assert LetterVersion.objects.filter(letter=letter).count() == 1
    assert letter.signatures.get().version == 1
    assert edits(letter) == [{"fields": ["body"]}]
    assert callbacks == []
    assert not SignerMail.objects.filter(kind=SignerMail.Kind.NEW_VERSION).exists()
    assert mail.outbox == []


def test_the_text_is_stored_normalized(coordinator, letter):
    letter_update(
        letter=letter,
        data={"body": "Premier  \r\nE\u0301tat \r\n\r\nSecond \r\n", "title": " Titre \t"},
        actor=coordinator,
    )
    letter.refresh_from_db()
    assert letter.body == "Premier  \nÉtat\n\nSecond"
    assert letter.title == "Titre"


def test_a_letter_starts_with_its_template_text_normalized(coordinator):
    template = LetterTemplateFactory(body="First.\r\n\r\nSecond. \n", title="Cafe\u0301")
    letter = letter_create(template=template, actor=coordinator)
    assert (letter.body, letter.title) == ("First.\n\nSecond.", "Café")


def test_a_translation_respaced_is_not_an_edit(coordinator, open_letter):
    translate(open_letter, "fr", {**FRENCH, "body": FRENCH["body"] + "\n"}, coordinator)
    for data in respaced(FRENCH["body"] + "\n").values():
        translation_save(letter=open_letter, language="fr", data={"body": data}, actor=coordinator)

    assert not AuditEvent.objects.filter(action="translation.edited").exists()
    assert open_letter.translations.get().body == FRENCH["body"]


# What changed


def Text(**parts) -> LetterVersion:  # noqa: N802 - stands for a version
    return LetterVersion(**{name: "" for name in TEXT_FIELDS} | parts)


def test_a_reworded_sentence_is_shown_alone():
    old = Text(body="One thing. Two things. Three things.\n\nAnother paragraph.")
    new = Text(body="One thing. Two other things. Three things.\n\nAnother paragraph.")
    assert text_diff(old, new) == [Change("body", ["Two things."], ["Two other things."])]


def test_paragraphs_added_and_removed_are_shown_whole():
    old = Text(body="Kept.\n\nGone, with\nits second line.\n\nKept too.")
    new = Text(body="Kept.\n\nKept too.\n\nNew at the end.")
    assert text_diff(old, new) == [
        Change("body", ["Gone, with\nits second line."], []),
        Change("body", [], ["New at the end."]),
    ]


def test_khmer_sentences_end_at_the_khan():
    old = Text(body="យើងខ្ញុំសូមស្នើ។ សូមឆ្លើយតប។")
    new = Text(body="យើងខ្ញុំសូមស្នើ។ សូមឆ្លើយតបជាលាយលក្ខណ៍អក្សរ។")
    assert text_diff(old, new) == [Change("body", ["សូមឆ្លើយតប។"], ["សូមឆ្លើយតបជាលាយលក្ខណ៍អក្សរ។"])]


def test_every_part_of_the_text_is_compared_in_the_letters_order():
    old = Text(title="Old title", body="Same.", closing="Yours,")
    new = Text(title="New title", body="Same.", closing="Sincerely,")
    changes = text_diff(old, new)
    assert changes == [
        Change("title", ["Old title"], ["New title"]),
        Change("closing", ["Yours,"], ["Sincerely,"]),
    ]
    assert [str(c.label) for c in changes] == ["Title", "Closing"]


def test_a_line_break_alone_is_shown_as_the_lines_a_reader_sees():
    old = Text(body="We urge you to act. We ask\nfor an answer.\n\nKept.")
    new = Text(body="We urge you to act.  \nWe ask\nfor an answer.\n\nKept.")
    assert text_diff(old, new) == [
        Change(
            "body",
            ["We urge you to act. We ask for an answer."],
            ["We urge you to act.\nWe ask for an answer."],
        )
    ]
    assert text_diff(new, old) == [
        Change(
            "body",
            ["We urge you to act.\nWe ask for an answer."],
            ["We urge you to act. We ask for an answer."],
        )
    ]


def test_words_wrapped_onto_other_lines_are_no_change():
    old = Text(body="We urge you to act. We ask for an answer.\n\nKept.")
    new = Text(body="We urge you\nto act. We ask\nfor an answer.\n\nKept.")
    assert text_diff(old, new) == []


def test_spacing_and_line_endings_are_no_change():
    old = Text(body=BODY, title=TITLE)
    new = Text(body=respaced(BODY)["crlf"], title=respaced(TITLE)["decomposed accents"])
    assert text_diff(old, new) == []


# The signer's mail


@pytest.mark.usefixtures("eager_tasks")
def test_the_signer_is_mailed_what_changed_not_the_whole_text(
    coordinator, signed_letter, django_capture_on_commit_callbacks
):
    body = BODY.replace("We ask for an answer.", "We ask for an answer <script>alert(1)</script>.")
    with django_capture_on_commit_callbacks(execute=True):
        letter_update(
            letter=signed_letter, data={"body": body}, actor=coordinator, confirm_new_version=True
        )

    [message] = mail.outbox
    assert message.to == ["signer@example.org"]
    assert (
        "What changed since you signed:\n\nBody\n- Removed: We ask for an answer.\n"
        "+ Added: We ask for an answer <script>alert(1)</script>.\n"
    ) in message.body
    assert "urge" not in message.body and "First demand" not in message.body
    assert "Quoted from" not in message.body  # the signer reads the original's language
    html = message.alternatives[0][0]
    assert "<del " in html and "We ask for an answer.</del>" in html
    assert "<script>" not in html
    assert "We ask for an answer &lt;script&gt;alert(1)&lt;/script&gt;.</ins>" in html
