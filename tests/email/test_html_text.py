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


def test_parser_errors_fall_back_to_stripped_tags() -> None:
    assert html_to_text("<![unknown[ tekst <b>vet</b>") == "vet"
