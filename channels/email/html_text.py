"""HTML mail bodies as plain text, on the stdlib parser: nothing to install, nothing run.

Quoted parts (`<blockquote>`) come out with `> ` prefixes so that quote stripping treats an
HTML-only reply the same as a plain-text one.
"""

from __future__ import annotations

import re
from html import unescape
from html.parser import HTMLParser

_SKIPPED = frozenset({"script", "style", "head", "title", "noscript", "template", "svg"})
_PARAGRAPH = frozenset(
    {"p", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "dl", "table", "pre", "blockquote"}
)
_LINE = frozenset(
    {
        "div", "tr", "li", "dt", "dd", "section", "article", "header", "footer", "address",
        "hr", "form", "fieldset", "figure", "main", "nav", "aside", "center", "caption",
        "tbody", "thead", "tfoot", "body", "html",
    }
)
_VOID = frozenset({"br", "hr", "img", "meta", "link", "input", "area", "base", "col", "wbr"})
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\xad"), None)
_TAG = re.compile(r"<[^>]*>")
_SPACE = re.compile(r"\s+")


class _Converter(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        # (quote depth, text) segments; "\n" segments are line breaks.
        self.segments: list[tuple[int, str]] = []
        self._skip: list[str] = []
        self._depth = 0

    def _break(self, lines: int, *, add: bool = False) -> None:
        # Adjacent block breaks merge (`</li><li>` is one break, not two) while `<br>`s add
        # up; a merged blank line belongs to the outer quote level.
        if self.segments and self.segments[-1][1].startswith("\n"):
            depth, previous = self.segments.pop()
            count = len(previous) + lines if add else max(lines, len(previous))
            self.segments.append((min(depth, self._depth), "\n" * count))
        else:
            self.segments.append((self._depth, "\n" * lines))

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self._skip:
            if tag == self._skip[-1] and tag not in _VOID:
                self._skip.append(tag)
            return
        if tag in _SKIPPED:
            self._skip.append(tag)
        elif tag == "br":
            self._break(1, add=True)
        elif tag == "li":
            self._break(1)
            self.segments.append((self._depth, "- "))
        elif tag in _PARAGRAPH:
            self._break(2)
            if tag == "blockquote":
                self._depth += 1
        elif tag in _LINE:
            self._break(1)
        elif tag in {"td", "th"}:
            self.segments.append((self._depth, " "))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        # `<br/>` and `<p/>` alike: only the break matters, there is no content to skip.
        if not self._skip and tag not in _SKIPPED:
            self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if self._skip:
            if tag == self._skip[-1]:
                self._skip.pop()
            return
        if tag in _PARAGRAPH:
            if tag == "blockquote" and self._depth:
                self._depth -= 1
            self._break(2)
        elif tag in _LINE or tag == "li":
            self._break(1)

    def handle_data(self, data: str) -> None:
        # Source line breaks are only whitespace in HTML; breaks come from tags alone.
        if not self._skip and data:
            self.segments.append((self._depth, _SPACE.sub(" ", data)))


def _render(segments: list[tuple[int, str]]) -> str:
    lines: list[tuple[int, str]] = []
    current: list[str] = []
    depth: int | None = None
    for segment_depth, text in segments:
        if text.startswith("\n"):
            for _ in text:
                lines.append((segment_depth if depth is None else depth, "".join(current)))
                current, depth = [], None
        elif text.strip():
            depth = segment_depth if depth is None else depth
            current.append(text)
        else:
            current.append(text)
    lines.append((depth or 0, "".join(current)))

    rendered: list[str] = []
    for line_depth, raw in lines:
        text = " ".join(raw.translate(_INVISIBLE).split())
        if not text and (not rendered or not rendered[-1].strip("> ")):
            continue  # one blank line is enough, and none at the top
        prefix = ">" * line_depth
        rendered.append(f"{prefix} {text}" if prefix and text else prefix or text)
    while rendered and not rendered[-1].strip("> "):
        rendered.pop()
    return "\n".join(rendered)


def _crude(html: str) -> str:
    return " ".join(unescape(_TAG.sub(" ", html)).split())


def html_to_text(html: str) -> str:
    converter = _Converter()
    try:
        converter.feed(html)
        converter.close()
    # The stdlib parser still raises on a few malformed declarations (`<![foo[`); a
    # tag-stripped single line beats losing the customer's words.
    except Exception:
        return _crude(html)
    return _render(converter.segments)
