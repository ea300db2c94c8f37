"""Formatted text that people type (routines, minutes) made safe to store and to show.

``sanitize_html`` keeps a small set of formatting tags and drops everything else: a
``<script>`` or ``<style>`` disappears with its content, event handlers (``onerror=`` …) and
every other attribute go, and a link keeps only an ``http``, ``https`` or ``mailto`` address
(``javascript:`` and relative links lose their ``href``) and always gets
``rel="noopener noreferrer"``. It runs on save (what is stored is clean) and again on display
(the ``|sanitize`` filter in ``core.templatetags.sanitize``), so a row written around the
services can not bring a script to a page either.

``user_text_to_html`` is for form fields: text without any tag is plain text, and becomes
paragraphs (an empty line between them) and line breaks; text with HTML tags is taken as
HTML. ``html_to_user_text`` goes back, for a form that edits stored text: text made of plain
paragraphs comes back as plain text, anything richer as its HTML.
Either way the result is sanitised.
"""

import html
import re

import nh3
from django.utils.html import escape

ALLOWED_TAGS = frozenset(
    {
        "p",
        "br",
        "strong",
        "em",
        "ul",
        "ol",
        "li",
        "h2",
        "h3",
        "h4",
        "a",
        "blockquote",
        "table",
        "caption",
        "thead",
        "tbody",
        "tr",
        "th",
        "td",
    }
)
ALLOWED_ATTRIBUTES = {
    "a": {"href"},
    "th": {"scope", "colspan", "rowspan"},
    "td": {"colspan", "rowspan"},
}
URL_SCHEMES = frozenset({"http", "https", "mailto"})
# Removed together with everything inside them (the other unknown tags keep their text).
DROPPED_WITH_CONTENT = frozenset({"script", "style", "template", "noscript", "iframe", "object"})

# Text with one of these tags is taken as HTML; any other "<" is just a character (and is
# escaped), so the guess decides only how the text looks, never whether it is safe.
_HAS_TAG = re.compile(
    r"<\s*/?\s*(?:p|br|strong|em|b|i|u|ul|ol|li|h[1-6]|a|blockquote|table|caption|thead|tbody"
    r"|tr|th|td|div|span|script|style|img|iframe|object|svg)(?:\s[^<>]*)?/?\s*>",
    re.IGNORECASE,
)
_PARAGRAPH_BREAK = re.compile(r"\n\s*\n")


def sanitize_html(text: str) -> str:
    """The allowed formatting of ``text``; everything else stripped (see the module doc)."""
    if not text:
        return ""
    return nh3.clean(
        text,
        tags=set(ALLOWED_TAGS),
        clean_content_tags=set(DROPPED_WITH_CONTENT),
        attributes={tag: set(names) for tag, names in ALLOWED_ATTRIBUTES.items()},
        url_schemes=set(URL_SCHEMES),
        url_relative="deny",
        link_rel="noopener noreferrer",
        strip_comments=True,
    ).strip()


def user_text_to_html(text: str) -> str:
    """Sanitised HTML from what was typed in a form: HTML as such, plain text as paragraphs."""
    text = (text or "").replace("\r\n", "\n").replace("\r", "\n").strip()
    if not text:
        return ""
    if _HAS_TAG.search(text):
        return sanitize_html(text)
    paragraphs = [part.strip() for part in _PARAGRAPH_BREAK.split(text) if part.strip()]
    html = "".join(
        "<p>" + "<br>".join(escape(line) for line in paragraph.split("\n")) + "</p>"
        for paragraph in paragraphs
    )
    return sanitize_html(html)


_TAG = re.compile(r"<(/?)([a-z0-9]+)[^>]*>")


def html_to_user_text(stored: str) -> str:
    """What to put in a form to edit ``stored`` (sanitised HTML): plain text when it holds
    only paragraphs and line breaks, else the HTML itself."""
    if not stored:
        return ""
    if {match[2] for match in _TAG.finditer(stored)} - {"p", "br"}:
        return stored
    text = re.sub(r"</p>\s*<p>", "\n\n", stored)
    text = re.sub(r"<br\s*/?>", "\n", text)
    return html.unescape(_TAG.sub("", text)).strip()
