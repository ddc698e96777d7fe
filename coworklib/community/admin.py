"""Django admin, for Coworklib staff: read-only views of groups. Messages are not shown: they are private."""

from django.contrib import admin

from coworklib.community.models import Group, GroupMembership
from coworklib.planning.admin import ReadOnly


class GroupMembershipInline(ReadOnly, admin.TabularInline):
    model = GroupMembership
    extra = 0
    fields = readonly_fields = ("user", "added_by", "added_at")
    fk_name = "group"


@admin.register(Group)
class GroupAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ("name", "organization", "created_by", "created_at")
    search_fields = ("name", "organization__name")
    list_filter = ("organization",)
    inlines = [GroupMembershipInline]
