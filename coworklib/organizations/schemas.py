"""API shapes of the organizations router.

Input constraints are written as JSON-schema patterns and lengths, so that the
OpenAPI document says exactly what is accepted: a request the schema allows is
never refused as invalid (422) by the services behind it.
"""

from datetime import datetime
from typing import Annotated, Any, Literal

from django.utils.translation import gettext as _
from ninja import Field, Schema
from pydantic import BaseModel, BeforeValidator, StringConstraints

from coworklib.accounts.models import User
from coworklib.api.schemas import json_integer
from coworklib.core.converters import MAX_DATABASE_ID
from coworklib.core.media import signed_media_path
from coworklib.organizations.models import EmailDomain, Invitation, JoinRequest, Membership
from coworklib.organizations.services import NO_SHOW_RELEASE_MAX, NO_SHOW_RELEASE_MIN

RoleName = Literal["owner", "admin", "member"]

# Some non-space character, and no control characters (PostgreSQL refuses NUL in text).
NamePattern = r"^[^\x00-\x1f\x7f]*[^\s\x00-\x1f\x7f][^\x00-\x1f\x7f]*$"
# Lowercase letters, digits and hyphens, not starting or ending with a hyphen, and at
# least one letter (so that it can never be mistaken for an id).
SlugPattern = r"^(?:[a-z]|[a-z][a-z0-9-]*[a-z0-9]|[0-9][a-z0-9-]*[a-z][a-z0-9-]*[a-z0-9]|[0-9][a-z0-9-]*[a-z])$"
_DomainLabel = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
EmailPattern = rf"^[A-Za-z0-9.!#$%&'*+/=?^_`{{|}}~-]+@{_DomainLabel}(?:\.{_DomainLabel})+$"
DomainPattern = rf"^@?{_DomainLabel}(?:\.{_DomainLabel})+\.?$"
MessagePattern = r"^[^\x00]*$"

OrganizationName = Annotated[str, StringConstraints(min_length=1, max_length=120, pattern=NamePattern)]
OrganizationSlug = Annotated[str, StringConstraints(min_length=1, max_length=50, pattern=SlugPattern)]


# Constraints before the validator, so that the OpenAPI schema shows them as minimum/maximum.
NoShowReleaseMinutes = Annotated[
    int, Field(ge=NO_SHOW_RELEASE_MIN, le=NO_SHOW_RELEASE_MAX), BeforeValidator(json_integer)
]


class InputSchema(BaseModel):
    """A JSON object body. A plain pydantic model, not a ninja Schema: ninja schemas read
    fields from any object's attributes, so a list or a number would pass as a body whose
    fields all have defaults."""


class MemberOut(Schema):
    """A member as the directory shows them (API.md)."""

    id: int
    display_name: str
    first_name: str
    last_name: str
    job_title: str
    photo: str | None = Field(
        description="Absolute-path URL of the photo thumbnail, or null; signed for the caller, valid 24 to 48 hours."
    )

    @staticmethod
    def resolve_photo(obj: User, context: dict[str, Any]) -> str | None:
        image = obj.photo_thumbnail or obj.photo
        if not image:
            return None
        # Signed for the caller: the app fetches photos with no session cookie (core.media).
        return signed_media_path(str(image.name), viewer_id=context["request"].user.pk)


class MembershipOut(Schema):
    user: MemberOut
    role: RoleName
    joined_at: datetime


class MyOrganizationOut(Schema):
    """One of the caller's organizations, with their role in it."""

    id: int
    name: str
    slug: str
    role: RoleName

    @staticmethod
    def resolve_id(obj: Membership) -> int:
        return obj.organization_id

    @staticmethod
    def resolve_name(obj: Membership) -> str:
        return obj.organization.name

    @staticmethod
    def resolve_slug(obj: Membership) -> str:
        return obj.organization.slug


