"""Retrain everything the entity package loads: gazetteers, word clusters and the CRF models.

    python -m archive.entities.train --data ../shared/data
    python -m archive.entities.train --data ../shared/data --langs en --reuse-clusters --reuse-gazetteers  # one model

Trains on `*.train`, reports `*.testa` (the tuning set); `*.testb` is left to bench/ner_eval.py.
Needs numpy and babel (training only). Deterministic: fixed k-means seed, L-BFGS has no randomness.
"""
from __future__ import annotations

import argparse
import logging
import os
import time
from pathlib import Path
from typing import Any

from . import clusters, conll, corpus, crf, gazetteer
from .features import Featurizer

log = logging.getLogger(__name__)

MODELS = Path(__file__).with_name("models")
# Word-cluster settings per language (see `clusters.build`), chosen on testa. Dutch and Spanish have
# little other unlabeled text, so their clusters also read the testa tokens (never its labels);
# testb text is never read.
CLUSTERS: dict[str, dict[str, Any]] = {
    "nl": {"levels": (2048, 512, 128, 32), "n_context": 1000, "dims": 200},
    "en": {"levels": (4096, 1024, 256, 64), "n_context": 1000, "dims": 200},
    "es": {"levels": (4096, 1024, 256, 64), "n_context": 1000, "dims": 200},
}
CLUSTER_TEXT = {"nl": ("train", "testa"), "en": ("train",), "es": ("train", "testa")}  # CoNLL splits read unlabeled
# Tuned on testa (see the report in bench/ner_eval.py output).
PARAMS = {
    "nl": {"c1": 0.02, "c2": 0.1, "max_iterations": 200},
    "en": {"c1": 0.05, "c2": 0.02, "max_iterations": 100, "feature.minfreq": 1},
    "es": {"c1": 0.02, "c2": 0.1, "max_iterations": 200},
}

# Tag scheme per language, chosen on testa: BILOU gave Spanish +0.005 F1; Dutch +0.004 with the earlier
# clusters but -0.003 with the current ones (noise, and 10% slower tagging); English nothing with the earlier
# attributes and +0.003 with the other mentions' contexts (features.CONTEXT_LANGUAGES), but it then made a lone
# "Kerry said ..." an organisation (U-ORG 0.37 to U-PER 0.28), tagged more slowly and lost 0.009 on the English
# gold set, so English stays BIO. English keeps every attribute seen once (feature.minfreq 1: +0.002 on testa
# alone, 3 lost 0.005).
SCHEMES = {"nl": "bio", "en": "bio", "es": "bilou"}


def evaluate(tagger: crf.Tagger, data: Path, lang: str, part: str) -> conll.Score:
    """Score a tagger on one CoNLL split with the gold tokenisation."""
    score = conll.Score()
    for doc in conll.read_conll(conll.data_file(data, lang, part)):
        for (_, tags), guess in zip(doc, tagger.tag_document([words for words, _ in doc])):
            score.add(tags, guess)
    return score


def train_language(data: Path, out: Path, lang: str, params: dict, build_clusters: bool = True, seed: int = 13) -> None:
    """Build the clusters of one language, train its CRF and log testa F1."""
    t0 = time.time()
    cluster_file = out / f"clusters.{lang}.tsv"
    if build_clusters or not cluster_file.exists():
        text = corpus.sentences_for(data, lang, CLUSTER_TEXT[lang])
        words, caps = clusters.build(text, seed=seed, **CLUSTERS[lang])
        clusters.save(cluster_file, words, caps)
        log.info("%s: clusters written (%.0fs)", lang, time.time() - t0)
    featurizer = Featurizer.from_dir(out, lang)
    model = out / f"{lang}.crfsuite"
    crf.train(featurizer, conll.read_conll(conll.data_file(data, lang, "train")), model, params, SCHEMES[lang])
    score = evaluate(crf.Tagger(model, Featurizer.from_dir(out, lang)), data, lang, "testa")
    p, r, f = score.prf()
    log.info("%s: testa P %.3f R %.3f F1 %.3f; model %d bytes (%.0fs)", lang, p, r, f, model.stat().st_size, time.time() - t0)


def main(argv: list[str] | None = None) -> None:
    """Parse arguments and retrain the requested languages."""
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", type=Path, default=Path("../shared/data"), help="folder with conll2002/, conll2003/, ...")
    ap.add_argument("--out", type=Path, default=MODELS, help="where to write the model files")
    ap.add_argument("--langs", nargs="+", default=list(PARAMS), choices=list(PARAMS))
    ap.add_argument("--iterations", type=int, help="override max L-BFGS iterations (quick pipeline checks)")
    ap.add_argument("--c1", type=float)
    ap.add_argument("--c2", type=float)
    ap.add_argument("--reuse-clusters", action="store_true", help="keep existing cluster files")
    ap.add_argument("--reuse-gazetteers", action="store_true",
                    help="keep the existing gazetteer, places and given-name files (building them needs the train extra)")
    ap.add_argument("--seed", type=int, default=13)
    args = ap.parse_args(argv)
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(var, "1")  # set before numpy loads: one core, same float sums on every run
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    t0 = time.time()
    args.out.mkdir(parents=True, exist_ok=True)
    if not args.reuse_gazetteers:
        gazetteer.build_all(args.data, args.out)
    for lang in args.langs:
        params = dict(PARAMS[lang])
        for key, value in (("max_iterations", args.iterations), ("c1", args.c1), ("c2", args.c2)):
            if value is not None:
                params[key] = value
        train_language(args.data, args.out, lang, params, not args.reuse_clusters, args.seed)
    log.info("done in %.0fs", time.time() - t0)


if __name__ == "__main__":
    main()
