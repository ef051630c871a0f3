"""Forms for coordinators: they validate; the views hand the cleaned data to a service."""

from collections.abc import Iterable
from typing import Any, cast

from django import forms
from django.contrib.auth import get_user_model
from django.core import signing
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from letters_app import selectors
from letters_app.forms.base import ServiceErrorsMixin
from letters_app.models import (
    LETTER_LANGUAGES,
    TEXT_FIELDS,
    TRANSLATED_FIELDS,
    CoordinatorMails,
    Letter,
    LetterTranslation,
    PressRelease,
    Recipient,
    Signature,
)
from letters_app.services import imports as import_services
from letters_app.services.letters import EDITABLE_FIELDS
from letters_app.services.signatures import ACCEPTS
from letters_app.text import text_fields_normalize

CONFIRM_FIELD = "confirm_new_version"


class TextNormalizeMixin(forms.BaseForm):
    """The letter's text as the services store and compare it: a browser sends CRLF line
    endings, and a text the coordinator did not touch must not read as changed."""

    def clean(self):
        # A form's clean returns its cleaned data.
        return text_fields_normalize(cast(dict[str, Any], super().clean()))


class LetterNewForm(ServiceErrorsMixin, forms.Form):
    template = forms.ModelChoiceField(
        label=_("Template"),
        queryset=selectors.template_list_active(),
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
        empty_label=None,
        error_messages={"required": _("Choose the template the letter starts from.")},
    )
    title = forms.CharField(
        label=_("Title"),
        max_length=Letter._meta.get_field("title").max_length,
        required=False,
        help_text=_("Optional: you can change it later. The template's title is used if empty."),
    )