class OrganizationOut(MyOrganizationOut):
    allow_join_requests: bool
    require_mfa_for_admins: bool
    no_show_release_minutes: int | None = Field(
        description="Minutes after a session's start after which a going participant without a check-in "
        "gives their seat back; null: never."
    )
    created_at: datetime

    @staticmethod
    def resolve_allow_join_requests(obj: Membership) -> bool:
        return obj.organization.allow_join_requests

    @staticmethod
    def resolve_require_mfa_for_admins(obj: Membership) -> bool:
        return obj.organization.require_mfa_for_admins

    @staticmethod
    def resolve_no_show_release_minutes(obj: Membership) -> int | None:
        return obj.organization.no_show_release_minutes

    @staticmethod
    def resolve_created_at(obj: Membership) -> datetime:
        return obj.organization.created_at


class OrganizationIn(InputSchema):
    name: OrganizationName
    slug: OrganizationSlug | None = Field(None, description="Derived from the name when absent.")


class OrganizationPatch(InputSchema):
    name: OrganizationName | None = None
    slug: OrganizationSlug | None = None
    allow_join_requests: bool | None = None
    require_mfa_for_admins: bool | None = None
    no_show_release_minutes: NoShowReleaseMinutes | None = Field(
        None, description="null turns the release of no-shows' seats off; leave it out to keep it as it is."
    )


class RoleIn(InputSchema):
    role: RoleName


class TransferIn(InputSchema):
    user_id: int = Field(..., ge=1, le=MAX_DATABASE_ID)


class InvitationIn(InputSchema):
    email: Annotated[str, StringConstraints(max_length=254, pattern=EmailPattern)] | None = Field(
        None, description="Sends the invitation by e-mail; without it, a shareable link is returned."
    )
    role: Literal["owner", "admin", "member"] = "member"


class InviterOut(Schema):
    id: int | None = Field(description="null once the account is deleted")
    display_name: str = Field(description='"Utilisateur supprimé" / "Deleted user" once the account is deleted')


class InvitationOut(Schema):
    id: int
    email: str | None
    role: RoleName
    created_by: InviterOut = Field(description="Who created the invitation")
    created_at: datetime
    expires_at: datetime

    @staticmethod
    def resolve_email(obj: Invitation) -> str | None:
        return obj.email or None

    @staticmethod
    def resolve_created_by(obj: Invitation) -> dict[str, Any]:
        # display_name is read now, in the request's language.
        creator = obj.created_by
        if creator is None or creator.is_deleted:
            return {"id": None, "display_name": _("Utilisateur supprimé")}
        return {"id": creator.pk, "display_name": creator.display_name}


class InvitationCreatedOut(InvitationOut):
    url: str | None = Field(None, description="The link to share (link invitations only). Shown once.")
    token: str | None = Field(None, description="The raw token of the link (link invitations only). Shown once.")


class AcceptInvitationIn(InputSchema):
    token: Annotated[str, StringConstraints(min_length=1, max_length=200)]


class JoinRequestIn(InputSchema):
    message: Annotated[str, StringConstraints(max_length=1000, pattern=MessagePattern)] = ""


class RequesterOut(Schema):
    id: int
    display_name: str
    email: str


class JoinRequestOut(Schema):
    id: int
    user: RequesterOut
    message: str
    status: Literal["pending", "approved", "rejected"]
    created_at: datetime

    @staticmethod
    def resolve_status(obj: JoinRequest) -> str:
        return str(obj.status)


class EmailDomainIn(InputSchema):
    domain: Annotated[str, StringConstraints(max_length=253, pattern=DomainPattern)]


class DnsRecordOut(Schema):
    name: str = Field(description="The name to publish the record at: `_coworklib-verification.<domain>`.")
    type: Literal["TXT"]
    value: str = Field(description="`coworklib-verification=<token>`, the token being this claim's own.")


class EmailDomainOut(Schema):
    id: int
    domain: str
    verified: bool = Field(description="Only a verified domain lets people with an address there join.")
    verified_at: datetime | None
    created_at: datetime
    dns_record: DnsRecordOut = Field(description="The TXT record that proves control of the domain.")

    @staticmethod
    def resolve_verified(obj: EmailDomain) -> bool:
        return obj.is_verified

    @staticmethod
    def resolve_dns_record(obj: EmailDomain) -> dict[str, str]:
        return {"name": obj.record_name, "type": "TXT", "value": obj.record_value}


class DetailOut(Schema):
    detail: str
