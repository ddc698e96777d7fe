"""Writes. Every service is atomic and records an audit entry for each change it makes.

Services that act on behalf of an admin take the admin's Membership (`by`),
obtained from the selectors, so the organization is always the caller's own.
Services that change roles or remove people lock the organization row first
(SELECT … FOR UPDATE on PostgreSQL, the IMMEDIATE write lock on SQLite) so that
two concurrent requests cannot leave an organization without an owner.
"""

from enum import Enum
from typing import Any, Final

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from coworklib.accounts.models import User, hash_token
from coworklib.core.audit import record_audit
from coworklib.core.errors import Conflict, DomainError, Forbidden, Gone, InvalidInput, NotFound
from coworklib.organizations.domains import (
    DnsLookupError,
    domain_of,
    is_public_email_domain,
    lookup_txt_records,
    normalize_domain,
)
from coworklib.organizations.emails import send_invitation_email_on_commit
from coworklib.organizations.models import (
    Departure,
    EmailDomain,
    Invitation,
    JoinRequest,
    Membership,
    Organization,
    Role,
    may_invite,
    slug_validator,
)
from coworklib.organizations.selectors import (
    MAX_TOKEN_LENGTH,
    InviterNoLongerAllowed,
    invitation_problem,
    inviter_problem,
    organization_lookup,
    owners_count,
    usable_invitations,
    user_has_mfa,
    verified_emails_of,
)
from coworklib.organizations.throttling import consume_creation_attempt

NAME_MAX_LENGTH = 120
SLUG_MAX_LENGTH = 50
MESSAGE_MAX_LENGTH = 1000
EMAIL_MAX_LENGTH = 254


# --- Helpers -------------------------------------------------------------------------


def _ensure_admin(membership: Membership) -> None:
    if not membership.is_admin:
        raise Forbidden


def _lock_organization(organization_id: int) -> Organization:
    return Organization.objects.select_for_update().get(pk=organization_id)


def _relock_actor(by: Membership) -> tuple[Organization, Membership]:
    """Lock the organization and re-read the actor's membership: their role may have changed meanwhile."""
    organization = _lock_organization(by.organization_id)
    actor = Membership.objects.filter(organization=organization, user_id=by.user_id).select_related("user").first()
    if actor is None:
        raise NotFound
    actor.organization = organization
    return organization, actor


def _ensure_can_grant(by: Membership, role: str) -> None:
    if role not in Role.values:
        raise InvalidInput(_("Ce rôle n'existe pas."), code="invalid_role")
    if role == Role.OWNER and not by.is_owner:
        raise Forbidden(_("Seul un propriétaire peut nommer un autre propriétaire."), code="owner_required")


def _clean_name(name: str) -> str:
    cleaned = " ".join(name.split())
    if not cleaned:
        raise InvalidInput(_("Indiquez un nom."), code="invalid_name")
    if len(cleaned) > NAME_MAX_LENGTH:
        raise InvalidInput(
            _("Le nom ne doit pas dépasser %(max)d caractères.") % {"max": NAME_MAX_LENGTH}, code="invalid_name"
        )
    return cleaned


def _clean_slug(slug: str) -> str:
    cleaned = slug.strip().lower()
    try:
        slug_validator(cleaned)
    except ValidationError:
        raise InvalidInput(
            _(
                "L'identifiant ne peut contenir que des lettres minuscules sans accent, des chiffres et des "
                "tirets (50 caractères au plus), et pas uniquement des chiffres."
            ),
            code="invalid_slug",
        ) from None
    return cleaned


def _slug_taken() -> Conflict:
    return Conflict(_("Cet identifiant est déjà pris : choisissez-en un autre."), code="slug_taken")


def _available_slug(name: str) -> str:
    """A free slug derived from the name: "Café Lumière" → "cafe-lumiere", then "cafe-lumiere-2"…"""
    base = slugify(name)[: SLUG_MAX_LENGTH - 4].strip("-") or "organisation"
    if base.replace("-", "").isdigit():
        base = f"org-{base}"[: SLUG_MAX_LENGTH - 4]
    taken = set(Organization.objects.filter(slug__startswith=base).values_list("slug", flat=True))
    if base not in taken:
        return base
    suffix = 2
    while f"{base}-{suffix}" in taken:
        suffix += 1
    return f"{base}-{suffix}"


