"""The admin's pages of signatures: moderation, invalidation for abuse, exports with private
columns, the sources signing unusually often, and the exports made in the background."""

import datetime

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from letters_app import selectors
from letters_app.admin.common import FrozenAwareAdmin, ReadOnlyAdmin, selection_page
from letters_app.admin.privacy import ErasureActions
from letters_app.exports import signatures as exports
from letters_app.models import ExportJob, Incident, Letter, Signature
from letters_app.services import exports as export_services
from letters_app.services import incidents as incident_services
from letters_app.services import signatures as signature_services

# "Signing unusually often": a domain or address with at least this many signatures in a window.
BUSY_THRESHOLD = 20
BUSY_WINDOWS = ((_("the last 24 hours"), datetime.timedelta(hours=24)),
                (_("the last 7 days"), datetime.timedelta(days=7)))  # fmt: skip


class InvalidateForm(forms.Form):
    reason = forms.CharField(
        label=_("Why are these signatures invalid?"),
        max_length=300,
        help_text=_("Kept in the audit trail of each letter, e.g. 'one person, many addresses'."),
    )


class IncidentFilter(admin.SimpleListFilter):
    """The signatures of one alert on unusual signing (?incident=<id>), the open ones offered."""

    title = _("unusual signing alert")
    parameter_name = "incident"

    def lookups(self, request, model_admin):
        open_incidents = Incident.objects.filter(closed_at__isnull=True).select_related("letter")
        return [(str(i.pk), str(i)) for i in open_incidents[:20]]

    def queryset(self, request, queryset):
        value = self.value()
        if value is None:
            return queryset
        incident = Incident.objects.filter(pk=value).first() if value.isdigit() else None
        if incident is None:
            return queryset.none()
        return queryset.filter(pk__in=incident_services.incident_signatures(incident).values("pk"))


