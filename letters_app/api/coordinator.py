"""The endpoints a coordinator's API token opens, on the one letter it was made for.

Every path names the letter (`/letters/{slug}/…`). A token answers 401 when it is missing,
unknown or revoked, 404 for any letter but its own, and 403 when a read-only token asks for a
change. Errors are JSON: `{"detail": "..."}`."""

import datetime
from enum import StrEnum
from ipaddress import IPv4Address, IPv6Address
from typing import Any, Literal

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import FileResponse, HttpRequest
from django.urls import reverse
from ninja import Field, Query, Router, Schema, Status
from ninja.errors import HttpError

from letters_app.exports import signatures as exports
from letters_app.forms.public import SignForm
from letters_app.forms.staff import SignatureExportForm
from letters_app.models import ExportJob, Letter, Partner, Signature
from letters_app.ratelimit import address_bucket, client_ip, rate_hit
from letters_app.services import exports as export_services
from letters_app.services import imports as import_services
from letters_app.services import partners as partner_services
from letters_app.services import signatures as signature_services

from .auth import TokenAuth, calls_recorded, request_token, token_letter

router = Router(tags=["Coordinators"], auth=TokenAuth())
router.add_decorator(calls_recorded, mode="view")

MAX_PAGE = 500
MAX_IDS = 1_000

SignatureStatus = StrEnum("SignatureStatus", {s.name: s.value for s in Signature.Status})  # type: ignore[misc]
SignatureKind = StrEnum("SignatureKind", {k.name: k.value for k in Signature.Kind})  # type: ignore[misc]
PartnerStatus = StrEnum("PartnerStatus", {s.name: s.value for s in Partner.Status})  # type: ignore[misc]


class Error(Schema):
    detail: Any = Field(description="What went wrong: a sentence, or the fields refused.")


ERRORS: dict[int, type[Schema]] = {401: Error, 403: Error, 404: Error}


def _refused(exc: ValidationError) -> HttpError:
    """A service's refusal (a finalized letter, signing closed…) as a 409 with its words."""
    return HttpError(409, " ".join(exc.messages))


def _invalid(form: forms.Form) -> Status[dict[str, Any]]:
    """A form's errors as a 422, by field ("__all__": the form's own), in the active language."""
    return Status(422, {"detail": {field: list(errors) for field, errors in form.errors.items()}})


# --- signatures ---------------------------------------------------------------------------------


class SignatureOut(Schema):
    id: int = Field(description="The signature's id: the cursor of the list, and what to moderate.")
    status: SignatureStatus = Field(
        description="Where it stands: pending (not confirmed by "
        "e-mail yet), confirmed, approved, rejected, withdrawn."
    )
    kind: SignatureKind
    is_public: bool = Field(description="Shown on the letter's public list.")
    number: int | None = Field(description="Its place on the public list, when it is on it.")
    name: str
    acronym: str
    title: str
    affiliation: str
    party: str
    parliament: str
    country: str = Field(description="ISO 3166 code, or empty.")
    organization_type: str
    website: str
    contact_name: str = Field(description="Who signed for an organization (private).")
    contact_role: str
    email: str = Field(
        description="The signer's address (private); empty once erased or "
        "for names imported from a list."
    )
    language: str = Field(description="The language the signer's mails speak.")
    version: int = Field(description="The text version signed.")
    is_flagged: bool = Field(description="Flagged as a possible duplicate.")
    created_at: datetime.datetime
    confirmed_at: datetime.datetime | None
    published_at: datetime.datetime | None
    withdrawn_at: datetime.datetime | None


def _signature_out(s: Signature) -> SignatureOut:
    return SignatureOut(
        id=s.pk, status=SignatureStatus(s.status), kind=SignatureKind(s.kind),
        is_public=s.is_public, number=s.number,
        name=s.name, acronym=s.acronym, title=s.title, affiliation=s.affiliation, party=s.party,
        parliament=s.parliament, country=s.country.code or "",
        organization_type=s.organization_type, website=s.website, contact_name=s.contact_name,
        contact_role=s.contact_role, email=s.email, language=s.language, version=s.version,
        is_flagged=s.is_flagged, created_at=s.created_at, confirmed_at=s.confirmed_at,
        published_at=s.published_at, withdrawn_at=s.withdrawn_at,
    )  # fmt: skip


class SignaturePage(Schema):
    items: list[SignatureOut]
    next_after: int | None = Field(
        description="Pass it as `after` for the next page; null on the last page."
    )


class ListQuery(Schema):
    after: int = Field(0, ge=0, description="Only ids above this one: the last page's next_after.")
    limit: int = Field(100, ge=1, le=MAX_PAGE, description=f"At most {MAX_PAGE} a page.")


