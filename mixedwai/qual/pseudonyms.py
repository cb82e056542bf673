"""Replace names in transcripts before they are shared or quoted.

Interview transcripts name clients, colleagues and places. :func:`pseudonymise`
replaces each name of a mapping (``{"Marie Tremblay": "ES-A", "Marie": "ES-A"}``)
everywhere in the text, in the speaker labels (and in roles that were the label
itself), in string metadata and in the notes, and recomputes every offset so that
``transcript.text[s.start:s.end] == s.text`` still holds for every segment.

Matching is done with one regular expression: longer names first (so ``Marie
Tremblay`` wins over ``Marie``), whole words by default (``Marie`` does not touch
``Mariette``, nor ``Marie-Claire``: letters joined by a hyphen or an apostrophe are
one word, except after a French elision, ``d'Anne``, and before an English clitic,
``Marie's``), case-insensitive by default. It is a tool for names you know; it
does not find names by itself (no named-entity recognition), and it leaves
``doc_id`` and ``path`` alone (rename the files if they carry names).

Examples
--------
>>> from mixedwai.qual.transcripts.model import Transcript
>>> t = Transcript.from_text("Interviewer: How is Marc?\\nMarie: marc is fine. Mariette too.",
...                          speakers={"Marie": "ES"})
>>> p = pseudonymise(t, {"Marie": "ES-A", "Marc": "Client-1"})
>>> p.text
'Interviewer: How is Client-1?\\nES-A: Client-1 is fine. Mariette too.'
>>> [(s.speaker, s.role, s.text) for s in p.turns]  # doctest: +NORMALIZE_WHITESPACE
[('Interviewer', 'interviewer', 'How is Client-1?'),
 ('ES-A', 'ES', 'Client-1 is fine. Mariette too.')]
"""

from __future__ import annotations

import bisect
import os
import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from mixedwai.errors import OptionError
from mixedwai.qual.transcripts.corpus import Corpus
from mixedwai.qual.transcripts.model import Segment, Transcript

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["pseudonymise", "pseudonymise_codings", "pseudonymise_files", "read_names"]

T = TypeVar("T", Transcript, Corpus)

# Whole words: letters joined by a hyphen or an apostrophe are one word ("Marie-Claire",
# "O'Brien"), so "Marie" or "Brien" alone do not match inside them. Two exceptions
# keep the usual cases working: a French elision before the name ("d'Anne", "qu'Anne")
# and an English clitic after it ("Marie's", "Marie'll").
_HYPHENS = "\\-\u2010\u2011"
_APOSTROPHES = "'\u2019"
_ELISIONS = ("c", "d", "j", "l", "m", "n", "s", "t", "qu", "jusqu", "lorsqu", "puisqu")
_WORD_START = (
    rf"(?<!\w)(?<!\w[{_HYPHENS}])"
    rf"(?:(?<!\w[{_APOSTROPHES}])|"
    + "|".join(rf"(?<=\b(?i:{e})[{_APOSTROPHES}])" for e in _ELISIONS)
    + ")"
)
_WORD_END = (
    rf"(?!\w)(?![{_HYPHENS}]\w)(?![{_APOSTROPHES}](?!(?:s|d|ll|re|ve|m)\b)\w)"
)


