"""The email intake benchmark with a small corpus: both paths read every mail, and the bot
loses nothing and doubles nothing. No timing assertions."""

from __future__ import annotations

from bench.email_intake import build_corpus, measure, report, report_stages, stage_costs
from tests.mail_lab import MailLab


def test_the_corpus_is_mixed_and_every_message_id_is_unique() -> None:
    corpus = build_corpus(400)
    raws = [mail.raw for mail in corpus]
    assert len({mail.message_id for mail in corpus}) == 400
    assert len({mail.sender for mail in corpus}) == 200
    assert sum(b"Content-Transfer-Encoding: quoted-printable" in raw for raw in raws) == 400
    assert any(b"Content-Type: text/html" in raw and b"text/plain" not in raw for raw in raws)
    assert any(b"multipart/alternative" in raw for raw in raws)
    assert sum(b"filename=" in raw for raw in raws) == 10
    assert sum(b"In-Reply-To:" in raw and b"\n> " in raw for raw in raws) == 50


async def test_the_benchmark_loses_and_doubles_nothing(mail_lab: MailLab) -> None:
    mail_lab.reset()
    result = await measure(mail_lab, 30, rounds=2, deadline=60)
    assert result.ok, report(result)
    assert len(result.rounds) == 2
    for measured in result.rounds:
        tally = measured.tally
        assert (tally.lost, tally.doubled, tally.stored) == (0, 0, 30)
        assert measured.baseline.mails == measured.klachtbot.mails == 30
        assert measured.baseline.per_second > 0
        assert measured.klachtbot.per_second > 0
    assert result.shown in result.rounds
    assert "every round" in report(result)


def test_stage_costs_are_measured_on_the_corpus() -> None:
    costs = stage_costs(build_corpus(20))
    assert costs.stdlib_parse > 0
    assert costs.parse_mail > 0
    assert costs.understand > 0
    assert "understand" in report_stages(costs)