class SignatureQuery(ListQuery):
    status: SignatureStatus | None = Field(None, description="Only signatures of this status.")


def _page(rows: QuerySet[Any], limit: int) -> tuple[list[Any], int | None]:
    found = list(rows[: limit + 1])
    more = len(found) > limit
    found = found[:limit]
    return found, (found[-1].pk if more else None)


@router.get(
    "/letters/{slug}/signatures",
    response={200: SignaturePage, **ERRORS},
    summary="List the letter's signatures",
    url_name="coordinate-signatures",
    description="Every signature, with its e-mail and status, by id; paged with `after`. "
    "Read access.",
)
def signatures_list(request: HttpRequest, slug: str, query: Query[SignatureQuery]) -> Any:
    letter = token_letter(request, slug)
    rows = Signature.objects.filter(letter=letter, pk__gt=query.after).order_by("pk")
    if query.status:
        rows = rows.filter(status=query.status)
    items, next_after = _page(rows, query.limit)
    return {"items": [_signature_out(s) for s in items], "next_after": next_after}


class ModerateIn(Schema):
    ids: list[int] = Field(min_length=1, max_length=MAX_IDS, description="Signature ids.")
    action: Literal["approve", "reject", "invalidate"] = Field(
        description="approve or reject confirmed signatures (as the Signatures page does); "
        "invalidate rejects any signature that is not withdrawn, for abuse."
    )
    reason: str = Field("", max_length=300, description="Why, for invalidate: kept in the history.")


class ModerateOut(Schema):
    action: str
    requested: int = Field(description="How many ids were sent.")
    changed: int = Field(description="How many signatures changed status.")


@router.post(
    "/letters/{slug}/signatures/moderate",
    response={200: ModerateOut, 409: Error, **ERRORS},
    summary="Approve, reject or invalidate signatures",
    description="Ids of other letters are left alone. Write access.",
)
def signatures_moderate(request: HttpRequest, slug: str, body: ModerateIn) -> Any:
    letter = token_letter(request, slug, write=True)
    actor = request_token(request).created_by
    chosen = Signature.objects.filter(letter=letter, pk__in=body.ids)
    try:
        if body.action == "invalidate":
            changed = signature_services.signature_invalidate(
                signatures=chosen, actor=actor, reason=body.reason.strip() or "API"
            )
        else:
            changed = signature_services.signature_moderate(
                signatures=chosen, approve=body.action == "approve", actor=actor
            )
    except ValidationError as exc:
        raise _refused(exc) from exc
    return {"action": body.action, "requested": len(set(body.ids)), "changed": changed}


class SignIn(Schema):
    """The public sign form's fields, checked by the same rules."""

    kind: SignatureKind = Field(description="Who signs: one of the kinds the letter takes.")
    email: str = Field(
        max_length=254,
        description="The signer's address: the confirmation "
        "link goes there, and the signature counts once it is followed.",
    )
    consent_public: bool = Field(
        description="The signer agreed to be listed publicly: signing is refused without it."
    )
    name: str = Field(max_length=2000)
    country: str = Field(max_length=100, description="A country's name or ISO code.")
    acronym: str = ""
    organization_type: str = ""
    website: str = ""
    contact_name: str = ""
    contact_role: str = ""
    title: str = ""
    affiliation: str = ""
    parliament: str = ""
    party: str = ""
    language: Literal["", "en", "fr", "km"] = Field(
        "", description="The language of the signer's mails; empty: the letter's."
    )
    signer_ip: IPv4Address | IPv6Address | None = Field(
        None, description="The address the signer's request came to your server from: the "
        "rate limit and the blocklist apply to it, as on Cosign's own form. Without it they "
        "apply to your server's address."
    )  # fmt: skip


class Accepted(Schema):
    detail: str


SIGN_ACCEPTED = (
    "Thank you. If the address can sign, a message is on its way to it: the signature counts "
    "once its link is followed."
)


@router.post(
    "/letters/{slug}/signatures",
    response={202: Accepted, 409: Error, 422: Error, 429: Error, **ERRORS},
    summary="Sign the letter for someone, from your own site",
    description="The same fields and rules as the letter's sign form, the same rate limit and "
    "blocklist; the signer gets the confirmation mail. The answer is the same whether or not "
    "the address had signed. Write access.",
)
def signature_create(request: HttpRequest, slug: str, body: SignIn) -> Any:
    letter = token_letter(request, slug, write=True)
    token = request_token(request)
    if refusal := signature_services.signing_refusal(letter):
        raise HttpError(409, refusal)
    address = str(body.signer_ip) if body.signer_ip else client_ip(request)
    if rate_hit(f"api.sign:{token.pk}:{address_bucket(address)}", settings.SIGNING_RATE_LIMIT):
        raise HttpError(429, "Too many signatures from this signer: try again later.")
    data = body.model_dump(mode="json", exclude={"language", "signer_ip"})
    data["consent_public"] = "on" if body.consent_public else ""  # as a ticked box sends it
    form = SignForm(data, letter=letter)
    if form.is_valid():
        try:
            signature_services.signature_add(
                letter=letter, language=body.language, ip_address=address,
                **form.signature_data,
            )  # fmt: skip
        except ValidationError as exc:
            if exc.code == "closed":
                raise _refused(exc) from exc
            form.add_service_errors(exc)
        else:
            return Status(202, {"detail": SIGN_ACCEPTED})
    return _invalid(form)


