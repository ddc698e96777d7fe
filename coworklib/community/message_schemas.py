"""The shapes of the messages API (API.md conventions).

Bodies are checked by the services (stripped, 1–MESSAGE_MAX_LENGTH characters,
no control characters), so that the API and the pages say the same thing.
Class names start with what they are about: ninja keeps one schema per name
for the whole API.
"""

from datetime import datetime

from ninja import Field, Schema

from coworklib.workspaces.schemas import BodyIn, Id


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
    body: str = Field(description="1 to 4000 characters once spaces around are removed")


class MessageBlockIn(BodyIn):
    user: Id = Field(description="The member to block")


class MessageBlockOut(Schema):
    user: MessagePersonOut
    created_at: datetime
