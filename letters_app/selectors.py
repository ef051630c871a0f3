from django.db.models import Q, QuerySet
from django.http import Http404

from letters_app.models import Letter, LetterTemplate, Recipient


def user_can_coordinate(user, letter: Letter) -> bool:
    if not user.is_authenticated:
        return False
    if user.is_staff or letter.created_by_id == user.pk:
        return True
    return letter.co_coordinators.filter(pk=user.pk).exists()


def letter_list_for_coordinator(user) -> QuerySet[Letter]:
    """The letters a person created or co-coordinates."""
    return (
        Letter.objects.filter(Q(created_by=user) | Q(co_coordinators=user))
        .distinct()
        .select_related("created_by")
    )


def letter_get_for_coordinator(user, pk: int) -> Letter:
    """The letter, if this person may run it; 404 for anyone else, so strangers learn nothing."""
    letter = Letter.objects.select_related("created_by", "template").filter(pk=pk).first()
    if letter is None or not user_can_coordinate(user, letter):
        raise Http404
    return letter


def letter_get_public(slug: str) -> Letter:
    letter = Letter.objects.filter(slug=slug).exclude(status=Letter.Status.DRAFT).first()
    if letter is None:
        raise Http404
    return letter


def letter_list_public() -> QuerySet[Letter]:
    return Letter.objects.exclude(status=Letter.Status.DRAFT).order_by("-updated_at")


def template_list_active() -> QuerySet[LetterTemplate]:
    return LetterTemplate.objects.filter(is_active=True)


def recipient_list_directory(*, query: str = "", kind: str = "") -> QuerySet[Recipient]:
    qs = Recipient.objects.all()
    if kind:
        qs = qs.filter(kind=kind)
    for word in query.split()[:8]:
        qs = qs.filter(
            Q(name__icontains=word)
            | Q(title__icontains=word)
            | Q(institution__icontains=word)
            | Q(country__iexact=word)
        )
    return qs
