"""Descriptions: plain text or a little HTML in, sanitised HTML out; no script ever survives."""

import pytest

from coworklib.workspaces.richtext import render_description, sanitize_description


def test_plain_text_becomes_paragraphs_and_lists() -> None:
    text = "Au 3e étage.\nAscenseur à gauche.\n\n- Écran\n- Visio\n\nÀ bientôt"

    assert sanitize_description(text) == (
        "<p>Au 3e étage.<br>Ascenseur à gauche.</p><ul><li>Écran</li><li>Visio</li></ul><p>À bientôt</p>"
    )


def test_plain_text_is_escaped() -> None:
    assert sanitize_description("Capacité < 10 & > 2") == "<p>Capacité &lt; 10 &amp; &gt; 2</p>"


def test_allowed_html_is_kept() -> None:
    html = (
        '<p>Salle <strong>calme</strong>, <em>lumineuse</em></p><ol><li>un</li></ol><a href="https://x.test">plan</a>'
    )

    assert sanitize_description(html) == (
        "<p>Salle <strong>calme</strong>, <em>lumineuse</em></p><ol><li>un</li></ol>"
        '<a href="https://x.test" rel="noopener noreferrer nofollow">plan</a>'
    )


@pytest.mark.parametrize(
    "attack",
    [
        "<script>alert(1)</script>",
        '<img src=x onerror="alert(1)">',
        '<a href="javascript:alert(1)">x</a>',
        '<a href="data:text/html,<script>alert(1)</script>">x</a>',
        "<svg onload=alert(1)>",
        '<iframe src="https://evil.test"></iframe>',
        "<style>body{display:none}</style>",
        '<p style="background:url(javascript:alert(1))">x</p>',
        "<<script>script>alert(1)<</script>/script>",
        "<!--<script>-->alert(1)",
    ],
)
def test_no_active_content_survives(attack: str) -> None:
    cleaned = sanitize_description(attack).lower()

    for dangerous in (
        "<script",
        "onerror",
        "onload",
        "javascript:",
        "<iframe",
        "<style",
        "<svg",
        "data:text",
        "style=",
    ):
        assert dangerous not in cleaned


def test_rendering_sanitises_again_what_was_stored_another_way() -> None:
    rendered = render_description('<p>ok</p><script>alert("stored by hand")</script>')

    assert str(rendered) == "<p>ok</p>"


def test_an_empty_description_stays_empty() -> None:
    assert sanitize_description("  \n ") == ""
