"""Comparing markup written in Python with the template loop it replaced (the fragments'
tests): whitespace that does not change the page is left out."""

import re


def normalised(html: str) -> str:
    """Whitespace between tags, at the start of a table cell, before a closing tag and runs of
    it inside text do not change the page."""
    html = re.sub(r"(<td[^>]*>)\s+", r"\1", html)
    html = re.sub(r">\s+<", "><", html)
    html = re.sub(r"\s+</", "</", html)
    return re.sub(r"\s+", " ", html).strip()