def pseudonymise(
    data: T,
    mapping: Mapping[str, str],
    *,
    whole_words: bool = True,
    case_insensitive: bool = True,
) -> T:
    """Replace names in a transcript or a corpus, keeping offsets exact.

    Parameters
    ----------
    data : Transcript or Corpus
        What to pseudonymise (not modified: a new object is returned).
    mapping : mapping of str to str
        Name -> replacement. Longer names are matched first.
    whole_words : bool, default=True
        Match names only when not inside a longer word; letters joined by a hyphen
        or an apostrophe count as one word (``Marie`` leaves ``Marie-Claire`` and
        ``Brien`` leaves ``O'Brien`` alone), except after a French elision
        (``d'Anne``, ``qu'Anne``) and before an English clitic (``Marie's``,
        ``Marie'll``), where the name is replaced.
    case_insensitive : bool, default=True
        ``Marie`` also matches ``MARIE`` and ``marie``.

    Returns
    -------
    Transcript or Corpus
        Same type as ``data``, with replaced text, speaker labels, roles that
        were the label itself, string metadata and notes, and recomputed
        offsets. A corpus keeps its errors and order.

    Raises
    ------
    OptionError
        ``mapping`` is empty, has an empty name, a replacement that is not
        text, or two names that are equal when case is ignored but map to
        different replacements; or ``data`` is neither a Transcript nor a Corpus.

    Notes
    -----
    A match that would straddle a turn boundary is left alone (a name cannot
    sensibly span the end of one turn and the start of the next); each turn's new
    offsets are its old ones shifted by the length changes of the replacements
    before them. Paragraphs and sentences are recomputed from the new text.
    """
    replacer = _Replacer(mapping, whole_words=whole_words, case_insensitive=case_insensitive)
    if isinstance(data, Transcript):
        return replacer.transcript(data)
    if isinstance(data, Corpus):
        return Corpus(  # type: ignore[return-value]
            [replacer.transcript(t) for t in data],
            errors=list(data.errors),
            notes=[replacer.text(n) for n in data.corpus_notes],
        )
    raise OptionError(
        f"pseudonymise() takes a Transcript or a Corpus; got {type(data).__name__}"
    )


class _Replacer:
    def __init__(
        self, mapping: Mapping[str, str], *, whole_words: bool, case_insensitive: bool
    ) -> None:
        if not isinstance(mapping, Mapping) or not mapping:
            raise OptionError(
                "mapping must be a non-empty mapping of names to replacements, e.g. "
                "{'Marie': 'ES-A'}"
            )
        lookup: dict[str, str] = {}
        for name, replacement in mapping.items():
            if not isinstance(name, str) or not name.strip():
                raise OptionError(f"mapping: name {name!r} is not a non-empty text")
            if not isinstance(replacement, str):
                raise OptionError(
                    f"mapping: replacement of {name!r} must be a text; got {replacement!r}"
                )
            key = name.casefold() if case_insensitive else name
            if key in lookup and lookup[key] != replacement:
                raise OptionError(
                    f"mapping: {name!r} and another name are the same when case is ignored "
                    f"but map to {lookup[key]!r} and {replacement!r}"
                )
            lookup[key] = replacement
        names = sorted(mapping, key=lambda n: (-len(n), n))
        alternation = "|".join(re.escape(n) for n in names)
        pattern = (
            f"{_WORD_START}(?:{alternation}){_WORD_END}" if whole_words else f"(?:{alternation})"
        )
        self._regex = re.compile(pattern, re.IGNORECASE if case_insensitive else 0)
        self._lookup = lookup
        self._fold = case_insensitive

    def _replacement(self, match: re.Match[str]) -> str:
        found = match.group(0)
        return self._lookup[found.casefold() if self._fold else found]

    def text(self, value: str) -> str:
        return self._regex.sub(self._replacement, value)

    def value(self, value: Any) -> Any:
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, Mapping):
            return {self.value(k): self.value(v) for k, v in value.items()}
        if isinstance(value, list):
            return [self.value(v) for v in value]
        if isinstance(value, tuple):
            return tuple(self.value(v) for v in value)
        return value

    def spans(self, text: str, cuts: list[int] | None = None) -> list[tuple[int, int, str]]:
        """``(start, end, replacement)`` of every name in ``text``, in order.

        A match that straddles one of the sorted ``cuts`` (turn boundaries) is left out.
        """
        found = []
        for match in self._regex.finditer(text):
            # a name never straddles a turn boundary (it would break the turns' offsets)
            if cuts:
                k = bisect.bisect_right(cuts, match.start())
                if k < len(cuts) and cuts[k] < match.end():
                    continue
            found.append((match.start(), match.end(), self._replacement(match)))
        return found

    def transcript(self, transcript: Transcript) -> Transcript:
        text = transcript.text
        cuts = sorted({p for t in transcript.turns for p in (t.start, t.end)})
        spans = self.spans(text, cuts)
        new_text = _apply(text, spans)
        shift = _OffsetMap(spans).start

        turns = []
        for turn in transcript.turns:
            start, end = shift(turn.start), shift(turn.end)
            speaker = self.text(turn.speaker)
            role = speaker if turn.role == turn.speaker else turn.role
            turns.append(
                Segment(
                    turn.id, turn.doc_id, "turn", speaker, role, start, end,
                    new_text[start:end], turn.turn, turn.timestamp, turn.end_timestamp,
                )
            )
        return Transcript(
            doc_id=transcript.doc_id, path=transcript.path, case_id=transcript.case_id,
            es_id=transcript.es_id, interview=transcript.interview,
            language=transcript.language, metadata=self.value(transcript.metadata),
            text=new_text, turns=turns, encoding=transcript.encoding,
            paragraph_break=transcript.paragraph_break,
            notes=[self.text(n) for n in transcript.notes],
        )


