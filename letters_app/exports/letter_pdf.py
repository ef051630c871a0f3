"""The finalized letter as a PDF, from the same rendering as the page and the e-mails."""

from django.template.loader import render_to_string
from weasyprint import HTML

from letters_app.models import LetterSnapshot
from letters_app.rendering import render_view_html, snapshot_view


def render_letter_pdf(snapshot: LetterSnapshot) -> bytes:
    lv = snapshot_view(snapshot)
    html = render_to_string("pdf/letter.html", {"lv": lv, "letter_html": render_view_html(lv)})
    return HTML(string=html).write_pdf()
