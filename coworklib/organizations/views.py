"""Web pages of organizations: joining, the member directory and the admin console.

Org-scoped pages go through `organization_view`, which resolves the slug to
the caller's Membership or answers 404. Views parse, call one service or
selector, and render; a DomainError becomes a message next to the right field.
"""

from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Page, Paginator
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import add_never_cache_headers, patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from coworklib.core.audit import describe_audit_entry
from coworklib.core.errors import DomainError, NotFound
from coworklib.core.tenancy import organization_view
from coworklib.organizations import selectors, services
from coworklib.organizations.emails import invitation_url
from coworklib.organizations.forms import (
    EmailDomainForm,
    InvitationLinkForm,
    InviteByEmailForm,
    JoinRequestForm,
    MemberSearchForm,
    OrganizationCreateForm,
    OrganizationSettingsForm,
    RoleForm,
    TransferOwnershipForm,
)
from coworklib.organizations.models import Membership, Role
from coworklib.organizations.throttling import CreationThrottled
from coworklib.planning.views.sessions import home_sessions

# Where an invitation link's token waits while its holder signs up or logs in.
INVITATION_TOKEN_SESSION_KEY = "organizations:invitation_token"
DIRECTORY_PAGE_SIZE = 24
CONSOLE_PAGE_SIZE = 50
ACTIVITY_PAGE_SIZE = 50


def _page(request: HttpRequest, items: Any, per_page: int) -> Page:
    return Paginator(items, per_page).get_page(request.GET.get("page"))


def _form_error(form: Form, exc: DomainError, field: str | None = None) -> None:
    form.add_error(field if field in form.fields else None, exc.detail)


def _render_form(request: HttpRequest, template: str, context: dict[str, Any], *, status: int = 200) -> HttpResponse:
    form = context.get("form")
    if form is not None and form.is_bound and form.errors and status == 200:
        status = 422
    return render(request, template, context, status=status)


# --- My organizations, creating and joining ------------------------------------------------------


@login_required
def my_organizations(request: HttpRequest) -> HttpResponse:
    return render(request, "organizations/list.html", overview_context(request.user))


def overview_context(user: Any) -> dict[str, Any]:
    """What a user without a current organization sees: theirs, and the invitations waiting for them."""
    return {
        "memberships": list(selectors.memberships_for_user(user)),
        "invitations": list(selectors.pending_invitations_for_user(user)),
    }


@login_required
def create_organization(request: HttpRequest) -> HttpResponse:
    form = OrganizationCreateForm(request.POST or None)
    status = 200
    retry_after = None
    if request.method == "POST" and form.is_valid():
        try:
            organization = services.create_organization(
                user=request.user,  # type: ignore[arg-type]
                name=form.cleaned_data["name"],
                slug=form.cleaned_data["slug"],
            )
        except CreationThrottled as exc:
            _form_error(form, exc)
            status, retry_after = exc.status, exc.retry_after
        except DomainError as exc:
            _form_error(form, exc, "slug" if exc.code in {"slug_taken", "invalid_slug"} else "name")
            status = exc.status
        else:
            messages.success(request, _("Votre organisation « %(name)s » est créée.") % {"name": organization.name})
            return redirect("organizations:home", slug=organization.slug)
    response = _render_form(request, "organizations/create.html", {"form": form}, status=status)
    if retry_after is not None:
        response["Retry-After"] = str(retry_after)
    return response


@login_required
def join(request: HttpRequest, slug: str | None = None) -> HttpResponse:
    """Ask to join an organization by its slug. The answer is the same whether it exists or not."""
    if slug is not None and request.method == "GET":
        try:
            membership = selectors.get_membership_for_user(request.user, slug)
        except NotFound:
            pass
        else:
            return redirect("organizations:home", slug=membership.organization.slug)
    data = request.POST if request.method == "POST" else None
    form = JoinRequestForm(data, initial={"slug": slug or ""})
    if request.method == "POST" and form.is_valid():
        try:
            services.request_to_join(
                user=request.user,  # type: ignore[arg-type]
                org_ref=form.cleaned_data["slug"],
                message=form.cleaned_data["message"],
            )
        except DomainError as exc:
            _form_error(form, exc, "message")
            return _render_form(request, "organizations/join.html", {"form": form}, status=exc.status)
        return render(request, "organizations/join_sent.html", {"slug": form.cleaned_data["slug"]})
    return _render_form(request, "organizations/join.html", {"form": form})


