from typing import Any

from allauth.account.decorators import secure_admin_login
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from coworklib.accounts.models import ApiToken, LegalAcceptance, User

# Staff sign in through allauth's login (throttled, with MFA) rather than the
# admin's own form, which would bypass both.
admin.site.login = secure_admin_login(admin.site.login)  # type: ignore[method-assign]


class UserCreationForm(AdminUserCreationForm):  # type: ignore[type-arg]
    class Meta:
        model = User
        fields = ("email",)


class UserChangeFormByEmail(UserChangeForm):  # type: ignore[type-arg]
    class Meta:
        model = User
        fields = "__all__"


class LegalAcceptanceInline(admin.TabularInline):  # type: ignore[type-arg]
    model = LegalAcceptance
    extra = 0
    can_delete = False
    readonly_fields = ("document", "version", "accepted_at")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(User)
class UserAdmin(DjangoUserAdmin):  # type: ignore[type-arg]
    form = UserChangeFormByEmail
    add_form = UserCreationForm
    ordering = ("email",)
    list_display = ("email", "first_name", "last_name", "job_title", "is_active", "is_staff", "date_joined")
    list_filter = (
        "is_active",
        "is_staff",
        "is_superuser",
        "language",
        ("processing_restricted_at", admin.EmptyFieldListFilter),
        ("deleted_at", admin.EmptyFieldListFilter),
    )
    search_fields = ("email", "first_name", "last_name")
    # Photos are only set through the profile page, which re-encodes them; the restriction of
    # processing is the person's own switch (privacy app), shown here so staff respect it.
    readonly_fields = ("photo", "last_login", "date_joined", "deleted_at", "processing_restricted_at")
    actions = ["erase_selected"]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Profil"), {"fields": ("first_name", "last_name", "job_title", "photo", "language", "timezone")}),
        (
            _("Droits"),
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        (_("Dates"), {"fields": ("last_login", "date_joined", "deleted_at", "processing_restricted_at")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "usable_password", "password1", "password2")}),)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # A plain delete would cascade away what the person published and skip the
        # apps' erasers: staff erase accounts with the action below instead.
        return False

    @admin.action(description=_("Supprimer les données personnelles (anonymiser le compte)"))
    def erase_selected(self, request: HttpRequest, queryset: Any) -> None:
        from coworklib.core.errors import Conflict
        from coworklib.privacy.services import erase_user

        erased = 0
        for user in queryset:
            try:
                erase_user(user=user)
            except Conflict as exc:
                self.message_user(request, f"{user.email} : {exc.detail}", level=messages.ERROR)
            else:
                erased += 1
        self.message_user(request, _("%(count)d compte(s) anonymisé(s).") % {"count": erased})

    def get_inlines(self, request: HttpRequest, obj: User | None) -> list[type[admin.options.InlineModelAdmin]]:  # type: ignore[type-arg]
        # A user being created has accepted nothing yet.
        return [LegalAcceptanceInline] if obj is not None else []


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Tokens are issued by their owner only; staff can see and revoke (delete) them."""

    list_display = ("prefix", "name", "user", "created_at", "last_used_at")
    search_fields = ("user__email", "name", "prefix")
    list_select_related = ("user",)
    readonly_fields = ("user", "name", "prefix", "token_hash", "created_at", "last_used_at")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(LegalAcceptance)
class LegalAcceptanceAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """A record of consent: never edited after the fact."""

    list_display = ("user", "document", "version", "accepted_at")
    list_filter = ("document", "version")
    search_fields = ("user__email",)
    list_select_related = ("user",)
    readonly_fields = ("user", "document", "version", "accepted_at")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
