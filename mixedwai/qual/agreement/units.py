"""Units of agreement: which codes each coder applied to each segment.

Coders mark stretches of text; agreement is measured on units. The units are the
transcripts' segments of one kind (turns, sentences or paragraphs, see
:meth:`mixedwai.qual.transcripts.model.Transcript.segments`), optionally only those of
some speakers. A coding is *applied to a unit* by the **overlap rule**:

``"any"`` (default)
    the coding and the segment share at least one character (a coding that spans
    three sentences applies to the three);
``"start"``
    only the first segment the coding overlaps (the one holding its first
    character, or the next one when it starts between segments), as
    :func:`~mixedwai.qual.coding.manual.load_manual_codings` assigns ``segment_id``;
a number ``p`` in (0, 1]
    the coding covers at least the share ``p`` of the segment's characters
    (``0.5``: at least half of it; ``1``: all of it).

A coder *rated* a unit when they coded its document: a document in which a coder has
at least one coding (or, with ``documents=``, one listed for them). On the units of a
document they did not code, the coder gives no value (missing), not "absent".

:func:`unit_codings` turns a codings table into a :class:`UnitCodings`: the units, the
coders, and which coder applied which code to which unit, from which the agreement
tables are computed (:meth:`UnitCodings.presence`: segment x coder 1/0/NaN for one code;
:meth:`UnitCodings.values`: segment x coder code ids for a set of mutually exclusive
codes).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from mixedwai._validation import check_choice, raise_problems, require_columns, row_number
from mixedwai.errors import DataValueError, OptionError
from mixedwai.qual.coding.schema import UNITS, _as_transcripts, _speaker_list

__all__ = ["OVERLAP_RULES", "UNIT_COLUMNS", "UnitCodings", "coding_units", "unit_codings"]

#: Columns of the units table.
UNIT_COLUMNS = ("doc_id", "case_id", "segment_id", "speaker", "role", "start", "end", "text")
#: The named overlap rules (a number in (0, 1] is also accepted).
OVERLAP_RULES = ("any", "start")
#: Value given to a unit a coder left without any code of a category (``uncoded="value"``).
NONE_VALUE = "(none)"


def coding_units(
    corpus: Any, *, unit: str = "turn", speakers: str | Sequence[str] | None = None
) -> pd.DataFrame:
    """The segments of a corpus that serve as units of agreement.

    Parameters
    ----------
    corpus : Corpus, Transcript or iterable of Transcript
    unit : {"turn", "sentence", "paragraph"}, default="turn"
    speakers : str or list of str, optional
        Keep only the segments of these roles (``"ES"``, ``"interviewer"``,
        ``"client"``) or speaker labels (compared case-insensitively); ``None`` or
        ``"all"``: every segment.

    Returns
    -------
    pandas.DataFrame
        One row per segment, in document then text order, with the columns of
        :data:`UNIT_COLUMNS`.

    Examples
    --------
    >>> from mixedwai.qual.transcripts.model import Transcript
    >>> t = Transcript.from_text("Interviewer: Why?\\nES: She trusted me. It worked.", doc_id="d")
    >>> coding_units([t], unit="sentence", speakers="ES")[["segment_id", "text"]]
      segment_id             text
    0       t1.s0  She trusted me.
    1       t1.s1       It worked.
    """
    check_choice("unit", unit, UNITS)
    names = _speaker_list(speakers)
    wanted = None if names is None else {n.casefold() for n in names}
    rows = []
    for transcript in sorted(_as_transcripts(corpus), key=lambda t: str(t.doc_id)):
        for s in transcript.segments(unit):
            if wanted is not None and (s.role or "").casefold() not in wanted \
                    and (s.speaker or "").casefold() not in wanted:
                continue
            rows.append((str(transcript.doc_id), transcript.case_id, s.id, s.speaker, s.role,
                         s.start, s.end, s.text))
    frame = pd.DataFrame(rows, columns=list(UNIT_COLUMNS))
    frame["start"] = frame["start"].astype("int64")
    frame["end"] = frame["end"].astype("int64")
    frame.attrs.update({"unit": unit, "speakers": names})
    return frame


@dataclass(frozen=True, eq=False)
class UnitCodings:
    """Which codes each coder applied to each unit (see :func:`unit_codings`).

    Attributes
    ----------
    units : pandas.DataFrame
        The units (:data:`UNIT_COLUMNS`), row ``i`` is unit ``i``.
    coders : tuple of str
    codes : tuple of str
        Code ids, in codebook order (or sorted when no codebook was given).
    rated : numpy.ndarray
        Units x coders booleans: the coder coded the unit's document.
    unit_index, coder_index, code_index : numpy.ndarray
        One entry per (unit, coder, code) applied, sorted, without repeats.
    overlap : str or float
        The overlap rule used.
    notes : tuple of str
        What was left out, and why.
    """

    units: pd.DataFrame
    coders: tuple[str, ...]
    codes: tuple[str, ...]
    rated: np.ndarray
    unit_index: np.ndarray
    coder_index: np.ndarray
    code_index: np.ndarray
    overlap: str | float = "any"
    notes: tuple[str, ...] = field(default_factory=tuple)

    def applied(self, code_ids: Iterable[str]) -> np.ndarray:
        """Units x coders counts of the given codes each coder applied to each unit."""
        n_units, n_coders = len(self.units), len(self.coders)
        counts = np.zeros(n_units * n_coders, dtype=np.int64)
        bounds = self._code_bounds()
        for code in code_ids:
            k = self._code_position(code)
            rows = self._by_code()[bounds[k]:bounds[k + 1]]
            counts += np.bincount(self.unit_index[rows] * n_coders + self.coder_index[rows],
                                  minlength=n_units * n_coders)
        return counts.reshape(n_units, n_coders)

    def _by_code(self) -> np.ndarray:
        cached = self.__dict__.get("_order")
        if cached is None:
            cached = np.argsort(self.code_index, kind="stable")
            object.__setattr__(self, "_order", cached)
        return cached

    def _code_bounds(self) -> np.ndarray:
        cached = self.__dict__.get("_bounds")
        if cached is None:
            cached = np.searchsorted(self.code_index[self._by_code()],
                                     np.arange(len(self.codes) + 1), side="left")
            object.__setattr__(self, "_bounds", cached)
        return cached

    def presence(self, code_id: str) -> pd.DataFrame:
        """Segment x coder table of one code: 1.0 applied, 0.0 not applied, NaN not rated.

        Examples
        --------
        >>> import pandas as pd
        >>> from mixedwai.qual.transcripts.model import Transcript
        >>> t = Transcript.from_text("ES: We trust.\\nInterviewer: Good.\\nES: Yes.", doc_id="d")
        >>> codings = pd.DataFrame({"doc_id": ["d", "d", "d"], "start": [4, 4, 37],
        ...     "end": [13, 13, 41], "code_id": ["bond", "bond", "bond"],
        ...     "coder": ["AL", "BO", "AL"]})
        >>> unit_codings(codings, [t]).presence("bond")
        coder            AL   BO
        doc_id segment_id
        d      t0         1.0  1.0
               t1         0.0  0.0
               t2         1.0  0.0
        """
        applied = self.applied([code_id]) > 0
        table = np.where(self.rated, applied.astype(float), np.nan)
        return self._frame(table)

    def values(self, code_ids: Sequence[str], *, uncoded: str = "missing") -> pd.DataFrame:
        """Segment x coder table of the code (among ``code_ids``) each coder applied.

        Parameters
        ----------
        code_ids : sequence of str
            Codes used as one nominal variable (e.g. a category's codes).
        uncoded : {"missing", "value"}, default="missing"
            A rated unit with none of the codes: missing, or the value ``"(none)"``.

        Returns
        -------
        pandas.DataFrame
            Code ids (object), None where the coder gave no value.

        Raises
        ------
        DataValueError
            A coder applied two of the codes to one unit (they are not used as
            mutually exclusive); the first such units are listed.
        """
        check_choice("uncoded", uncoded, ("missing", "value"))
        codes = list(code_ids)
        counts = self.applied(codes)
        if (counts > 1).any():
            raise DataValueError(
                f"codes {', '.join(codes)} are not mutually exclusive: "
                + _overlaps_text(self, counts)
            )
        table = np.full(counts.shape, None, dtype=object)
        for code in codes:
            one = self.applied([code]) > 0
            table[one] = code
        if uncoded == "value":
            table[self.rated & (counts == 0)] = NONE_VALUE
        table[~self.rated] = None
        return self._frame(table)

    def _frame(self, table: np.ndarray) -> pd.DataFrame:
        index = pd.MultiIndex.from_frame(self.units[["doc_id", "segment_id"]])
        return pd.DataFrame(table, index=index, columns=pd.Index(self.coders, name="coder"))

    def _code_position(self, code_id: str) -> int:
        try:
            return self.codes.index(code_id)
        except ValueError:
            raise OptionError(
                f"code {code_id!r} is not among the codes compared: {', '.join(self.codes)}"
            ) from None


def unit_codings(
    codings: pd.DataFrame | Sequence[pd.DataFrame],
    corpus: Any,
    *,
    unit: str = "turn",
    speakers: str | Sequence[str] | None = None,
    overlap: str | float = "any",
    coders: Sequence[str] | None = None,
    codes: Sequence[str] | None = None,
    documents: Mapping[str, Iterable[str]] | None = None,
) -> UnitCodings:
    """Apply each coder's codings to the units of agreement.

    Parameters
    ----------
    codings : pandas.DataFrame or sequence of DataFrame
        Codings tables with at least ``doc_id``, ``start``, ``end``, ``code_id`` and
        ``coder`` (a table may hold several coders; the rules' rows have coder
        ``"mixedwai"``). Problems are reported with each table's ``attrs["source"]``.
    corpus : Corpus, iterable of Transcript, or DataFrame
        The transcripts the offsets refer to, or a units table from
        :func:`coding_units` (then ``unit`` and ``speakers`` are not used).
    unit : {"turn", "sentence", "paragraph"}, default="turn"
    speakers : str or list of str, optional
        Only these roles' or labels' segments are units (default: every segment).
    overlap : {"any", "start"} or float in (0, 1], default="any"
        When a coding applies to a segment (see the module's description).
    coders : sequence of str, optional
        Coders to compare, in this order (default: every coder of the table, sorted).
    codes : sequence of str, optional
        The codes (default: those of the table, sorted). Codings of other codes are
        an error.
    documents : mapping of coder -> doc ids, optional
        The documents each coder listed coded (including any where they applied no
        code). Default, and for coders not listed: the documents where the coder has
        at least one coding.

    Returns
    -------
    UnitCodings

    Raises
    ------
    ColumnError
        A required column is missing.
    DataValueError
        Rows with an unknown doc_id, offsets that are not whole numbers with
        ``start < end``, an empty coder, or a code not in ``codes`` (listed with
        their row numbers).
    OptionError
        A bad ``overlap``, or a coder in ``coders``/``documents`` not in the table.

    Examples
    --------
    >>> import pandas as pd
    >>> from mixedwai.qual.transcripts.model import Transcript
    >>> t = Transcript.from_text("ES: We trust. We agree.", doc_id="d")
    >>> codings = pd.DataFrame({"doc_id": ["d", "d"], "start": [4, 4], "end": [23, 13],
    ...     "code_id": ["bond", "bond"], "coder": ["AL", "BO"]})
    >>> unit_codings(codings, [t], unit="sentence").presence("bond")
    coder               AL   BO
    doc_id segment_id
    d      t0.s0       1.0  1.0
           t0.s1       1.0  0.0
    >>> unit_codings(codings, [t], unit="sentence", overlap="start").presence("bond")
    coder               AL   BO
    doc_id segment_id
    d      t0.s0       1.0  1.0
           t0.s1       0.0  0.0
    """
    _check_overlap(overlap)
    if isinstance(corpus, pd.DataFrame):
        require_columns(corpus, ["doc_id", "segment_id", "start", "end"], what="unit column")
        units = corpus.reset_index(drop=True)
        for column in UNIT_COLUMNS:
            if column not in units.columns:
                units[column] = None
        units = units.loc[:, list(UNIT_COLUMNS)]
        known_docs = set(units["doc_id"].astype(str))
        lengths: dict[str, int] = {}  # texts unknown: codings may run past the last unit
    else:
        transcripts = _as_transcripts(corpus)
        units = coding_units(transcripts, unit=unit, speakers=speakers)
        lengths = {str(t.doc_id): len(t.text) for t in transcripts}
        known_docs = set(lengths)
    units = units.sort_values(["doc_id", "start"], kind="mergesort", ignore_index=True)

    frames = [codings] if isinstance(codings, pd.DataFrame) else list(codings)
    if not frames:
        raise OptionError("codings: no codings table given")
    checked = [_checked_codings(f, known_docs, lengths, codes, many=len(frames) > 1)
               for f in frames]
    problems = [p for _, found in checked for p in found]
    raise_problems(DataValueError, "codings that cannot be compared", problems)
    table = pd.concat([t for t, _ in checked], ignore_index=True)
    all_coders = sorted(table["coder"].unique())
    if coders is None:
        coder_list = all_coders
    else:
        coder_list = list(dict.fromkeys(str(c) for c in coders))
        unknown = [c for c in coder_list if c not in all_coders]
        if unknown:
            raise OptionError(
                f"coders: {', '.join(map(repr, unknown))} coded nothing in the codings table; "
                f"its coders are {', '.join(map(repr, all_coders)) or '(none)'}"
            )
    code_list = list(codes) if codes is not None else sorted(table["code_id"].unique())
    table = table[table["coder"].isin(coder_list)]

    # Which coder rated which document.
    doc_order = {d: i for i, d in enumerate(sorted(known_docs))}
    coder_pos = {c: i for i, c in enumerate(coder_list)}
    rated_docs = np.zeros((len(doc_order), len(coder_list)), dtype=bool)
    pairs = table[["doc_id", "coder"]].drop_duplicates()
    rated_docs[pairs["doc_id"].map(doc_order).to_numpy(),
               pairs["coder"].map(coder_pos).to_numpy()] = True
    if documents is not None:
        for coder, docs in documents.items():
            if coder not in coder_pos:
                raise OptionError(f"documents: coder {coder!r} is not among the coders compared "
                                  f"({', '.join(coder_list)})")
            docs = [str(d) for d in docs]
            unknown = [d for d in docs if d not in doc_order]
            if unknown:
                raise OptionError(f"documents[{coder!r}]: not transcripts of the corpus: "
                                  f"{', '.join(unknown[:10])}")
            rated_docs[:, coder_pos[coder]] = False
            rated_docs[[doc_order[d] for d in docs], coder_pos[coder]] = True
    unit_doc = units["doc_id"].astype(str).map(doc_order).to_numpy(dtype=np.int64)
    rated = rated_docs[unit_doc] if len(units) else np.zeros((0, len(coder_list)), bool)

    # Codings -> units (vectorised over one key space: document * width + offset).
    width = int(max([*lengths.values(), int(table["end"].max()) if len(table) else 0,
                     int(units["end"].max()) if len(units) else 0, 0])) + 1
    u_start = unit_doc * width + units["start"].to_numpy(dtype=np.int64)
    u_end = unit_doc * width + units["end"].to_numpy(dtype=np.int64)
    c_doc = table["doc_id"].map(doc_order).to_numpy(dtype=np.int64)
    c_start = c_doc * width + table["start"].to_numpy(dtype=np.int64)
    c_end = c_doc * width + table["end"].to_numpy(dtype=np.int64)
    first = np.searchsorted(u_end, c_start, side="right")
    stop = np.searchsorted(u_start, c_end, side="left")
    n_hit = np.clip(stop - first, 0, None)
    if overlap == "start":
        n_hit = np.minimum(n_hit, 1)
    row = np.repeat(np.arange(len(table)), n_hit)
    offsets = np.arange(len(row)) - np.repeat(np.cumsum(n_hit) - n_hit, n_hit)
    hit_unit = np.repeat(first, n_hit) + offsets
    if not isinstance(overlap, str):
        shared = np.minimum(c_end[row], u_end[hit_unit]) - np.maximum(c_start[row],
                                                                     u_start[hit_unit])
        length = u_end[hit_unit] - u_start[hit_unit]
        keep = shared >= float(overlap) * length
        row, hit_unit = row[keep], hit_unit[keep]
    code_pos = {c: i for i, c in enumerate(code_list)}
    coder_of = table["coder"].map(coder_pos).to_numpy(dtype=np.int64)
    code_of = table["code_id"].map(code_pos).to_numpy(dtype=np.int64)
    n_coders, n_codes = len(coder_list), max(len(code_list), 1)
    key = np.sort((hit_unit * n_coders + coder_of[row]) * n_codes + code_of[row])
    key = key[np.concatenate([[True], key[1:] != key[:-1]])] if len(key) else key
    unit_index, rest = np.divmod(key, n_coders * n_codes)
    coder_index, code_index = np.divmod(rest, n_codes)

    notes = []
    reached = np.zeros(len(table), dtype=bool)
    reached[row] = True
    if (~reached).any():
        missed = table.loc[~reached, "coder"].value_counts().sort_index()
        where = "segments of the speakers compared" if speakers not in (None, "all") \
            else "segments"
        rule = f"overlap rule {overlap!r}"
        notes.append(
            f"{int((~reached).sum())} coding(s) apply to no unit ({rule}; they fall outside the "
            f"{where}) and are left out: "
            + ", ".join(f"{coder} {n}" for coder, n in missed.items())
        )
    left_out = sorted(set(all_coders) - set(coder_list))
    if left_out:
        notes.append(f"coders not compared: {', '.join(left_out)}")
    return UnitCodings(
        units=units,
        coders=tuple(coder_list),
        codes=tuple(code_list),
        rated=rated,
        unit_index=unit_index,
        coder_index=coder_index,
        code_index=code_index,
        overlap=overlap,
        notes=tuple(notes),
    )


def _check_overlap(overlap: Any) -> None:
    if isinstance(overlap, str):
        check_choice("overlap", overlap, OVERLAP_RULES)
        return
    if isinstance(overlap, bool) or not isinstance(overlap, (int, float)) \
            or not 0 < overlap <= 1:
        raise OptionError(
            f"overlap = {overlap!r} is not allowed; expected 'any', 'start' or a share of the "
            "segment in (0, 1]"
        )


def _checked_codings(
    codings: pd.DataFrame,
    known_docs: set[str],
    lengths: Mapping[str, int],
    codes: Sequence[str] | None,
    *,
    many: bool,
) -> tuple[pd.DataFrame, list[str]]:
    """The columns needed as clean types, and the problems (every bad row, with its source)."""
    if not isinstance(codings, pd.DataFrame):
        raise OptionError(f"codings: expected a DataFrame (a codings table), got "
                          f"{type(codings).__name__}")
    require_columns(codings, ["doc_id", "start", "end", "code_id", "coder"])
    source = str(codings.attrs.get("source", "codings"))
    table = codings.loc[:, ["doc_id", "start", "end", "code_id", "coder"]].reset_index(drop=True)
    doc = _clean_text(table["doc_id"])
    coder = _clean_text(table["coder"])
    code = _clean_text(table["code_id"])
    start = pd.to_numeric(table["start"], errors="coerce")
    end = pd.to_numeric(table["end"], errors="coerce")
    doc_codes, doc_uniques = pd.factorize(doc)
    known = np.isin(doc_codes, [i for i, d in enumerate(doc_uniques) if d in known_docs])
    limits = np.array([lengths.get(d, np.inf) for d in doc_uniques] + [np.inf], dtype=float)
    limit = limits[doc_codes]
    s, e = start.to_numpy(dtype=float), end.to_numpy(dtype=float)
    with np.errstate(invalid="ignore"):
        offsets_ok = (np.isfinite(s) & np.isfinite(e) & (s == np.floor(s)) & (e == np.floor(e))
                      & (s >= 0) & (s < e) & (e <= limit))
    coder_ok = (coder != "").to_numpy()
    code_ok = (code != "").to_numpy()
    if codes is not None:
        code_ok = code_ok & code.isin(set(codes)).to_numpy()
    problems = []
    for i in np.flatnonzero(~(known & offsets_ok & coder_ok & code_ok)):
        where = f"{source} row {row_number(i)}" if many else f"row {row_number(i)}"
        if not known[i]:
            problems.append(f"{where}: doc_id {table['doc_id'][i]!r} is not a transcript of the "
                            f"corpus (known: {', '.join(sorted(known_docs)[:8])}"
                            f"{' ...' if len(known_docs) > 8 else ''})")
            continue
        if not offsets_ok[i]:
            problems.append(
                f"{where} (doc {doc[i]}): start = {table['start'][i]}, end = "
                f"{table['end'][i]}; expected whole numbers 0 <= start < end <= "
                f"{lengths.get(doc[i], 'the text length')}"
            )
        if not coder_ok[i]:
            problems.append(f"{where} (doc {doc[i]}): coder is empty")
        if not code_ok[i]:
            problems.append(f"{where} (doc {doc[i]}): code_id {table['code_id'][i]!r} is not a "
                            "code of the codebook")
    if problems and not many:
        problems = [f"{source} {p}" for p in problems]
    if problems:
        return table.iloc[:0], problems
    return pd.DataFrame({"doc_id": doc, "start": start.astype("int64"),
                         "end": end.astype("int64"), "code_id": code, "coder": coder}), []


def _clean_text(column: pd.Series) -> pd.Series:
    """Cells as stripped text ("" for missing), cleaning each distinct value once."""
    codes, uniques = pd.factorize(column, use_na_sentinel=True)
    cleaned = np.array([_text(v) for v in uniques] + [""], dtype=object)
    return pd.Series(cleaned[codes], index=column.index, dtype=object)


def _text(value: Any) -> str:
    if value is None or value is pd.NA or (isinstance(value, float) and value != value):
        return ""
    return str(value).strip()


def _overlaps_text(data: UnitCodings, counts: np.ndarray) -> str:
    units, coders = np.nonzero(counts > 1)
    shown = [
        f"{data.coders[c]} on {data.units['doc_id'][u]} {data.units['segment_id'][u]}"
        for u, c in zip(units[:5], coders[:5], strict=True)
    ]
    more = f" and {len(units) - 5} more" if len(units) > 5 else ""
    return f"{len(units)} unit(s) got two of them from one coder ({'; '.join(shown)}{more})"
