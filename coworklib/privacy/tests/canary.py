"""The canary scenario: a member whose every personal field holds a unique token, who used every feature.

`populate` builds it through the real services and endpoints; `tables_containing`
and `media_containing` look for the token afterwards in every text and JSON
column of every table (information_schema on PostgreSQL, sqlite_master on
SQLite) and in every uploaded file.
"""

import io
import json
import secrets
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test import Client
from PIL import ExifTags, Image

from conftest import PASSWORD, make_member, make_user
from coworklib.accounts.models import User
from coworklib.accounts.photos import process_profile_photo
from coworklib.accounts.services import update_profile
from coworklib.community import messaging
from coworklib.community import services as community
from coworklib.community.models import Message
from coworklib.notifications.models import PushSubscription
from coworklib.notifications.services import update_settings
from coworklib.organizations import services as organizations
from coworklib.organizations.models import Membership, Organization, Role
from coworklib.planning import services as planning
from coworklib.planning.models import Session
from coworklib.planning.tests.factories import PARIS, at
from coworklib.privacy.models import ConsentCategory, ConsentRecord, ContactRequest
from coworklib.workspaces import services as workspaces
from coworklib.workspaces.opening_hours import WeeklyInterval
from coworklib.workspaces.tests.factories import make_workspace

# Monday 7 December 2026 in Paris: the scenario's day (the clock travels there).
DAY = date(2026, 12, 7)


def new_token() -> str:
    # Letters and digits only, so it survives every field's validation unchanged.
    return "Cnry" + secrets.token_hex(6)


@dataclass
class Scenario:
    token: str
    user: User
    organization: Organization
    colleague: User
    owner: User
    future_with_colleague: Session
    future_alone: Session
    past_session: Session
    photo_names: list[str] = field(default_factory=list)

    @property
    def own_session_ids(self) -> list[int]:
        return [self.future_with_colleague.pk, self.future_alone.pk, self.past_session.pk]


def _membership(user: User, organization: Organization) -> Membership:
    return Membership.objects.select_related("organization", "user").get(user=user, organization=organization)


def photo_with_metadata(token: str) -> io.BytesIO:
    """A JPEG whose EXIF description, artist and camera fields all carry the token."""
    image = Image.new("RGB", (400, 300), "teal")
    exif = Image.Exif()
    exif[ExifTags.Base.ImageDescription] = f"Portrait {token}"
    exif[ExifTags.Base.Artist] = token
    exif[ExifTags.Base.Make] = f"Maker {token}"
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=exif)
    assert token.encode() in buffer.getvalue()
    buffer.seek(0)
    return buffer