def _apply(text: str, spans: list[tuple[int, int, str]]) -> str:
    pieces: list[str] = []
    position = 0
    for start, end, replacement in spans:
        pieces.append(text[position:start])
        pieces.append(replacement)
        position = end
    pieces.append(text[position:])
    return "".join(pieces)


class _OffsetMap:
    """Old offsets -> new offsets through ordered, non-overlapping replacements.

    A position before, after or between replacements moves by the length changes
    of the replacements before it; a start inside a replaced name moves to the
    start of its replacement, an end inside one to the end of its replacement (so
    a span keeps covering the whole pseudonym).
    """

    def __init__(self, spans: list[tuple[int, int, str]]) -> None:
        self._starts = [s for s, _e, _r in spans]
        self._ends = [e for _s, e, _r in spans]
        self._new_starts: list[int] = []
        self._deltas: list[int] = []  # cumulative length change after each replacement
        delta = 0
        for start, end, replacement in spans:
            self._new_starts.append(start + delta)
            delta += len(replacement) - (end - start)
            self._deltas.append(delta)

    def _inside(self, position: int) -> int:
        k = bisect.bisect_right(self._starts, position) - 1
        return k if k >= 0 and self._starts[k] < position < self._ends[k] else -1

    def _shift(self, position: int) -> int:
        k = bisect.bisect_right(self._ends, position) - 1
        return position + (self._deltas[k] if k >= 0 else 0)

    def start(self, position: int) -> int:
        k = self._inside(position)
        return self._new_starts[k] if k >= 0 else self._shift(position)

    def end(self, position: int) -> int:
        k = self._inside(position)
        if k >= 0:
            return self._new_starts[k] + (self._shift(self._ends[k]) - self._new_starts[k])
        return self._shift(position)


