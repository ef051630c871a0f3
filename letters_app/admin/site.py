"""The admin's site-wide pages: the blocklist, the switch that pauses signing everywhere, and the
audit trail, read-only."""

import ipaddress
from typing import cast

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.core.validators import DomainNameValidator, validate_email
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from letters_app.models import AuditEvent, Blocklist, SiteSwitch
from letters_app.services import signing_rules


class BlocklistForm(forms.ModelForm):
    class Meta:
        model = Blocklist
        fields = ["kind", "value", "reason"]

    def clean(self):
        cleaned = cast(dict, super().clean())  # a ModelForm's clean() returns its cleaned_data
        kind, value = cleaned.get("kind"), (cleaned.get("value") or "").strip().lower()
        if kind == Blocklist.Kind.IP:
            try:
                value = str(ipaddress.ip_network(value, strict=False))
            except ValueError:
                self.add_error("value", _("Give an IP address or network, e.g. 203.0.113.0/24."))
        elif kind == Blocklist.Kind.EMAIL:
            try:
                validate_email(value)
            except ValidationError:
                self.add_error("value", _("Give one e-mail address, e.g. one.person@example.org."))
        elif kind == Blocklist.Kind.DOMAIN:
            if "@" in value:
                # Blocking everyone at a provider for one person's address is never meant.
                self.add_error("value", _(
                    "This is an e-mail address. To block only this address, choose “E-mail "
                    "address”; to block every address at a domain, give the domain alone."
                ))  # fmt: skip
            elif not _is_domain(value):
                self.add_error("value", _("Give a domain such as example.org."))
        cleaned["value"] = value
        return cleaned


def _is_domain(value: str) -> bool:
    try:
        DomainNameValidator()(value)
    except ValidationError:
        return False
    return "." in value


@admin.register(Blocklist)
class BlocklistAdmin(admin.ModelAdmin):
    form = BlocklistForm
    list_display = ["value", "kind", "reason", "created_at"]
    radio_fields = {"kind": admin.VERTICAL}
    list_filter = ["kind"]
    search_fields = ["value", "reason"]

    def save_model(self, request, obj, form, change):
        signing_rules.blocklist_entry_save(entry=obj, actor=request.user)

    def delete_model(self, request, obj):
        signing_rules.blocklist_entry_delete(entry=obj, actor=request.user)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self.delete_model(request, obj)


@admin.register(SiteSwitch)
class SiteSwitchAdmin(admin.ModelAdmin):
    list_display = ["__str__", "signing_paused", "updated_at"]

    def has_add_permission(self, request):
        return not SiteSwitch.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False

    def changelist_view(self, request, extra_context=None):
        """One row: go straight to it."""
        switch = SiteSwitch.get()
        return HttpResponseRedirect(
            reverse("admin:letters_app_siteswitch_change", args=[switch.pk])
        )

    def save_model(self, request, obj, form, change):
        signing_rules.site_switch_save(switch=obj, actor=request.user)


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ["created_at", "action", "letter", "actor", "from_status", "to_status"]
    list_filter = ["action"]
    search_fields = ["action", "letter__title", "actor__username"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
