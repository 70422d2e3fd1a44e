"""Key sentences: the short cuts for short messages pick what full ranking would pick."""

from __future__ import annotations

import json
from importlib import resources

from bot.nlu.cues import complaint_strength
from bot.nlu.sentences import Body, body_sentences, key_sentences


def _ranked(body: Body, limit: int) -> tuple[str, ...]:
    """The definition: every sentence scored, the strongest `limit` kept in text order."""
    if not body.sentences:
        return ()
    scored = [(complaint_strength(f), i) for i, f in enumerate(body.folded)]
    best = sorted((x for x in scored if x[0] > 0), key=lambda x: (-x[0], x[1]))[:limit]
    if not best:
        return (body.sentences[0],)
    return tuple(body.sentences[i] for _, i in sorted(best, key=lambda x: x[1]))


def _messages() -> list[str]:
    texts: list[str] = []
    for name in ("seed_eval", "seed_holdout", "seed_train", "corpus_train"):
        path = resources.files("bot.nlu").joinpath(f"data/{name}.jsonl")
        with path.open(encoding="utf-8") as fh:
            texts += [json.loads(line)["text"] for line in fh if line.strip()]
    # Stories told over several messages, as the dialogue reads them.
    texts += ["\n".join(texts[i : i + 4]) for i in range(0, 120, 4)]
    return texts


def test_key_sentences_are_the_full_ranking() -> None:
    bodies = [body_sentences(text) for text in _messages()]
    assert {len(b.sentences) for b in bodies} >= {0, 1, 2, 3, 4, 5}
    for body in bodies:
        for limit in (1, 2, 3, 4):
            assert key_sentences(body, limit) == _ranked(body, limit), body.sentences


def test_body_keeps_each_sentence_folded_alongside() -> None:
    body = body_sentences("Beste klantenservice, mijn pakket is KAPOT!! Groet, Jan")
    assert body.sentences == ("mijn pakket is KAPOT!!",)
    assert body.folded == ("mijn pakket is kapot!!",)
