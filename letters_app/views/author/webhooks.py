"""Webhooks: a page of the letter's "Connect" tab. Its coordinators add a webhook, read its
secret, pause, resume, test or delete it, and read the latest deliveries, sending a failed one
again. Every button posts to this page with its `action`."""

from collections.abc import Callable
from functools import partial

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from letters_app.forms.webhooks import WebhookForm
from letters_app.models import Letter, Webhook
from letters_app.services import webhooks as services
from letters_app.views import act, coordinated_letter, found

# What each button does to one webhook, and what the page then says.
ACTIONS: dict[str, tuple[Callable[..., object], Callable[[], str]]] = {
    "pause": (lambda **kw: services.webhook_set_active(active=False, **kw),
              lambda: _("Webhook paused: it gets no new event.")),
    "resume": (lambda **kw: services.webhook_set_active(active=True, **kw),
               lambda: _("Webhook resumed.")),
    "delete": (services.webhook_delete, lambda: _("Webhook deleted.")),
    "test": (services.webhook_ping, lambda: _("Test event queued: see the log below.")),
    "regenerate": (services.webhook_secret_regenerate,
                   lambda: _("New secret made: the old one signs nothing more.")),
}  # fmt: skip


@login_required
def letter_webhooks(request: HttpRequest, pk: int) -> HttpResponse:
    letter = coordinated_letter(request, pk)
    form = WebhookForm()
    if request.method == "POST":
        action = request.POST.get("action", "")
        if action == "add":
            form = WebhookForm(request.POST)
            if form.is_valid() and _add(request, letter, form):
                return redirect("author:letter-webhooks", pk=letter.pk)
        elif action == "retry":
            delivery = found(services.webhook_delivery_get(letter, request.POST.get("delivery")))
            retry = partial(services.webhook_delivery_retry, delivery=delivery, actor=request.user)
            return act(request, retry, success=_("Sending again."), then="author:letter-webhooks",
                       pk=letter.pk)  # fmt: skip
        elif action in ACTIONS:
            webhook: Webhook = found(services.webhook_get(letter, request.POST.get("webhook")))
            run, said = ACTIONS[action]
            return act(request, partial(run, webhook=webhook, actor=request.user), success=said(),
                       then="author:letter-webhooks", pk=letter.pk)  # fmt: skip
        else:
            raise Http404
    context = {
        "letter": letter,
        "form": form,
        "webhooks": services.webhook_list(letter),
        "deliveries": services.webhook_delivery_list(letter),
    }
    return render(request, "author/letter_webhooks.html", context)


def _add(request: HttpRequest, letter: Letter, form: WebhookForm) -> bool:
    try:
        services.webhook_create(letter=letter, actor=request.user, **form.cleaned_data)
    except ValidationError as exc:
        form.add_error(None, exc)
        return False
    messages.success(request, _("Webhook added. Copy its secret to check its requests."))
    return True
