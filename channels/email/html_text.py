"""HTML mail bodies as plain text.

Parsed by an HTML5 parser (lexbor, through selectolax), so the document tree is the one a
browser builds: implied end tags (`<head>` without `</head>`, `<p>` without `</p>`), an
unclosed `<svg>` or `<math>` that ends where HTML content resumes, raw text in `<script>` and
`<style>`. The stdlib parser only tokenises; every such rule would have to be written again
on top of it, and each one missed lost the customer's text. The tree is then walked without
recursion (mail can nest thousands of elements deep).

Quoted parts (`<blockquote>`) come out with `> ` prefixes so that quote stripping treats an
HTML-only reply the same as a plain-text one.
"""

from __future__ import annotations

import re

from selectolax.lexbor import LexborHTMLParser, LexborNode

# What a reader never sees: the head, code, inert templates, raw-text fallbacks, and the
# tooltips and descriptions inside SVG and MathML. Text in the body of an SVG (`<text>`)
# or MathML formula is shown, so it is kept.
_SKIPPED = frozenset(
    {
        "head",
        "script",
        "style",
        "title",
        "template",
        "noembed",
        "noframes",
        "iframe",
        "desc",
        "metadata",
        "annotation",
        "annotation-xml",
    }
)
_PARAGRAPH = frozenset(
    {"p", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "dl", "table", "pre", "blockquote"}
)
_LINE = frozenset(
    {
        "div",
        "tr",
        "li",
        "dt",
        "dd",
        "section",
        "article",
        "header",
        "footer",
        "address",
        "hr",
        "form",
        "fieldset",
        "figure",
        "main",
        "nav",
        "aside",
        "center",
        "caption",
        "tbody",
        "thead",
        "tfoot",
        "body",
        "html",
    }
)
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\xad"), None)
_SPACE = re.compile(r"\s+")
_TEXT = "-text"


class _Converter:
    def __init__(self) -> None:
        # (quote depth, text) segments; "\n" segments are line breaks.
        self.segments: list[tuple[int, str]] = []
        self._depth = 0
        self._preformatted = 0

    def _break(self, lines: int, *, add: bool = False) -> None:
        # Adjacent block breaks merge (`</li><li>` is one break, not two) while `<br>`s add
        # up; a merged blank line belongs to the outer quote level.
        if self.segments and self.segments[-1][1].startswith("\n"):
            depth, previous = self.segments.pop()
            count = len(previous) + lines if add else max(lines, len(previous))
            self.segments.append((min(depth, self._depth), "\n" * count))
        else:
            self.segments.append((self._depth, "\n" * lines))

    def enter(self, node: LexborNode) -> bool:
        """Returns whether the node's children are to be read."""
        tag = node.tag or ""
        if tag == _TEXT:
            self._text(node.text_content or "")
            return False
        if tag in _SKIPPED or tag.startswith(("-", "#", "!")):  # comments and the like
            return False
        if tag == "br":
            self._break(1, add=True)
        elif tag == "li":
            self._break(1)
            self.segments.append((self._depth, "- "))
        elif tag in _PARAGRAPH:
            self._break(2)
            if tag == "blockquote":
                self._depth += 1
            elif tag == "pre":
                self._preformatted += 1
        elif tag in _LINE:
            self._break(1)
        elif tag in {"td", "th"}:
            self.segments.append((self._depth, " "))
        return True

    def leave(self, node: LexborNode) -> None:
        tag = node.tag or ""
        if tag in _PARAGRAPH:
            if tag == "blockquote" and self._depth:
                self._depth -= 1
            elif tag == "pre" and self._preformatted:
                self._preformatted -= 1
            self._break(2)
        elif tag in _LINE or tag == "li":
            self._break(1)

    def _text(self, data: str) -> None:
        if not data:
            return
        if not self._preformatted:
            # Source line breaks are only whitespace in HTML; breaks come from tags alone.
            self.segments.append((self._depth, _SPACE.sub(" ", data)))
            return
        for number, line in enumerate(data.replace("\r\n", "\n").split("\n")):
            if number:
                self._break(1, add=True)
            self.segments.append((self._depth, line))

    def walk(self, root: LexborNode) -> None:
        """Depth first, in document order, with a call on the way in and on the way out."""
        node: LexborNode | None = root
        while node is not None:
            if self.enter(node) and node.child is not None:
                node = node.child
                continue
            while node is not None:
                if node.tag != _TEXT:
                    self.leave(node)
                if node is root:
                    return
                if node.next is not None:
                    node = node.next
                    break
                node = node.parent


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


def html_to_text(html: str) -> str:
    # The HTML5 parser has no error path: whatever the input, it builds a tree (stray NULs
    # and lone surrogates included).
    root = LexborHTMLParser(html).root
    if root is None:
        return ""
    converter = _Converter()
    converter.walk(root)
    return _render(converter.segments)
