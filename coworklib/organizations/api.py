"""/api/v1 endpoints of organizations.

`{org}` is an organization's id or slug. Anything the caller is not a member of
answers 404 `not_found`, whether it exists or not; inside their own
organization, what their role does not allow answers 403 `forbidden` (or
`mfa_required` when the organization requires two-factor authentication of its
admins). Every status an endpoint can return is declared for the OpenAPI schema.
"""

from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Path, Query, Router, Status
from ninja.pagination import paginate

from coworklib.api.schemas import AUTH_ERRORS, ErrorOut
from coworklib.core.converters import MAX_DATABASE_ID
from coworklib.core.pagination import BoundedLimitOffsetPagination
from coworklib.organizations import selectors, services
from coworklib.organizations.emails import invitation_url
from coworklib.organizations.models import EmailDomain, Invitation, JoinRequest, Membership
from coworklib.organizations.schemas import (
    AcceptInvitationIn,
    DetailOut,
    EmailDomainIn,
    EmailDomainOut,
    InvitationCreatedOut,
    InvitationIn,
    InvitationOut,
    JoinRequestIn,
    JoinRequestOut,
    MemberOut,
    MembershipOut,
    MyOrganizationOut,
    OrganizationIn,
    OrganizationOut,
    OrganizationPatch,
    RoleIn,
    TransferIn,
)
from coworklib.organizations.throttling import CreationThrottled

router = Router(tags=["organizations"])

# Declared on every endpoint: authentication, validation, throttling, plus CSRF
# (403) for unsafe calls made with the web session.
READ_ERRORS: dict[int, Any] = {**AUTH_ERRORS, 404: ErrorOut}
WRITE_ERRORS: dict[int, Any] = {**AUTH_ERRORS, 403: ErrorOut, 404: ErrorOut}
ADMIN_ERRORS: dict[int, Any] = {**WRITE_ERRORS, 409: ErrorOut}


def _id() -> Any:
    return Path(..., ge=1, le=MAX_DATABASE_ID, description="A numeric id.")


@router.get("/organizations", response={200: list[MyOrganizationOut], **AUTH_ERRORS}, summary="My organizations")
@paginate(BoundedLimitOffsetPagination)
def list_my_organizations(request: HttpRequest) -> QuerySet[Membership]:
    return selectors.memberships_for_user(request.user)  # type: ignore[arg-type]


@router.post(
    "/organizations",
    response={201: OrganizationOut, **AUTH_ERRORS, 403: ErrorOut, 409: ErrorOut},
    summary="Create an organization (you become its owner)",
    description=(
        "409 `slug_taken` when the chosen slug is in use. Each attempt counts: after ten in an hour, "
        "429 `throttled` with `Retry-After`."
    ),
)
def create_organization(request: HttpRequest, payload: OrganizationIn, response: HttpResponse) -> Status[Any]:
    try:
        organization = services.create_organization(
            user=request.user,  # type: ignore[arg-type]
            name=payload.name,
            slug=payload.slug or "",
        )
    except CreationThrottled as exc:
        response["Retry-After"] = str(exc.retry_after)
        return Status(429, {"detail": exc.detail, "code": exc.code})
    return Status(201, selectors.get_membership_for_user(request.user, organization.pk))


@router.get("/organizations/{org}", response={200: OrganizationOut, **READ_ERRORS}, summary="An organization")
def get_organization(request: HttpRequest, org: str) -> Membership:
    return selectors.get_membership_for_user(request.user, org)


@router.patch(
    "/organizations/{org}", response={200: OrganizationOut, **ADMIN_ERRORS}, summary="Change settings (admin)"
)
def update_organization(request: HttpRequest, org: str, payload: OrganizationPatch) -> Membership:
    membership = selectors.get_admin_membership_for_user(request.user, org)
    # null leaves a setting as it is, except the no-show delay, where null turns it off.
    changes = {
        field: value
        for field, value in payload.model_dump(exclude_unset=True).items()
        if value is not None or field == "no_show_release_minutes"
    }
    membership.organization = services.update_organization_settings(by=membership, **changes)
    return membership


# --- Members ----------------------------------------------------------------------------


@router.get(
    "/organizations/{org}/members",
    response={200: list[MemberOut], **READ_ERRORS},
    summary="Member directory",
    description="Searchable with `q` (every word must match a name, job title or e-mail).",
)
@paginate(BoundedLimitOffsetPagination)
def list_members(request: HttpRequest, org: str, q: str = Query("", max_length=100)) -> Any:
    membership = selectors.get_membership_for_user(request.user, org)
    return selectors.search_members(membership.organization, q)