class LetterForm(TextNormalizeMixin, ServiceErrorsMixin, forms.ModelForm):
    # The fields letter_update takes (the text, then the settings); the address and language
    # come after the title, the date after the place, as on the letter.
    field_order = ["title", "slug", "language", "place", "letter_date"]

    class Meta:
        model = Letter
        fields = list(EDITABLE_FIELDS)
        widgets = {
            "letter_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "signing_deadline": forms.DateTimeInput(
                attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"
            ),
            "from_block": forms.Textarea(attrs={"rows": 4}),
            "body": forms.Textarea(attrs={"rows": 16}),
            "about_sender": forms.Textarea(attrs={"rows": 4}),
        }
        help_texts = {
            "slug": _(
                "The end of the public address: letters, digits and hyphens. "
                "Changing it after publishing breaks links already shared."
            ),
            "from_block": _("One line each: the sender's name, address and contact."),
            "body": _("Markdown: a blank line between paragraphs, **bold**, *italic*, 1. lists."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["signing_deadline"].help_text = _(
            "Optional. Signing closes by itself at this time (%(zone)s)."
        ) % {"zone": timezone.get_current_timezone_name()}
        # Left out of a post (an older page), the original language stays as it is.
        self.fields["language"].required = False
        for name in TEXT_FIELDS:  # typed in the letter's language, as a translation's fields
            self.fields[name].widget.attrs["lang"] = self.instance.language
        if not self.instance.is_editable:
            for field in self.fields.values():
                field.disabled = True
        if self.is_bound and CONFIRM_FIELD in self.data:
            self.ask_confirmation(None)

    def clean_language(self):
        return self.cleaned_data["language"] or self.instance.language

    def ask_confirmation(self, count: int | None) -> None:
        """Offer the box that lets a change of text e-mail the signers (see letter_update)."""
        field = forms.BooleanField(required=False, label=_("I understand: e-mail the signers"))
        if count is not None:
            label = ngettext(
                "I understand: e-mail the %(n)s signer",
                "I understand: e-mail the %(n)s signers",
                count,
            )
            field.label = label % {"n": count}
            field.widget.attrs["autofocus"] = True
        self.fields[CONFIRM_FIELD] = field

    @property
    def confirmed(self) -> bool:
        return bool(self.cleaned_data.get(CONFIRM_FIELD))


class RecipientSearchForm(forms.Form):
    q = forms.CharField(label=_("Search the directory"), max_length=200, required=False)
    kind = forms.ChoiceField(
        label=_("Kind"), choices=[("", _("All kinds")), *Recipient.Kind.choices], required=False
    )


class RecipientChoiceForm(ServiceErrorsMixin, forms.Form):
    recipients = forms.ModelMultipleChoiceField(
        label=_("Recipients"),
        queryset=Recipient.objects.all(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    def __init__(self, *args, saved: Iterable[int] = (), **kwargs):
        super().__init__(*args, **kwargs)
        # Where each recipient stood when the page was drawn (`saved`: their ids in order): a
        # number left as drawn yields to one the coordinator typed.
        self.saved = saved

    def clean_recipients(self) -> list[Recipient]:
        """The ticked recipients in the order of the To: block: by the place number given to
        each (1 first); one typed over the number shown goes before one left as it was; without
        a number, after those with one, in the order they were posted."""
        chosen = {str(r.pk): r for r in self.cleaned_data["recipients"]}
        # A bound form's data is a request's QueryDict.
        data = cast(MultiValueDict, self.data)
        posted = dict.fromkeys(data.getlist(self.add_prefix("recipients")))
        saved_places = {str(pk): place for place, pk in enumerate(self.saved, start=1)}

        def key(item):
            index, pk = item
            place = self._place(pk)
            if place is None:
                return (1, 0, 0, index)
            return (0, place, place == saved_places.get(pk), index)

        ordered = sorted(((i, pk) for i, pk in enumerate(posted) if pk in chosen), key=key)
        return [chosen[pk] for _index, pk in ordered]

    def _place(self, pk: str) -> int | None:
        try:
            return int(self.data.get(self.add_prefix(f"position-{pk}"), "").strip())
        except ValueError:
            return None  # blank or not a number: after the numbered ones


class RecipientForm(ServiceErrorsMixin, forms.ModelForm):
    prefix = "new"
    first = forms.BooleanField(
        label=_("Main addressee: first in the To: block"),
        help_text=_("Otherwise the new recipient comes after the others."),
        required=False,
    )

    class Meta:
        model = Recipient
        fields = [
            "honorific",
            "name",
            "title",
            "institution",
            "postal_address",
            "country",
            "kind",
            "email",
            "salutation",
        ]
        widgets = {"postal_address": forms.Textarea(attrs={"rows": 3})}


class CoordinatorAddForm(ServiceErrorsMixin, forms.Form):
    who = forms.CharField(
        label=_("Username or e-mail address"),
        max_length=254,
        help_text=_("The person must already have an account."),
    )

    def clean_who(self):
        who = self.cleaned_data["who"].strip()
        users = get_user_model().objects.filter(
            Q(username__iexact=who) | Q(email__iexact=who), is_active=True
        )
        found = list(users[:2])
        if not found:
            raise ValidationError(_("No account has this username or e-mail address."))
        if len(found) > 1:
            raise ValidationError(
                _("Several accounts share this e-mail address: give the username instead.")
            )
        return found[0]


class CoordinatorMailsForm(forms.Form):
    mails = forms.ChoiceField(
        label=_("E-mails about new signatures"),
        choices=CoordinatorMails.choices,
        widget=forms.RadioSelect,
        help_text=_("For you only: each person who runs the letter chooses their own."),
    )


class SignatureModerateForm(forms.Form):
    """Approve or reject the checked rows; only signatures of this letter can be chosen."""

    action = forms.ChoiceField(choices=[("approve", _("Approve")), ("reject", _("Reject"))])
    signatures = forms.ModelMultipleChoiceField(
        queryset=Signature.objects.none(),
        error_messages={
            "required": _("Tick the signatures to approve or reject."),
            "invalid_choice": _("Some of the ticked signatures are not on this letter."),
        },
    )

    def __init__(self, *args, letter: Letter, **kwargs):
        super().__init__(*args, **kwargs)
        signatures = cast(forms.ModelMultipleChoiceField, self.fields["signatures"])
        signatures.queryset = letter.signatures.all()


class SignatureDisplayForm(ServiceErrorsMixin, forms.ModelForm):
    """What the list shows of one signature; the fields depend on who signed."""

    FIELDS_BY_KIND = {
        Signature.Kind.ORGANIZATION: ["name", "acronym", "organization_type", "website",
                                      "country", "contact_name", "contact_role"],
        Signature.Kind.INDIVIDUAL: ["name", "title", "affiliation", "country"],
        Signature.Kind.MP: ["name", "title", "party", "parliament", "country"],
    }  # fmt: skip

    class Meta:
        model = Signature
        fields = [
            "name", "acronym", "organization_type", "website", "title", "affiliation", "party",
            "parliament", "country", "contact_name", "contact_role",
        ]  # fmt: skip

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        shown = self.FIELDS_BY_KIND[self.instance.kind]
        for name in list(self.fields):
            if name not in shown:
                del self.fields[name]


class LateRecipientForm(ServiceErrorsMixin, forms.Form):
    recipient = forms.ModelChoiceField(
        label=_("Recipient"),
        queryset=Recipient.objects.all(),
        error_messages={"invalid_choice": _("This recipient is not in the directory.")},
    )


class PressReleaseForm(ServiceErrorsMixin, forms.ModelForm):
    class Meta:
        model = PressRelease
        fields = ["headline", "dateline", "lead", "quote", "quote_by", "body", "distribution"]
        widgets = {
            "lead": forms.Textarea(attrs={"rows": 5}),
            "quote": forms.Textarea(attrs={"rows": 4}),
            "body": forms.Textarea(attrs={"rows": 10}),
        }
        help_texts = {
            "dateline": _("The place in capitals, then the date: PARIS, France, 12 March 2024"),
            "lead": _("The letter, its recipients and its main demand, in a few sentences."),
            "quote": _("Without quotation marks: they are added."),
            "quote_by": _("Name and title of the person quoted."),
            "body": _(
                "The signatories, then the context. Markdown: a blank line between paragraphs."
            ),
        }


class PressSendForm(ServiceErrorsMixin, forms.Form):
    """Media contacts from the directory; only those with an e-mail address can be chosen."""

    recipients = forms.ModelMultipleChoiceField(
        label=_("Media contacts"),
        queryset=Recipient.objects.filter(kind=Recipient.Kind.MEDIA).exclude(email=""),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one media contact.")},
    )


IMPORT_SALT = "cosign.import"
IMPORT_MAX_AGE = 24 * 3600  # seconds a preview can be confirmed


class ImportForm(ServiceErrorsMixin, forms.Form):
    """A pasted list or an uploaded CSV/XLSX file; `source` is what services.imports parses."""

    kind = forms.ChoiceField(label=_("Import them as"), choices=Signature.Kind.choices)
    text = forms.CharField(
        label=_("Paste the list"),
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 12, "spellcheck": "false"}),
        help_text=_(
            "One signatory a line, as letters list them: “12. Name (ACRONYM), Country”. "
            "Numbers, acronyms and stray commas are optional."
        ),
    )
    file = forms.FileField(
        label=_("Or upload a file"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx,text/csv"}),
        help_text=_(
            "CSV (UTF-8) or XLSX, first sheet: one signatory a row, either as one line or in "
            "columns headed Name, Acronym, Country."
        ),
    )

    def __init__(self, *args, letter: Letter, **kwargs):
        super().__init__(*args, **kwargs)
        accepted = [(k, label) for k, label in Signature.Kind.choices
                    if getattr(letter, ACCEPTS[k])]  # fmt: skip
        kind = cast(forms.ChoiceField, self.fields["kind"])
        kind.choices = accepted
        kind.initial = accepted[0][0] if accepted else None
        self.fields["text"].widget.attrs["maxlength"] = import_services.MAX_BYTES

    def clean_text(self):
        text = self.cleaned_data["text"]
        import_services.import_text_check(text)
        return text

    def clean_file(self):
        upload = self.cleaned_data["file"]
        return None if not upload else import_services.import_read_file(upload)

    def clean(self):
        data = cast(dict[str, Any], super().clean())
        rows, text = data.get("file"), data.get("text", "")
        if self.errors:
            return data
        if rows is not None and text.strip():
            raise ValidationError(_("Paste a list or upload a file, not both."))
        if rows is None and not text.strip():
            raise ValidationError(_("Paste the list, or choose a file."))
        data["source"] = {"rows": rows} if rows is not None else {"text": text}
        return data


class ImportConfirmForm(forms.Form):
    """The previewed list, signed so that what is confirmed is exactly what was shown."""

    payload = forms.CharField(widget=forms.HiddenInput)
    # The positions of the flagged lines the coordinator keeps ("keep anyway" boxes); the
    # service honours a position only for a line whose problems may be overruled.
    keep = forms.Field(required=False, widget=forms.MultipleHiddenInput)

    def __init__(self, *args, letter: Letter, **kwargs):
        super().__init__(*args, **kwargs)
        self.letter = letter

    def clean_keep(self) -> frozenset[int]:
        values = (self.cleaned_data["keep"] or [])[: import_services.MAX_LINES]
        return frozenset(int(v) for v in values if v.isdigit() and len(v) <= 6)

    @staticmethod
    def payload_for(*, letter: Letter, kind: str, source: dict) -> str:
        return signing.dumps(
            {"letter": letter.pk, "kind": kind, "source": source}, salt=IMPORT_SALT, compress=True
        )

    def clean_payload(self):
        try:
            data = signing.loads(
                self.cleaned_data["payload"], salt=IMPORT_SALT, max_age=IMPORT_MAX_AGE
            )
        except signing.SignatureExpired:
            raise ValidationError(_("This preview is too old: preview the list again.")) from None
        except signing.BadSignature:
            raise ValidationError(
                _("This preview cannot be read: preview the list again.")
            ) from None
        if data.get("letter") != self.letter.pk:
            raise ValidationError(_("This preview is of another letter."))
        return data


class TranslationNewForm(forms.Form):
    """The language of a new translation: one the letter has neither as original nor yet."""

    language = forms.ChoiceField(label=_("Language"))

    def __init__(self, *args, letter: Letter, **kwargs):
        super().__init__(*args, **kwargs)
        taken = {letter.language, *letter.translations.values_list("language", flat=True)}
        language = cast(forms.ChoiceField, self.fields["language"])
        language.choices = [c for c in LETTER_LANGUAGES if c[0] not in taken]


class TranslationForm(TextNormalizeMixin, ServiceErrorsMixin, forms.ModelForm):
    class Meta:
        model = LetterTranslation
        fields = list(TRANSLATED_FIELDS)
        widgets = {
            "body": forms.Textarea(attrs={"rows": 16}),
            "about_sender": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args, language: str, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():  # typed in the translation's language
            field.widget.attrs["lang"] = language


class RecipientLanguageForm(ServiceErrorsMixin, forms.Form):
    """One language per recipient of the letter: the original or one of its translations."""

    def __init__(self, *args, letter: Letter, letter_recipients, **kwargs):
        super().__init__(*args, **kwargs)
        names = dict(LETTER_LANGUAGES)
        choices = [("", _("%(language)s (original)") % {"language": names[letter.language]})]
        choices += [
            (t.language, f"{names[t.language]} ({t.get_status_display().lower()})")
            for t in letter.translations.all()
        ]
        self.recipient_fields = []
        for lr in letter_recipients:
            name = f"language_{lr.recipient_id}"
            self.fields[name] = forms.ChoiceField(
                label=str(lr.recipient), choices=choices, required=False, initial=lr.language
            )
            self.recipient_fields.append((lr.recipient_id, name))

    def languages(self) -> dict[int, str]:
        return {pk: self.cleaned_data[name] for pk, name in self.recipient_fields}
