"""A letter on partners' sites: which sites may frame its embed page, and the token its embed
form carries instead of a CSRF cookie (a cookie a browser may not send to a frame)."""

import re
from urllib.parse import urlsplit

from django.core import signing
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from letters_app.cache import letter_page_forget, letter_signing_forget
from letters_app.models import AuditAction, Letter
from letters_app.services.audit import Actor, audit_record

MAX_ORIGINS = 20
# Plain http only for a site on the coordinator's own machine, to try the frame out.
LOCAL_HOSTS = ("localhost", "127.0.0.1")
DEFAULT_PORTS = {"https": 443, "http": 80}
HOST = re.compile(
    r"(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*"
)

# The embed form's token: made when the page is drawn, good for this long after.
EMBED_FORM_SALT = "letters_app.embed.sign"
EMBED_TOKEN_MAX_AGE = 6 * 3600  # seconds


def origin_normalize(line: str) -> str:
    """One site as the browser names it in frame-ancestors: scheme://host[:port], lowercase,
    without its scheme's default port. Raises ValidationError saying what is wrong."""
    typed = line.strip()
    if "*" in typed:
        raise ValidationError(
            _("“%(line)s”: name each site in full; a * for several sites is not accepted.")
            % {"line": typed}
        )
    parts = urlsplit(typed)
    scheme = parts.scheme.lower()
    try:
        # A name in another script as browsers send it in an Origin: münchen.de is
        # xn--mnchen-3ya.de.
        host, port = (parts.hostname or "").encode("idna").decode("ascii"), parts.port
    except (ValueError, UnicodeError):
        host, port = "", None
    if scheme not in DEFAULT_PORTS or not parts.netloc or not host or not HOST.fullmatch(host):
        raise ValidationError(
            _("“%(line)s” is not a site's address: write it as https://example.org.")
            % {"line": typed}
        )
    if parts.username is not None or parts.password is not None:
        raise ValidationError(
            _("“%(line)s”: leave out the name and password before the @.") % {"line": typed}
        )
    if parts.path not in ("", "/") or parts.query or parts.fragment or typed.endswith(("?", "#")):
        raise ValidationError(
            _(
                "“%(line)s”: give only the site (https://example.org), without a page's path: "
                "every page of the site may then show the form."
            )
            % {"line": typed}
        )
    if scheme == "http" and host not in LOCAL_HOSTS:
        raise ValidationError(
            _("“%(line)s”: the site must use https:// (plain http:// only for localhost).")
            % {"line": typed}
        )
    shown_port = f":{port}" if port is not None and port != DEFAULT_PORTS[scheme] else ""
    return f"{scheme}://{host}{shown_port}"


def origins_parse(text: str) -> list[str]:
    """The sites typed one a line, normalized, each once, in order; every mistake at once."""
    origins: dict[str, None] = {}
    errors: list[ValidationError] = []
    for line in text.splitlines():
        if not line.strip():
            continue
        try:
            origins[origin_normalize(line)] = None
        except ValidationError as exc:
            errors.append(exc)
    if len(origins) > MAX_ORIGINS:
        errors.append(ValidationError(_("List %(max)d sites at most.") % {"max": MAX_ORIGINS}))
    if errors:
        raise ValidationError(errors)
    return list(origins)


@transaction.atomic
def letter_set_embed_origins(*, letter: Letter, text: str, actor: Actor) -> Letter:
    """Set the sites that may frame the letter's embed page (one a line); forgets its cached
    pages. Audited when the list changes."""
    origins = origins_parse(text)
    letter = Letter.objects.select_for_update().get(pk=letter.pk)
    before = letter.embed_origin_list
    if origins == before:
        return letter
    letter.embed_origins = "\n".join(origins)
    letter.save(update_fields=["embed_origins", "updated_at"])
    letter_page_forget(letter.slug)
    letter_signing_forget(letter.slug)
    audit_record(
        letter=letter,
        actor=actor,
        action=AuditAction.LETTER_EMBED_ORIGINS,
        sites_added=[o for o in origins if o not in before],
        sites_removed=[o for o in before if o not in origins],
    )
    return letter


def embed_token_make(letter: Letter) -> str:
    """A token for the letter's embed form: signed with the site's key, dated, for this letter."""
    return signing.dumps(letter.pk, salt=EMBED_FORM_SALT, compress=False)


def embed_token_refusal(token: str, letter: Letter) -> str:
    """Why the embed form's token does not let it be sent ("" when it does): forged, made for
    another letter, or too old."""
    try:
        pk = signing.loads(token, salt=EMBED_FORM_SALT, max_age=EMBED_TOKEN_MAX_AGE)
    except signing.SignatureExpired:
        return _(
            "This form was open too long and has expired. What you typed is kept: please send "
            "it again."
        )
    except signing.BadSignature:
        pk = None
    if pk != letter.pk:
        return _("This form could not be checked. What you typed is kept: please send it again.")
    return ""
