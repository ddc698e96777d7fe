"""Django admin for platform staff. Invitation tokens are never shown (only their hash is stored anyway)."""

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.forms import BaseInlineFormSet, ModelForm
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from coworklib.core.errors import DomainError
from coworklib.organizations.models import Departure, EmailDomain, Invitation, JoinRequest, Membership, Organization
from coworklib.organizations.services import mark_email_domain_verified


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    raw_id_fields = ["user"]
    fields = ["user", "role", "joined_at"]
    readonly_fields = ["joined_at"]


class EmailDomainInline(admin.TabularInline):
    # Staff may add any domain (no proof of control asked here, unlike in the console);
    # it starts unverified like any other, until the action of the domain list verifies it.
    model = EmailDomain
    extra = 0
    fields = ["domain", "verified_at", "added_by", "created_at"]
    readonly_fields = ["verified_at", "added_by", "created_at"]


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "created_at", "allow_join_requests", "require_mfa_for_admins"]
    list_filter = ["allow_join_requests", "require_mfa_for_admins"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    readonly_fields = ["created_at"]
    inlines = [MembershipInline, EmailDomainInline]

    def save_formset(self, request: HttpRequest, form: ModelForm, formset: BaseInlineFormSet, change: bool) -> None:
        for instance in formset.save(commit=False):
            if isinstance(instance, EmailDomain) and instance.pk is None:
                instance.added_by = request.user  # type: ignore[assignment]
            instance.save()
        for deleted in formset.deleted_objects:
            deleted.delete()
        formset.save_m2m()


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "organization", "role", "joined_at"]
    list_filter = ["role"]
    search_fields = ["user__email", "user__first_name", "user__last_name", "organization__name", "organization__slug"]
    list_select_related = ["user", "organization"]
    raw_id_fields = ["user", "organization"]
    readonly_fields = ["joined_at"]


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["organization", "email", "role", "created_at", "expires_at", "accepted_at", "revoked_at"]
    list_filter = ["role"]
    search_fields = ["email", "organization__name", "organization__slug"]
    list_select_related = ["organization"]
    # Staff can inspect and revoke; creating one here would produce a link nobody can see.
    fields = [
        "organization",
        "email",
        "role",
        "created_by",
        "created_at",
        "expires_at",
        "accepted_at",
        "accepted_by",
        "revoked_at",
    ]
    readonly_fields = ["organization", "email", "role", "created_by", "created_at", "accepted_at", "accepted_by"]
    raw_id_fields = ["created_by", "accepted_by"]

    def has_add_permission(self, request: object) -> bool:  # type: ignore[override]
        return False


@admin.register(JoinRequest)
class JoinRequestAdmin(admin.ModelAdmin):
    list_display = ["user", "organization", "status", "created_at", "decided_at"]
    list_filter = ["status"]
    search_fields = ["user__email", "organization__name", "organization__slug"]
    list_select_related = ["user", "organization"]
    raw_id_fields = ["user", "organization", "decided_by"]
    readonly_fields = ["created_at"]


@admin.register(EmailDomain)
class EmailDomainAdmin(admin.ModelAdmin):
    list_display = ["domain", "organization", "verified_at", "added_by", "created_at"]
    list_filter = [("verified_at", admin.EmptyFieldListFilter)]
    search_fields = ["domain", "organization__name", "organization__slug"]
    list_select_related = ["organization", "added_by"]
    raw_id_fields = ["organization"]
    # verified_at only changes through the action: verifying also lets people in.
    fields = ["organization", "domain", "verification_token", "verified_at", "added_by", "created_at"]
    readonly_fields = ["verification_token", "verified_at", "added_by", "created_at"]
    actions = ["mark_verified"]

    def save_model(self, request: HttpRequest, obj: Any, form: ModelForm, change: bool) -> None:
        if not change:
            obj.added_by = request.user
        super().save_model(request, obj, form, change)

    @admin.action(description=gettext_lazy("Marquer comme vérifiés (sans contrôle DNS)"))
    def mark_verified(self, request: HttpRequest, queryset: QuerySet[EmailDomain]) -> None:
        for email_domain in queryset.filter(verified_at__isnull=True):
            try:
                mark_email_domain_verified(email_domain_id=email_domain.pk, actor=request.user, proof="staff")  # type: ignore[arg-type]
            except DomainError as exc:
                self.message_user(request, f"{email_domain.domain} : {exc.detail}", messages.ERROR)
            else:
                self.message_user(request, _("%(domain)s est vérifié.") % {"domain": email_domain.domain})


@admin.register(Departure)
class DepartureAdmin(admin.ModelAdmin):
    """Deleting a departure lets the person join by e-mail domain again."""

    list_display = ["user", "organization", "reason", "departed_at"]
    list_filter = ["reason"]
    search_fields = ["user__email", "organization__name", "organization__slug"]
    list_select_related = ["user", "organization"]
    raw_id_fields = ["user", "organization"]
    readonly_fields = ["departed_at"]
