"""The admin's pages of alerts on unusual signing: each alert, its signatures (the signatures'
list filtered to it, where they can be invalidated), the mails that told the admins, and the
button that marks it resolved."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseRedirect
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from letters_app.admin.common import ReadOnlyAdmin
from letters_app.models import Incident, IncidentMail
from letters_app.services import incidents as incident_services


def signatures_url(incident: Incident) -> str:
    """The signatures' list in the admin, filtered to the incident's."""
    return f"{reverse('admin:letters_app_signature_changelist')}?incident={incident.pk}"


class OpenFilter(admin.SimpleListFilter):
    title = _("state")
    parameter_name = "open"

    def lookups(self, request, model_admin):
        return [("1", _("Open")), ("0", _("Resolved"))]

    def queryset(self, request, queryset):
        if self.value() in ("0", "1"):
            return queryset.filter(closed_at__isnull=self.value() == "1")
        return queryset


class IncidentMailInline(admin.TabularInline):
    model = IncidentMail
    extra = 0
    can_delete = False
    fields = ("to", "language", "status", "attempts", "sent_at", "reason")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Incident)
class IncidentAdmin(ReadOnlyAdmin):
    list_display = ["opened_at", "kind", "key", "letter", "count", "closed_at", "resolution",
                    "signatures"]  # fmt: skip
    list_filter = [OpenFilter, "kind"]
    list_select_related = ["letter"]
    search_fields = ["key", "letter__title"]
    fields = ("letter", "kind", "key", "count", "first_at", "opened_at", "last_seen_at",
              "closed_at", "resolution", "resolved_by")  # fmt: skip
    readonly_fields = fields
    inlines = [IncidentMailInline]
    actions = ["resolve"]
    change_form_template = "admin/letters_app/incident/change_form.html"

    def frozen_reason(self, obj) -> str:
        return ""  # nothing to edit: the page says what to do instead

    def has_resolve_permission(self, request) -> bool:
        return request.user.has_perm("letters_app.change_incident")

    @admin.display(description=_("signatures"))
    def signatures(self, obj: Incident) -> str:
        return format_html('<a href="{}">{}</a>', signatures_url(obj), _("See these signatures"))

    @admin.action(description=_("Mark the selected alerts resolved"), permissions=["resolve"])
    def resolve(self, request, queryset):
        done = sum(
            incident_services.incident_resolve(incident=incident, actor=request.user)
            for incident in queryset.filter(closed_at__isnull=True).select_related("letter")
        )
        self.message_user(request, _("%(n)s alerts marked resolved.") % {"n": done})

    def get_urls(self):
        resolve = path(
            "<int:pk>/resolve/",
            self.admin_site.admin_view(require_POST(self.resolve_view)),
            name="letters_app_incident_resolve",
        )
        return [resolve, *super().get_urls()]

    def resolve_view(self, request, pk: int):
        """The alert page's button: mark this alert resolved, audited."""
        if not self.has_resolve_permission(request):
            raise PermissionDenied
        incident = Incident.objects.select_related("letter").filter(pk=pk).first()
        if incident is None:
            raise Http404
        if incident_services.incident_resolve(incident=incident, actor=request.user):
            self.message_user(request, _("The alert is marked resolved."))
        else:
            self.message_user(
                request, _("This alert has already been resolved."), level=messages.WARNING
            )
        return HttpResponseRedirect(reverse("admin:letters_app_incident_change", args=[pk]))

    def change_view(self, request, object_id, form_url="", extra_context=None):
        incident = Incident.objects.filter(pk=object_id).first()
        if incident is not None:
            extra_context = {
                **(extra_context or {}),
                "signatures_url": signatures_url(incident),
                "can_resolve": incident.is_open and self.has_resolve_permission(request),
            }
        return super().change_view(request, object_id, form_url, extra_context)
