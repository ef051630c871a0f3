"""What the admin's pages share: rows shown read-only with the reason they cannot change, and the
way an admin's form takes on the row a service created."""

import dataclasses
from collections.abc import Callable
from typing import Any, cast

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.utils import unquote
from django.core.exceptions import ValidationError
from django.db import models
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from letters_app.models import Letter


class FrozenAwareAdmin(admin.ModelAdmin):
    """An admin whose rows can be frozen: such a row is shown read-only with the reason, a save
    or delete of it is turned away with that reason, and a service's refusal of any save is
    shown as a message, never as a server error."""

    change_form_template = "admin/letters_app/change_form_frozen.html"

    def frozen_reason(self, obj) -> str:
        """Why `obj` cannot change here, or "" when it can."""
        return ""

    def has_change_permission(self, request, obj=None):
        if obj is not None and self.frozen_reason(obj):
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and self.frozen_reason(obj):
            return False
        return super().has_delete_permission(request, obj)

    def _refused(self, request, message: str, obj):
        self.message_user(request, message, level=messages.ERROR)
        opts = self.model._meta
        return HttpResponseRedirect(
            reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])
        )

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        obj = self.get_object(request, unquote(object_id)) if object_id else None
        reason = self.frozen_reason(obj) if obj is not None else ""
        if reason and request.method == "POST":
            return self._refused(request, reason, obj)
        if reason:
            extra_context = {**(extra_context or {}), "frozen_reason": reason}
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except ValidationError as exc:  # raised by save_model: the whole save is rolled back
            if obj is None:
                raise
            return self._refused(request, " ".join(exc.messages), obj)

    def delete_view(self, request, object_id, extra_context=None):
        obj = self.get_object(request, unquote(object_id))
        if obj is not None and (reason := self.frozen_reason(obj)):
            return self._refused(request, reason, obj)
        return super().delete_view(request, object_id, extra_context)

    def get_actions(self, request, action_location=admin.ActionLocation.CHANGE_LIST):
        # Django's "Delete selected" would end on its page of objects one may not delete.
        actions = super().get_actions(request, action_location=action_location)
        if "delete_selected" in actions:
            action = cast(admin.Action, actions["delete_selected"])  # Django's own, never None
            actions["delete_selected"] = dataclasses.replace(
                action, func=self._unless_frozen(action.func)
            )
        return actions

    @staticmethod
    def _unless_frozen(delete_selected):
        def action(modeladmin, request, queryset):
            """Delete nothing when a selected row is frozen: say which, and why."""
            refused = [
                (obj, reason) for obj in queryset if (reason := modeladmin.frozen_reason(obj))
            ]
            for obj, reason in refused:
                modeladmin.message_user(request, f"{obj}: {reason}", level=messages.ERROR)
            if refused:
                return None  # back to the list
            return delete_selected(modeladmin, request, queryset)

        return action


class ReadOnlyAdmin(FrozenAwareAdmin):
    """A record written by the services only: admins read it, nobody edits it here."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def frozen_reason(self, obj) -> str:
        return str(_("This record is written by Cosign itself: it cannot be changed here."))


class MailRowAdmin(ReadOnlyAdmin):
    """Mail rows the workers send (services/mails.py): read here with their status and the
    reason one failed; the failed ones of a selection are sent again through a service."""

    def frozen_reason(self, obj) -> str:
        return str(
            _(
                "A mail records what the worker sent and what the server answered: it cannot be "
                "changed here. A failed one can be sent again from the list."
            )
        )

    def resend_failed(
        self, request, rows: models.QuerySet[Any], resend: Callable[[list[Any]], int]
    ) -> None:
        """Give the failed ones of `rows` to `resend` (which returns how many it queued), and
        say how many went back in the queue, or why the service refused."""
        failed = list(rows.filter(status="failed"))
        try:
            done = resend(failed) if failed else 0
        except ValidationError as exc:
            self.message_user(request, " ".join(exc.messages), level=messages.ERROR)
        else:
            self.message_user(request, _("%(n)s mails queued again.") % {"n": done})


def letter_frozen_reason(letter) -> str:
    if letter is None or letter.status not in Letter.FROZEN:
        return ""
    return _(
        "This letter is %(status)s: its text, recipients and signatories were frozen and sent "
        "as they are, so nothing of it can change here."
    ) % {"status": letter.get_shown_status_display().lower()}


def form_fields(obj: models.Model, form, *, exclude: tuple[str, ...] = ()) -> dict:
    """The columns of `obj` its admin form set, by name: what a service is given to create it."""
    return {
        field.name: getattr(obj, field.name)
        for field in obj._meta.concrete_fields
        if field.name in form.cleaned_data and field.name not in exclude
    }


def adopt(obj: models.Model, created: models.Model) -> None:
    """Make the admin's unsaved `obj` the row a service `created`, for the rest of the admin's
    save: its inlines and many-to-many fields, its message and its redirect."""
    obj.pk = created.pk
    obj._state.adding = False
    obj.refresh_from_db()


# How many of the selected rows a confirmation page names.
SELECTION_SHOWN = 200


def selection_page(
    modeladmin: admin.ModelAdmin, request, queryset, *, template: str, title, **extra
) -> TemplateResponse:
    """The page an action on signatures asks on before it acts: the selected rows (the first
    SELECTION_SHOWN), how many, and what posts the same selection again
    (fragment_selection.html)."""
    context = {
        **modeladmin.admin_site.each_context(request),
        "opts": modeladmin.model._meta,
        "title": title,
        "signatures": queryset.select_related("letter")[:SELECTION_SHOWN],
        "count": queryset.count(),
        "selected": request.POST.getlist(helpers.ACTION_CHECKBOX_NAME),
        "select_across": request.POST.get("select_across", "0"),
        **extra,
    }
    return TemplateResponse(request, template, context)
