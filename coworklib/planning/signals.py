"""Receivers: what planning does when something else happens.

- A membership ends (removal, leaving, the Django admin): the former member's
  coming seats are given back and what they organised is handed over or cancelled.
- An organization turns the no-show release on: its sessions yet to start get their check planned.
"""

from functools import partial
from typing import Any

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from coworklib.organizations.models import Membership, Organization


@receiver(post_delete, sender=Membership, dispatch_uid="planning.forget_former_member")
def forget_former_member(sender: type[Membership], instance: Membership, **kwargs: Any) -> None:
    from coworklib.planning.services import forget_member_plans

    forget_member_plans(organization_id=instance.organization_id, user_id=instance.user_id)


@receiver(post_save, sender=Organization, dispatch_uid="planning.plan_no_show_checks")
def plan_no_show_checks(sender: type[Organization], instance: Organization, **kwargs: Any) -> None:
    update_fields = kwargs.get("update_fields") or ()
    if "no_show_release_minutes" in update_fields and instance.no_show_release_minutes:
        from coworklib.planning.tasks import schedule_organization_no_shows_task

        transaction.on_commit(partial(schedule_organization_no_shows_task.enqueue, instance.pk))
