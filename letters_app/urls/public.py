from django.urls import path

from letters_app.views import public

app_name = "public"
urlpatterns = [
    path("", public.home, name="home"),
    path("privacy/", public.privacy, name="privacy"),
    path("letters/<slug:slug>/", public.letter_detail, name="letter-detail"),
    path("letters/<slug:slug>/letter.pdf", public.letter_pdf, name="letter-pdf"),
    path("letters/<slug:slug>/letter.json", public.letter_json, name="letter-json"),
    path("letters/<slug:slug>/sign/", public.letter_sign, name="letter-sign"),
    path("letters/<slug:slug>/embed/", public.letter_embed, name="letter-embed"),
    path("letters/<slug:slug>/embed/done/", public.letter_embed_done, name="letter-embed-done"),
    path("letters/<slug:slug>/badge.svg", public.letter_badge, name="letter-badge"),
    path("letters/<slug:slug>/sign/done/", public.letter_sign_done, name="letter-sign-done"),
    path("letters/<slug:slug>/sign/resend/", public.letter_resend, name="letter-resend"),
    path(
        "signatures/<int:pk>/<str:token>/confirm/",
        public.signature_confirm,
        name="signature-confirm",
    ),
    path("signatures/<int:pk>/<str:token>/", public.signature_manage, name="signature-manage"),
    path(
        "signatures/<int:pk>/<str:token>/withdraw/",
        public.signature_withdraw,
        name="signature-withdraw",
    ),
    path("signatures/<int:pk>/<str:token>/keep/", public.signature_keep, name="signature-keep"),
    path("signatures/<int:pk>/<str:token>/erase/", public.signature_erase, name="signature-erase"),
    path("invitations/<str:secret>/", public.partner_invitation, name="partner-invitation"),
    path("invitations/<str:secret>/sign/", public.partner_sign, name="partner-sign"),
    path("invitations/<str:secret>/decline/", public.partner_decline, name="partner-decline"),
    path(
        "invitations/<str:secret>/unsubscribe/",
        public.partner_unsubscribe,
        name="partner-unsubscribe",
    ),
    path("letters/<slug:slug>/erased/", public.signature_erased, name="signature-erased"),
    path(
        "signatures/<int:pk>/<str:token>/restore/",
        public.signature_restore,
        name="signature-restore",
    ),
]
