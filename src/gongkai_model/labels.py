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

import difflib
import functools
import re
import threading
import unicodedata
from collections.abc import Hashable, Iterable
from typing import Generic, TypeVar

__all__ = ["FUZZY_CUTOFF", "FuzzyMatcher", "close_match", "normalize_label", "similarity"]

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


#: How alike (:func:`similarity`) a printed label must be to a statutory one to be taken for its
#: misprint: the one cut-off of the readers' fuzzy row matching and of the records' suggestions.
FUZZY_CUTOFF = 0.8

T = TypeVar("T", bound=Hashable)


def similarity(a: str, b: str) -> float:
    """How alike two normalised labels are, from 0 to 1 (:meth:`difflib.SequenceMatcher.ratio`).

    >>> round(similarity("某某法律行政止公开", "某某法律行政法规禁止公开"), 2)
    0.86
    """
    return difflib.SequenceMatcher(None, a, b).ratio()


def close_match(label: str, known: Iterable[str], cutoff: float = FUZZY_CUTOFF) -> str | None:
    """The known label most like ``label`` (both normalised) if at least ``cutoff`` alike, else ``None``.

    >>> close_match(normalize_label("某甲机关关"), ["某甲机关", "某乙单位"])
    '某甲机关'
    """
    best, score = None, cutoff
    for k in known:
        ratio = similarity(label, k)
        if ratio > score or (ratio == score and best is None):
            best, score = k, ratio
    return best


class FuzzyMatcher(Generic[T]):
    """The one fuzzy matcher: which value a misprinted label names, among normalised labels that each name one.

    :meth:`scores` gives every value with a label at least :data:`FUZZY_CUTOFF` alike to a key
    (the best ratio of each), :meth:`best` the unique best value. Labels are indexed once, by
    length, and bounds from the lengths and the characters shared skip what cannot reach the
    cut-off, so a key is compared with few labels. Each thread has its own matchers (a
    :class:`difflib.SequenceMatcher` holds the key it compares).

    >>> m = FuzzyMatcher([("某某法律行政法规禁止公开", "a"), ("某某危及安全与稳定", "b")])
    >>> m.best("某某法律行政止公开"), m.best("某某危及安全与稳走"), m.best("行政"), m.best("完全无关的文字")
    ('a', 'b', None, None)
    """

    def __init__(self, labels: Iterable[tuple[str, T]], cutoff: float = FUZZY_CUTOFF) -> None:
        self.labels = tuple(labels)
        self.cutoff = cutoff
        self.chars = frozenset("".join(label for label, _ in self.labels))
        self._local = threading.local()

    def _by_length(self) -> dict[int, list[tuple[T, difflib.SequenceMatcher[str]]]]:
        mine: dict[int, list[tuple[T, difflib.SequenceMatcher[str]]]] | None = getattr(self._local, "m", None)
        if mine is None:
            mine = {}
            for label, value in self.labels:
                mine.setdefault(len(label), []).append((value, difflib.SequenceMatcher(None, "", label)))
            self._local.m = mine
        return mine

    def scores(self, key: str) -> dict[T, float]:
        """Every value with a label at least the cut-off alike to ``key``, with its best ratio."""
        cutoff, n = self.cutoff, len(key)
        common = sum(ch in self.chars for ch in key)
        if not n or 2 * common < cutoff * (n + 2):
            return {}  # too few of its characters are in any label (an upper bound of every ratio)
        out: dict[T, float] = {}
        by_length = self._by_length()
        for length in range(max(2, (2 * n) // 3), (3 * n) // 2 + 1):
            if 2 * min(n, length, common) < cutoff * (n + length):
                continue  # an upper bound of the ratio from the lengths and the shared characters alone
            for value, matcher in by_length.get(length, ()):
                matcher.set_seq1(key)
                if matcher.quick_ratio() < cutoff:
                    continue
                ratio = matcher.ratio()
                if ratio >= cutoff and ratio > out.get(value, 0.0):
                    out[value] = ratio
        return out

    def best(self, key: str) -> T | None:
        """The one value whose label ``key`` is most like (at least the cut-off), or ``None`` when none or tied."""
        scores = self.scores(key)
        if not scores:
            return None
        top = max(scores.values())
        winners = [v for v, s in scores.items() if s == top]
        return winners[0] if len(winners) == 1 else None
