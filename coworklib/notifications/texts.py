"""What a notification says, written when it is read, in the reader's language, from the live objects.

Nothing personal is copied into a notification: names, workspace names and
message excerpts come from the rows they point at, so an erased author reads
"Utilisateur supprimé" and a renamed workspace its new name. `describe` loads
every target of a list in a handful of queries, whatever its length.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.conf import settings
from django.urls import reverse
from django.utils import formats
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from coworklib.accounts.models import User
from coworklib.community.models import Conversation, ConversationKind, Group, Message
from coworklib.organizations.models import JoinRequest
from coworklib.planning.models import Session

from .models import Notification, NotificationType, TargetType

EXCERPT_LENGTH = 140


@dataclass(frozen=True)
class Described:
    """A notification told: a short title, one sentence, and the page it opens (a path; `absolute_url` for mail)."""

    notification: Notification
    title: str
    text: str
    url: str
    session: Session | None = None

    @property
    def absolute_url(self) -> str:
        return settings.SITE_URL + self.url


def when(session: Session) -> str:
    """ "jeudi 3 décembre, 09:00–17:00" on the workspace's clock (the end's date too when it is another day)."""
    zone = ZoneInfo(session.workspace.timezone)
    start, end = session.start.astimezone(zone), session.end.astimezone(zone)
    day = formats.date_format(start, "l j F")
    if end.date() != start.date():
        return _("%(day)s, %(start)s – %(end_day)s, %(end)s") % {
            "day": day,
            "start": start.strftime("%H:%M"),
            "end_day": formats.date_format(end, "l j F"),
            "end": end.strftime("%H:%M"),
        }
    return f"{day}, {start:%H:%M}–{end:%H:%M}"


def _name(user: User | None) -> str:
    return user.display_name if user is not None else _("Utilisateur supprimé")


def _changes(kinds: Sequence[str]) -> str:
    labels = {
        "start": _("l'horaire"),
        "end": _("l'horaire"),
        "workspace": _("le lieu"),
        "description": _("la description"),
        "visibility": _("qui peut la voir"),
        "organizer": _("l'organisateur"),
    }
    seen: list[str] = []
    for kind in kinds:
        label = labels.get(kind)
        if label and label not in seen:
            seen.append(label)
    return ", ".join(seen) or _("les détails")


def describe(notifications: Sequence[Notification]) -> list[Described]:
    """Each notification told, in the active language. Targets and actors are loaded once for the whole list."""
    ids: dict[str, set[int]] = {kind: set() for kind in TargetType.values}
    message_ids: set[int] = set()
    for notification in notifications:
        ids[notification.target_type].add(notification.target_id)
        if notification.data.get("message"):
            message_ids.add(int(notification.data["message"]))
    sessions = Session.objects.select_related("workspace", "organization", "group", "organizer").in_bulk(
        ids[TargetType.SESSION]
    )
    groups = Group.objects.select_related("organization").in_bulk(ids[TargetType.GROUP])
    conversations = Conversation.objects.select_related("organization", "session__workspace").in_bulk(
        ids[TargetType.CONVERSATION]
    )
    requests = JoinRequest.objects.select_related("user", "organization").in_bulk(ids[TargetType.JOIN_REQUEST])
    messages = Message.objects.in_bulk(message_ids)
    actor_ids = {n.actor_id for n in notifications if n.actor_id is not None}
    actors = User.objects.in_bulk(actor_ids)
    told = []
    for notification in notifications:
        actor = actors.get(notification.actor_id) if notification.actor_id else None
        if notification.target_type == TargetType.SESSION:
            told.append(_session_text(notification, sessions.get(notification.target_id), actor))
        elif notification.target_type == TargetType.GROUP:
            told.append(_group_text(notification, groups.get(notification.target_id), actor))
        elif notification.target_type == TargetType.CONVERSATION:
            message = messages.get(int(notification.data.get("message") or 0))
            told.append(_message_text(notification, conversations.get(notification.target_id), message, actor))
        else:
            told.append(_join_request_text(notification, requests.get(notification.target_id)))
    return told


def _gone(notification: Notification, title: str, text: str) -> Described:
    return Described(notification, title, text, reverse("notifications:list"))


def _session_text(notification: Notification, session: Session | None, actor: User | None) -> Described:
    if session is None:
        return _gone(notification, _("Session supprimée"), _("Cette session n'existe plus."))
    url = reverse("planning:session", args=[session.organization.slug, session.pk])
    values = {"actor": _name(actor), "workspace": session.workspace.name, "when": when(session)}
    kind = notification.type
    if kind == NotificationType.SESSION_INVITATION:
        title = _("Invitation à une session")
        text = _("%(actor)s vous invite à %(workspace)s, %(when)s.") % values
    elif kind == NotificationType.SESSION_CHANGED:
        title = _("Session modifiée")
        text = _("%(actor)s a changé %(what)s de la session à %(workspace)s, %(when)s.") % {
            **values,
            "what": _changes(notification.data.get("changes", [])),
        }
        if notification.data.get("reconfirm"):
            text += " " + _("Confirmez votre venue : votre place n'est plus réservée.")
    elif kind == NotificationType.SESSION_CANCELLED:
        title = _("Session annulée")
        text = _("%(actor)s a annulé la session à %(workspace)s, %(when)s.") % values
    elif kind == NotificationType.SESSION_REMINDER:
        title = _("Rappel de session")
        text = _("Vous êtes attendu à %(workspace)s, %(when)s.") % values
    elif kind == NotificationType.SEAT_RELEASED:
        title = _("Place libérée")
        text = (
            _(
                "Sans check-in, votre place à %(workspace)s, %(when)s, a été libérée pour vos collègues. "
                "Vous pouvez la reprendre s'il en reste."
            )
            % values
        )
    elif kind == NotificationType.GROUP_SESSION:
        title = _("Session de votre groupe")
        group_name = session.group.name if session.group else pgettext("group", "supprimé")
        text = _("%(actor)s a planifié une session pour « %(group)s » à %(workspace)s, %(when)s.") % {
            **values,
            "group": group_name,
        }
    elif kind == NotificationType.FOLLOWED_MEMBER_SESSION:
        title = _("Session d'un collègue que vous suivez")
        text = _("%(actor)s sera à %(workspace)s, %(when)s.") % values
    else:
        title = _("Nouvelle session à %(workspace)s") % values
        text = _("%(actor)s a planifié une session à %(workspace)s, %(when)s.") % values
    if notification.data.get("series_more"):
        text += " " + _("Et d'autres dates de la même série.")
    return Described(notification, title, text, url, session)


def _group_text(notification: Notification, group: Group | None, actor: User | None) -> Described:
    if group is None:
        return _gone(notification, _("Groupe supprimé"), _("Ce groupe n'existe plus."))
    url = reverse("community:group", args=[group.organization.slug, group.pk])
    text = _("%(actor)s vous a ajouté au groupe « %(group)s ».") % {"actor": _name(actor), "group": group.name}
    return Described(notification, _("Ajouté à un groupe"), text, url)


def _message_text(
    notification: Notification, conversation: Conversation | None, message: Message | None, actor: User | None
) -> Described:
    if conversation is None:
        return _gone(notification, _("Message"), _("Cette conversation n'existe plus."))
    slug = conversation.organization.slug
    excerpt = Truncator(" ".join(message.body.split())).chars(EXCERPT_LENGTH) if message is not None else ""
    if conversation.kind == ConversationKind.SESSION and conversation.session is not None:
        url = reverse("planning:session", args=[slug, conversation.session_id]) + "#comments"
        title = _("Commentaire sur une session")
        text = _("%(actor)s a commenté la session à %(workspace)s : « %(excerpt)s »") % {
            "actor": _name(actor),
            "workspace": conversation.session.workspace.name,
            "excerpt": excerpt,
        }
    else:
        url = reverse("community:conversation", args=[slug, conversation.pk])
        title = _("Nouveau message")
        text = _("%(actor)s : « %(excerpt)s »") % {"actor": _name(actor), "excerpt": excerpt}
    return Described(notification, title, text, url)


def _join_request_text(notification: Notification, request: JoinRequest | None) -> Described:
    if request is None:
        return _gone(notification, _("Demande d'adhésion"), _("Cette demande n'existe plus."))
    url = reverse("organizations:console_join_requests", args=[request.organization.slug])
    text = _("%(name)s demande à rejoindre %(organization)s.") % {
        "name": _name(request.user),
        "organization": request.organization.name,
    }
    if request.status != JoinRequest.Status.PENDING:
        text += " " + _("Elle a déjà été traitée.")
    return Described(notification, _("Demande d'adhésion à traiter"), text, url)
