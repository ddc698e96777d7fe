"""Community pages: groups, a colleague's profile, follows.

Every page is org-scoped through `organization_view` (404 for outsiders) and
fetches groups and people through the selectors (404 for anything of another
organization). Writes are POST only, call one service, and come back to the
page they were made from with a message.
"""

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from coworklib.core.errors import DomainError, NotFound
from coworklib.core.tenancy import organization_view
from coworklib.organizations.models import Membership
from coworklib.organizations.selectors import search_members
from coworklib.workspaces import selectors as workspace_selectors

from . import selectors, services
from .forms import CreateGroupForm, GroupForm, GroupMembersForm
from .models import Group


def _not_found(exc: NotFound) -> Http404:
    return Http404(exc.detail)


def _group(membership: Membership, group_id: int) -> Group:
    try:
        return selectors.get_group_for_member(membership, group_id)
    except NotFound as exc:
        raise _not_found(exc) from None


def _back(request: HttpRequest, fallback: str) -> HttpResponse:
    """Back to the page the form was on (`next`, same site only), else `fallback`."""
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect(fallback)


def _render(request: HttpRequest, template: str, context: dict[str, Any], status: int = 200) -> HttpResponse:
    form = context.get("form")
    if form is not None and form.is_bound and form.errors and status == 200:
        status = 422
    return render(request, template, context, status=status)


def _colleagues_outside(membership: Membership, group: Group | None) -> list[Any]:
    colleagues = search_members(membership.organization).exclude(pk=membership.user_id)
    if group is not None:
        colleagues = colleagues.exclude(group_memberships__group=group)
    return list(colleagues)


# --- Groups -------------------------------------------------------------------------------------------------


@organization_view()
def groups(request: HttpRequest, membership: Membership) -> HttpResponse:
    all_groups = list(selectors.groups_for_member(membership))
    mine = [group for group in all_groups if group.is_mine]  # type: ignore[attr-defined]
    others = [group for group in all_groups if not group.is_mine]  # type: ignore[attr-defined]
    return render(request, "community/groups.html", {"my_groups": mine, "other_groups": others})


@organization_view()
def create_group(request: HttpRequest, membership: Membership) -> HttpResponse:
    form = CreateGroupForm(request.POST or None, colleagues=_colleagues_outside(membership, None))
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            group = services.create_group(
                membership=membership,
                name=form.cleaned_data["name"],
                description=form.cleaned_data["description"],
                member_ids=form.cleaned_data["invitees"],
            )
        except DomainError as exc:
            form.add_error("name" if exc.code in {"duplicate", "invalid"} else "invitees", exc.detail)
            status = exc.status
        else:
            messages.success(request, _("Le groupe « %(name)s » est créé.") % {"name": group.name})
            return redirect("community:group", slug=membership.organization.slug, group_id=group.pk)
    return _render(request, "community/group_form.html", {"form": form, "group": None}, status)


@organization_view()
def group(request: HttpRequest, membership: Membership, group_id: int) -> HttpResponse:
    found = _group(membership, group_id)
    members = selectors.group_members(found)
    can_add = selectors.can_add_to_group(membership, found)
    add_form = GroupMembersForm(colleagues=_colleagues_outside(membership, found)) if can_add else None
    return _group_page(request, membership, found, members, add_form)


def _group_page(
    request: HttpRequest,
    membership: Membership,
    found: Group,
    members: list[Any],
    add_form: GroupMembersForm | None,
    status: int = 200,
) -> HttpResponse:
    context = {
        "group": found,
        "members": members,
        "is_member": any(user.pk == membership.user_id for user in members),
        "can_manage": selectors.can_manage_group(membership, found),
        "add_form": add_form,
        "admins_only_add": selectors.can_manage_group(membership, found) and add_form is None,
    }
    return render(request, "community/group.html", context, status=status)


@organization_view()
@require_POST
def add_group_members(request: HttpRequest, membership: Membership, group_id: int) -> HttpResponse:
    found = _group(membership, group_id)
    form = GroupMembersForm(request.POST, colleagues=_colleagues_outside(membership, found))
    status = 422
    if form.is_valid():
        try:
            chosen = form.cleaned_data["invitees"]
            added = services.add_group_members(membership=membership, group=found, user_ids=chosen)
        except DomainError as exc:
            form.add_error("invitees", exc.detail)
            status = exc.status
        else:
            messages.success(
                request,
                _("%(count)d membre ajouté au groupe.") % {"count": len(added)}
                if len(added) == 1
                else _("%(count)d membres ajoutés au groupe.") % {"count": len(added)},
            )
            return redirect("community:group", slug=membership.organization.slug, group_id=found.pk)
    return _group_page(request, membership, found, selectors.group_members(found), form, status)


@organization_view()
@require_POST
def remove_group_member(request: HttpRequest, membership: Membership, group_id: int, user_id: int) -> HttpResponse:
    found = _group(membership, group_id)
    try:
        services.remove_group_member(membership=membership, group=found, user_id=user_id)
    except DomainError as exc:
        if isinstance(exc, NotFound):
            raise _not_found(exc) from None
        messages.error(request, exc.detail)
        return redirect("community:group", slug=membership.organization.slug, group_id=found.pk)
    if user_id == membership.user_id:
        messages.success(request, _("Vous avez quitté le groupe « %(name)s ».") % {"name": found.name})
        return redirect("community:groups", slug=membership.organization.slug)
    messages.success(request, _("Le membre a été retiré du groupe."))
    return redirect("community:group", slug=membership.organization.slug, group_id=found.pk)