@admin.register(Signature)
class SignatureAdmin(ErasureActions, FrozenAwareAdmin):
    list_display = ["name", "acronym", "kind", "letter", "status", "email", "country",
                    "is_public", "is_flagged", "created_at"]  # fmt: skip
    list_filter = [IncidentFilter, "status", "kind", "is_flagged", "is_public", "letter", "country"]
    list_select_related = ["letter"]
    search_fields = ["name", "acronym", "email", "email_normalized"]
    date_hierarchy = "created_at"
    fields = ["letter", "kind", "status", "is_public", "version",
              *signature_services.DISPLAY_FIELDS, "email", "email_domain", "ip_address",
              "is_flagged", "flag_reason", "created_at", "confirmed_at", "published_at",
              "withdrawn_at", "erased_at"]  # fmt: skip
    readonly_fields = ["letter", "kind", "status", "is_public", "version", "consent_public",
                       "email", "email_domain", "ip_address", "is_flagged", "flag_reason",
                       "created_at", "confirmed_at", "published_at", "withdrawn_at",
                       "erased_at"]  # fmt: skip
    actions = ["approve", "reject", "invalidate", "erase_personal_data", "export_csv",
               "export_xlsx", "export_json"]  # fmt: skip

    def has_add_permission(self, request):
        return False  # people sign on the letter's page

    def has_delete_permission(self, request, obj=None):
        return False  # reject or invalidate instead: the counts and the audit trail stay right

    def frozen_reason(self, obj) -> str:
        if obj.letter.status not in Letter.FROZEN:
            return ""
        return str(_("The letter is finalized: its list of signatories can no longer change."))

    def save_model(self, request, obj, form, change):
        data = {name: form.cleaned_data[name] for name in form.changed_data}
        signature = Signature.objects.select_related("letter").get(pk=obj.pk)
        signature_services.signature_update_display(
            signature=signature, data=data, actor=request.user
        )

    @admin.action(description=_("Approve selected signatures"))
    def approve(self, request, queryset):
        self._moderate(request, queryset, approve=True)

    @admin.action(description=_("Reject selected signatures"))
    def reject(self, request, queryset):
        self._moderate(request, queryset, approve=False)

    def _moderate(self, request, queryset, *, approve):
        self._run(
            request,
            lambda: signature_services.signature_moderate(
                signatures=queryset, approve=approve, actor=request.user
            ),
            ngettext_lazy("%(n)s signature changed.", "%(n)s signatures changed.", "n"),
        )

    def _run(self, request, service, done_message) -> None:
        """Run a service; say how many it changed, or why it refused."""
        try:
            done = service()
        except ValidationError as exc:
            self.message_user(request, " ".join(exc.messages), level=messages.ERROR)
        else:
            self.message_user(request, done_message % {"n": done})

    @admin.action(description=_("Invalidate selected (abuse)"))
    def invalidate(self, request, queryset):
        """Ask why on a page of its own, then reject the whole selection through the service."""
        if not queryset.query.where:
            self.message_user(
                request,
                _("Choose which signatures to invalidate: the whole list is refused."),
                level=messages.ERROR,
            )
            return None
        form = InvalidateForm(request.POST if "reason" in request.POST else None)
        # Invalidating from an open alert's list resolves the alert too.
        incident_id = request.GET.get(IncidentFilter.parameter_name, "")
        incident = (
            Incident.objects.filter(pk=incident_id, closed_at__isnull=True).first()
            if incident_id.isdigit()
            else None
        )
        if form.is_valid():
            reason = form.cleaned_data["reason"]
            self._run(
                request,
                lambda: self._invalidate(request, queryset, reason=reason, incident=incident),
                ngettext_lazy("%(n)s signature invalidated.", "%(n)s signatures invalidated.", "n"),
            )
            return None
        return selection_page(
            self, request, queryset, title=_("Invalidate signatures"), form=form, incident=incident,
            template="admin/letters_app/signature/invalidate_confirmation.html",
        )  # fmt: skip

    def _invalidate(self, request, queryset, *, reason: str, incident: Incident | None) -> int:
        if incident is None:
            return signature_services.signature_invalidate(
                signatures=queryset, actor=request.user, reason=reason
            )
        return incident_services.incident_invalidate(
            incident=incident, signatures=queryset, actor=request.user, reason=reason
        )

    @admin.action(description=_("Export selected as CSV, with private columns"))
    def export_csv(self, request, queryset):
        return self._export(request, queryset, "csv")

    @admin.action(description=_("Export selected as XLSX, with private columns"))
    def export_xlsx(self, request, queryset):
        return self._export(request, queryset, "xlsx")

    @admin.action(description=_("Export selected as JSON, with private columns"))
    def export_json(self, request, queryset):
        return self._export(request, queryset, "json")

    def _export(self, request, queryset, fmt):
        """The selection, letter by letter in list order, as a file; recorded per letter."""
        ids = queryset.values_list("pk", flat=True)
        selected = exports.signature_queryset(private=True).filter(pk__in=ids)
        for letter in Letter.objects.filter(signatures__in=ids).distinct():
            export_services.signatures_export_record(
                letter=letter, actor=request.user, fmt=fmt, via="admin"
            )
        out = exports.spooled_file()
        exports.export_write(selected, out, fmt=fmt, private=True, across_letters=True)
        out.seek(0)
        filename = f"signatures-private-{timezone.now():%Y-%m-%d}.{exports.FORMATS[fmt][1]}"
        return FileResponse(
            out, as_attachment=True, filename=filename, content_type=exports.FORMATS[fmt][0]
        )

    def get_urls(self):
        busy = path(
            "unusual/",
            self.admin_site.admin_view(self.unusual_view),
            name="letters_app_signature_unusual",
        )
        return [busy, *super().get_urls()]

    def unusual_view(self, request):
        """E-mail domains and IP addresses with the most signatures lately, to check by hand."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        try:
            threshold = max(1, int(request.GET.get("threshold", BUSY_THRESHOLD)))
        except ValueError:
            threshold = BUSY_THRESHOLD
        changelist = reverse("admin:letters_app_signature_changelist")
        sources = ((_("E-mail domain"), "domains", "email_domain"),
                   (_("IP address"), "ips", "ip_address"))  # fmt: skip
        windows = []
        for label, length in BUSY_WINDOWS:
            since = timezone.now() - length
            busy = selectors.signature_sources_busy(since=since, threshold=threshold)
            rows = []
            for kind, key, field in sources:
                for row in busy[key]:
                    query = {field: row[field], "created_at__gte": since.isoformat()}
                    rows.append((kind, row[field], row["n"], f"{changelist}?{urlencode(query)}"))
            windows.append((label, rows))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Signing unusually often"),
            "threshold": threshold,
            "windows": windows,
            "open_alerts": Incident.objects.filter(closed_at__isnull=True).count(),
        }
        return TemplateResponse(request, "admin/letters_app/signature/unusual.html", context)


@admin.register(ExportJob)
class ExportJobAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "letter", "format", "private", "status", "rows_done",
                    "rows_total", "requested_by"]  # fmt: skip
    list_filter = ["status", "format", "private"]
    search_fields = ["letter__title", "requested_by__username"]
    exclude = ["file"]  # downloaded from the prepared exports page, which checks who asks