def invitation_link(request: HttpRequest, token: str) -> HttpResponse:
    """Where an invitation link lands: keep its token in the session and go on at once to /invite/.

    Web server access logs, the Referer sent to other sites and the `next` of
    sign-up and login all record URLs: the token must appear in this one
    request only, never in the page the person then reads and sends forms from.
    """
    if len(token) <= selectors.MAX_TOKEN_LENGTH:
        request.session[INVITATION_TOKEN_SESSION_KEY] = token
    else:
        request.session.pop(INVITATION_TOKEN_SESSION_KEY, None)
    response = redirect("organizations:invitation")
    add_never_cache_headers(response)
    return response


def invitation(request: HttpRequest) -> HttpResponse:
    """The invitation whose link was opened in this session: who invites you, and a button to accept."""
    token = request.session.get(INVITATION_TOKEN_SESSION_KEY, "")
    try:
        found = selectors.get_invitation_by_token(token)
    except NotFound:
        return render(request, "organizations/invitation_invalid.html", {}, status=404)
    problem = selectors.invitation_problem(found)
    if problem is not None:
        return _invitation_invalid(request, problem)
    if request.user.is_authenticated and request.method == "POST":
        # The service checks the inviter itself, under lock, and keeps a trace of a refusal.
        try:
            membership = services.accept_invitation(user=request.user, token=token)  # type: ignore[arg-type]
        except selectors.InviterNoLongerAllowed as exc:
            return _invitation_invalid(request, exc)
        except DomainError as exc:
            return render(
                request,
                "organizations/invitation.html",
                {"invitation": found, "error": exc},
                status=exc.status,
            )
        request.session.pop(INVITATION_TOKEN_SESSION_KEY, None)
        messages.success(request, _("Bienvenue dans « %(name)s » !") % {"name": membership.organization.name})
        return redirect("organizations:home", slug=membership.organization.slug)
    inviter_problem = selectors.inviter_problem(found)
    if inviter_problem is not None:
        return _invitation_invalid(request, inviter_problem)
    if not request.user.is_authenticated:
        next_query = urlencode({"next": reverse("organizations:invitation")})
        return render(
            request,
            "organizations/invitation.html",
            {"invitation": found, "next_query": next_query},
        )
    user = request.user
    context = {
        "invitation": found,
        "already_member": selectors.is_member(user, found.organization),
        "wrong_email": bool(found.email) and found.email.lower() not in selectors.verified_emails_of(user),  # type: ignore[arg-type]
    }
    return render(request, "organizations/invitation.html", context)


def _invitation_invalid(request: HttpRequest, problem: DomainError) -> HttpResponse:
    # The one who sent it can no longer invite: only an administrator can send a new one.
    ask_an_admin = isinstance(problem, selectors.InviterNoLongerAllowed)
    return render(
        request,
        "organizations/invitation_invalid.html",
        {"detail": problem.detail, "ask_an_admin": ask_an_admin},
        status=problem.status,
    )


@login_required
@require_POST
def accept_email_invitation(request: HttpRequest, invitation_id: int) -> HttpResponse:
    """Accept, from the dashboard, an invitation sent to one of the user's verified addresses."""
    try:
        membership = services.accept_invitation(user=request.user, invitation_id=invitation_id)  # type: ignore[arg-type]
    except NotFound:
        raise Http404 from None
    except DomainError as exc:
        messages.error(request, exc.detail)
        return redirect("organizations:list")
    messages.success(request, _("Bienvenue dans « %(name)s » !") % {"name": membership.organization.name})
    return redirect("organizations:home", slug=membership.organization.slug)


# --- Inside an organization ------------------------------------------------------


@organization_view()
def home(request: HttpRequest, membership: Membership) -> HttpResponse:
    organization = membership.organization
    context: dict[str, Any] = {
        "organization": organization,
        "member_count": selectors.count_members(organization),
        "recent_members": selectors.recent_members(organization),
        **home_sessions(membership),
    }
    if membership.is_admin:
        context["pending_join_requests"] = selectors.count_pending_join_requests(organization)
        # Not "pending_invitations": that one, from home_sessions, counts the session invitations awaiting an answer.
        context["pending_membership_invitations"] = selectors.pending_invitations(organization).count()
    return render(request, "organizations/home.html", context)


