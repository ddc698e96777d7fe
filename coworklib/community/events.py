"""Domain events of the community app, for notifications to subscribe to without touching this app.

Sent once the transaction commits (`planning.events.announce`): a change that is
rolled back announces nothing. Receivers get ids and reload what they need.

Arguments (all keyword):
- group_members_added: group_id, by_user_id, user_ids (the members just added, never the one who added them)
- message_posted: message_id
"""

from django.dispatch import Signal

from coworklib.planning.events import announce

group_members_added = Signal()
message_posted = Signal()

__all__ = ["announce", "group_members_added", "message_posted"]
