"""HTML to plain text: readable, nothing executable, quotes marked."""

from __future__ import annotations

import pytest

from channels.email import html_to_text


@pytest.mark.parametrize(
    ("html", "text"),
    [
        ("<p>Een</p><p>Twee</p>", "Een\n\nTwee"),
        ("een<br>twee<br/><br>drie", "een\ntwee\n\ndrie"),
        ("<ul><li>a</li><li>b</li></ul>", "- a\n- b"),
        ("<ol><li>a<li>b</ol>", "- a\n- b"),
        ('<a href="https://x.example">de site</a>', "de site"),
        ("caf&eacute; &euro;&nbsp;5 &#8211; &lt;b&gt;", "café € 5 \u2013 <b>"),
        ("<script>alert(1)</script><style>p{}</style>zicht&shy;baar", "zichtbaar"),
        ("<head><title>t</title></head><body>lijf</body>", "lijf"),
        ("veel    \n\n  witruimte\t hier", "veel witruimte hier"),
        ("<div><div>a</div></div><div>b</div>", "a\nb"),
        ("<table><tr><td>Bon</td><td>4711</td></tr><tr><td>Prijs</td></tr></table>",
         "Bon 4711\nPrijs"),
        ("<p>nieuw</p><blockquote><p>oud</p><p>ouder</p></blockquote>",
         "nieuw\n\n> oud\n>\n> ouder"),
        ("<blockquote>een<blockquote>twee</blockquote></blockquote>na", "> een\n>\n>> twee\n\nna"),
        ("<!-- commentaar -->tekst<!--[if mso]>outlook<![endif]-->", "tekst"),
        ("<p>open zonder einde", "open zonder einde"),
        ("", ""),
    ],
)
def test_html_to_text(html: str, text: str) -> None:
    assert html_to_text(html) == text


# Valid HTML5 leaves out what the parser implies; none of it may cost the customer's text.
@pytest.mark.parametrize(
    ("html", "text"),
    [
        # The head ends where the body's content begins (no </head>, no <body>).
        ("<html><head><title>Klacht</title><p>De kraan lekt.", "De kraan lekt."),
        ("<head><meta charset=utf-8><style>p{}</style>Geen water sinds maandag.",
         "Geen water sinds maandag."),
        # An unclosed <svg> or <math> ends where HTML content resumes, or with its parent.
        ("<p>Logo <svg><circle r=1></svg> na</p>", "Logo na"),
        ("<svg><circle r=1><p>De rest van de klacht.</p><p>En meer.", "De rest van de klacht.\n\n"
         "En meer."),
        ("<div><svg><g><path d=M0></div><div>Tweede blok</div>", "Tweede blok"),
        ("<math><mi>x</mi><div>Na de formule", "x\nNa de formule"),
        # Text the reader sees inside SVG stays; its tooltips and styles do not.
        ("<svg><title>tip</title><desc>uitleg</desc><style>.a{}</style><text>Bakkerij</text>"
         "</svg>", "Bakkerij"),
        # Mail clients run no scripts: what <noscript> holds is shown; a template is inert.
        ("<noscript><p>Zichtbaar</p></noscript><template><p>inert</p></template>", "Zichtbaar"),
        ("<pre>regel een\n  regel twee</pre>na", "regel een\nregel twee\n\nna"),
        ("<table><tr><td>Bon<td>4711<tr><td>Prijs</table>", "Bon 4711\nPrijs"),
        ("<ul><li>een<li>twee</ul><p>a<p>b", "- een\n- twee\n\na\n\nb"),
        ("<![unknown[ tekst <b>vet</b>", "vet"),  # a bogus comment, then the text
    ],
)
def test_implied_structure_keeps_the_text(html: str, text: str) -> None:
    assert html_to_text(html) == text


def test_deep_nesting_is_read_without_recursion() -> None:
    html = "<div>" * 50_000 + "diep" + "</div>" * 50_000
    assert html_to_text(html) == "diep"


@pytest.mark.parametrize(
    ("html", "text"),
    [
        ("<p>kapot \udc80 <b>teken</b>", "kapot teken"),
        ("a\x00b<p>c", "ab\n\nc"),
        ("<" * 5, "<<<<<"),
    ],
)
def test_garbage_never_costs_the_text_around_it(html: str, text: str) -> None:
    assert html_to_text(html) == text