@organization_view()
def members(request: HttpRequest, membership: Membership) -> HttpResponse:
    search = MemberSearchForm(request.GET)
    query = search.cleaned_data["q"] if search.is_valid() else ""
    page = _page(request, selectors.search_members(membership.organization, query), DIRECTORY_PAGE_SIZE)
    context = {"organization": membership.organization, "search": search, "query": query, "page": page}
    # htmx live search swaps in the results only; a history restore needs the whole page.
    htmx = request.htmx  # type: ignore[attr-defined]
    partial = bool(htmx) and not htmx.history_restore_request
    template = "organizations/_member_results.html" if partial else "organizations/members.html"
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


@organization_view()
def leave(request: HttpRequest, membership: Membership) -> HttpResponse:
    if request.method == "POST":
        try:
            services.leave_organization(membership=membership)
        except DomainError as exc:
            return render(request, "organizations/leave.html", {"error": exc.detail}, status=exc.status)
        messages.success(request, _("Vous avez quitté « %(name)s ».") % {"name": membership.organization.name})
        return redirect("web:dashboard")
    return render(request, "organizations/leave.html", {})


# --- Console: members ------------------------------------------------------


def _console(
    request: HttpRequest, template: str, section: str, context: dict[str, Any], status: int = 200
) -> HttpResponse:
    membership: Membership = request.membership  # type: ignore[attr-defined]
    context = {
        "organization": membership.organization,
        "section": section,
        "pending_join_requests_count": selectors.count_pending_join_requests(membership.organization),
        **context,
    }
    return _render_form(request, template, context, status=status)


@organization_view(admin=True)
def console_members(request: HttpRequest, membership: Membership) -> HttpResponse:
    search = MemberSearchForm(request.GET)
    query = search.cleaned_data["q"] if search.is_valid() else ""
    page = _page(request, selectors.search_memberships(membership.organization, query), CONSOLE_PAGE_SIZE)
    candidates = (
        [
            (member.user_id, f"{member.user.display_name} ({member.user.email})")
            for member in selectors.search_memberships(membership.organization)
            if member.user_id != membership.user_id
        ]
        if membership.is_owner
        else []
    )
    role_choices = [(value, label) for value, label in Role.choices if membership.is_owner or value != Role.OWNER]
    return _console(
        request,
        "organizations/console/members.html",
        "members",
        {
            "search": search,
            "query": query,
            "page": page,
            "role_choices": role_choices,
            "transfer_form": TransferOwnershipForm(candidates=candidates),
        },
    )


@organization_view(admin=True)
@require_POST
def console_change_role(request: HttpRequest, membership: Membership, user_id: int) -> HttpResponse:
    form = RoleForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choisissez un rôle dans la liste."))
        return redirect("organizations:console_members", slug=membership.organization.slug)
    try:
        target = services.change_role(by=membership, user_id=user_id, role=form.cleaned_data["role"])
    except NotFound:
        raise Http404 from None
    except DomainError as exc:
        messages.error(request, exc.detail)
    else:
        messages.success(
            request,
            _("%(name)s est maintenant %(role)s.")
            % {"name": target.user.display_name, "role": target.get_role_display().lower()},
        )
    return redirect("organizations:console_members", slug=membership.organization.slug)


@organization_view(admin=True)
@require_POST
def console_remove_member(request: HttpRequest, membership: Membership, user_id: int) -> HttpResponse:
    try:
        target = services.remove_member(by=membership, user_id=user_id)
    except NotFound:
        raise Http404 from None
    except DomainError as exc:
        messages.error(request, exc.detail)
    else:
        if target.user_id == membership.user_id:
            messages.success(request, _("Vous avez quitté « %(name)s ».") % {"name": membership.organization.name})
            return redirect("web:dashboard")
        messages.success(
            request,
            _("%(name)s ne fait plus partie de l'organisation.") % {"name": target.user.display_name},
        )
    return redirect("organizations:console_members", slug=membership.organization.slug)


