"""Formatted text is harmless on save and on display: scripts, event handlers and javascript:
links never reach a page."""

import pytest
from django.template import Context, Template
from django.urls import reverse

from core.sanitize import html_to_user_text, sanitize_html, user_text_to_html
from governance.models import DocumentVersion
from governance.tests import builders
from organisations.models import Role

EVIL = (
    '<p>Rutin</p><script>alert("x")</script>'
    '<img src="x" onerror="alert(1)">'
    '<a href="javascript:alert(2)">klicka</a>'
    '<p onclick="alert(3)" style="color:red">text</p>'
    "<iframe src='https://evil.example'>inne</iframe>"
)


@pytest.mark.parametrize(
    ("given", "kept"),
    [
        ("<p>a <strong>b</strong> <em>c</em></p>", "<p>a <strong>b</strong> <em>c</em></p>"),
        ("<h2>Rubrik</h2><ul><li>x</li></ul>", "<h2>Rubrik</h2><ul><li>x</li></ul>"),
        (
            '<a href="https://leksand.se/">länk</a>',
            '<a href="https://leksand.se/" rel="noopener noreferrer">länk</a>',
        ),
        (
            '<a href="mailto:samordnare@example.org">mejl</a>',
            '<a href="mailto:samordnare@example.org" rel="noopener noreferrer">mejl</a>',
        ),
        (
            '<table><tr><th scope="row">a</th></tr></table>',
            '<table><tbody><tr><th scope="row">a</th></tr></tbody></table>',
        ),
    ],
)
def test_allowed_formatting_is_kept(given, kept):
    assert sanitize_html(given) == kept


def test_scripts_handlers_and_javascript_links_are_removed():
    clean = sanitize_html(EVIL)
    for bad in (
        "<script",
        "alert",
        "onerror",
        "onclick",
        "javascript:",
        "style=",
        "<img",
        "<iframe",
    ):
        assert bad not in clean, bad
    assert clean.startswith("<p>Rutin</p>")
    assert '<a rel="noopener noreferrer">klicka</a>' in clean


def test_relative_and_data_links_lose_their_address():
    assert "href" not in sanitize_html('<a href="/django-admin/">x</a>')
    assert "href" not in sanitize_html('<a href="data:text/html,<script>">x</a>')
    assert "href" not in sanitize_html('<a href=" JaVaScRiPt:alert(1)">x</a>')


def test_plain_text_becomes_escaped_paragraphs():
    assert user_text_to_html("Rad 1\nRad <2> & 3\n\nStycke 2") == (
        "<p>Rad 1<br>Rad &lt;2&gt; &amp; 3</p><p>Stycke 2</p>"
    )
    assert user_text_to_html("   ") == ""


def test_the_template_filter_sanitises_on_display():
    rendered = Template("{% load sanitize %}{{ text|sanitize }}").render(Context({"text": EVIL}))
    assert "<script" not in rendered
    assert "onerror" not in rendered
    assert rendered.startswith("<p>Rutin</p>")
    assert (
        Template("{% load sanitize %}[{{ text|sanitize }}]").render(Context({"text": None})) == "[]"
    )


def test_a_version_is_sanitised_on_save(world):
    document = builders.document(world)
    version = builders.version(world, document, text=EVIL)
    assert "<script" not in version.text
    assert "javascript:" not in version.text
    assert version.text.startswith("<p>Rutin</p>")


def test_a_row_written_around_the_services_is_sanitised_on_display(world, client):
    """Even a script that got into the database some other way never reaches the page."""
    document = builders.document(world)
    version = builders.version(world, document)
    DocumentVersion.objects.filter(pk=version.pk).update(text=EVIL)
    client.force_login(world.user(Role.REPORTER))
    for url in (
        reverse("governance:document_detail", args=[document.pk]),
        reverse("governance:version_detail", args=[document.pk, version.number]),
    ):
        body = client.get(url).content.decode()
        assert "<p>Rutin</p>" in body
        for bad in ('alert("x")', "onerror", "javascript:alert", "onclick="):
            assert bad not in body, (url, bad)


def test_nested_headings_sanitise_and_move_headings_one_level_down():
    rendered = Template("{% load sanitize %}{{ text|nested_headings }}").render(
        Context({"text": "<h2>Syfte</h2><h4>Del</h4>" + EVIL})
    )
    assert rendered.startswith("<h3>Syfte</h3><h5>Del</h5><p>Rutin</p>")
    assert "<script" not in rendered
    assert "onerror" not in rendered


@pytest.mark.parametrize(
    "typed",
    ["Rad 1\nRad <2> & 3\n\nStycke 2", "<h2>Syfte</h2><p>Text</p>", "En rad"],
)
def test_stored_text_comes_back_to_the_form_as_it_was_typed(typed):
    stored = user_text_to_html(typed)
    assert html_to_user_text(stored) == typed
    assert user_text_to_html(html_to_user_text(stored)) == stored
