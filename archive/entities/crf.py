"""Train and apply the per-language CRF taggers (python-crfsuite) over `features.Featurizer` attributes."""
from __future__ import annotations

import logging
from collections.abc import Iterable
from pathlib import Path

import pycrfsuite

from .conll import bilou_to_bio, bio_to_bilou
from .features import Featurizer

log = logging.getLogger(__name__)

DEFAULT_PARAMS = {
    "c1": 0.05,
    "c2": 0.02,
    "max_iterations": 200,
    "feature.minfreq": 2,
    "feature.possible_transitions": True,
}


def train(
    featurizer: Featurizer,
    documents: Iterable[list[tuple[list[str], list[str]]]],
    path: Path,
    params: dict | None = None,
    scheme: str = "bio",
) -> None:
    """Train a CRF on documents of (words, BIO tags) sentences and write it to `path`.

    With `scheme="bilou"` the model learns BILOU tags (the tagger turns them back into BIO).
    """
    trainer = pycrfsuite.Trainer(verbose=False)
    n = 0
    for doc in documents:
        for attrs, (_, tags) in zip(featurizer.document([words for words, _ in doc]), doc):
            trainer.append(attrs, bio_to_bilou(tags) if scheme == "bilou" else tags)
            n += 1
    trainer.select("lbfgs")
    trainer.set_params({**DEFAULT_PARAMS, **(params or {})})
    log.info("training %s on %d sentences with %s", path.name, n, trainer.get_params())
    trainer.train(str(path))


class Tagger:
    """A loaded CRF model plus the featurizer it was trained with."""

    def __init__(self, model: Path, featurizer: Featurizer) -> None:
        self.featurizer = featurizer
        self._tagger = pycrfsuite.Tagger()
        self._tagger.open(str(model))
        info = self._tagger.info()
        featurizer.restrict({attr for attr, _ in info.state_features})
        self.bilou = any(label[:2] in ("U-", "L-") for label in info.labels)  # the model says its scheme

    def tag(self, words: list[str]) -> list[str]:
        """Return BIO tags for one sentence of words, taken as a document of its own."""
        return self.tag_document([words])[0]

    def tag_document(self, sents: list[list[str]]) -> list[list[str]]:
        """Return BIO tags for every sentence of a document (document-level attributes included)."""
        tag = self._tagger.tag
        out = [tag(attrs) if attrs else [] for attrs in self.featurizer.document(sents)]
        return [bilou_to_bio(tags) for tags in out] if self.bilou else out
