"""Workspace descriptions: a little HTML (paragraphs, lists, emphasis, links), sanitised with nh3.

Admins may send either HTML or plain text. Plain text is turned into
paragraphs (blank lines between them) and lists (lines starting with "- " or
"* "). What is stored is always sanitised HTML, and it is sanitised once more
when shown (`render_description`), so a row written another way (the Django
admin, a data migration) can never carry a script into a page.
"""

import html
import re

import nh3
from django.utils.safestring import SafeString, mark_safe

ALLOWED_TAGS = {"p", "br", "ul", "ol", "li", "strong", "em", "b", "i", "a"}
ALLOWED_ATTRIBUTES = {"a": {"href"}}
URL_SCHEMES = {"http", "https", "mailto"}
LINK_REL = "noopener noreferrer nofollow"
DESCRIPTION_MAX_LENGTH = 10_000

_LOOKS_LIKE_HTML = re.compile(r"<\s*/?\s*[a-zA-Z!]")
_LIST_ITEM = re.compile(r"^\s*[-*]\s+")


def _clean(markup: str) -> str:
    return nh3.clean(
        markup,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel=LINK_REL,
        strip_comments=True,
    ).strip()


def _text_to_html(text: str) -> str:
    blocks = [block for block in re.split(r"\n\s*\n", text.replace("\r\n", "\n").strip()) if block.strip()]
    parts = []
    for block in blocks:
        lines = [line for line in block.split("\n") if line.strip()]
        if all(_LIST_ITEM.match(line) for line in lines):
            items = "".join(f"<li>{html.escape(_LIST_ITEM.sub('', line).strip())}</li>" for line in lines)
            parts.append(f"<ul>{items}</ul>")
        else:
            parts.append("<p>" + "<br>".join(html.escape(line.strip()) for line in lines) + "</p>")
    return "".join(parts)


def sanitize_description(text: str) -> str:
    """The HTML to store for what an admin typed (HTML or plain text)."""
    if not text.strip():
        return ""
    markup = text if _LOOKS_LIKE_HTML.search(text) else _text_to_html(text)
    return _clean(markup)


def render_description(stored: str) -> SafeString:
    """Stored description → HTML safe to insert in a page."""
    return mark_safe(_clean(stored))  # noqa: S308 - nh3 has just removed everything outside the allow-list