def remember_last_organization(*, user: User, organization: Organization) -> None:
    """Where /app/ takes the user next time. Writes only when it changes."""
    if user.last_organization_id != organization.pk:
        User.objects.filter(pk=user.pk).update(last_organization=organization)
        user.last_organization = organization


def _forget_last_organization(user: User, organization: Organization) -> None:
    User.objects.filter(pk=user.pk, last_organization=organization).update(last_organization=None)


def _settle_join_requests(*, user: User, organization: Organization, decided_by: User | None) -> None:
    """Someone who joined by another way no longer waits for an answer."""
    JoinRequest.objects.filter(organization=organization, user=user, status=JoinRequest.Status.PENDING).update(
        status=JoinRequest.Status.APPROVED, decided_at=timezone.now(), decided_by=decided_by
    )


def _record_departure(*, user: User, organization: Organization, reason: str) -> None:
    Departure.objects.update_or_create(
        organization=organization, user=user, defaults={"reason": reason, "departed_at": timezone.now()}
    )


def _forget_departure(*, user: User, organization: Organization) -> None:
    """Someone an admin let back in (invitation, approved request) is a member like any other again."""
    Departure.objects.filter(organization=organization, user=user).delete()


def _revoke_invitations_beyond(*, creator: User, organization: Organization, role: str | None, reason: str) -> None:
    """Revoke the usable invitations `creator` made in `organization` that `role` may not send.

    `role` is the creator's new role, None when they are no longer a member.
    An invitation speaks for its creator's right to invite: without this, an
    admin who is removed or demoted could come back, as admin, through a link
    they made beforehand, and then make new links before each one expires.
    One audit entry (no actor: nobody chose it, it follows from the change)
    lists the ids; `reason` is "left", "removed" or "demoted".
    """
    lost_roles = [granted for granted in Role.values if role is None or not may_invite(role, granted)]
    if not lost_roles:
        return
    revoked = list(
        usable_invitations()
        .filter(organization=organization, created_by=creator, role__in=lost_roles)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    if not revoked:
        return
    Invitation.objects.filter(pk__in=revoked).update(revoked_at=timezone.now())
    record_audit(
        organization=organization,
        actor=None,
        action="invitation.revoked_with_creator",
        target_user=creator,
        invitation_ids=revoked,
        reason=reason,
    )


# --- Organizations -------------------------------------------------------------------------


def create_organization(*, user: User, name: str, slug: str = "") -> Organization:
    """Create an organization owned by `user`. Without a slug, one is derived from the name.

    Each well-formed attempt counts towards the creator's allowance
    (throttling.consume_creation_attempt, CreationThrottled when none is left),
    so it is counted before the transaction and survives a refusal.
    """
    name = _clean_name(name)
    chosen_slug = _clean_slug(slug) if slug.strip() else ""
    consume_creation_attempt(user_id=user.pk)
    return _create_organization(user=user, name=name, chosen_slug=chosen_slug)


@transaction.atomic
def _create_organization(*, user: User, name: str, chosen_slug: str) -> Organization:
    # A derived slug can lose a race to another creation: try the next free one.
    for _attempt in range(3):
        candidate = chosen_slug or _available_slug(name)
        if chosen_slug and Organization.objects.filter(slug=candidate).exists():
            raise _slug_taken()
        try:
            with transaction.atomic():
                organization = Organization.objects.create(name=name, slug=candidate)
            break
        except IntegrityError:
            if chosen_slug:
                raise _slug_taken() from None
    else:
        raise _slug_taken()
    Membership.objects.create(organization=organization, user=user, role=Role.OWNER)
    remember_last_organization(user=user, organization=organization)
    record_audit(organization=organization, actor=user, action="organization.created", name=name, slug=candidate)
    return organization


class _Unset(Enum):
    UNSET = "unset"


# For a setting where None is a value ("off"): leaving it out leaves it as it is.
UNSET: Final = _Unset.UNSET

# A no-show delay shorter than this would release seats of people stuck at the door; longer, after half a day.
NO_SHOW_RELEASE_MIN, NO_SHOW_RELEASE_MAX = 5, 240


def _clean_no_show_release_minutes(minutes: int | None) -> int | None:
    if minutes is None:
        return None
    if (
        isinstance(minutes, bool)
        or not isinstance(minutes, int)
        or not (NO_SHOW_RELEASE_MIN <= minutes <= NO_SHOW_RELEASE_MAX)
    ):
        message = _("Indiquez un délai entre %(min)d et %(max)d minutes, ou laissez vide pour ne jamais libérer.") % {
            "min": NO_SHOW_RELEASE_MIN,
            "max": NO_SHOW_RELEASE_MAX,
        }
        raise InvalidInput(
            message,
            code="invalid_no_show_release_minutes",
            extra={"errors": [{"loc": ["no_show_release_minutes"], "msg": message, "type": "out_of_range"}]},
        )
    return minutes


@transaction.atomic
def update_organization_settings(
    *,
    by: Membership,
    name: str | None = None,
    slug: str | None = None,
    allow_join_requests: bool | None = None,
    require_mfa_for_admins: bool | None = None,
    no_show_release_minutes: int | _Unset | None = UNSET,
) -> Organization:
    """Change any of the given settings (None leaves one as it is, except the no-show delay: None turns it off)."""
    _ensure_admin(by)
    organization, actor = _relock_actor(by)
    _ensure_admin(actor)
    wanted: dict[str, Any] = {}
    if name is not None:
        wanted["name"] = _clean_name(name)
    if slug is not None:
        wanted["slug"] = _clean_slug(slug)
        if Organization.objects.filter(slug=wanted["slug"]).exclude(pk=organization.pk).exists():
            raise _slug_taken()
    if allow_join_requests is not None:
        wanted["allow_join_requests"] = allow_join_requests
    if not isinstance(no_show_release_minutes, _Unset):
        wanted["no_show_release_minutes"] = _clean_no_show_release_minutes(no_show_release_minutes)
    if require_mfa_for_admins is not None:
        wanted["require_mfa_for_admins"] = require_mfa_for_admins
        # Turning it on without MFA of one's own would lock the admin out of the console at once.
        if require_mfa_for_admins and not organization.require_mfa_for_admins and not user_has_mfa(actor.user):
            raise Conflict(
                _(
                    "Activez d'abord la double authentification sur votre propre compte, "
                    "puis exigez-la des administrateurs."
                ),
                code="mfa_not_configured",
            )
    changes = {
        field: [getattr(organization, field), value]
        for field, value in wanted.items()
        if getattr(organization, field) != value
    }
    if not changes:
        return organization
    for field, (_old, new) in changes.items():
        setattr(organization, field, new)
    try:
        with transaction.atomic():
            organization.save(update_fields=list(changes))
    except IntegrityError:
        raise _slug_taken() from None
    record_audit(organization=organization, actor=actor.user, action="organization.settings_changed", changes=changes)
    return organization


# --- Roles and members -------------------------------------------------------------------------


@transaction.atomic
def change_role(*, by: Membership, user_id: int, role: str) -> Membership:
    """Give a member another role. Only owners make or unmake owners; the last owner stays."""
    _ensure_admin(by)
    organization, actor = _relock_actor(by)
    _ensure_admin(actor)
    target = Membership.objects.select_related("user").filter(organization=organization, user_id=user_id).first()
    if target is None:
        raise NotFound
    _ensure_can_grant(actor, role)
    if target.role == role:
        return target
    if target.is_owner and not actor.is_owner:
        raise Forbidden(_("Seul un propriétaire peut changer le rôle d'un propriétaire."), code="owner_required")
    if target.is_owner and owners_count(organization) == 1:
        raise _last_owner()
    old_role = target.role
    target.role = role
    target.save(update_fields=["role"])
    record_audit(
        organization=organization,
        actor=actor.user,
        action="member.role_changed",
        target_user=target.user,
        old_role=old_role,
        new_role=role,
    )
    _revoke_invitations_beyond(creator=target.user, organization=organization, role=role, reason="demoted")
    return target


def _last_owner() -> Conflict:
    return Conflict(
        _(
            "Une organisation garde toujours au moins un propriétaire : "
            "nommez d'abord un autre propriétaire ou transférez la propriété."
        ),
        code="last_owner",
    )


@transaction.atomic
def remove_member(*, by: Membership, user_id: int) -> Membership:
    """Remove someone from the organization and return their former membership. Removing oneself is leaving it."""
    if user_id == by.user_id:
        leave_organization(membership=by)
        return by
    _ensure_admin(by)
    organization, actor = _relock_actor(by)
    _ensure_admin(actor)
    target = Membership.objects.select_related("user").filter(organization=organization, user_id=user_id).first()
    if target is None:
        raise NotFound
    if target.is_owner and not actor.is_owner:
        raise Forbidden(_("Seul un propriétaire peut retirer un propriétaire."), code="owner_required")
    if target.is_owner and owners_count(organization) == 1:
        raise _last_owner()
    target.delete()
    _forget_last_organization(target.user, organization)
    _record_departure(user=target.user, organization=organization, reason=Departure.Reason.REMOVED)
    record_audit(
        organization=organization, actor=actor.user, action="member.removed", target_user=target.user, role=target.role
    )
    _revoke_invitations_beyond(creator=target.user, organization=organization, role=None, reason="removed")
    return target


@transaction.atomic
def leave_organization(*, membership: Membership) -> None:
    organization = _lock_organization(membership.organization_id)
    current = Membership.objects.filter(pk=membership.pk).first()
    if current is None:
        raise NotFound
    if current.is_owner and owners_count(organization) == 1:
        raise Conflict(
            _(
                "Vous êtes le dernier propriétaire de cette organisation : "
                "transférez d'abord la propriété à un autre membre."
            ),
            code="last_owner",
        )
    current.delete()
    user = membership.user
    _forget_last_organization(user, organization)
    _record_departure(user=user, organization=organization, reason=Departure.Reason.LEFT)
    record_audit(organization=organization, actor=user, action="member.left", target_user=user, role=current.role)
    _revoke_invitations_beyond(creator=user, organization=organization, role=None, reason="left")


@transaction.atomic
def transfer_ownership(*, by: Membership, user_id: int) -> Membership:
    """Make another member owner; the current owner becomes an administrator."""
    organization, actor = _relock_actor(by)
    if not actor.is_owner:
        raise Forbidden(_("Seul un propriétaire peut transférer la propriété."), code="owner_required")
    target = Membership.objects.select_related("user").filter(organization=organization, user_id=user_id).first()
    if target is None:
        raise NotFound
    if target.pk == actor.pk:
        raise Conflict(_("Vous êtes déjà propriétaire de cette organisation."), code="already_owner")
    target.role = Role.OWNER
    target.save(update_fields=["role"])
    actor.role = Role.ADMIN
    actor.save(update_fields=["role"])
    record_audit(organization=organization, actor=actor.user, action="ownership.transferred", target_user=target.user)
    _revoke_invitations_beyond(creator=actor.user, organization=organization, role=Role.ADMIN, reason="demoted")
    return target


# --- Invitations -------------------------------------------------------------------------


def _clean_email(email: str) -> str:
    cleaned = email.strip().lower()
    local, at, domain = cleaned.rpartition("@")
    if not at or not local or "." not in domain or len(cleaned) > EMAIL_MAX_LENGTH or any(c.isspace() for c in cleaned):
        raise InvalidInput(_("Saisissez une adresse e-mail valide."), code="invalid_email")
    return cleaned


@transaction.atomic
def invite_by_email(*, by: Membership, email: str, role: str = Role.MEMBER) -> Invitation:
    """Invite someone by e-mail. A new invitation to the same address replaces the pending one.

    Side effect: the e-mail is sent after commit.
    """
    _ensure_admin(by)
    email = _clean_email(email)
    organization, actor = _relock_actor(by)
    _ensure_admin(actor)
    _ensure_can_grant(actor, role)
    if Membership.objects.filter(organization=organization, user__email__iexact=email).exists():
        raise Conflict(_("Cette personne est déjà membre de l'organisation."), code="already_member")
    now = timezone.now()
    Invitation.objects.filter(
        organization=organization, email__iexact=email, accepted_at__isnull=True, revoked_at__isnull=True
    ).update(revoked_at=now)
    raw_token, token_hash = Invitation.new_token()
    invitation = Invitation.objects.create(
        organization=organization, email=email, role=role, token_hash=token_hash, created_by=actor.user
    )
    record_audit(
        organization=organization, actor=actor.user, action="invitation.sent", invitation_id=invitation.pk, role=role
    )
    send_invitation_email_on_commit(invitation=invitation, raw_token=raw_token, inviter=actor.user)
    return invitation


@transaction.atomic
def create_invitation_link(*, by: Membership, role: str = Role.MEMBER) -> tuple[Invitation, str]:
    """A single-use link to share. Returns the raw token: it is shown once and never stored."""
    _ensure_admin(by)
    organization, actor = _relock_actor(by)
    _ensure_admin(actor)
    _ensure_can_grant(actor, role)
    raw_token, token_hash = Invitation.new_token()
    invitation = Invitation.objects.create(
        organization=organization, role=role, token_hash=token_hash, created_by=actor.user
    )
    record_audit(
        organization=organization,
        actor=actor.user,
        action="invitation.link_created",
        invitation_id=invitation.pk,
        role=role,
    )
    return invitation, raw_token


@transaction.atomic
def revoke_invitation(*, by: Membership, invitation_id: int) -> Invitation:
    _ensure_admin(by)
    invitation = Invitation.objects.filter(organization_id=by.organization_id, pk=invitation_id).first()
    if invitation is None:
        raise NotFound
    if invitation.accepted_at is not None:
        raise Conflict(_("Cette invitation a déjà été acceptée."), code="invitation_used")
    if invitation.revoked_at is not None:
        return invitation
    invitation.revoked_at = timezone.now()
    invitation.save(update_fields=["revoked_at"])
    record_audit(organization=by.organization, actor=by.user, action="invitation.revoked", invitation_id=invitation.pk)
    return invitation


def accept_invitation(*, user: User, token: str = "", invitation_id: int | None = None) -> Membership:
    """Join the organization of an invitation, found by its raw token or, for e-mail invitations, by id.

    An e-mail invitation may only be accepted by someone holding that address,
    verified. By id, one addressed to anyone else is NotFound before anything
    about its state is told: ids are guessable, and "revoked" or "expired"
    would confirm to a stranger that an invitation exists. The invitation is
    consumed with a conditional UPDATE, so two concurrent acceptances of the
    same link cannot both succeed.

    Its creator must still be a member allowed to invite to its role
    (selectors.inviter_problem), checked with the organization row locked, as
    role changes and removals lock it: otherwise InviterNoLongerAllowed, with
    nothing consumed, and an audit entry of the refusal written once the
    acceptance's own transaction is rolled back.
    """
    try:
        return _accept_invitation(user=user, token=token, invitation_id=invitation_id)
    except InviterNoLongerAllowed as refusal:
        invitation = refusal.invitation
        with transaction.atomic():
            record_audit(
                organization=invitation.organization,
                actor=user,
                action="invitation.refused",
                target_user=invitation.created_by,
                invitation_id=invitation.pk,
                role=invitation.role,
                reason=refusal.reason,
            )
        raise


@transaction.atomic
def _accept_invitation(*, user: User, token: str, invitation_id: int | None) -> Membership:
    invitations = Invitation.objects.select_related("organization", "created_by")
    if token:
        invitation = (
            invitations.filter(token_hash=hash_token(token)).first() if len(token) <= MAX_TOKEN_LENGTH else None
        )
    elif invitation_id is not None:
        invitation = invitations.filter(pk=invitation_id).exclude(email="").first()
    else:
        invitation = None
    if invitation is None:
        raise NotFound(_("Cette invitation n'existe pas."), code="invitation_not_found")
    addressed_to_someone_else = bool(invitation.email) and invitation.email.lower() not in verified_emails_of(user)
    if addressed_to_someone_else and invitation_id is not None:
        raise NotFound(_("Cette invitation n'existe pas."), code="invitation_not_found")
    problem = invitation_problem(invitation)
    if problem is not None:
        raise problem
    if addressed_to_someone_else:
        raise Forbidden(
            _(
                "Cette invitation a été envoyée à une autre adresse e-mail. Connectez-vous avec cette adresse, "
                "ou ajoutez-la à votre compte et confirmez-la, puis ouvrez à nouveau le lien."
            ),
            code="wrong_email",
        )
    organization = invitation.organization
    if Membership.objects.filter(organization=organization, user=user).exists():
        raise Conflict(_("Vous êtes déjà membre de cette organisation."), code="already_member")
    _lock_organization(organization.pk)
    inviter_refusal = inviter_problem(invitation)
    if inviter_refusal is not None:
        raise inviter_refusal
    now = timezone.now()
    consumed = Invitation.objects.filter(
        pk=invitation.pk, accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=now
    ).update(accepted_at=now, accepted_by=user)
    if not consumed:
        raise Gone(_("Cette invitation a déjà été utilisée."), code="invitation_used")
    try:
        with transaction.atomic():
            membership = Membership.objects.create(organization=organization, user=user, role=invitation.role)
    except IntegrityError:
        raise Conflict(_("Vous êtes déjà membre de cette organisation."), code="already_member") from None
    _settle_join_requests(user=user, organization=organization, decided_by=invitation.created_by)
    _forget_departure(user=user, organization=organization)
    remember_last_organization(user=user, organization=organization)
    record_audit(
        organization=organization,
        actor=user,
        action="invitation.accepted",
        target_user=user,
        invitation_id=invitation.pk,
        role=invitation.role,
    )
    membership.organization = organization
    return membership


# --- Join requests -------------------------------------------------------------------------


@transaction.atomic
def request_to_join(*, user: User, org_ref: Any, message: str = "") -> JoinRequest | None:
    """Ask to join the organization given by slug (or id).

    Answers the same way whatever happens, so that the caller learns nothing:
    returns the pending request, or None when the organization does not exist,
    does not take requests, or already counts the user as a member.
    """
    message = message.replace("\x00", "").strip()
    if len(message) > MESSAGE_MAX_LENGTH:
        raise InvalidInput(
            _("Le message ne doit pas dépasser %(max)d caractères.") % {"max": MESSAGE_MAX_LENGTH},
            code="invalid_message",
        )
    lookup = organization_lookup(org_ref)
    organization = Organization.objects.filter(lookup).first() if lookup is not None else None
    if organization is None or not organization.allow_join_requests:
        return None
    if Membership.objects.filter(organization=organization, user=user).exists():
        return None
    pending = JoinRequest.objects.filter(organization=organization, user=user, status=JoinRequest.Status.PENDING)
    existing = pending.first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            join_request = JoinRequest.objects.create(organization=organization, user=user, message=message)
    except IntegrityError:
        return pending.first()
    record_audit(
        organization=organization,
        actor=user,
        action="join_request.created",
        target_user=user,
        join_request_id=join_request.pk,
    )
    return join_request


def _decide(*, by: Membership, join_request_id: int, status: str) -> JoinRequest:
    _ensure_admin(by)
    join_request = (
        JoinRequest.objects.select_related("user")
        .filter(organization_id=by.organization_id, pk=join_request_id)
        .first()
    )
    if join_request is None:
        raise NotFound
    now = timezone.now()
    decided = JoinRequest.objects.filter(pk=join_request.pk, status=JoinRequest.Status.PENDING).update(
        status=status, decided_at=now, decided_by=by.user
    )
    if not decided:
        raise Conflict(_("Cette demande a déjà été traitée."), code="join_request_decided")
    join_request.status, join_request.decided_at, join_request.decided_by = status, now, by.user
    return join_request


@transaction.atomic
def approve_join_request(*, by: Membership, join_request_id: int) -> JoinRequest:
    join_request = _decide(by=by, join_request_id=join_request_id, status=JoinRequest.Status.APPROVED)
    Membership.objects.get_or_create(
        organization_id=by.organization_id, user=join_request.user, defaults={"role": Role.MEMBER}
    )
    _forget_departure(user=join_request.user, organization=by.organization)
    record_audit(
        organization=by.organization,
        actor=by.user,
        action="join_request.approved",
        target_user=join_request.user,
        join_request_id=join_request.pk,
    )
    return join_request


@transaction.atomic
def reject_join_request(*, by: Membership, join_request_id: int) -> JoinRequest:
    join_request = _decide(by=by, join_request_id=join_request_id, status=JoinRequest.Status.REJECTED)
    record_audit(
        organization=by.organization,
        actor=by.user,
        action="join_request.rejected",
        target_user=join_request.user,
        join_request_id=join_request.pk,
    )
    return join_request


# --- E-mail domains -------------------------------------------------------------------------


@transaction.atomic
def add_email_domain(*, by: Membership, domain: str) -> EmailDomain:
    """Claim an e-mail domain for the organization. The claim grants nothing until verified.

    The admin must hold a verified address at the domain, and public webmail
    domains are refused. Other organizations' unverified claims do not stand in
    the way (a squatter must not block the real owner); a domain another
    organization has verified does.
    """
    _ensure_admin(by)
    normalized = normalize_domain(domain)
    if normalized is None:
        raise InvalidInput(_("Saisissez un nom de domaine, par exemple « acme.fr »."), code="invalid_domain")
    if normalized not in {domain_of(email) for email in verified_emails_of(by.user)}:
        raise Forbidden(
            _(
                "Vous ne pouvez ajouter que le domaine d'une de vos propres adresses e-mail vérifiées "
                "(par exemple « %(domain)s » si votre adresse est prenom@%(domain)s)."
            )
            % {"domain": normalized},
            code="domain_not_verified",
        )
    if is_public_email_domain(normalized):
        raise Forbidden(
            _("« %(domain)s » est une messagerie publique : n'importe qui pourrait rejoindre votre organisation.")
            % {"domain": normalized},
            code="public_email_domain",
        )
    if EmailDomain.objects.filter(domain=normalized, organization_id=by.organization_id).exists():
        raise Conflict(
            _("Le domaine « %(domain)s » figure déjà dans la liste de votre organisation.") % {"domain": normalized},
            code="domain_taken",
        )
    if EmailDomain.objects.filter(domain=normalized, verified_at__isnull=False).exists():
        raise _domain_taken(normalized)
    try:
        with transaction.atomic():
            email_domain = EmailDomain.objects.create(organization=by.organization, domain=normalized, added_by=by.user)
    except IntegrityError:
        raise _domain_taken(normalized) from None
    record_audit(organization=by.organization, actor=by.user, action="domain.added", domain=normalized)
    return email_domain


def _domain_taken(domain: str) -> Conflict:
    return Conflict(
        _("Le domaine « %(domain)s » est déjà vérifié par une autre organisation.") % {"domain": domain},
        code="domain_taken",
    )


class DnsUnavailable(DomainError):
    status = 503
    code = "dns_unavailable"
    default_detail = gettext_lazy(
        "Le serveur DNS n'a pas répondu : nous n'avons pas pu chercher l'enregistrement. Réessayez dans un instant."
    )


def verify_email_domain(*, by: Membership, domain_id: int) -> EmailDomain:
    """Look for the domain's TXT record and, when it holds the claim's token, verify the claim.

    Not atomic as a whole, on purpose: the DNS lookup (up to
    domains.DNS_TIMEOUT_SECONDS) happens before any transaction, so that no
    database lock is held while waiting for a name server. Raises Conflict
    `domain_not_proven` when the record is missing, DnsUnavailable when the
    name server did not answer. Verifying an already verified claim returns it.
    """
    _ensure_admin(by)
    email_domain = EmailDomain.objects.filter(organization_id=by.organization_id, pk=domain_id).first()
    if email_domain is None:
        raise NotFound
    if email_domain.is_verified:
        return email_domain
    try:
        records = lookup_txt_records(email_domain.record_name)
    except DnsLookupError:
        raise DnsUnavailable from None
    if email_domain.record_value not in {record.strip() for record in records}:
        raise Conflict(
            _(
                "L'enregistrement TXT « %(value)s » est introuvable sur %(name)s. Publiez-le chez l'hébergeur "
                "DNS du domaine puis réessayez : une modification DNS peut mettre quelques minutes, parfois "
                "quelques heures, à se propager."
            )
            % {"value": email_domain.record_value, "name": email_domain.record_name},
            code="domain_not_proven",
        )
    return mark_email_domain_verified(email_domain_id=email_domain.pk, actor=by.user, proof="dns")


@transaction.atomic
def mark_email_domain_verified(*, email_domain_id: int, actor: User | None, proof: str) -> EmailDomain:
    """Verify a claim once its proof is established, then let in everyone who holds a verified address there.

    `proof` says how it was established, for the audit log: "dns" (the TXT
    record) or "staff" (platform staff, in the Django admin). Holds the claim's
    row lock while it joins people.
    """
    claim = (
        EmailDomain.objects.select_for_update(of=("self",))
        .select_related("organization")
        .filter(pk=email_domain_id)
        .first()
    )
    if claim is None:
        raise NotFound
    if claim.is_verified:
        return claim
    if EmailDomain.objects.filter(domain=claim.domain, verified_at__isnull=False).exists():
        raise _domain_taken(claim.domain)
    claim.verified_at = timezone.now()
    try:
        with transaction.atomic():
            claim.save(update_fields=["verified_at"])
    except IntegrityError:
        raise _domain_taken(claim.domain) from None
    record_audit(
        organization=claim.organization, actor=actor, action="domain.verified", domain=claim.domain, proof=proof
    )
    holders = (
        User.objects.filter(
            is_active=True,
            deleted_at__isnull=True,
            emailaddress__verified=True,
            emailaddress__email__iendswith=f"@{claim.domain}",
        )
        .exclude(memberships__organization=claim.organization)
        .exclude(organization_departures__organization=claim.organization)
        .distinct()
        .order_by("pk")
    )
    for user in holders:
        _join_by_domain(user=user, claim=claim)
    return claim


@transaction.atomic
def remove_email_domain(*, by: Membership, domain_id: int) -> None:
    _ensure_admin(by)
    email_domain = EmailDomain.objects.filter(organization_id=by.organization_id, pk=domain_id).first()
    if email_domain is None:
        raise NotFound
    email_domain.delete()
    record_audit(organization=by.organization, actor=by.user, action="domain.removed", domain=email_domain.domain)


def _join_by_domain(*, user: User, claim: EmailDomain) -> Membership | None:
    """Make `user` a member through the verified `claim`; None if they already were."""
    membership, created = Membership.objects.get_or_create(
        organization=claim.organization, user=user, defaults={"role": Role.MEMBER}
    )
    if not created:
        return None
    _settle_join_requests(user=user, organization=claim.organization, decided_by=None)
    record_audit(
        organization=claim.organization,
        actor=user,
        action="member.joined_by_domain",
        target_user=user,
        domain=claim.domain,
    )
    if user.last_organization_id is None:
        remember_last_organization(user=user, organization=claim.organization)
    membership.organization = claim.organization
    return membership


@transaction.atomic
def join_by_verified_domains(*, user: User) -> list[Membership]:
    """Make the user a member of every organization that verified the domain of one of their verified addresses.

    Called when one of their addresses is confirmed (signals); the other way in
    is the domain being verified (mark_email_domain_verified). Never at login:
    nothing changed then. Skips organizations the user already belongs to, and
    those they left or were removed from (Departure).
    """
    if not user.is_active or user.is_deleted:
        return []
    domains = {domain_of(email) for email in verified_emails_of(user)}
    if not domains:
        return []
    claims = (
        EmailDomain.objects.filter(domain__in=domains, verified_at__isnull=False)
        .exclude(organization__memberships__user=user)
        .exclude(organization__departures__user=user)
        .select_related("organization")
        .order_by("domain")
    )
    joined = []
    for claim in claims:
        membership = _join_by_domain(user=user, claim=claim)
        if membership is not None:
            joined.append(membership)
    return joined
