"""URL converters shared by every app."""

# The largest value of a 64-bit signed integer column: bigger numbers cannot be
# ids, and SQLite raises OverflowError (a 500) on them instead of finding nothing.
MAX_DATABASE_ID = 2**63 - 1


class DatabaseIdConverter:
    """`<dbid:name>`: a positive integer that fits a database id column (at most 18 digits)."""

    regex = "[0-9]{1,18}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: int) -> str:
        return str(value)