def pseudonymise_codings(
    codings: pd.DataFrame,
    corpus: Corpus | Transcript,
    mapping: Mapping[str, str],
    *,
    whole_words: bool = True,
    case_insensitive: bool = True,
) -> pd.DataFrame:
    """Carry a codings table over to the pseudonymised transcripts.

    Parameters
    ----------
    codings : pandas.DataFrame
        Codings made on the original ``corpus`` (doc_id, start, end; text,
        speaker and matched are replaced too when present).
    corpus : Corpus or Transcript
        The original transcripts.
    mapping, whole_words, case_insensitive
        As given to :func:`pseudonymise`.

    Returns
    -------
    pandas.DataFrame
        The same rows with offsets mapped through the replacements (a span keeps
        covering a name it started or ended in), ``text`` re-read from the
        pseudonymised transcript (added when missing), and names replaced in ``speaker`` and
        ``matched``: ``pseudonymise(corpus, mapping)[doc].text[start:end] == text``.

    Raises
    ------
    ColumnError
        ``codings`` lacks doc_id, start or end.
    DataValueError
        Codings of documents that are not in ``corpus`` (listed).

    Examples
    --------
    >>> import pandas as pd
    >>> from mixedwai.qual.transcripts.model import Transcript
    >>> t = Transcript.from_text("ES: Marc trusted me.", doc_id="es1-c1")
    >>> codings = pd.DataFrame({"doc_id": ["es1-c1"], "start": [9], "end": [20],
    ...                         "text": ["trusted me."]})
    >>> pseudonymise_codings(codings, t, {"Marc": "C1"})[["start", "end", "text"]]
       start  end         text
    0      7   18  trusted me.
    """
    import pandas as pd

    from mixedwai._validation import format_problems, require_columns
    from mixedwai.errors import DataValueError

    require_columns(codings, ["doc_id", "start", "end"])
    replacer = _Replacer(mapping, whole_words=whole_words, case_insensitive=case_insensitive)
    transcripts = {t.doc_id: t for t in ([corpus] if isinstance(corpus, Transcript) else corpus)}
    unknown = sorted({str(d) for d in codings["doc_id"]} - set(transcripts))
    if unknown:
        raise DataValueError(
            "pseudonymise_codings: codings of documents that are not in the corpus:\n"
            + format_problems(unknown)
        )
    maps: dict[str, tuple[_OffsetMap, str]] = {}
    for doc_id in dict.fromkeys(str(d) for d in codings["doc_id"]):
        transcript = transcripts[doc_id]
        cuts = sorted({p for t in transcript.turns for p in (t.start, t.end)})
        spans = replacer.spans(transcript.text, cuts)
        maps[doc_id] = (_OffsetMap(spans), _apply(transcript.text, spans))
    starts, ends, texts = [], [], []
    for doc_id, start, end in zip(codings["doc_id"], codings["start"], codings["end"],
                                  strict=True):
        offsets, text = maps[str(doc_id)]
        new_start, new_end = offsets.start(int(start)), offsets.end(int(end))
        starts.append(new_start)
        ends.append(new_end)
        texts.append(text[new_start:new_end])
    result = codings.copy()
    result["start"] = pd.Series(starts, index=codings.index, dtype="int64")
    result["end"] = pd.Series(ends, index=codings.index, dtype="int64")
    result["text"] = pd.Series(texts, index=codings.index, dtype=object)
    for column in ("speaker", "matched"):
        if column in result.columns:
            result[column] = [replacer.text(v) if isinstance(v, str) else v
                              for v in result[column]]
    return result


def read_names(path: str | os.PathLike[str]) -> dict[str, str]:
    """Read a list of names and their pseudonyms.

    Parameters
    ----------
    path : str or path
        A YAML file mapping each name to its pseudonym (``Marie Tremblay: ES-A``),
        or a table (CSV, XLSX) with the columns ``name`` and ``pseudonym`` (or
        ``replacement``).

    Returns
    -------
    dict of str to str
        Name -> pseudonym, in file order.

    Raises
    ------
    InputFileError
        Missing or unreadable file, YAML that is not a mapping.
    ColumnError
        A table without the name and pseudonym columns.
    DataValueError
        Empty names or pseudonyms, or one name given two pseudonyms (every row
        listed).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "names.csv"
    >>> _ = p.write_text("name,pseudonym\\nJulie,ES-A\\nKevin,Client-1\\n")
    >>> read_names(p)
    {'Julie': 'ES-A', 'Kevin': 'Client-1'}
    """
    from pathlib import Path

    from mixedwai._validation import format_problems, require_columns
    from mixedwai.errors import DataValueError, InputFileError
    from mixedwai.io import read_table, read_text

    path = Path(path)
    pairs: list[tuple[str, Any, Any]] = []
    if path.suffix.lower() in (".yaml", ".yml"):
        import yaml

        text, _ = read_text(path)
        try:
            data = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            raise InputFileError(f"{path}: not valid YAML ({exc})") from exc
        if not isinstance(data, dict) or not data:
            raise InputFileError(
                f"{path}: expected a mapping of names to pseudonyms (Marie Tremblay: ES-A); "
                f"got {type(data).__name__}"
            )
        pairs = [(f"key {k!r}", k, v) for k, v in data.items()]
    else:
        table = read_table(path)
        column = "pseudonym" if "pseudonym" in table.columns else "replacement"
        require_columns(table, ["name", column],
                        hint="expected a name column and a pseudonym (or replacement) column")
        pairs = [(f"row {i + 2}", n, v)
                 for i, (n, v) in enumerate(zip(table["name"], table[column], strict=True))]
    names: dict[str, str] = {}
    problems = []
    for where, name, pseudonym in pairs:
        if not isinstance(name, str) or not name.strip():
            problems.append(f"{where}: empty name")
            continue
        if pseudonym is None or (isinstance(pseudonym, float) and pseudonym != pseudonym):
            problems.append(f"{where}: {name!r} has no pseudonym")
            continue
        name, pseudonym = name.strip(), str(pseudonym).strip()
        if name in names and names[name] != pseudonym:
            problems.append(f"{where}: {name!r} is given {names[name]!r} and {pseudonym!r}")
        names[name] = pseudonym
    if problems:
        raise DataValueError(f"{path}: bad names list:\n{format_problems(problems)}")
    return names


