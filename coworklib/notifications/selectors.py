"""Reads of notifications: a member's list and unread count, among the organizations they still belong to."""

from django.db.models import QuerySet

from coworklib.accounts.models import User
from coworklib.core.errors import NotFound
from coworklib.organizations.models import Membership
from coworklib.workspaces.selectors import as_id

from .models import Notification
from .preferences import hidden_in_app_types


def notifications_of(user: User, *, unread: bool = False) -> QuerySet[Notification]:
    """Newest first; leaving an organization takes its notifications out; types turned off in the app too."""
    found = Notification.objects.filter(
        recipient=user, organization_id__in=Membership.objects.filter(user=user).values("organization_id")
    ).exclude(type__in=hidden_in_app_types(user))
    if unread:
        found = found.filter(read_at__isnull=True)
    return found.order_by("-created_at", "-id")


def unread_count(user: User) -> int:
    return notifications_of(user, unread=True).count()


def get_notification_for_user(user: User, notification_id: object) -> Notification:
    pk = as_id(notification_id)
    found = notifications_of(user).filter(pk=pk).first() if pk is not None else None
    if found is None:
        raise NotFound
    return found
