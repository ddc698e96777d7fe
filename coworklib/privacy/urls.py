from django.urls import path

from coworklib.privacy import consent, contact, data_views, legal

app_name = "privacy"

urlpatterns = [
    # Legal documents (legal.py); readable by anyone, signed in or not.
    path("legal/notice/", legal.legal_notice, name="legal_notice"),
    path("legal/privacy/", legal.privacy_policy, name="privacy_policy"),
    path("legal/terms/", legal.terms, name="terms"),
    path("legal/terms/accept/", legal.accept_terms, name="accept_terms"),
    # Cookie choices (consent.py): the banner posts here, the footer links here.
    path("cookies/", consent.consent_settings, name="consent"),
    # Contact form for questions and complaints (contact.py).
    path("contact/", contact.contact, name="contact"),
    # "Vos données" in the account settings (data_views.py).
    path("accounts/data/", data_views.my_data, name="my_data"),
    path("accounts/data/export/", data_views.request_export, name="request_export"),
    path("accounts/data/export/<str:key>/", data_views.download_export, name="download_export"),
    path("accounts/data/restriction/", data_views.processing_restriction, name="processing_restriction"),
    path("accounts/delete/", data_views.delete_account, name="delete_account"),
]
