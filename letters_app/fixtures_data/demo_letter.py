"""The demo letter `python manage.py setup_demo` publishes: the Special Rapporteur template,
filled in so that no placeholder remains, and addressed to the Special Rapporteur."""

from letters_app.fixtures_data.recipients import SPECIAL_RAPPORTEUR_CAMBODIA

TEMPLATE_KEY = "special-rapporteur"
SLUG = "demo-letter-to-the-special-rapporteur"
RECIPIENT = {k: SPECIAL_RAPPORTEUR_CAMBODIA[k] for k in ("institution", "name", "title")}

TEXT = {
    "title": (
        "Demo: civil society organizations ask the Special Rapporteur for a follow-up "
        "on civic space in Cambodia"
    ),
    "place": "Paris, France",
    "from_block": "Cosign Demo Coalition\nDemo Coordinator\ndemo-coalition@example.org",
    "salutation": "Dear Professor Muntarbhorn,",
    "body": """\
*This is a demonstration letter made by `python manage.py setup_demo`. It shows how a \
finished letter looks to readers and signers; it is not a real appeal.*

The undersigned civil society organizations, from Cambodian communities at home and abroad, \
write to seek your support for a closer follow-up of civic space in Cambodia.

Your mandate has made recommendations to the authorities on the freedoms of expression, \
association and peaceful assembly. Our member groups keep a shared record of the cases they \
meet in their daily work, and we would like that record to reach your office in good order.

We therefore ask you to:

1. Receive a short briefing from our organizations before your next report to the Human \
Rights Council;
2. Include in that report an assessment of how far the earlier recommendations have been \
carried out;
3. Seek a country visit that allows meetings with independent groups, journalists and the \
families of people in detention.

We thank you for your attention and remain ready to share our material with your office in \
full.
""",
    "closing": "Sincerely,",
    "sender_line": "",
    "signatory_heading": "Signatory Civil Society Organizations",
    "about_sender": "",
}