# --- exports ------------------------------------------------------------------------------------


class ExportIn(Schema):
    format: Literal["csv", "xlsx", "json", "pdf"] = "csv"
    status: list[SignatureStatus] = Field(
        default_factory=list, description="Only these statuses; none: the public list."
    )
    kind: list[SignatureKind] = Field(default_factory=list)
    country: list[str] = Field(default_factory=list, description="ISO codes.")
    private: bool = Field(
        False,
        description="With e-mail addresses, signing persons, IP "
        "addresses and status; recorded in the letter's history.",
    )
    bom: bool = Field(False, description="Start a CSV with a byte order mark (older Excel).")


class ExportOut(Schema):
    id: int
    format: str
    private: bool
    status: str = Field(description="queued, running, done or failed.")
    percent: int
    rows_done: int
    rows_total: int | None
    error: str
    created_at: datetime.datetime
    finished_at: datetime.datetime | None
    file_url: str | None = Field(description="Where to download it, once done.")


def _export_out(request: HttpRequest, slug: str, job: ExportJob) -> ExportOut:
    ready = job.status == ExportJob.Status.DONE and bool(job.file)
    return ExportOut(
        id=job.pk, format=job.format, private=job.private, status=job.status,
        percent=job.percent, rows_done=job.rows_done, rows_total=job.rows_total, error=job.error,
        created_at=job.created_at, finished_at=job.finished_at,
        file_url=request.build_absolute_uri(
            reverse("api-v1:coordinate-export-file", args=[slug, job.pk])
        ) if ready else None,
    )  # fmt: skip


@router.post(
    "/letters/{slug}/exports",
    response={202: ExportOut, 422: Error, **ERRORS},
    summary="Start an export of the signatures",
    description="Made by a worker, as the letter's background exports are; ask its status "
    "with the id, then fetch its file. Read access.",
)
def export_start(request: HttpRequest, slug: str, body: ExportIn) -> Any:
    letter = token_letter(request, slug)
    form = SignatureExportForm(body.model_dump(mode="json"), allow_private=True)
    if not form.is_valid():
        return _invalid(form)
    job = export_services.export_job_request(
        letter=letter, fmt=form.cleaned_data["format"], filters=form.filters(),
        private=form.wants_private, bom=form.cleaned_data["bom"],
        actor=request_token(request).created_by,
    )  # fmt: skip
    return Status(202, _export_out(request, slug, job))


def _job(letter: Letter, export_id: int) -> ExportJob:
    job = ExportJob.objects.filter(letter=letter, pk=export_id).first()
    if job is None:
        raise HttpError(404, "Not found.")
    return job


@router.get(
    "/letters/{slug}/exports/{export_id}",
    response={200: ExportOut, **ERRORS},
    summary="Follow an export",
    description="Read access.",
)
def export_status(request: HttpRequest, slug: str, export_id: int) -> Any:
    return _export_out(request, slug, _job(token_letter(request, slug), export_id))


@router.get(
    "/letters/{slug}/exports/{export_id}/file",
    response={200: None, **ERRORS},
    summary="Download an export's file",
    url_name="coordinate-export-file",
    description="404 until the export is done. Read access.",
    openapi_extra={"responses": {200: {"description": "The file, as an attachment."}}},
)
def export_file(request: HttpRequest, slug: str, export_id: int) -> Any:
    job = _job(token_letter(request, slug), export_id)
    if job.status != ExportJob.Status.DONE or not job.file:
        raise HttpError(404, "The export is not ready.")
    return FileResponse(
        job.file.open("rb"), as_attachment=True,
        filename=export_services.export_job_filename(job),
        content_type=exports.FORMATS[job.format][0],
    )  # fmt: skip


# --- partners -----------------------------------------------------------------------------------


