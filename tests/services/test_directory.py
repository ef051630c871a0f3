"""Loading the curated templates and directory."""

from letters_app.fixtures_data.letter_templates import LETTER_TEMPLATES
from letters_app.models import AuditEvent, LetterTemplate, Recipient
from letters_app.services.directory import recipients_load, templates_load


def test_a_load_is_audited_when_it_changes_something_and_only_then(admin):
    LetterTemplate.objects.all().delete()
    Recipient.objects.all().delete()
    templates, recipients = templates_load(actor=admin), recipients_load(actor=admin)
    assert templates.created == [t["key"] for t in LETTER_TEMPLATES]
    assert recipients.created and not recipients.updated

    assert not templates_load(actor=admin).changed
    assert not recipients_load(actor=admin).changed

    events = AuditEvent.objects.order_by("id")
    assert [(e.action, e.actor, e.letter, e.detail) for e in events] == [
        ("templates.loaded", admin, None, {"created": templates.created, "updated": []}),
        ("recipients.loaded", admin, None, {"created": recipients.created, "updated": []}),
    ]