@organization_view()
def edit_group(request: HttpRequest, membership: Membership, group_id: int) -> HttpResponse:
    found = _group(membership, group_id)
    if not selectors.can_manage_group(membership, found):
        raise PermissionDenied
    form = GroupForm(request.POST or None, initial={"name": found.name, "description": found.description})
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            services.update_group(
                membership=membership,
                group=found,
                name=form.cleaned_data["name"],
                description=form.cleaned_data["description"],
            )
        except DomainError as exc:
            form.add_error("name", exc.detail)
            status = exc.status
        else:
            messages.success(request, _("Le groupe est enregistré."))
            return redirect("community:group", slug=membership.organization.slug, group_id=found.pk)
    return _render(request, "community/group_form.html", {"form": form, "group": found}, status)


@organization_view()
@require_POST
def delete_group(request: HttpRequest, membership: Membership, group_id: int) -> HttpResponse:
    found = _group(membership, group_id)
    try:
        services.delete_group(membership=membership, group=found)
    except DomainError as exc:
        messages.error(request, exc.detail)
        return redirect("community:group", slug=membership.organization.slug, group_id=found.pk)
    messages.success(request, _("Le groupe « %(name)s » est supprimé.") % {"name": found.name})
    return redirect("community:groups", slug=membership.organization.slug)


# --- People and follows -------------------------------------------------------------------------------------


@organization_view()
def colleague(request: HttpRequest, membership: Membership, user_id: int) -> HttpResponse:
    try:
        found = selectors.colleague_for_member(membership, user_id)
    except NotFound as exc:
        raise _not_found(exc) from None
    return render(request, "community/colleague.html", {"colleague": found, "person": found.membership.user})


@organization_view()
@require_POST
def follow_member(request: HttpRequest, membership: Membership, user_id: int) -> HttpResponse:
    fallback = reverse("community:colleague", args=[membership.organization.slug, user_id])
    try:
        if request.POST.get("action") == "unfollow":
            services.unfollow_member(membership=membership, user_id=user_id)
            messages.success(request, _("Vous ne suivez plus ce membre."))
        else:
            services.follow_member(membership=membership, user_id=user_id)
            messages.success(request, _("Vous suivez ce membre : vous serez prévenu des sessions qu'il planifie."))
    except NotFound as exc:
        raise _not_found(exc) from None
    except DomainError as exc:
        messages.error(request, exc.detail)
    return _back(request, fallback)


@organization_view()
@require_POST
def follow_workspace(request: HttpRequest, membership: Membership, workspace_id: int) -> HttpResponse:
    try:
        workspace = workspace_selectors.get_workspace_for_member(membership, workspace_id, include_archived=True)
    except NotFound as exc:
        raise _not_found(exc) from None
    if request.POST.get("action") == "unfollow":
        services.unfollow_workspace(membership=membership, workspace=workspace)
        messages.success(request, _("Vous ne suivez plus « %(name)s ».") % {"name": workspace.name})
    elif workspace.is_archived:
        messages.error(request, _("Cet espace est archivé : il ne peut plus être suivi."))
    else:
        services.follow_workspace(membership=membership, workspace=workspace)
        messages.success(
            request,
            _("Vous suivez « %(name)s » : vous serez prévenu des sessions planifiées ici.") % {"name": workspace.name},
        )
    return _back(request, reverse("workspaces:detail", args=[membership.organization.slug, workspace.pk]))


@organization_view()
def following(request: HttpRequest, membership: Membership) -> HttpResponse:
    context = {
        "followed_workspaces": list(selectors.followed_workspaces(membership)),
        "followed_members": list(selectors.followed_members(membership)),
        "followers": list(selectors.followers(membership)),
    }
    return render(request, "community/following.html", context)


urlpatterns = [
    path("o/<slug:slug>/groups/", groups, name="groups"),
    path("o/<slug:slug>/groups/new/", create_group, name="create_group"),
    path("o/<slug:slug>/groups/<dbid:group_id>/", group, name="group"),
    path("o/<slug:slug>/groups/<dbid:group_id>/edit/", edit_group, name="edit_group"),
    path("o/<slug:slug>/groups/<dbid:group_id>/delete/", delete_group, name="delete_group"),
    path("o/<slug:slug>/groups/<dbid:group_id>/members/", add_group_members, name="add_group_members"),
    path(
        "o/<slug:slug>/groups/<dbid:group_id>/members/<dbid:user_id>/remove/",
        remove_group_member,
        name="remove_group_member",
    ),
    path("o/<slug:slug>/members/<dbid:user_id>/", colleague, name="colleague"),
    path("o/<slug:slug>/members/<dbid:user_id>/follow/", follow_member, name="follow_member"),
    path("o/<slug:slug>/workspaces/<dbid:workspace_id>/follow/", follow_workspace, name="follow_workspace"),
    path("o/<slug:slug>/following/", following, name="following"),
]
