"""Matching printed labels to the statutory ones.

Published reports print labels with noise: full-width and non-breaking
spaces, line breaks inside a label (``商业\\n企业``), half-width brackets for
full-width ones, ``，`` for ``、`` and straight for curly quotes, and number a
sub-row ``1、``, ``1．``, ``（1）`` or ``(1)`` where the statute prints ``1.``.
:func:`normalize_label` folds all of these, so that two labels match when
their normalised forms are equal.

>>> normalize_label("（二）部分公开") == normalize_label(" (二)部分\\u3000公开 ")
True
>>> normalize_label("逾期不补正，行政机关") == normalize_label("逾期不补正、行政机关")
True
>>> normalize_label("1、其他") == normalize_label("（1）其他") == normalize_label("1.其他")
True
"""

from __future__ import annotations

import functools
import re
import unicodedata

__all__ = ["normalize_label"]

_SPACE = re.compile(r"[\s\u200b\u200c\u200d\u2060\ufeff]+")
_FOLD = str.maketrans({"、": ",", "“": '"', "”": '"', "「": '"', "」": '"', "‘": "'", "’": "'"})
#: A sub-row's number at the start of a label (after folding): ``1,`` ``1.`` ``1:`` ``(1)``, not a figure (``1,234``).
_NUMBER = re.compile(r"^(?:(\d{1,2})[,.:]|\((\d{1,2})\))(?=\D)")


def _normalize(label: str) -> str:
    folded = _SPACE.sub("", unicodedata.normalize("NFKC", label)).translate(_FOLD)
    if folded[:1].isdigit() or folded[:1] == "(":
        return _NUMBER.sub(lambda m: f"{m.group(1) or m.group(2)}.", folded, count=1)
    return folded


_remembered = functools.lru_cache(maxsize=1 << 14)(_normalize)


def normalize_label(label: str) -> str:
    """The form of ``label`` used for matching: NFKC, no white space, variant punctuation folded.

    Short texts (labels and figures, which repeat in every table and every report) are remembered.
    """
    return _remembered(label) if len(label) <= 80 else _normalize(label)
