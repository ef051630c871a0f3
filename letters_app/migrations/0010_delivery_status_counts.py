from django.db import migrations, models
from django.db.models import Count, Q


def count_recipients(apps, schema_editor):
    """Letters already sent to postal recipients only are shown as to be posted at once."""
    Letter = apps.get_model("letters_app", "Letter")
    letter_deliveries = Q(deliveries__document="letter")
    counted = Letter.objects.annotate(
        emailed=Count("deliveries", filter=letter_deliveries & ~Q(deliveries__status="postal")),
        postal=Count("deliveries", filter=letter_deliveries & Q(deliveries__status="postal")),
    ).filter(Q(emailed__gt=0) | Q(postal__gt=0))
    for pk, emailed, postal in counted.values_list("pk", "emailed", "postal"):
        Letter.objects.filter(pk=pk).update(emailed_count=emailed, postal_count=postal)


class Migration(migrations.Migration):
    dependencies = [
        ("letters_app", "0009_delivery_truth"),
    ]

    operations = [
        migrations.AddField(
            model_name="letter",
            name="emailed_count",
            field=models.PositiveIntegerField(default=0, editable=False),
        ),
        migrations.AddField(
            model_name="letter",
            name="postal_count",
            field=models.PositiveIntegerField(default=0, editable=False),
        ),
        migrations.RunPython(count_recipients, migrations.RunPython.noop),
        migrations.AddField(
            model_name="signernotice",
            name="outcome",
            field=models.CharField(blank=True, editable=False, max_length=10),
        ),
        migrations.AddField(
            model_name="signernotice",
            name="follow_up",
            field=models.CharField(
                blank=True,
                choices=[
                    ("queued", "Queued"),
                    ("sending", "Sending"),
                    ("sent", "Sent"),
                    ("failed", "Failed"),
                ],
                max_length=10,
            ),
        ),
    ]