def populate(traveller: Any, *, organization: Organization, owner: User, other_org: Organization) -> Scenario:
    """Everything a member can leave behind, each personal field holding the token. Travels to DAY 09:00."""
    token = new_token()
    traveller.move_to(at(DAY, 9, 0))
    user = make_member(
        organization,
        f"{token.lower()}@acme.test",
        Role.MEMBER,
        first_name=f"Prénom{token}",
        last_name=f"Nom{token}",
        job_title=f"Poste {token}",
    )
    EmailAddress.objects.create(user=user, email=f"second.{token.lower()}@example.test", verified=True, primary=False)
    colleague = make_member(
        organization, f"colleague.{secrets.token_hex(3)}@acme.test", first_name="Dana", last_name="Dupont"
    )
    blocked = make_member(
        organization, f"blocked.{secrets.token_hex(3)}@acme.test", first_name="Eve", last_name="Ernst"
    )
    update_profile(user=user, photo=process_profile_photo(photo_with_metadata(token)))
    user.refresh_from_db()

    client = Client(HTTP_USER_AGENT=f"Navigateur {token}")
    response = client.post("/accounts/login/", {"login": user.email, "password": PASSWORD})
    assert response.status_code == 302, response.content
    response = client.post(
        "/api/v1/auth/token",
        json.dumps({"email": user.email, "password": PASSWORD, "name": f"Téléphone {token}"}),
        content_type="application/json",
    )
    assert response.status_code == 200, response.content

    membership = _membership(user, organization)
    office = make_workspace(
        owner,
        organization,
        "Bureau canari",
        capacity=10,
        opening_hours=[WeeklyInterval(day, 8 * 60, 20 * 60) for day in range(7)],
    )
    past_session = planning.create_session(
        by=membership, workspace=office, start=at(DAY, 10), end=at(DAY, 12), description=f"Atelier {token}"
    )
    future_with_colleague = planning.create_session(
        by=membership,
        workspace=office,
        start=at(DAY + timedelta(days=2), 10),
        end=at(DAY + timedelta(days=2), 12),
        description=f"Revue {token}",
    )
    planning.invite_to_session(by=membership, session=future_with_colleague, user_ids=[colleague.pk])
    planning.join_session(by=_membership(colleague, organization), session=future_with_colleague)
    future_alone = planning.create_session(
        by=membership,
        workspace=office,
        start=at(DAY + timedelta(days=3), 14),
        end=at(DAY + timedelta(days=3), 16),
        description=f"Seul {token}",
    )
    # The colleague plans something and invites them: a notification *for* the canary.
    colleague_session = planning.create_session(
        by=_membership(colleague, organization),
        workspace=office,
        start=at(DAY + timedelta(days=4), 9),
        end=at(DAY + timedelta(days=4), 11),
        description="Point d'équipe",
    )
    planning.invite_to_session(by=_membership(colleague, organization), session=colleague_session, user_ids=[user.pk])
    planning.reset_calendar_feed(user=user)

    workspaces.add_favourite(user=user, workspace=office)
    workspaces.record_view(user=user, workspace=office)
    community.follow_workspace(membership=membership, workspace=office)
    community.follow_member(membership=membership, user_id=colleague.pk)
    community.follow_member(membership=_membership(colleague, organization), user_id=user.pk)
    messaging.block_member(membership=membership, user_id=blocked.pk)
    community.create_group(
        membership=membership, name="Équipe canari", description=f"Animé par {token}", member_ids=[colleague.pk]
    )
    # Data other people provide about them: the colleague adds them to a group.
    community.create_group(membership=_membership(colleague, organization), name="Amis", member_ids=[user.pk])
    conversation, _ = messaging.get_or_create_direct_conversation(membership=membership, other_user_id=colleague.pk)
    messaging.post_message(membership=membership, conversation=conversation, body=f"Bonjour {token}")
    messaging.post_message(
        membership=_membership(colleague, organization), conversation=conversation, body="Salut, à demain !"
    )
    thread = messaging.session_thread(membership, future_with_colleague)
    messaging.post_message(membership=membership, conversation=thread, body=f"J'apporte le café {token}")

    organizations.change_role(by=_membership(owner, organization), user_id=user.pk, role=Role.ADMIN)
    organizations.invite_by_email(
        by=_membership(owner, organization), email=f"second.{token.lower()}@example.test", role=Role.MEMBER
    )
    organizations.request_to_join(user=user, org_ref=other_org.slug, message=f"Je voudrais vous rejoindre {token}")

    update_settings(user=user, digest_enabled=True, news=True)
    PushSubscription.objects.create(
        user=user,
        endpoint=f"https://push.example.net/send/{token}",
        p256dh=f"key{token}",
        auth=f"auth{token}",
        user_agent=f"Firefox {token}",
    )
    ConsentRecord.objects.create(
        user=user, version=settings.COOKIE_POLICY_VERSION, categories=[ConsentCategory.AUDIENCE]
    )
    ContactRequest.objects.create(
        user=user,
        name=f"Prénom{token}",
        email=user.email,
        topic=ContactRequest.Topic.PRIVACY,
        message=f"Question {token}",
    )
    staff = make_user(f"staff.{secrets.token_hex(3)}@coworklib.test", is_staff=True)
    LogEntry.objects.create(
        user=staff,
        content_type=ContentType.objects.get_for_model(User),
        object_id=str(user.pk),
        object_repr=str(user),
        action_flag=CHANGE,
        change_message=json.dumps([{"changed": {"fields": ["job_title"]}}]) + f" {user.email}",
    )
    # Staff changing their membership: the admin names it after them, and JSON escapes the accents.
    LogEntry.objects.create(
        user=staff,
        content_type=ContentType.objects.get_for_model(Membership),
        object_id=str(_membership(user, organization).pk),
        object_repr=f"{user.display_name} @ {organization.name}",
        action_flag=CHANGE,
        change_message=json.dumps([{"changed": {"name": "membre", "object": f"{user.display_name} @ Acme"}}]),
    )

    # During the morning session: a check-in that uses its seat.
    traveller.move_to(at(DAY, 10, 30))
    planning.check_in(by=_membership(user, organization), workspace=office)
    planning.check_out(user=user)
    traveller.move_to(at(DAY, 13, 0))

    return Scenario(
        token=token,
        user=user,
        organization=organization,
        colleague=colleague,
        owner=owner,
        future_with_colleague=future_with_colleague,
        future_alone=future_alone,
        past_session=past_session,
        photo_names=[str(user.photo.name), str(user.photo_thumbnail.name)],
    )


