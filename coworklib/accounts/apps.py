from django.apps import AppConfig
from django.conf import settings


def _profile_form_body_limit() -> int:
    from coworklib.core.request_limits import MULTIPART_ENVELOPE_BYTES

    return settings.PROFILE_PHOTO_MAX_BYTES + MULTIPART_ENVELOPE_BYTES


class AccountsConfig(AppConfig):
    name = "coworklib.accounts"
    verbose_name = "Comptes"

    def ready(self) -> None:
        from coworklib.accounts import signals  # noqa: F401
        from coworklib.accounts.selectors import may_view_profile_photo
        from coworklib.core.media import register_media_access
        from coworklib.core.request_limits import register_body_limit

        register_media_access("profile-photos/", may_view_profile_photo)
        # The profile form carries at most one photo.
        register_body_limit("accounts:profile", _profile_form_body_limit)