@organization_view(admin=True)
@require_POST
def console_transfer(request: HttpRequest, membership: Membership) -> HttpResponse:
    form = TransferOwnershipForm(
        request.POST,
        candidates=[
            (member.user_id, member.user.display_name)
            for member in selectors.search_memberships(membership.organization)
        ],
    )
    if not form.is_valid():
        messages.error(request, _("Choisissez le membre à qui transférer la propriété."))
        return redirect("organizations:console_members", slug=membership.organization.slug)
    try:
        target = services.transfer_ownership(by=membership, user_id=form.cleaned_data["user_id"])
    except DomainError as exc:
        messages.error(request, exc.detail)
    else:
        messages.success(
            request,
            _("%(name)s est maintenant propriétaire ; vous restez administrateur.")
            % {"name": target.user.display_name},
        )
    return redirect("organizations:console_members", slug=membership.organization.slug)


# --- Console: invitations ------------------------------------------------------


@organization_view(admin=True)
def console_invitations(request: HttpRequest, membership: Membership) -> HttpResponse:
    """The invitations page; POST sends an invitation by e-mail."""
    include_owner = membership.is_owner
    email_form = InviteByEmailForm(request.POST or None, include_owner=include_owner, prefix="email")
    status = 200
    if request.method == "POST" and email_form.is_valid():
        try:
            services.invite_by_email(
                by=membership, email=email_form.cleaned_data["email"], role=email_form.cleaned_data["role"]
            )
        except DomainError as exc:
            _form_error(email_form, exc, "role" if exc.code in {"owner_required", "invalid_role"} else "email")
            status = exc.status
        else:
            messages.success(
                request,
                _("Invitation envoyée à %(email)s.") % {"email": email_form.cleaned_data["email"]},
            )
            return redirect("organizations:console_invitations", slug=membership.organization.slug)
    elif request.method == "POST":
        status = 422
    return _invitations_page(request, membership, email_form=email_form, status=status)


def _invitations_page(
    request: HttpRequest,
    membership: Membership,
    *,
    email_form: InviteByEmailForm | None = None,
    link_form: InvitationLinkForm | None = None,
    new_link: str | None = None,
    status: int = 200,
) -> HttpResponse:
    include_owner = membership.is_owner
    return _console(
        request,
        "organizations/console/invitations.html",
        "invitations",
        {
            "email_form": email_form or InviteByEmailForm(include_owner=include_owner, prefix="email"),
            "link_form": link_form or InvitationLinkForm(include_owner=include_owner, prefix="link"),
            "invitations": list(selectors.pending_invitations(membership.organization)),
            "new_link": new_link,
            "validity_days": settings.INVITATION_VALIDITY_DAYS,
        },
        status=status,
    )


@organization_view(admin=True)
@require_POST
def console_invitation_link(request: HttpRequest, membership: Membership) -> HttpResponse:
    """Create a shareable link and show it, once: only its hash is kept."""
    link_form = InvitationLinkForm(request.POST, include_owner=membership.is_owner, prefix="link")
    if not link_form.is_valid():
        return _invitations_page(request, membership, link_form=link_form, status=422)
    try:
        _invitation, raw_token = services.create_invitation_link(by=membership, role=link_form.cleaned_data["role"])
    except DomainError as exc:
        _form_error(link_form, exc, "role")
        return _invitations_page(request, membership, link_form=link_form, status=exc.status)
    response = _invitations_page(request, membership, new_link=invitation_url(raw_token), status=201)
    # The page holds a secret: keep it out of caches and the back-forward history.
    response["Cache-Control"] = "no-store"
    return response


@organization_view(admin=True)
@require_POST
def console_revoke_invitation(request: HttpRequest, membership: Membership, invitation_id: int) -> HttpResponse:
    try:
        services.revoke_invitation(by=membership, invitation_id=invitation_id)
    except NotFound:
        raise Http404 from None
    except DomainError as exc:
        messages.error(request, exc.detail)
    else:
        messages.success(request, _("L'invitation est annulée : son lien ne fonctionne plus."))
    return redirect("organizations:console_invitations", slug=membership.organization.slug)


# --- Console: join requests ------------------------------------------------------


@organization_view(admin=True)
def console_join_requests(request: HttpRequest, membership: Membership) -> HttpResponse:
    return _console(
        request,
        "organizations/console/join_requests.html",
        "join_requests",
        {"join_requests": list(selectors.pending_join_requests(membership.organization))},
    )