@router.get("/organizations/{org}/members/{user_id}", response={200: MembershipOut, **READ_ERRORS}, summary="A member")
def get_member(request: HttpRequest, org: str, user_id: int = _id()) -> Membership:
    membership = selectors.get_membership_for_user(request.user, org)
    return selectors.get_member_for_member(membership, user_id)


@router.patch(
    "/organizations/{org}/members/{user_id}",
    response={200: MembershipOut, **ADMIN_ERRORS},
    summary="Change a member's role (admin; only owners make owners)",
)
def change_member_role(request: HttpRequest, org: str, payload: RoleIn, user_id: int = _id()) -> Membership:
    membership = selectors.get_admin_membership_for_user(request.user, org)
    return services.change_role(by=membership, user_id=user_id, role=payload.role)


@router.delete(
    "/organizations/{org}/members/{user_id}",
    response={204: None, **ADMIN_ERRORS},
    summary="Remove a member (admin), or leave with your own id",
)
def remove_member(request: HttpRequest, org: str, user_id: int = _id()) -> Status[None]:
    membership = selectors.get_membership_for_user(request.user, org)
    if user_id != membership.user_id:
        selectors.ensure_admin_access(membership)
    services.remove_member(by=membership, user_id=user_id)
    return Status(204, None)


@router.post(
    "/organizations/{org}/transfer-ownership",
    response={200: MembershipOut, **ADMIN_ERRORS},
    summary="Transfer ownership (owner); you become an admin",
)
def transfer_ownership(request: HttpRequest, org: str, payload: TransferIn) -> Membership:
    membership = selectors.get_admin_membership_for_user(request.user, org)
    return services.transfer_ownership(by=membership, user_id=payload.user_id)


# --- Invitations ----------------------------------------------------------------------------


@router.get(
    "/organizations/{org}/invitations",
    response={200: list[InvitationOut], **WRITE_ERRORS},
    summary="Pending invitations (admin)",
)
@paginate(BoundedLimitOffsetPagination)
def list_invitations(request: HttpRequest, org: str) -> QuerySet[Invitation]:
    membership = selectors.get_admin_membership_for_user(request.user, org)
    return selectors.pending_invitations(membership.organization)


@router.post(
    "/organizations/{org}/invitations",
    response={201: InvitationCreatedOut, **ADMIN_ERRORS},
    summary="Invite by e-mail, or create a shareable link (admin)",
)
def create_invitation(request: HttpRequest, org: str, payload: InvitationIn) -> Status[Any]:
    membership = selectors.get_admin_membership_for_user(request.user, org)
    if payload.email:
        invitation = services.invite_by_email(by=membership, email=payload.email, role=payload.role)
        return Status(201, invitation)
    invitation, raw_token = services.create_invitation_link(by=membership, role=payload.role)
    created = InvitationCreatedOut.model_validate(invitation)
    return Status(201, created.model_copy(update={"url": invitation_url(raw_token), "token": raw_token}))


@router.delete(
    "/organizations/{org}/invitations/{invitation_id}",
    response={204: None, **ADMIN_ERRORS},
    summary="Revoke an invitation (admin)",
)
def revoke_invitation(request: HttpRequest, org: str, invitation_id: int = _id()) -> Status[None]:
    membership = selectors.get_admin_membership_for_user(request.user, org)
    services.revoke_invitation(by=membership, invitation_id=invitation_id)
    return Status(204, None)


@router.post(
    "/invitations/accept",
    response={200: MyOrganizationOut, **WRITE_ERRORS, 409: ErrorOut, 410: ErrorOut},
    summary="Accept an invitation",
    description=(
        "404 `invitation_not_found`; 410 `invitation_expired`, `invitation_used` or `invitation_revoked`; "
        "410 `inviter_not_allowed` when whoever created it left the organization, was removed, no longer has "
        "a role that may invite to its role, or deleted their account (ask an administrator for a new one); "
        "403 `wrong_email` when an e-mail invitation was sent to an address you have not verified; "
        "409 `already_member`."
    ),
)
def accept_invitation(request: HttpRequest, payload: AcceptInvitationIn) -> Membership:
    return services.accept_invitation(user=request.user, token=payload.token)  # type: ignore[arg-type]


# --- Join requests ----------------------------------------------------------------------------


