"""What community does when a membership ends (removal, leaving, the Django admin, an erasure).

Here rather than in organizations.services, so that organizations never
imports community; a receiver also covers every way a membership ends.
"""

from typing import Any

from django.db.models.signals import post_delete
from django.dispatch import receiver

from coworklib.community.models import Group, GroupMembership
from coworklib.organizations.models import Membership


@receiver(post_delete, sender=Membership, dispatch_uid="community.forget_former_member")
def forget_former_member(sender: type[Membership], instance: Membership, **kwargs: Any) -> None:
    # A group membership that outlived the departure would open the group's
    # restricted workspaces and sessions again the day the person is let back
    # in, without anyone adding them back.
    GroupMembership.objects.filter(user_id=instance.user_id, group__organization_id=instance.organization_id).delete()
    # Their groups stay with the members in them (and the sessions and access
    # rules that name them); the organization's admins manage them from now on,
    # so that coming back does not give the management back either.
    Group.objects.filter(created_by_id=instance.user_id, organization_id=instance.organization_id).update(
        created_by=None
    )
