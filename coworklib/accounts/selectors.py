"""Reads about accounts: MFA state, profiles, API tokens."""

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.contrib.auth.models import AnonymousUser
from django.db.models import Q, QuerySet

from coworklib.accounts.models import ApiToken, User
from coworklib.core.errors import NotFound
from coworklib.organizations.models import Membership


def user_has_mfa(user: User | AnonymousUser) -> bool:
    """Whether the user has any second factor (authenticator app or security key)."""
    if not user.is_authenticated:
        return False
    # Recovery codes alone are not a second factor: allauth only keeps them
    # alongside an app or a key.
    return Authenticator.objects.filter(
        user_id=user.pk, type__in=[Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN]
    ).exists()


def email_addresses_of(user: User) -> set[str]:
    """Every address of the account (its login address and allauth's), lower-cased."""
    addresses = EmailAddress.objects.filter(user=user).values_list("email", flat=True)
    return {address.lower() for address in [user.email, *addresses] if address}


def is_email_verified(*, user: User, email: str) -> bool:
    return EmailAddress.objects.filter(user=user, email__iexact=email, verified=True).exists()


def memberships_of(user: User) -> QuerySet[Membership]:
    return Membership.objects.filter(user=user).select_related("organization").order_by("organization__name")


def api_tokens_of(user: User) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(user=user).order_by("-created_at")


def get_api_token_of(*, user: User, token_id: int) -> ApiToken:
    """The user's token, or NotFound: someone else's token looks exactly like a missing one."""
    token = ApiToken.objects.filter(user=user, pk=token_id).first()
    if token is None:
        raise NotFound()
    return token


def may_view_profile_photo(viewer: User, name: str) -> bool:
    """A portrait is seen by its owner, platform staff, and members of an organization they share."""
    owner = User.objects.filter(Q(photo=name) | Q(photo_thumbnail=name)).only("pk").first()
    if owner is None:
        return False
    if owner.pk == viewer.pk or viewer.is_staff:
        return True
    return Membership.objects.filter(user=viewer, organization__memberships__user=owner).exists()
