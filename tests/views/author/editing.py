"""The coordinator's pages by name, and their edit form as a browser posts it."""

from django.urls import reverse

from letters_app.services.letters import EDITABLE_FIELDS


def url(name, letter, **kwargs):
    return reverse(f"author:{name}", kwargs={"pk": letter.pk, **kwargs})


def form_data(letter, **overrides):
    """What the edit form posts when nothing is changed, with some fields overridden."""
    data = {}
    for name in EDITABLE_FIELDS:
        value = getattr(letter, name)
        if isinstance(value, bool):
            if value:
                data[name] = "on"
        elif value is None:
            data[name] = ""
        elif name == "letter_date":
            data[name] = value.isoformat()
        elif name == "signing_deadline":
            data[name] = value.strftime("%Y-%m-%dT%H:%M")
        else:
            data[name] = value
    return {**data, **overrides}
