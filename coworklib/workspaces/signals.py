"""What a member loses with their membership: per-user grants, favourites and recent views;
and what a photo row leaves behind: its files.

Here rather than in organizations.services, so that organizations never
imports workspaces. A receiver also covers every way a membership ends or a
photo goes: removal, leaving, the Django admin, a cascade from the workspace
or the organization (an organization deleted with its only member's account).
"""

from typing import Any

from django.db.models.signals import post_delete
from django.dispatch import receiver

from coworklib.core.media import delete_files_on_commit
from coworklib.organizations.models import Membership
from coworklib.workspaces.models import Favourite, WorkspaceAccessGrant, WorkspacePhoto, WorkspaceView


@receiver(post_delete, sender=Membership, dispatch_uid="workspaces.forget_former_member")
def forget_former_member(sender: type[Membership], instance: Membership, **kwargs: Any) -> None:
    # A grant naming the person would otherwise open the restricted workspace
    # to them again the day they are invited back, without any admin deciding so.
    in_organization = {"user_id": instance.user_id, "workspace__organization_id": instance.organization_id}
    WorkspaceAccessGrant.objects.filter(**in_organization).delete()
    Favourite.objects.filter(**in_organization).delete()
    WorkspaceView.objects.filter(**in_organization).delete()


@receiver(post_delete, sender=WorkspacePhoto, dispatch_uid="workspaces.delete_photo_files")
def delete_photo_files(sender: type[WorkspacePhoto], instance: WorkspacePhoto, **kwargs: Any) -> None:
    delete_files_on_commit([str(instance.image.name), str(instance.thumbnail.name)])
