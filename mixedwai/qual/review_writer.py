"""The review file of candidate themes, which the analyst edits before promotion.

:func:`write_theme_review` writes :meth:`ThemeSuggestions.to_yaml_document
<mixedwai.qual.theme_result.ThemeSuggestions.to_yaml_document>`: one entry per
theme with a decision, a code id (:func:`default_code_id`), label, lemmas and
examples. :mod:`mixedwai.qual.review_reader` reads it back for
:func:`mixedwai.qual.promote.promote_themes`.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from mixedwai.qual.theme_result import ThemeSuggestions

__all__ = ["default_code_id", "write_theme_review"]

_ID_CHARS = re.compile(r"[^\w.\-]+")


def write_theme_review(
    suggestions: ThemeSuggestions, path: str | os.PathLike[str]
) -> None:
    """Write the review file of :meth:`ThemeSuggestions.to_yaml_document` atomically.

    Parameters
    ----------
    suggestions : ThemeSuggestions
        From :func:`suggest_themes`.
    path : str or path-like
        The YAML file to write (its folder is created).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from mixedwai.qual.themes import suggest_themes
    >>> from mixedwai.qual.transcripts import Transcript
    >>> t = Transcript.from_text("ES: The bus was late. The bus strike. Garden roses. "
    ...                          "The garden and roses.", doc_id="es1-c1")
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "themes.yaml"
    >>> write_theme_review(suggest_themes([t], segments="all", n_themes=2), path)
    >>> path.read_text(encoding="utf-8").startswith("# Candidate themes")
    True
    """
    from mixedwai.io import write_text

    write_text(suggestions.to_yaml_document(), path)


_REVIEW_HEADER = """\
Candidate themes from `mixedwai themes` ({summary}).
Review each theme, then add the accepted ones to your codebook with
    mixedwai codebook promote CODEBOOK.yaml THIS_FILE.yaml
For each theme: change the decision from review to accept, reject or merge
(merge also needs into: the theme it joins, e.g. T03); promote refuses themes
left undecided. Edit id (the code id it will get), label and definition. lemmas become
the code's match rules: keep the specific ones. examples are the theme's most
representative segments, for reading.
"""


def default_code_id(terms: Sequence[str], taken: set[str], fallback: str) -> str:
    """A code id made of the first two terms, made unique against ``taken``.

    Examples
    --------
    >>> default_code_id(["job", "search", "deadline"], {"job_search"}, "T01")
    'job_search_2'
    """
    base = "_".join(_ID_CHARS.sub("_", t).strip("_.-") for t in terms[:2] if t)
    base = base.strip("_.-") or fallback.lower()
    if not re.match(r"^\w", base):
        base = f"theme_{base}"
    candidate, n = base, 1
    while candidate in taken:
        n += 1
        candidate = f"{base}_{n}"
    return candidate


def _review_document(found: ThemeSuggestions) -> str:
    import io

    from ruamel.yaml import YAML
    from ruamel.yaml.comments import CommentedMap, CommentedSeq
    from ruamel.yaml.scalarstring import DoubleQuotedScalarString

    params = found.params
    speakers = params.get("speakers")
    summary = (
        f"{found.n_themes} themes in {params.get('segments_analysed')} "
        f"{'uncoded ' if params.get('segments') == 'uncoded' else ''}{params.get('unit')}(s)"
        f" by {', '.join(speakers) if speakers else 'everyone'}, language "
        f"{params.get('language')}"
    )
    doc = CommentedMap()
    source = CommentedMap()
    source["command"] = "mixedwai themes"
    if params.get("codebook"):
        source["codebook"] = params["codebook"]
    for key in ("language", "unit", "segments", "n_themes", "criterion", "random_state"):
        source[key] = params.get(key)
    source["speakers"] = _flow(list(speakers) if speakers else ["all"])
    doc["source"] = source

    taken = set(found.reserved_ids)
    by_theme = {
        theme_id: group["text"].tolist()
        for theme_id, group in found.segments.groupby("theme_id", sort=False)
    }
    entries = CommentedSeq()
    for row in found.themes.itertuples(index=False):
        terms = [t for t in str(row.top_terms).split("; ") if t]
        code_id = default_code_id(terms, taken, row.theme_id)
        taken.add(code_id)
        entry = CommentedMap()
        entry["theme"] = row.theme_id
        entry["decision"] = "review"  # promotion refuses it: a person decides
        entry["id"] = code_id
        entry["label"] = row.label
        entry["definition"] = ""
        entry["lemmas"] = _flow(terms)
        entry["into"] = None
        examples = CommentedSeq(
            DoubleQuotedScalarString(t) for t in by_theme.get(row.theme_id, [])
        )
        entry["examples"] = examples
        cases = f": {row.cases}" if row.n_cases <= 6 else ""
        entry.yaml_add_eol_comment(
            f"{row.n_segments} segment{'s' * (row.n_segments != 1)}, {row.n_cases} "
            f"case{'s' * (row.n_cases != 1)}{cases}",
            "theme",
        )
        entry.yaml_add_eol_comment("# accept | reject | merge", "decision", column=22)
        entries.append(entry)
    doc["themes"] = entries
    doc.yaml_set_start_comment(_REVIEW_HEADER.format(summary=summary))

    yaml = YAML(typ="rt", pure=True)
    yaml.indent(mapping=2, sequence=4, offset=2)
    yaml.width = 100
    yaml.representer.add_representer(
        type(None), lambda rep, _v: rep.represent_scalar("tag:yaml.org,2002:null", "null")
    )
    buffer = io.StringIO()
    yaml.dump(doc, buffer)
    return buffer.getvalue()


def _flow(items: list[Any]) -> Any:
    from ruamel.yaml.comments import CommentedSeq

    seq = CommentedSeq(items)
    seq.fa.set_flow_style()
    return seq