@router.post(
    "/organizations/{org}/join-requests",
    response={202: DetailOut, **AUTH_ERRORS, 403: ErrorOut},
    summary="Ask to join an organization",
    description=(
        "Works for anyone signed in. The answer is the same whether the organization exists, "
        "accepts requests or already counts you as a member."
    ),
)
def request_to_join(request: HttpRequest, org: str, payload: JoinRequestIn) -> Status[dict[str, str]]:
    services.request_to_join(user=request.user, org_ref=org, message=payload.message)  # type: ignore[arg-type]
    return Status(
        202,
        {"detail": _("Demande envoyée. Si l'organisation accepte les demandes, ses administrateurs vous répondront.")},
    )


@router.get(
    "/organizations/{org}/join-requests",
    response={200: list[JoinRequestOut], **WRITE_ERRORS},
    summary="Pending join requests (admin)",
)
@paginate(BoundedLimitOffsetPagination)
def list_join_requests(request: HttpRequest, org: str) -> QuerySet[JoinRequest]:
    membership = selectors.get_admin_membership_for_user(request.user, org)
    return selectors.pending_join_requests(membership.organization)


@router.post(
    "/organizations/{org}/join-requests/{join_request_id}/approve",
    response={200: JoinRequestOut, **ADMIN_ERRORS},
    summary="Approve a join request (admin): the requester becomes a member",
)
def approve_join_request(request: HttpRequest, org: str, join_request_id: int = _id()) -> JoinRequest:
    membership = selectors.get_admin_membership_for_user(request.user, org)
    return services.approve_join_request(by=membership, join_request_id=join_request_id)


@router.post(
    "/organizations/{org}/join-requests/{join_request_id}/reject",
    response={200: JoinRequestOut, **ADMIN_ERRORS},
    summary="Reject a join request (admin)",
)
def reject_join_request(request: HttpRequest, org: str, join_request_id: int = _id()) -> JoinRequest:
    membership = selectors.get_admin_membership_for_user(request.user, org)
    return services.reject_join_request(by=membership, join_request_id=join_request_id)


# --- E-mail domains ----------------------------------------------------------------------------


@router.get(
    "/organizations/{org}/domains",
    response={200: list[EmailDomainOut], **WRITE_ERRORS},
    summary="E-mail domains, verified or waiting for their DNS record (admin)",
)
@paginate(BoundedLimitOffsetPagination)
def list_domains(request: HttpRequest, org: str) -> Any:
    membership = selectors.get_admin_membership_for_user(request.user, org)
    return selectors.email_domains(membership.organization)


@router.post(
    "/organizations/{org}/domains",
    response={201: EmailDomainOut, **ADMIN_ERRORS},
    summary="Claim an e-mail domain (admin); it grants nothing until verified",
    description=(
        "Only the domain of one of your own verified addresses (403 `domain_not_verified`); "
        "never a public webmail domain (403 `public_email_domain`); 409 `domain_taken` if your organization "
        "already lists it or another one verified it. The domain starts unverified: publish `dns_record`, "
        "then call `POST .../domains/{id}/verify`."
    ),
)
def add_domain(request: HttpRequest, org: str, payload: EmailDomainIn) -> Status[Any]:
    membership = selectors.get_admin_membership_for_user(request.user, org)
    return Status(201, services.add_email_domain(by=membership, domain=payload.domain))


@router.post(
    "/organizations/{org}/domains/{domain_id}/verify",
    response={200: EmailDomainOut, **ADMIN_ERRORS, 503: ErrorOut},
    summary="Verify an e-mail domain by its DNS record (admin)",
    description=(
        "Looks up the TXT record `dns_record` and, when it is published, verifies the domain: people with a "
        "verified address there join the organization (except those who left it or were removed). "
        "200 also when already verified; 409 `domain_not_proven` when the record is not found (yet); "
        "409 `domain_taken` when another organization verified the domain first; 503 `dns_unavailable` "
        "when the name server did not answer."
    ),
)
def verify_domain(request: HttpRequest, org: str, domain_id: int = _id()) -> EmailDomain:
    membership = selectors.get_admin_membership_for_user(request.user, org)
    return services.verify_email_domain(by=membership, domain_id=domain_id)


@router.delete(
    "/organizations/{org}/domains/{domain_id}",
    response={204: None, **ADMIN_ERRORS},
    summary="Remove an e-mail domain (admin); members who joined through it stay",
)
def remove_domain(request: HttpRequest, org: str, domain_id: int = _id()) -> Status[None]:
    membership = selectors.get_admin_membership_for_user(request.user, org)
    services.remove_email_domain(by=membership, domain_id=domain_id)
    return Status(204, None)
