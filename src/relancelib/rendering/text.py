"""The bodies and the subject of a message: plain text from HTML and back, tidied.

A template may give only a text body or only an HTML one; the other is derived here.
"""

from __future__ import annotations

import html as _html
import re
from html.parser import HTMLParser

__all__ = ["clean_subject", "html_to_text", "text_to_html", "tidy_text"]

# Blanks that fold (not the no-break spaces of French typography).
_BLANKS = re.compile(r"[ \t\r\n\f\v\x85\u2028\u2029]+")
# What a subject turns into one space: runs of blanks and control characters.
_SUBJECT_BREAKS = re.compile(r"[\x00-\x20\x7f\x85\u2028\u2029]+")
_BLANK_LINES = re.compile(r"\n{3,}")


class _HTMLToText(HTMLParser):
    """A crude HTML-to-text converter for templates that give only an ``html`` block."""

    _BREAKS = frozenset(("p", "div", "br", "tr", "li", "h1", "h2", "h3", "h4", "table", "ul"))
    _HIDDEN = frozenset(("style", "script", "head", "title"))

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self._HIDDEN:
            self._skip += 1
        elif tag in self._BREAKS:
            self.parts.append("\n")
        elif tag in ("td", "th"):
            self.parts.append("  ")

    def handle_endtag(self, tag: str) -> None:
        if tag in self._HIDDEN:
            self._skip = max(0, self._skip - 1)
        elif tag in self._BREAKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(_BLANKS.sub(" ", data))

    def text(self) -> str:
        lines = (line.strip() for line in "".join(self.parts).splitlines())
        return _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip() + "\n"


def html_to_text(markup: str) -> str:
    """A plain-text version of an HTML body: one line a block, markup and styles dropped."""
    parser = _HTMLToText()
    parser.feed(markup)
    parser.close()
    return parser.text()


def text_to_html(text: str, title: str) -> str:
    """Wrap a plain-text body in a minimal HTML document, escaped, one paragraph a block."""
    paragraphs = [p for p in re.split(r"\n\s*\n", text.strip()) if p.strip()]
    body = "\n".join(
        "<p>" + "<br>\n".join(_html.escape(line) for line in p.splitlines()) + "</p>"
        for p in paragraphs
    )
    return (
        '<!DOCTYPE html>\n<html lang="fr">\n<head><meta charset="utf-8">'
        f"<title>{_html.escape(title)}</title></head>\n"
        f'<body style="font-family:sans-serif">\n{body}\n</body>\n</html>\n'
    )


def tidy_text(text: str) -> str:
    """Trailing blanks off each line, at most one blank line in a row, one final newline."""
    lines = [line.rstrip() for line in text.splitlines()]
    return _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip("\n") + "\n"


def clean_subject(subject: str) -> str:
    """A subject is one header line: line breaks, control characters and runs of blanks
    become one space.  (Normalising, not checking: the message then checks it is a single
    line with :func:`relancelib.checks.check_single_line`.)"""
    return _SUBJECT_BREAKS.sub(" ", subject).strip()
