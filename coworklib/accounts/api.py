"""``/auth/token`` and ``/me`` (API.md)."""

import functools
import zoneinfo
from typing import Annotated, Any, Literal

from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.views.decorators.cache import never_cache
from ninja import Router, Schema, Status
from ninja.decorators import decorate_view
from ninja.schema import DjangoGetter
from pydantic import AfterValidator, ConfigDict, Field, StrictBool, WithJsonSchema, model_validator

from coworklib.accounts import selectors, services, throttling
from coworklib.accounts.errors import LoginThrottled
from coworklib.accounts.models import ApiToken, User
from coworklib.api.auth import BearerToken
from coworklib.api.schemas import ErrorOut, ValidationErrorOut
from coworklib.core.media import signed_media_path
from coworklib.privacy import services as privacy_services

router = Router(tags=["accounts"])

# No control characters (U+0000–U+001F, U+007F–U+009F), as validate_printable
# says; in the schema too, so that clients and schemathesis know it up front.
PRINTABLE = r"^[^\x00-\x1f\x7f-\x9f]*$"
# The same, with at least one character that is not white space (a name).
NOT_BLANK = r"^[^\x00-\x1f\x7f-\x9f]*[^\s\x00-\x1f\x7f-\x9f][^\x00-\x1f\x7f-\x9f]*$"


@functools.cache
def _timezones() -> list[str]:
    return sorted(zoneinfo.available_timezones())


def _known_timezone(value: str) -> str:
    if value not in _timezones():
        raise ValueError("unknown time zone (an IANA name such as Europe/Paris)")
    return value


TimeZoneName = Annotated[
    str,
    AfterValidator(_known_timezone),
    WithJsonSchema({"type": "string", "enum": _timezones(), "description": "IANA time zone, e.g. Europe/Paris"}),
]
Language = Literal["fr", "en"]


class AuthTokenIn(Schema):
    email: str = Field(min_length=1, max_length=254, pattern=PRINTABLE)
    # No maximum below the request size: Argon2 takes passwords of any length.
    password: str = Field(min_length=1)
    code: str | None = Field(
        default=None,
        max_length=64,
        pattern=PRINTABLE,
        description="The current code of the authenticator app, or a recovery code, when the account has MFA.",
    )
    name: str = Field(
        default="",
        max_length=100,
        pattern=PRINTABLE,
        description="A name to recognise the token in the account settings (defaults to the User-Agent).",
    )


class DeleteMeIn(Schema):
    password: str = Field(min_length=1, description="The account's current password.")
    code: str | None = Field(
        default=None,
        max_length=64,
        description="With two-factor authentication on: a code of the authenticator app, or a recovery code.",
    )


class AuthTokenOut(Schema):
    token: str


class MeOrganizationOut(Schema):
    id: int
    name: str
    slug: str
    role: str


class MeOut(Schema):
    id: int
    email: str
    first_name: str
    last_name: str
    job_title: str
    display_name: str
    language: Language
    timezone: str
    photo: str | None
    photo_thumbnail: str | None
    processing_restricted: bool = Field(
        description="Restriction of processing (GDPR art. 18): left out of audience measurement, news and offers."
    )
    organizations: list[MeOrganizationOut]


def _without_defaults(schema: dict[str, Any]) -> None:
    # The defaults below only make every field optional; absent means "keep"
    # (exclude_unset), not "reset to the default", so the schema shows none.
    for field_schema in schema.get("properties", {}).values():
        field_schema.pop("default", None)


class MePatchIn(Schema):
    """Only the fields present are changed; unknown fields are ignored."""

    model_config = ConfigDict(json_schema_extra=_without_defaults)

    first_name: str = Field(default="", max_length=150, pattern=NOT_BLANK)
    last_name: str = Field(default="", max_length=150, pattern=NOT_BLANK)
    job_title: str = Field(default="", max_length=150, pattern=PRINTABLE)
    language: Language = "fr"
    timezone: TimeZoneName = "Europe/Paris"
    processing_restricted: StrictBool = False

    @model_validator(mode="before")
    @classmethod
    def _an_object(cls, data: Any) -> Any:
        # ninja's Schema wraps its input in a DjangoGetter that reads attributes
        # off anything, so a JSON list or string would pass as "no field sent".
        body = data._obj if isinstance(data, DjangoGetter) else data
        if not isinstance(body, dict):
            raise ValueError("the body must be a JSON object")
        return data


