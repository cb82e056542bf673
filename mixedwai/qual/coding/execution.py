"""A coding run: which segments, the pipeline and matchers over them, one row per hit.

The machinery behind :func:`mixedwai.qual.coding.apply.code_corpus`: the segments kept
by speaker are grouped into blocks of contiguous text (:func:`_plan`), each block
is one spaCy document, the compiled matchers run on it (:func:`_run`) and every
hit goes to the segment holding it; :func:`_code` builds the codings table, one
row per (segment, code), with the segment counts in ``attrs``.
"""

from __future__ import annotations

import contextlib
import gc
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from mixedwai.errors import ExclusionWarning
from mixedwai.qual.coding.matchers import CompiledCodebook, compile_codebook, straighten_apostrophes
from mixedwai.qual.coding.nlp import pieces_within
from mixedwai.qual.coding.schema import MATCH_SEPARATOR, RULE_CODER, _frame
from mixedwai.qual.themes.tags import INDUCTIVE, inductive_code_ids


@dataclass
class _Plan:
    """What to run: the segments kept, grouped into blocks of contiguous text."""

    transcripts: list[Any]
    segments: list[list[Any]]  # kept segments per transcript
    #: (transcript position, block start, block end, first kept-segment position, count)
    blocks: list[tuple[int, int, int, int, int]]
    n_total: int = 0
    n_excluded: int = 0
    #: (speaker label, role) -> number of segments excluded by the speaker selection.
    excluded_speakers: dict[tuple[str, str], int] = field(default_factory=dict)


def _plan(transcripts: list[Any], unit: str, wanted: set[str] | None,
          max_chars: int = 1_000_000) -> _Plan:
    """Segments kept, and blocks of contiguous segments of one turn of at most ``max_chars``.

    ``max_chars`` is the pipeline's ``max_length`` (spaCy refuses longer texts, E088):
    a longer turn is cut between segments, and a segment longer than that by itself at
    white space (a rule cannot match across such a cut). Offsets are kept: a block is
    a span of the transcript's text.
    """
    plan = _Plan(transcripts=transcripts, segments=[], blocks=[])
    for position, transcript in enumerate(transcripts):
        kept: list[Any] = []
        for segment in transcript.segments(unit):
            plan.n_total += 1
            if wanted is not None:
                role = (segment.role or "").casefold()
                speaker = (segment.speaker or "").casefold()
                if role not in wanted and speaker not in wanted:
                    plan.n_excluded += 1
                    who = (str(segment.speaker or ""), str(segment.role or ""))
                    plan.excluded_speakers[who] = plan.excluded_speakers.get(who, 0) + 1
                    continue
            kept.append(segment)
        kept.sort(key=lambda s: (s.start, s.end))
        plan.segments.append(kept)
        # Contiguous segments of one turn form one spaCy document: tokenization splits
        # on white space first, so a turn's tokens are its sentences' tokens.
        first = 0
        while first < len(kept):
            last = first
            turn = kept[first].turn
            if unit != "turn" and turn is not None:
                while last + 1 < len(kept) and kept[last + 1].turn == turn:
                    last += 1
            plan.blocks.extend(_blocks(position, transcript.text, kept, first, last, max_chars))
            first = last + 1
    return plan


def _blocks(position: int, text: str, kept: list[Any], first: int, last: int,
            max_chars: int) -> list[tuple[int, int, int, int, int]]:
    """The segments ``first .. last`` of one turn as blocks of at most ``max_chars``."""
    if kept[last].end - kept[first].start <= max_chars:
        return [(position, kept[first].start, kept[last].end, first, last - first + 1)]
    blocks = []
    i = first
    while i <= last:
        start = kept[i].start
        j = i
        while j < last and kept[j + 1].end - start <= max_chars:
            j += 1
        if kept[j].end - start <= max_chars:
            blocks.append((position, start, kept[j].end, i, j - i + 1))
        else:  # one segment longer than max_chars: cut it at white space
            blocks.extend((position, a, b, i, 1)
                          for a, b in pieces_within(text, start, kept[i].end, max_chars))
        i = j + 1
    return blocks