def pseudonymise_files(
    paths: Mapping[str, str | os.PathLike[str]],
    mapping: Mapping[str, str],
    *,
    whole_words: bool = True,
    case_insensitive: bool = True,
) -> tuple[dict[str, bytes], pd.DataFrame]:
    """Transcript files rewritten in their own format with names replaced.

    Parameters
    ----------
    paths : mapping of str to path
        Output name (``ES3-C2.txt``, kept as the key of the result) -> the file to
        read (``.txt``, ``.md``, ``.vtt``, ``.docx``).
    mapping, whole_words, case_insensitive
        As in :func:`pseudonymise`.

    Returns
    -------
    files : dict of str to bytes
        Output name -> the pseudonymised file's bytes (see
        :func:`mixedwai.qual.transcripts.loaders.rewrite.rewrite_transcript`).
    key : pandas.DataFrame
        The key (keep it apart from the outputs): one row per name of ``mapping``,
        in its order: name, pseudonym, n_replaced (occurrences replaced), n_files,
        files (``"; "``-separated output names).

    Raises
    ------
    OptionError
        A bad mapping (see :func:`pseudonymise`).
    InputFileError
        A file that cannot be read or is not a transcript format.

    Notes
    -----
    The text a loader reads from a rewritten file is the text it read from the
    original with the same replacements, so :func:`pseudonymise_codings` (on the
    original corpus) gives the offsets of codings in the rewritten files.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "es1-c1.txt"
    >>> _ = p.write_text("Julie: Kevin came. kevin smiled.\\n", encoding="utf-8")
    >>> files, key = pseudonymise_files({"es1-c1.txt": p}, {"Kevin": "C1", "Julie": "ES-A"})
    >>> files["es1-c1.txt"]
    b'ES-A: C1 came. C1 smiled.\\n'
    >>> key[["name", "pseudonym", "n_replaced", "n_files"]]
        name pseudonym  n_replaced  n_files
    0  Kevin        C1           2        1
    1  Julie      ES-A           1        1
    """
    import pandas as pd

    from mixedwai.qual.transcripts.loaders.rewrite import rewrite_transcript

    replacer = _Replacer(mapping, whole_words=whole_words, case_insensitive=case_insensitive)
    name_of = {(n.casefold() if case_insensitive else n): n for n in mapping}
    counts: dict[str, int] = {n: 0 for n in mapping}
    files_of: dict[str, list[str]] = {n: [] for n in mapping}
    result: dict[str, bytes] = {}
    for out_name, path in paths.items():
        def find(text: str, out_name: str = out_name) -> list[tuple[int, int, str]]:
            spans = replacer.spans(text)
            for start, end, _replacement in spans:
                found = text[start:end]
                name = name_of[found.casefold() if case_insensitive else found]
                counts[name] += 1
                if out_name not in files_of[name]:
                    files_of[name].append(out_name)
            return spans

        data, _count = rewrite_transcript(path, find)
        result[out_name] = data
    key = pd.DataFrame(
        [(n, mapping[n], counts[n], len(files_of[n]), "; ".join(files_of[n])) for n in mapping],
        columns=["name", "pseudonym", "n_replaced", "n_files", "files"],
    )
    for column in ("n_replaced", "n_files"):
        key[column] = key[column].astype("int64")
    return result, key