def _text_columns() -> list[tuple[str, str]]:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT table_name, column_name FROM information_schema.columns "
                "WHERE table_schema = current_schema() "
                "AND data_type IN ('text', 'character varying', 'character', 'json', 'jsonb')"
            )
            return [(table, column) for table, column in cursor.fetchall()]
        cursor.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
        columns = []
        for (table,) in cursor.fetchall():
            cursor.execute(f'PRAGMA table_info("{table}")')
            for _cid, column, declared_type, *_rest in cursor.fetchall():
                kind = (declared_type or "").upper()
                # SQLite stores JSONField as text; a column without a declared type may hold anything.
                if not kind or any(word in kind for word in ("CHAR", "TEXT", "CLOB", "JSON")):
                    columns.append((table, column))
        return columns


def tables_containing(needle: str) -> dict[str, int]:
    """{"table.column": rows} of every text or JSON column holding ``needle`` (case-insensitive)."""
    hits = {}
    pattern = f"%{needle.lower()}%"
    with connection.cursor() as cursor:
        for table, column in _text_columns():
            cursor.execute(
                f'SELECT COUNT(*) FROM "{table}" WHERE LOWER(CAST("{column}" AS TEXT)) LIKE %s',  # noqa: S608
                [pattern],
            )
            (count,) = cursor.fetchone()
            if count:
                hits[f"{table}.{column}"] = count
    return hits


def media_containing(needle: str) -> list[str]:
    """Uploaded files whose name or bytes hold ``needle``."""
    root = Path(settings.MEDIA_ROOT)
    if not root.exists():
        return []
    found = []
    for path in root.rglob("*"):
        if path.is_file() and (needle.lower() in path.name.lower() or needle.encode() in path.read_bytes()):
            found.append(str(path.relative_to(root)))
    return found


def others_snapshot(scenario: Scenario) -> dict[str, Any]:
    """What belongs to everyone else, to compare before and after the erasure."""
    others = User.objects.exclude(pk=scenario.user.pk)
    return {
        "users": list(others.order_by("pk").values("pk", "email", "first_name", "last_name", "job_title", "photo")),
        "memberships": list(
            Membership.objects.exclude(user=scenario.user).order_by("pk").values("pk", "user_id", "organization_id")
        ),
        "messages": list(
            Message.objects.exclude(author=scenario.user).order_by("pk").values("pk", "body", "deleted_at")
        ),
        "sessions": list(
            Session.objects.exclude(pk__in=scenario.own_session_ids)
            .order_by("pk")
            .values("pk", "organizer_id", "description", "cancelled_at")
        ),
        "addresses": list(EmailAddress.objects.exclude(user=scenario.user).order_by("pk").values("pk", "email")),
    }


def now_in_paris() -> datetime:
    return datetime.now(PARIS)