@contextlib.contextmanager
def _gc_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector for the duration of a coding run.

    Coding allocates many small objects (segments, tuples) while a large corpus is
    alive, so the collector's full passes rescan that corpus again and again: about
    a tenth of the run time on a million words. Coding creates no reference cycles
    (checked: a collection afterwards finds nothing, and peak memory is the same),
    so reference counting frees everything anyway. The previous state is restored.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _code(
    by_language: dict[str, list[Any]],
    books: dict[str, Any],
    order: dict[Any, int],
    unit: str,
    wanted: set[str] | None,
    speaker_names: list[str] | None,
    batch_size: int,
    n_process: int,
    progress: bool | Callable[[int, int], None],
    n_transcripts: int,
) -> pd.DataFrame:
    """Run the coding (see :func:`code_corpus`); attrs hold the segment counts."""
    reporter, close = _progress(progress, n_transcripts)
    rows: list[tuple[tuple[Any, ...], tuple[Any, ...]]] = []
    n_total = n_excluded = n_with_codes = 0
    empty_docs: list[str] = []
    excluded_speakers: dict[tuple[str, str], int] = {}
    negation_counts: dict[str, dict[str, int]] = {}
    try:
        for language, group in by_language.items():
            compiled = compile_codebook(books[language])
            plan = _plan(group, unit, wanted, max_chars=compiled.nlp.max_length)
            n_total += plan.n_total
            n_excluded += plan.n_excluded
            for who, count in plan.excluded_speakers.items():
                excluded_speakers[who] = excluded_speakers.get(who, 0) + count
            empty_docs.extend(
                str(t.doc_id)
                for t, kept in zip(plan.transcripts, plan.segments, strict=True)
                if not kept
            )
            raw_hits = _run(compiled, plan, batch_size, n_process, reporter)
            hits = _resolve(compiled, plan, raw_hits, negation_counts)
            n_with_codes += len({(d, s) for (d, s, _), (_m, neg) in hits.items() if not neg})
            code_ids = compiled.code_ids
            category_ids = compiled.category_ids
            inductive = set(inductive_code_ids(books[language]))
            sources = [INDUCTIVE if c in inductive else "rule" for c in code_ids]
            for (doc_pos, seg_pos, code_pos), (matched, negated) in hits.items():
                transcript = plan.transcripts[doc_pos]
                segment = plan.segments[doc_pos][seg_pos]
                rows.append(
                    (
                        (order[transcript.doc_id], segment.start, segment.end, code_pos),
                        (
                            transcript.doc_id,
                            getattr(transcript, "case_id", None),
                            segment.id,
                            segment.speaker,
                            segment.role,
                            segment.start,
                            segment.end,
                            segment.text,
                            code_ids[code_pos],
                            category_ids[code_pos],
                            MATCH_SEPARATOR.join(matched),
                            negated,
                            sources[code_pos],
                            RULE_CODER,
                        ),
                    )
                )
    finally:
        close()
    if wanted is not None and n_total and n_excluded == n_total:
        warnings.warn(
            _no_speaker_message(speaker_names or [], excluded_speakers, n_transcripts),
            ExclusionWarning,
            stacklevel=3,  # the caller of code_corpus
        )
    elif empty_docs and wanted is not None:
        warnings.warn(
            f"no segment spoken by {', '.join(speaker_names or [])} in "
            f"{len(empty_docs)} transcript(s): "
            f"{', '.join(sorted(empty_docs))}; they contribute no coding",
            ExclusionWarning,
            stacklevel=3,  # the caller of code_corpus
        )
    rows.sort(key=lambda r: r[0])
    frame = _frame([r[1] for r in rows])
    frame.attrs.update(
        {
            "segments_total": n_total,
            "segments_coded": n_total - n_excluded,
            "segments_excluded_by_speaker": n_excluded,
            "segments_with_codes": n_with_codes,
            "negated": {code: dict(counts) for code, counts in sorted(negation_counts.items())},
        }
    )
    return frame