@organization_view(admin=True)
@require_POST
def console_decide_join_request(
    request: HttpRequest, membership: Membership, join_request_id: int, decision: str
) -> HttpResponse:
    service = services.approve_join_request if decision == "approve" else services.reject_join_request
    try:
        join_request = service(by=membership, join_request_id=join_request_id)
    except NotFound:
        raise Http404 from None
    except DomainError as exc:
        messages.error(request, exc.detail)
    else:
        name = join_request.user.display_name
        if decision == "approve":
            messages.success(request, _("%(name)s a rejoint l'organisation.") % {"name": name})
        else:
            messages.success(request, _("La demande de %(name)s est refusée.") % {"name": name})
    return redirect("organizations:console_join_requests", slug=membership.organization.slug)


# --- Console: e-mail domains ------------------------------------------------------


@organization_view(admin=True)
def console_domains(request: HttpRequest, membership: Membership) -> HttpResponse:
    form = EmailDomainForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            email_domain = services.add_email_domain(by=membership, domain=form.cleaned_data["domain"])
        except DomainError as exc:
            _form_error(form, exc, "domain")
            status = exc.status
        else:
            messages.success(
                request,
                _(
                    "Domaine %(domain)s ajouté. Publiez l'enregistrement DNS indiqué, puis cliquez sur "
                    "« Vérifier maintenant » : d'ici là, il ne donne accès à rien."
                )
                % {"domain": email_domain.domain},
            )
            return redirect("organizations:console_domains", slug=membership.organization.slug)
    own_domains = sorted({email.rsplit("@", 1)[-1] for email in selectors.verified_emails_of(membership.user)})
    return _console(
        request,
        "organizations/console/domains.html",
        "domains",
        {"form": form, "domains": list(selectors.email_domains(membership.organization)), "own_domains": own_domains},
        status=status,
    )


@organization_view(admin=True)
@require_POST
def console_verify_domain(request: HttpRequest, membership: Membership, domain_id: int) -> HttpResponse:
    try:
        email_domain = services.verify_email_domain(by=membership, domain_id=domain_id)
    except NotFound:
        raise Http404 from None
    except DomainError as exc:
        messages.error(request, exc.detail)
    else:
        messages.success(
            request,
            _(
                "Le domaine %(domain)s est vérifié : les personnes ayant une adresse vérifiée en @%(domain)s "
                "rejoignent l'organisation automatiquement."
            )
            % {"domain": email_domain.domain},
        )
    return redirect("organizations:console_domains", slug=membership.organization.slug)


@organization_view(admin=True)
@require_POST
def console_remove_domain(request: HttpRequest, membership: Membership, domain_id: int) -> HttpResponse:
    try:
        services.remove_email_domain(by=membership, domain_id=domain_id)
    except NotFound:
        raise Http404 from None
    messages.success(request, _("Le domaine est retiré. Les membres déjà inscrits restent membres."))
    return redirect("organizations:console_domains", slug=membership.organization.slug)


# --- Console: settings and activity ------------------------------------------------------


@organization_view(admin=True)
def console_settings(request: HttpRequest, membership: Membership) -> HttpResponse:
    form = OrganizationSettingsForm.for_organization(
        membership.organization, data=request.POST if request.method == "POST" else None
    )
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            organization = services.update_organization_settings(by=membership, **form.cleaned_data)
        except DomainError as exc:
            field = {
                "slug_taken": "slug",
                "invalid_slug": "slug",
                "invalid_name": "name",
                "invalid_no_show_release_minutes": "no_show_release_minutes",
            }.get(exc.code, "require_mfa_for_admins")
            _form_error(form, exc, field)
            status = exc.status
        else:
            messages.success(request, _("Les réglages sont enregistrés."))
            return redirect("organizations:console_settings", slug=organization.slug)
    return _console(request, "organizations/console/settings.html", "settings", {"form": form}, status=status)


@organization_view(admin=True)
def console_activity(request: HttpRequest, membership: Membership) -> HttpResponse:
    page = _page(request, selectors.audit_entries(membership.organization), ACTIVITY_PAGE_SIZE)
    entries = [(entry, describe_audit_entry(entry)) for entry in page.object_list]
    return _console(request, "organizations/console/activity.html", "activity", {"page": page, "entries": entries})
