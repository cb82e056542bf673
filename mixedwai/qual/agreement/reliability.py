"""Agreement between the coders of a codings table: the reliability table.

:func:`agreement` compares the coders (the ``coder`` column; the rules are the coder
``"mixedwai"``) on the segments of the transcripts (see
:mod:`mixedwai.qual.agreement.units` for how units are formed), code by code
(presence or absence), category by category where the codes of a category are used as
mutually exclusive (one nominal variable), and over every code pooled. It returns an
:class:`AgreementResult` with the table, the disagreements and, with ``reference=``,
every coder measured against the reference coder.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from mixedwai._validation import check_choice, check_range
from mixedwai.errors import InsufficientDataError, OptionError
from mixedwai.qual.agreement.coefficients import (
    _cohen_from_codes,
    _fleiss_from_counts,
    _pairwise_agreement,
)
from mixedwai.qual.agreement.disagreements import disagreement_table
from mixedwai.qual.agreement.intervals import (
    _alphas_of,
    _bootstrap_alphas,
    _percentiles,
    _unique_rows,
    _unit_coincidences,
)
from mixedwai.qual.agreement.units import UnitCodings, unit_codings
from mixedwai.qual.agreement.validation import validation_table

__all__ = ["AGREEMENT_COLUMNS", "AgreementResult", "agreement"]

#: Columns of the agreement table.
AGREEMENT_COLUMNS = (
    "level", "id", "label", "n_units", "n_coders", "prevalence", "percent_agreement",
    "cohen_kappa", "fleiss_kappa", "krippendorff_alpha", "alpha_low", "alpha_high",
)
#: ``id`` of the row that pools every code.
OVERALL = "all"


@dataclass(frozen=True, eq=False)
class AgreementResult:
    """The agreement between coders, from :func:`agreement`.

    Attributes
    ----------
    table : pandas.DataFrame
        One row per code, per category compared as a nominal variable, and the
        overall row (:data:`AGREEMENT_COLUMNS`, see :func:`agreement`).
    disagreements : pandas.DataFrame
        The segments the coders coded differently
        (:func:`~mixedwai.qual.agreement.disagreements.disagreement_table`).
    validation : pandas.DataFrame or None
        Every coder against the reference coder
        (:func:`~mixedwai.qual.agreement.validation.validation_table`), when a
        reference was given.
    data : UnitCodings
        The units and who applied what to them.
    unit : str
    speakers : list of str or None
    reference : str or None
    n_boot, confidence, random_state
        The bootstrap's settings.
    notes : tuple of str
        Codings, coders and categories left out, and why.
    """

    table: pd.DataFrame
    disagreements: pd.DataFrame
    validation: pd.DataFrame | None
    data: UnitCodings
    unit: str
    speakers: list[str] | None
    reference: str | None
    n_boot: int
    confidence: float
    random_state: int
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def n_units(self) -> int:
        """Units rated by at least two coders."""
        return int((self.data.rated.sum(axis=1) >= 2).sum())

    def method(self) -> str:
        """The method in words, for a report or a paper's methods section.

        Examples
        --------
        >>> import pandas as pd
        >>> from mixedwai.qual.transcripts.model import Transcript
        >>> t = Transcript.from_text("ES: We trust. We agree.", doc_id="d")
        >>> codings = pd.DataFrame({"doc_id": ["d", "d"], "start": [4, 4], "end": [13, 23],
        ...     "code_id": ["bond", "bond"], "coder": ["AL", "BO"]})
        >>> print(agreement(codings, [t], unit="sentence", n_boot=100).method()[:98])
        Agreement between 2 coders (AL, BO) was measured on 2 sentences in the 1 document(s) that at
        least...
        """
        coders = ", ".join(self.data.coders)
        n_docs = self.data.units.loc[self.data.rated.sum(axis=1) >= 2, "doc_id"].nunique()
        who = f" of {', '.join(self.speakers)}" if self.speakers else ""
        rule = _overlap_words(self.data.overlap, self.unit)
        categories = self.table[self.table["level"] == "category"]
        two = len(self.data.coders) == 2
        kappa = "Cohen's kappa" if two else "Fleiss' kappa"
        text = (
            f"Agreement between {len(self.data.coders)} coders ({coders}) was measured on "
            f"{self.n_units} {self.unit}s{who} in the {n_docs} document(s) that at least two of "
            f"them coded. A coder applied a code to a {self.unit} when {rule}. For each code, "
            f"its presence or absence in each {self.unit} was compared between coders: "
            f"percent agreement, {kappa} and Krippendorff's alpha (nominal), with a "
            f"{self.confidence:.0%} percentile bootstrap interval ({self.n_boot} resamples of "
            f"the {self.unit}s, seed {self.random_state}). "
        )
        if len(categories):
            text += (
                f"The codes of {len(categories)} categor{'y' if len(categories) == 1 else 'ies'} "
                "that every coder used as mutually exclusive were also compared as one nominal "
                "variable per category. "
            )
        text += (
            "The overall row pools every (unit, code) pair. A coder who did not code a "
            "document gives no value on its units (missing data), as alpha allows."
        )
        if self.reference is not None:
            text += (
                f" Each other coder was also measured against {self.reference}, code by code: "
                "precision, recall, F1 and Cohen's kappa."
            )
        return text

    def summary(self) -> str:
        """A plain-text summary: settings, the table, disagreements, validation, notes."""
        lines = [
            f"Agreement between coders: {', '.join(self.data.coders)}",
            f"Units: {self.n_units} {self.unit}s rated by at least two coders"
            + (f" (speakers: {', '.join(self.speakers)})" if self.speakers else ""),
            f"Overlap rule: {self.data.overlap!r}",
            "",
            _format(self.table),
            "",
            f"Disagreements: {len(self.disagreements)} {self.unit}s coded differently "
            "(disagreements.csv)",
        ]
        if self.validation is not None:
            shown = self.validation[["coder", "code_id", "n_reference", "n_coder", "precision",
                                     "recall", "f1", "cohen_kappa"]]
            lines += ["", f"Against the reference coder {self.reference}:", _format(shown)]
        if self.notes:
            lines += ["", "Notes:", *(f"- {n}" for n in self.notes)]
        lines += ["", "Method: " + self.method()]
        return "\n".join(lines) + "\n"


def agreement(
    codings: pd.DataFrame | Sequence[pd.DataFrame],
    corpus: Any,
    *,
    codebook: Any = None,
    unit: str | None = None,
    speakers: str | Sequence[str] | None = None,
    overlap: str | float = "any",
    coders: Sequence[str] | None = None,
    documents: Mapping[str, Iterable[str]] | None = None,
    categories: str | Sequence[str] | None = "auto",
    uncoded: str = "missing",
    reference: str | None = None,
    n_boot: int = 1000,
    confidence: float = 0.95,
    random_state: int = 0,
) -> AgreementResult:
    """Agreement between the coders of a codings table, code by code.

    Parameters
    ----------
    codings : pandas.DataFrame or sequence of DataFrame
        Codings of two or more coders, in one table or several (the ``coder``
        column; at least ``doc_id``, ``start``, ``end``, ``code_id``, ``coder``):
        manual codings
        (:func:`mixedwai.load_manual_codings`), rule codings (coder ``"mixedwai"``)
        or both (:func:`mixedwai.merge_codings`).
    corpus : Corpus, iterable of Transcript, or DataFrame
        The transcripts, or a units table from
        :func:`~mixedwai.qual.agreement.units.coding_units`.
    codebook : Codebook, optional
        Gives the codes (in its order, including codes no one applied), their labels
        and categories, and the default ``unit`` and ``speakers``. Without it: the
        codes of the table, sorted, and categories from its ``category_id`` column.
    unit : {"turn", "sentence", "paragraph"}, optional
        The units (default: the codebook's unit, else ``"turn"``).
    speakers : str or list of str, optional
        Whose segments are units (default: the codebook's speakers, else everyone;
        ``"all"``: everyone).
    overlap : {"any", "start"} or float in (0, 1], default="any"
        When a coding applies to a unit (see :mod:`mixedwai.qual.agreement.units`).
    coders : sequence of str, optional
        The coders compared (default: all).
    documents : mapping of coder -> doc ids, optional
        What each coder coded (default: the documents where they have a coding).
    categories : "auto", list of category ids, or None, default="auto"
        Categories compared as one nominal variable over their codes: ``"auto"``,
        every category of two or more codes whose codes no coder applied twice to one
        unit (the others are named in ``notes``); a list, those (an error if a coder
        used them as not exclusive); None, none.
    uncoded : {"missing", "value"}, default="missing"
        In a category row, a unit a coder left without any of the category's codes:
        missing, or the value ``"(none)"``.
    reference : str, optional
        A coder to measure every other coder against (adds ``validation``).
    n_boot : int, default=1000
        Bootstrap resamples for alpha's interval (0: no interval).
    confidence : float, default=0.95
    random_state : int, default=0
        Seed of the bootstrap.

    Returns
    -------
    AgreementResult
        ``table`` has one row per code (``level = "code"``), per category compared
        (``"category"``) and an overall row (``"overall"``, ``id = "all"``, every
        (unit, code) pair pooled), with the columns: level, id, label, n_units
        (units with values from at least two coders), n_coders (coders with a value
        on those units), prevalence (share of the coders' judgements on those units
        that applied the code, or a code of the category), percent_agreement (mean
        share of agreeing coder pairs per unit: with two coders, the share of units
        they agree on), cohen_kappa (two coders only, else NaN), fleiss_kappa,
        krippendorff_alpha (nominal), alpha_low and alpha_high (bootstrap percentile
        interval). A coefficient that is undefined (no variation: e.g. a code no one
        applied) is NaN.

    Raises
    ------
    InsufficientDataError
        Fewer than two coders, or no unit coded by two of them.
    DataValueError, ColumnError, OptionError
        Bad codings or options (see
        :func:`~mixedwai.qual.agreement.units.unit_codings`).

    Notes
    -----
    Kappas and alpha come from :mod:`mixedwai.qual.agreement.coefficients` (alpha by
    the ``krippendorff`` package), the interval from
    :mod:`mixedwai.qual.agreement.intervals`: units are resampled with replacement
    (for the overall row, whole units with all their codes), ``n_boot`` times.

    Examples
    --------
    The rules against a second coder who coded five sample interviews by hand:

    >>> import mixedwai as mw
    >>> corpus = mw.load_corpus("sample_corpus/transcripts")
    >>> codebook = mw.load_codebook("ross2008-en")
    >>> hand = mw.load_manual_codings("sample_corpus/second_coder_codings.csv", corpus,
    ...                               codebook, unit="sentence")
    >>> coded = [corpus[d] for d in sorted(set(hand["doc_id"]))]
    >>> rules = mw.code_corpus(coded, codebook)
    >>> result = mw.agreement(mw.merge_codings(rules, hand), coded, codebook=codebook,
    ...                       reference="second_coder", n_boot=200)
    >>> overall = result.table.iloc[-1]
    >>> overall["level"], int(overall["n_units"]), int(overall["n_coders"])
    ('overall', 442, 2)
    >>> mask = result.validation.query("code_id == 'masks'").iloc[0]
    >>> print(f"{mask['precision']:.2f} {mask['recall']:.2f}")
    1.00 0.82
    """
    check_range("n_boot", n_boot, low=0, integer=True)
    check_range("confidence", confidence, low=1e-9, high=1 - 1e-9)
    check_choice("uncoded", uncoded, ("missing", "value"))
    if unit is None:
        unit = str(getattr(codebook, "unit", None) or "turn") if codebook is not None else "turn"
    if speakers is None and codebook is not None:
        speakers = getattr(codebook, "speakers", None)
    code_ids, labels, category_of, category_labels = _codes(codings, codebook)
    data = unit_codings(codings, corpus, unit=unit, speakers=speakers, overlap=overlap,
                        coders=coders, codes=code_ids, documents=documents)
    if len(data.coders) < 2:
        raise InsufficientDataError(
            f"agreement needs codings from at least two coders; the codings table has "
            f"{len(data.coders)}: {', '.join(data.coders) or '(none)'}"
        )
    if not (data.rated.sum(axis=1) >= 2).any():
        raise InsufficientDataError(
            "no unit was coded by two coders: no document holds codings of two of "
            f"{', '.join(data.coders)} (among the {unit}s compared)"
        )
    notes = list(data.notes)
    rows = []
    seed = 0
    for code in data.codes:
        rows.append(_code_row(data, code, labels.get(code, code), n_boot, confidence,
                              [random_state, seed]))
        seed += 1
    for category, members, exclusive in _categories(data, categories, category_of, notes):
        if not exclusive:
            continue
        rows.append(_category_row(data, category, category_labels.get(category, category),
                                  members, uncoded, n_boot, confidence, [random_state, seed]))
        seed += 1
    rows.append(_overall_row(data, n_boot, confidence, [random_state, seed]))
    table = pd.DataFrame(rows, columns=list(AGREEMENT_COLUMNS))
    validation = None
    if reference is not None:
        validation = validation_table(data, reference, labels=labels, categories=category_of)
    names = speakers.split(",") if isinstance(speakers, str) else speakers
    names = None if names is None or any(str(n).casefold() == "all" for n in names) \
        else [str(n).strip() for n in names]
    return AgreementResult(
        table=table, disagreements=disagreement_table(data), validation=validation, data=data,
        unit=unit, speakers=names, reference=reference, n_boot=n_boot, confidence=confidence,
        random_state=random_state, notes=tuple(notes),
    )


# -- rows ---------------------------------------------------------------------------------


def _code_row(data: UnitCodings, code: str, label: str, n_boot: int, confidence: float,
              seed: list[int]) -> tuple:
    present = (data.applied([code]) > 0) & data.rated
    counts = _binary_counts(present, data.rated)
    cohen = float("nan")
    if len(data.coders) == 2:
        both = data.rated.all(axis=1)
        cohen = _cohen_from_codes(present[both, 0].astype(np.int64),
                                  present[both, 1].astype(np.int64), 2)
    return _row("code", code, label, data, counts, counts[:, 1], cohen, np.arange(2.0),
                n_boot, confidence, seed)


def _category_row(data: UnitCodings, category: str, label: str, members: list[str],
                  uncoded: str, n_boot: int, confidence: float, seed: list[int]) -> tuple:
    value = np.full(data.rated.shape, -1, dtype=np.int64)
    for j, code in enumerate(members):
        value[data.applied([code]) > 0] = j
    applied = value >= 0
    if uncoded == "value":
        value[data.rated & ~applied] = len(members)
    value[~data.rated] = -1
    n_values = len(members) + (uncoded == "value")
    counts = np.zeros((len(value), n_values), dtype=np.int64)
    for j in range(n_values):
        counts[:, j] = (value == j).sum(axis=1)
    cohen = float("nan")
    if len(data.coders) == 2:
        both = (value >= 0).all(axis=1)
        cohen = _cohen_from_codes(value[both, 0], value[both, 1], n_values)
    judged_present = (applied & data.rated).sum(axis=1)
    return _row("category", category, label, data, counts, judged_present, cohen,
                np.arange(float(n_values)), n_boot, confidence, seed)


def _overall_row(data: UnitCodings, n_boot: int, confidence: float, seed: list[int]) -> tuple:
    n_units, n_coders = data.rated.shape
    rated = data.rated.sum(axis=1)
    pairable_units = rated >= 2
    # (absent, present) patterns of every (unit, code) pair, counted over the codes
    pooled = np.zeros((n_coders + 1) ** 2, dtype=np.int64)
    # per unit, summed over codes: the integer numerators of its coincidences (absent/present)
    numerators = np.zeros((n_units, 3), dtype=np.int64)
    cohen_a, cohen_b = [], []
    both = data.rated.all(axis=1) if n_coders == 2 else None
    present_total = np.zeros(n_units, dtype=np.int64)
    for code in data.codes:
        present = (data.applied([code]) > 0) & data.rated
        counts = _binary_counts(present, data.rated)
        absent, there = counts[:, 0], counts[:, 1]
        pooled += np.bincount(absent * (n_coders + 1) + there, minlength=len(pooled))
        present_total += there
        numerators += np.column_stack([absent * (absent - 1), absent * there,
                                       there * (there - 1)])
        if both is not None:
            cohen_a.append(present[both, 0])
            cohen_b.append(present[both, 1])
    patterns = np.column_stack(np.divmod(np.arange(len(pooled)), n_coders + 1))
    cohen = float("nan")
    if both is not None and cohen_a:
        cohen = _cohen_from_codes(np.concatenate(cohen_a).astype(np.int64),
                                  np.concatenate(cohen_b).astype(np.int64), 2)
    k = max(len(data.codes), 1)
    judged = rated[pairable_units].sum() * k
    prevalence = present_total[pairable_units].sum() / judged if judged else float("nan")
    domain = np.arange(2.0)
    alpha = _alpha_of(patterns, pooled, domain)
    low = high = float("nan")
    if n_boot and np.isfinite(alpha):
        keys = np.column_stack([rated, numerators])[pairable_units]
        unit_patterns, frequency = _unique_rows(keys)
        m = unit_patterns[:, :1].astype(float)
        a_a, a_p, p_p = (unit_patterns[:, 1:2] / (m - 1), unit_patterns[:, 2:3] / (m - 1),
                         unit_patterns[:, 3:4] / (m - 1))
        contributions = np.hstack([a_a, a_p, a_p, p_p])
        alphas = _bootstrap_alphas(contributions, frequency, domain, "nominal", n_boot, seed)
        low, high = _percentiles(alphas, confidence)
    return ("overall", OVERALL, "every code, pooled", int(pairable_units.sum()),
            _n_coders(data), float(prevalence), _pairwise_agreement(patterns, pooled), cohen,
            _fleiss_from_counts(patterns, pooled), alpha, low, high)


def _row(level: str, ident: str, label: str, data: UnitCodings, counts: np.ndarray,
         judged_present: np.ndarray, cohen: float, domain: np.ndarray, n_boot: int,
         confidence: float, seed: list[int]) -> tuple:
    rated = data.rated.sum(axis=1)
    pairable = counts.sum(axis=1) >= 2
    judged = rated[rated >= 2].sum()
    prevalence = judged_present[rated >= 2].sum() / judged if judged else float("nan")
    patterns, frequency = _unique_rows(counts[pairable])
    alpha = _alpha_of(patterns, frequency, domain)
    low = high = float("nan")
    if n_boot and np.isfinite(alpha):
        alphas = _bootstrap_alphas(_unit_coincidences(patterns), frequency, domain, "nominal",
                                   n_boot, seed)
        low, high = _percentiles(alphas, confidence)
    n_coders = int((data.rated[pairable].any(axis=0)).sum()) if pairable.any() else 0
    return (level, ident, label, int(pairable.sum()), n_coders, float(prevalence),
            _pairwise_agreement(patterns, frequency), cohen,
            _fleiss_from_counts(patterns, frequency), alpha, low, high)


def _alpha_of(patterns: np.ndarray, frequency: np.ndarray, domain: np.ndarray) -> float:
    """Nominal alpha of units with these value counts, ``frequency[i]`` units each.

    The same coincidence-matrix formula as the ``krippendorff`` package (the tests check
    every row of the table against it), computed once per distinct unit.
    """
    patterns = np.asarray(patterns)
    keep = patterns.sum(axis=1) >= 2
    patterns, frequency = patterns[keep], np.asarray(frequency)[keep]
    if frequency.sum() == 0 or np.count_nonzero(frequency @ patterns) < 2:
        return float("nan")
    coincidences = frequency.astype(float) @ _unit_coincidences(patterns)
    return float(_alphas_of(coincidences[None, :], domain, "nominal")[0])


def _binary_counts(present: np.ndarray, rated: np.ndarray) -> np.ndarray:
    """Units x (absent, present) counts of coders."""
    n_present = present.sum(axis=1)
    return np.column_stack([rated.sum(axis=1) - n_present, n_present]).astype(np.int64)


def _n_coders(data: UnitCodings) -> int:
    pairable = data.rated.sum(axis=1) >= 2
    return int(data.rated[pairable].any(axis=0).sum())


# -- codes and categories -----------------------------------------------------------------


def _codes(
    codings: pd.DataFrame, codebook: Any
) -> tuple[list[str] | None, dict[str, str], dict[str, str], dict[str, str]]:
    """Code ids (None: from the table), code labels, code -> category, category labels."""
    if codebook is not None:
        labels: dict[str, str] = {}
        category_of: dict[str, str] = {}
        for code, category, *_ in codebook.iter_codes():
            labels[str(code.id)] = str(code.label)
            category_of[str(code.id)] = str(category)
        category_labels = {str(c.id): str(c.label) for c in codebook.categories}
        return list(labels), labels, category_of, category_labels
    category_of = {}
    frames = [codings] if isinstance(codings, pd.DataFrame) else list(codings)
    for frame in frames:
        if isinstance(frame, pd.DataFrame) and {"code_id", "category_id"} <= set(frame.columns):
            pairs = frame[["code_id", "category_id"]].dropna().astype(str)
            for code, category in pairs.drop_duplicates().itertuples(index=False):
                category_of.setdefault(code.strip(), category.strip())
    return None, {}, category_of, {}


def _categories(
    data: UnitCodings,
    wanted: str | Sequence[str] | None,
    category_of: Mapping[str, str],
    notes: list[str],
) -> list[tuple[str, list[str], bool]]:
    """(category, its codes, compared?) in order of first code; notes say why not."""
    if wanted is None:
        return []
    members: dict[str, list[str]] = {}
    for code in data.codes:
        if code in category_of:
            members.setdefault(category_of[code], []).append(code)
    if isinstance(wanted, str):
        check_choice("categories", wanted, ("auto",))
        chosen = list(members)
        explicit = False
    else:
        chosen = [str(c) for c in wanted]
        unknown = [c for c in chosen if c not in members]
        if unknown:
            raise OptionError(
                f"categories: {', '.join(map(repr, unknown))} not found; the categories are "
                f"{', '.join(map(repr, members)) or '(none: no codebook and no category_id)'}"
            )
        explicit = True
    out = []
    for category in chosen:
        codes = members[category]
        if len(codes) < 2:
            if explicit:
                raise OptionError(f"categories: {category!r} has a single code ({codes[0]}); "
                                  "it is compared as a code")
            continue
        counts = data.applied(codes)
        if (counts > 1).any():
            if explicit:
                data.values(codes)  # raises, naming the units
            notes.append(
                f"category {category!r} is not compared as one variable: its codes are not "
                f"used as mutually exclusive ({int((counts > 1).sum())} coder-unit pair(s) "
                "with two of them)"
            )
            out.append((category, codes, False))
            continue
        out.append((category, codes, True))
    return out


def _overlap_words(overlap: str | float, unit: str) -> str:
    if overlap == "any":
        return f"one of their codings shared at least one character with the {unit}"
    if overlap == "start":
        return f"the {unit} was the first one their coding overlapped"
    return f"one of their codings covered at least {float(overlap):.0%} of the {unit}"


def _format(table: pd.DataFrame) -> str:
    if table.empty:
        return "(empty)"
    return table.to_string(index=False, float_format=lambda v: f"{v:.3f}", na_rep="-")