def _no_speaker_message(
    names: list[str], found: dict[tuple[str, str], int], n_transcripts: int
) -> str:
    """Why nothing was coded: the speakers found, and how to select them."""
    shown = sorted(found.items(), key=lambda item: (-item[1], item[0]))
    listing = ", ".join(
        f"{label} ({'' if role == label else f'role {role}, '}"
        f"{count} segment{'s' if count != 1 else ''})"
        for (label, role), count in shown[:12]
    )
    if len(shown) > 12:
        listing += f" and {len(shown) - 12} more"
    example = next((label for (label, role), _n in shown if role not in ("interviewer",)), "")
    example = example or (shown[0][0][0] if shown else "Marie")
    return (
        f"no segment was coded: none of the {n_transcripts} transcript(s) has a speaker "
        f"matching speakers = {', '.join(names)} (compared with speaker labels and roles). "
        f"Speakers found: {listing}. Say who is who with a 'speakers:' mapping in the "
        f"transcripts' front matter (speakers: {{{example}: ES}}) or the speakers= option of "
        f"load_corpus, or list the labels in the codebook's 'speakers:' (speakers: "
        f"[{example}]) or in speakers= (--speakers {example}); 'all' codes everyone"
    )


def _run(
    compiled: CompiledCodebook,
    plan: _Plan,
    batch_size: int,
    n_process: int,
    step: Callable[[int], None],
) -> dict[tuple[int, int, int], tuple[list[str], list[str]]]:
    """Run the pipeline and matchers; map hits to (transcript, segment, code).

    Each value is (matched texts outside any negated clause, negated clauses
    matched: from the cue to the end of the match).
    """
    from bisect import bisect_right

    hits: dict[tuple[int, int, int], tuple[list[str], list[str]]] = {}
    if compiled.n_ruled == 0 or not plan.blocks:
        step(len(plan.transcripts))
        return hits
    # Straightened apostrophes keep every offset (one character for one); the rules
    # are straightened too, so ' and ’ match alike (see compile_codebook).
    texts = (straighten_apostrophes(plan.transcripts[b[0]].text[b[1] : b[2]]) for b in plan.blocks)
    docs = compiled.nlp.pipe(texts, batch_size=batch_size, n_process=n_process)
    matcher = compiled.token_matches
    scope = compiled.negation
    starts_cache: dict[int, list[int]] = {}
    reported = 0
    for block, doc in zip(plan.blocks, docs, strict=False):
        doc_pos, block_start, _block_end, first, count = block
        if doc_pos > reported:
            step(doc_pos - reported)
            reported = doc_pos
        found = matcher(doc)
        if not found:
            continue
        segments = plan.segments[doc_pos]
        text = plan.transcripts[doc_pos].text
        if count == 1:
            seg_starts = None
        else:
            seg_starts = starts_cache.get(doc_pos)
            if seg_starts is None:
                seg_starts = starts_cache[doc_pos] = [s.start for s in segments]
        located = []
        for code_pos, start_token, end_token in found:
            last = doc[end_token - 1]
            located.append((doc[start_token].idx, last.idx + len(last), code_pos,
                            start_token, end_token))
        located.sort(key=lambda h: (h[0], h[1], h[2]))
        for start, end, code_pos, start_token, end_token in located:
            absolute_start = block_start + start
            absolute_end = block_start + end
            if seg_starts is None:
                seg_pos = first
            else:
                seg_pos = bisect_right(seg_starts, absolute_start, first, first + count) - 1
                if seg_pos < first:
                    continue
            segment = segments[seg_pos]
            if absolute_end > segment.end:
                continue  # the hit straddles two segments
            cue = None
            if scope is not None:
                cue = scope.cue_before(doc, start_token, end_token, segment.start - block_start)
            entry = hits.setdefault((doc_pos, seg_pos, code_pos), ([], []))
            if cue is None:
                matched, texts_found = text[absolute_start:absolute_end], entry[0]
            else:  # the negated clause from its cue to the end of the match
                cue_start = block_start + doc[cue].idx
                matched, texts_found = text[cue_start:absolute_end], entry[1]
            if all(m.casefold() != matched.casefold() for m in texts_found):
                texts_found.append(matched)
    step(len(plan.transcripts) - reported)
    return hits