def _signed_url(request: HttpRequest, file: Any, *, viewer: User) -> str | None:
    # Signed for the caller: the app fetches photos with no session cookie (core.media).
    return request.build_absolute_uri(signed_media_path(file.name, viewer_id=viewer.pk)) if file else None


def _me(request: HttpRequest, user: User) -> dict[str, Any]:
    return {
        "id": user.pk,
        "email": user.email,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "job_title": user.job_title,
        "display_name": user.display_name,
        "language": user.language,
        "timezone": user.timezone,
        "photo": _signed_url(request, user.photo, viewer=user),
        "photo_thumbnail": _signed_url(request, user.photo_thumbnail, viewer=user),
        "processing_restricted": user.processing_restricted_at is not None,
        "organizations": [
            {
                "id": membership.organization.pk,
                "name": membership.organization.name,
                "slug": membership.organization.slug,
                "role": membership.role,
            }
            for membership in selectors.memberships_of(user)
        ],
    }


@router.post(
    "/auth/token",
    auth=None,
    response={200: AuthTokenOut, 401: ErrorOut, 422: ValidationErrorOut, 429: ErrorOut},
    summary="Exchange an e-mail address and password for an API token",
)
# Around the whole operation, errors included: a token (or an answer about credentials) is never cached.
@decorate_view(never_cache)
def obtain_token(request: HttpRequest, payload: AuthTokenIn, response: HttpResponse) -> Any:
    """401 `invalid_credentials`, `email_not_verified` or `mfa_required` (send `code`); 429 `throttled`
    with `Retry-After` after repeated failures for the address or from the client's IP."""
    try:
        _token, raw = services.obtain_api_token(
            request=request, email=payload.email, password=payload.password, code=payload.code, name=payload.name
        )
    except LoginThrottled as exc:
        response["Retry-After"] = str(exc.retry_after)
        return Status(429, {"detail": exc.detail, "code": exc.code})
    return {"token": raw}


@router.delete(
    "/auth/token",
    auth=BearerToken(),
    response={204: None, 401: ErrorOut},
    summary="Revoke the bearer token of this request",
)
def revoke_token(request: HttpRequest) -> Any:
    token: ApiToken = request.api_token  # type: ignore[attr-defined]
    services.revoke_token(token=token)
    return Status(204, None)


@router.get("/me", response={200: MeOut, 401: ErrorOut}, summary="The signed-in user and their organizations")
def get_me(request: HttpRequest) -> Any:
    return _me(request, request.auth)  # type: ignore[attr-defined]


@router.patch(
    "/me",
    response={200: MeOut, 401: ErrorOut, 403: ErrorOut, 422: ValidationErrorOut},
    summary="Change the signed-in user's profile",
)
def patch_me(request: HttpRequest, payload: MePatchIn) -> Any:
    user: User = request.auth  # type: ignore[attr-defined]
    changes = payload.model_dump(exclude_unset=True)
    services.update_profile(
        user=user, **{field: changes[field] for field in services.PROFILE_FIELDS if field in changes}
    )
    if "processing_restricted" in changes:
        privacy_services.set_processing_restriction(user=user, restricted=changes["processing_restricted"])
    return _me(request, user)


@router.delete(
    "/me",
    response={204: None, 401: ErrorOut, 403: ErrorOut, 409: ErrorOut, 422: ValidationErrorOut, 429: ErrorOut},
    summary="Delete the signed-in user's account",
)
def delete_me(request: HttpRequest, payload: DeleteMeIn, response: HttpResponse) -> Any:
    """403 `wrong_password`, or `mfa_required` when the account has MFA and `code` is missing or wrong;
    409 `last_owner` while the user alone owns an organization others belong to (its `organizations`
    lists their slugs); 429 `throttled` after repeated failures. Every session and token ends."""
    user: User = request.auth  # type: ignore[attr-defined]
    # Before the identity check, which may use up a one-time recovery code.
    privacy_services.ensure_may_be_erased(user=user)
    try:
        privacy_services.confirm_identity(
            user=user, password=payload.password, code=payload.code, ip=throttling.client_ip(request)
        )
    except LoginThrottled as exc:
        response["Retry-After"] = str(exc.retry_after)
        return Status(429, {"detail": exc.detail, "code": exc.code})
    privacy_services.erase_user(user=user)
    if getattr(request, "session", None) is not None and request.user.is_authenticated:
        logout(request)
    return Status(204, None)
