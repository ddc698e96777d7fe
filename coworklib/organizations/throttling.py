"""How many organizations one person may try to create in a while.

Why a limit at all: creating an organization with a chosen slug answers 409
`slug_taken` when it is in use. That answer cannot go: the slug is a public
identifier people choose (like a user name), it appears in every web address of
the organization and is what people type to ask to join, so it is not a secret
and telling that it is taken is the only way to let someone choose another one.
What must not be possible is asking it thousands of times, to list the
organizations using the service, nor creating tenants in bulk. Each attempt
therefore consumes one of `CREATION_ATTEMPTS_PER_WINDOW` allowances per user
per `CREATION_WINDOW_SECONDS`, whether the slug was free or not; accounts need a
verified e-mail address, so more allowance costs more addresses. Ten an hour
is far more than anyone setting up their organizations needs.

The counter lives in the Django cache, shared by every process (see
docs/decisions/0001-shared-cache.md), as a fixed window starting at the first
attempt. Its read-modify-write is not atomic: concurrent requests of one user
can each get an attempt past the limit, an overshoot bounded by the number of
workers, which is harmless here.
"""

from django.utils.translation import ngettext

from coworklib.core.throttling import Allowance, Throttled, consume

CREATION_ATTEMPTS_PER_WINDOW = 10
CREATION_WINDOW_SECONDS = 3600
_KEY_PREFIX = "organizations:creation-attempts"


class CreationThrottled(Throttled):
    def explain(self, *, minutes: int) -> str:
        return ngettext(
            "Vous avez tenté de créer beaucoup d'organisations en peu de temps. Réessayez dans %(minutes)d minute.",
            "Vous avez tenté de créer beaucoup d'organisations en peu de temps. Réessayez dans %(minutes)d minutes.",
            minutes,
        ) % {"minutes": minutes}


def consume_creation_attempt(*, user_id: int) -> None:
    """Count one attempt to create an organization, or raise CreationThrottled when none is left.

    Must be called outside any transaction (core.throttling).
    """
    allowance = Allowance(f"{_KEY_PREFIX}:{user_id}", CREATION_ATTEMPTS_PER_WINDOW, CREATION_WINDOW_SECONDS)
    retry_after = consume([allowance])
    if retry_after is not None:
        raise CreationThrottled(retry_after=retry_after)
