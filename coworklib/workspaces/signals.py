"""What a member loses with their membership: per-user grants, favourites and recent views.

Here rather than in organizations.services, so that organizations never
imports workspaces. A receiver also covers every way a membership ends:
removal, leaving, the Django admin.
"""

from typing import Any

from django.db.models.signals import post_delete
from django.dispatch import receiver

from coworklib.organizations.models import Membership
from coworklib.workspaces.models import Favourite, WorkspaceAccessGrant, WorkspaceView


@receiver(post_delete, sender=Membership, dispatch_uid="workspaces.forget_former_member")
def forget_former_member(sender: type[Membership], instance: Membership, **kwargs: Any) -> None:
    # A grant naming the person would otherwise open the restricted workspace
    # to them again the day they are invited back, without any admin deciding so.
    in_organization = {"user_id": instance.user_id, "workspace__organization_id": instance.organization_id}
    WorkspaceAccessGrant.objects.filter(**in_organization).delete()
    Favourite.objects.filter(**in_organization).delete()
    WorkspaceView.objects.filter(**in_organization).delete()