def _spoken_by(segment: Any, allowed: frozenset[str]) -> bool:
    role = (segment.role or "").casefold()
    speaker = (segment.speaker or "").casefold()
    return role in allowed or speaker in allowed


def _resolve(
    compiled: CompiledCodebook,
    plan: _Plan,
    hits: dict[tuple[int, int, int], tuple[list[str], list[str]]],
    counts: dict[str, dict[str, int]],
) -> dict[tuple[int, int, int], tuple[list[str], bool]]:
    """Apply each code's speakers and negation policy to the raw hits of a run.

    Returns ``(transcript, segment, code) -> (matched texts, negated)``. A code
    limited to some speakers keeps only the segments they speak; a segment whose
    every match of a code is negated is dropped, flagged, kept or coded with the
    code named by ``when_negated`` (the matched text is then the negated clause).
    ``counts`` gets, per code id, how many segments each of those befell
    (``dropped``, ``flagged``, ``kept``, ``redirected``, ``other_speaker``).
    """
    code_ids = compiled.code_ids
    affirmed: dict[tuple[int, int, int], list[str]] = {}
    flagged: dict[tuple[int, int, int], list[str]] = {}

    def count(code_pos: int, what: str) -> None:
        per_code = counts.setdefault(code_ids[code_pos], {})
        per_code[what] = per_code.get(what, 0) + 1

    def allowed(doc_pos: int, seg_pos: int, code_pos: int) -> bool:
        speakers = compiled.speakers[code_pos] if compiled.speakers else None
        if speakers is None or _spoken_by(plan.segments[doc_pos][seg_pos], speakers):
            return True
        count(code_pos, "other_speaker")
        return False

    def add(target: dict[tuple[int, int, int], list[str]], key: tuple[int, int, int],
            texts: list[str]) -> None:
        found = target.setdefault(key, [])
        for text in texts:
            if all(m.casefold() != text.casefold() for m in found):
                found.append(text)

    for (doc_pos, seg_pos, code_pos), (plain, negated) in hits.items():
        if not allowed(doc_pos, seg_pos, code_pos):
            continue
        if plain:
            add(affirmed, (doc_pos, seg_pos, code_pos), plain)
            continue
        policy = compiled.when_negated[code_pos] if compiled.when_negated else "keep"
        if policy == "keep":
            count(code_pos, "kept")
            add(affirmed, (doc_pos, seg_pos, code_pos), negated)
        elif policy == "flag":
            count(code_pos, "flagged")
            add(flagged, (doc_pos, seg_pos, code_pos), negated)
        elif isinstance(policy, int):
            count(code_pos, "redirected")
            if allowed(doc_pos, seg_pos, policy):
                add(affirmed, (doc_pos, seg_pos, policy), negated)
        else:
            count(code_pos, "dropped")
    resolved: dict[tuple[int, int, int], tuple[list[str], bool]] = {
        key: (texts, False) for key, texts in affirmed.items()
    }
    for key, texts in flagged.items():
        resolved.setdefault(key, (texts, True))
    return resolved


def _progress(
    progress: bool | Callable[[int, int], None], total: int
) -> tuple[Callable[[int], None], Callable[[], None]]:
    """Return ``advance(k)`` and ``close()`` for the progress option."""
    if callable(progress):
        state = {"done": 0}

        def advance(k: int) -> None:
            if k:
                state["done"] += k
                progress(state["done"], total)

        return advance, lambda: None
    if not progress:
        return (lambda k: None), (lambda: None)
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    bar = Progress(
        TextColumn("coding"),
        BarColumn(),
        MofNCompleteColumn(),
        console=Console(stderr=True),
        transient=True,
    )
    task = bar.add_task("coding", total=total)
    bar.start()
    return (lambda k: bar.advance(task, k)), bar.stop
