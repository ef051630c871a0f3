"""Pages for readers and signers, one module per concern: the letters (letters.py), signing
(signing.py), the signer's private links (signer.py), privacy and erasure (privacy.py) and the
language switch (language.py)."""

from letters_app.views.public.embed import letter_badge, letter_embed, letter_embed_done
from letters_app.views.public.language import language_choose
from letters_app.views.public.letters import PER_PAGE, home, letter_detail, letter_json, letter_pdf
from letters_app.views.public.partners import (
    partner_decline,
    partner_invitation,
    partner_sign,
    partner_unsubscribe,
)
from letters_app.views.public.privacy import privacy, signature_erase, signature_erased
from letters_app.views.public.signer import (
    signature_confirm,
    signature_keep,
    signature_manage,
    signature_restore,
    signature_withdraw,
)
from letters_app.views.public.signing import letter_resend, letter_sign, letter_sign_done

__all__ = [
    "PER_PAGE", "home", "language_choose", "letter_badge", "letter_embed",
    "letter_embed_done", "letter_detail", "letter_json", "letter_pdf",
    "letter_resend", "letter_sign", "letter_sign_done", "partner_decline", "partner_invitation",
    "partner_sign", "partner_unsubscribe", "privacy", "signature_confirm",
    "signature_erase", "signature_erased", "signature_keep", "signature_manage",
    "signature_restore", "signature_withdraw",
]  # fmt: skip