class PartnerOut(Schema):
    id: int
    name: str
    acronym: str
    country: str = Field(description="ISO 3166 code, or empty.")
    email: str
    language: str
    status: PartnerStatus
    source: str
    created_at: datetime.datetime
    invited_at: datetime.datetime | None
    opened_at: datetime.datetime | None
    signed_at: datetime.datetime | None
    declined_at: datetime.datetime | None
    unsubscribed_at: datetime.datetime | None
    decline_reason: str
    mail_error: str = Field(description="The mail server's answer, when the invitation failed.")


def _partner_out(p: Partner) -> PartnerOut:
    return PartnerOut(
        id=p.pk, name=p.name, acronym=p.acronym, country=p.country.code or "", email=p.email,
        language=p.language, status=PartnerStatus(p.status), source=p.source,
        created_at=p.created_at,
        invited_at=p.invited_at, opened_at=p.opened_at, signed_at=p.signed_at,
        declined_at=p.declined_at, unsubscribed_at=p.unsubscribed_at,
        decline_reason=p.decline_reason, mail_error=p.mail_error,
    )  # fmt: skip


class PartnerPage(Schema):
    counts: dict[str, int] = Field(description="How many partners stand at each status.")
    items: list[PartnerOut]
    next_after: int | None


class PartnerQuery(ListQuery):
    status: PartnerStatus | None = None


@router.get(
    "/letters/{slug}/partners",
    response={200: PartnerPage, **ERRORS},
    summary="List the letter's partners",
    description="The organizations asked to sign, with where each stands. Read access.",
)
def partners_list(request: HttpRequest, slug: str, query: Query[PartnerQuery]) -> Any:
    letter = token_letter(request, slug)
    rows = partner_services.partner_list(letter, status=query.status or "")
    items, next_after = _page(rows.filter(pk__gt=query.after), query.limit)
    return {
        "counts": partner_services.partner_counts(letter),
        "items": [_partner_out(p) for p in items],
        "next_after": next_after,
    }


class PartnerIn(Schema):
    name: str = Field(max_length=1000, description="The organization's name.")
    acronym: str = Field("", max_length=100)
    country: str = Field("", max_length=100, description="A country's name or ISO code.")
    email: str = Field(max_length=254, description="Its contact address.")
    language: str = Field("", max_length=20, description="en, fr or km; empty: the letter's.")


class PartnersIn(Schema):
    partners: list[PartnerIn] = Field(min_length=1, max_length=partner_services.MAX_PARTNERS)


class Skipped(Schema):
    position: int = Field(description="Its place in the list sent, from 1.")
    name: str
    email: str
    problems: list[str]


class PartnersAdded(Schema):
    added: int
    skipped: list[Skipped] = Field(
        description="Partners not added, and why (already a "
        "partner, already signed, no usable address…)."
    )


@router.post(
    "/letters/{slug}/partners",
    response={200: PartnersAdded, 409: Error, **ERRORS},
    summary="Add partners",
    description="Checked as a list pasted on the Partners page is: a line that page would skip "
    "is skipped here, and said why. They are not invited yet. Write access.",
)
def partners_add(request: HttpRequest, slug: str, body: PartnersIn) -> Any:
    letter = token_letter(request, slug, write=True)
    rows = [["name", "acronym", "country", "email", "language"]] + [
        [p.name, p.acronym, p.country, p.email, p.language] for p in body.partners
    ]
    lines = import_services.import_parse({"rows": rows}, partners=True)
    try:
        result = partner_services.partners_add(
            letter=letter, lines=lines, actor=request_token(request).created_by
        )
    except ValidationError as exc:
        raise _refused(exc) from exc
    skipped = [
        # Rows count from the header's; the caller's list from 1.
        {"position": line.position - 1, "name": line.name, "email": line.email,
         "problems": [p.message for p in line.problems if p.blocking]}
        for line in result.skipped
    ]  # fmt: skip
    return {"added": result.created, "skipped": skipped}


class InviteIn(Schema):
    ids: list[int] | None = Field(
        None, max_length=partner_services.MAX_PARTNERS,
        description="The partners to invite (or invite again, when their mail failed); "
        "null: every partner not invited yet.",
    )  # fmt: skip


class Invited(Schema):
    invited: int = Field(description="How many invitations were queued.")


@router.post(
    "/letters/{slug}/partners/invite",
    response={200: Invited, 409: Error, **ERRORS},
    summary="Invite partners to sign",
    description="Each gets one mail in its language with its personal link, spread over time "
    "as the Partners page sends them. Write access.",
)
def partners_invite(request: HttpRequest, slug: str, body: InviteIn) -> Any:
    letter = token_letter(request, slug, write=True)
    try:
        invited = partner_services.partners_invite(
            letter=letter, actor=request_token(request).created_by, partner_ids=body.ids
        )
    except ValidationError as exc:
        raise _refused(exc) from exc
    return {"invited": invited}
