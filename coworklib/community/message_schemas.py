"""The shapes of the messages API (API.md conventions).

Bodies are checked by the services (stripped, 1–MESSAGE_MAX_LENGTH characters,
no control characters), so that the API and the pages say the same thing; the
schema says the same up front (MessageIn), so that clients know it.
Class names start with what they are about: ninja keeps one schema per name
for the whole API.
"""

from datetime import datetime

from ninja import Field, Schema

from coworklib.community.models import MESSAGE_MAX_LENGTH
from coworklib.workspaces.schemas import BodyIn, Id

# What messaging._clean_body accepts, said in the schema: line breaks, carriage returns and
# tabs, no other control character, and something besides white space (the body is stripped).
_TEXT_CHARACTER = r"[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]"
_VISIBLE_CHARACTER = r"[^\s\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]"
MESSAGE_BODY_PATTERN = f"^{_TEXT_CHARACTER}*{_VISIBLE_CHARACTER}{_TEXT_CHARACTER}*$"


class MessagePersonOut(Schema):
    id: int | None = Field(description="null once the account is erased")
    display_name: str = Field(description='"Utilisateur supprimé" / "Deleted user" once the account is erased')


class MessageOut(Schema):
    id: int
    conversation: int
    author: MessagePersonOut
    mine: bool = Field(description="Written by the caller")
    body: str = Field(description="Empty when its author deleted it")
    created_at: datetime
    deleted: bool


class MessagePageOut(Schema):
    items: list[MessageOut]
    count: int


class ConversationOut(Schema):
    id: int
    kind: str = Field(description='"direct"')
    organization: int
    other: MessagePersonOut | None = Field(description="The other person; null once their account is gone")
    last_message: MessageOut | None
    last_message_at: datetime | None
    unread: int = Field(description="Messages of the other person the caller has not read")


class ConversationPageOut(Schema):
    items: list[ConversationOut]
    count: int


class ConversationIn(BodyIn):
    user: Id = Field(description="The member to write to")


class MessageIn(BodyIn):
    body: str = Field(
        min_length=1,
        max_length=MESSAGE_MAX_LENGTH,
        pattern=MESSAGE_BODY_PATTERN,
        description="At most 4000 characters, not only white space; line breaks and tabs are the only control "
        "characters allowed. Spaces around are removed.",
    )


class MessageBlockIn(BodyIn):
    user: Id = Field(description="The member to block")


class MessageBlockOut(Schema):
    user: MessagePersonOut
    created_at: datetime
