"""Promote reviewed inductive themes into a codebook file, keeping the file as written.

:func:`mixedwai.qual.themes.suggest.suggest_themes` writes candidate themes to a review
file; the analyst accepts, renames, merges or rejects them there.
:func:`promote_themes` checks the review and adds the accepted themes to the
codebook as codes of an ``inductive`` category. The codebook is edited as a
round-trip YAML document (ruamel.yaml), and the new lines are spliced into the
file's own text, so every comment, key order, quote and blank line of the
researcher's file stays byte for byte as it was.

Codes added this way carry ``metadata: {origin: inductive, themes: [...]}``;
:func:`tag_inductive` marks their rule codings with ``source = "inductive"``.

The review file is read and checked in :mod:`mixedwai.qual.themes.review`, the
new lines are spliced into the file's text by :mod:`mixedwai.qual.codebook.splice`,
and :func:`tag_inductive` lives in :mod:`mixedwai.qual.themes.tags`; this
module builds and inserts the codes.

Examples
--------
>>> import tempfile, pathlib
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> _ = (folder / "cb.yaml").write_text('''# my codebook
... name: Demo   # keep me
... version: "1"
... language: en
... categories:
...   - id: alliance
...     label: Alliance
...     codes:
...       - id: bond
...         label: Bond
...         match: {lemmas: [trust]}
... ''', encoding="utf-8")
>>> _ = (folder / "themes.yaml").write_text('''themes:
...   - theme: T01
...     decision: accept
...     id: transport
...     label: Getting to meetings
...     lemmas: [bus, train]
...   - theme: T02
...     decision: merge
...     into: T01
...     lemmas: [car]
...   - theme: T03
...     decision: reject
... ''', encoding="utf-8")
>>> book = promote_themes(folder / "cb.yaml", folder / "themes.yaml")
>>> book.code("transport").match.lemmas, book.category_of("transport")
(['bus', 'train', 'car'], 'inductive')
>>> print((folder / "cb.yaml").read_text(encoding="utf-8"))  # doctest: +ELLIPSIS
# my codebook
name: Demo   # keep me
...
        match: {lemmas: [trust]}
  - id: inductive
    label: Inductive themes
...
      - id: transport
        label: Getting to meetings
        definition: ''
        match:
          lemmas: [bus, train, car]
        metadata:
          origin: inductive
          themes: [T01, T02]
          review: themes.yaml
<BLANKLINE>
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mixedwai.errors import CodebookError, InputFileError, MixedWAIWarning
from mixedwai.qual.codebook.splice import (
    _guess_style,
    _render,
    _restore,
)
from mixedwai.qual.themes.review import (
    _ID_RE,
    KeyPath,
    ThemeReview,
    read_theme_review,
)
from mixedwai.qual.themes.tags import INDUCTIVE

if TYPE_CHECKING:
    from mixedwai.qual.codebook.model import Codebook

__all__ = ["promote_themes"]


def promote_themes(
    codebook_path: str | os.PathLike[str],
    review_path: str | os.PathLike[str],
    *,
    category_id: str = INDUCTIVE,
    category_label: str = "Inductive themes",
    out: str | os.PathLike[str] | None = None,
) -> Codebook:
    """Add the accepted themes of a review file to a codebook file.

    Parameters
    ----------
    codebook_path : str or path-like
        The codebook YAML file, changed in place unless ``out`` is given (a shipped
        name such as ``"ross2008-en"`` is accepted with ``out``).
    review_path : str or path-like
        The review file (``themes.yaml`` from ``mixedwai themes``), edited by the
        analyst: for each theme, ``decision: accept | reject | merge`` (a theme
        left at ``decision: review``, as the file is written, is refused); accepted
        themes need ``id`` and ``label`` and may give ``definition``, ``include``,
        ``exclude``, ``lemmas``, ``phrases``, ``examples``; merged ones need ``into``
        (a theme key such as ``T03`` or an accepted id) and fold their lemmas,
        phrases and examples into that theme.
    category_id : str, default="inductive"
        Category the new codes go to; created at the end of ``categories`` if the
        codebook has none with this id, else the codes are appended to it.
    category_label : str, default="Inductive themes"
        Label of a created category.
    out : str or path-like, optional
        Write the result here instead of over ``codebook_path``.

    Returns
    -------
    Codebook
        The promoted codebook, validated (``source`` = the file written).

    Raises
    ------
    InputFileError
        A file is missing, or ``codebook_path`` is a shipped name without ``out``.
    CodebookError
        The codebook is invalid, the review cannot be promoted (see
        :func:`read_theme_review`: each problem with the review's key path and
        line), themes are left undecided (``decision: review``; all are listed
        with their lines), or ``category_id`` is the id of a code.

    Warns
    -----
    MixedWAIWarning
        No theme is accepted (the file is left as it was), or ruamel.yaml could not
        reproduce the file's layout, so the whole file was rewritten in its style.

    Notes
    -----
    Each new code gets ``id``, ``label``, ``definition`` (and ``include`` /
    ``exclude`` when given), ``examples``, ``match`` (``lemmas``, ``phrases``) and
    ``metadata: {origin: inductive, themes: [T01, ...], review: <file name>}``.

    The file is loaded as a ruamel.yaml round-trip document, the category or codes
    are appended, and the document is dumped with the file's own indentation. The
    lines this adds are then inserted into the original text at the same place, so
    everything outside them is byte-identical to the file as it was (ruamel.yaml
    alone would normalise spacing inside flow lists and similar details). The
    result is validated as a codebook before it is written, atomically
    (:func:`mixedwai.io.write_text`); Windows line ends and a UTF-8 byte order
    mark are kept (a Windows-1252 file is written back as UTF-8).

    Examples
    --------
    See the module docstring.
    """
    from mixedwai.io import read_text, write_text
    from mixedwai.qual.codebook.loading import (
        CODEBOOK_DIR,
        available_codebooks,
        codebook_from_yaml,
    )
    from mixedwai.qual.codebook.yaml_source import format_key_path, parse_document

    source = Path(codebook_path)
    if not source.is_file():
        shipped = str(codebook_path).strip().lower().replace("_", "-")
        if shipped in available_codebooks() and out is not None:
            source = CODEBOOK_DIR / f"{shipped.replace('-', '_')}.yaml"
        elif shipped in available_codebooks():
            raise InputFileError(
                f"{codebook_path!s} is a shipped codebook; promote into a copy: pass out= "
                "(--out FILE) to write the promoted codebook to a file of yours"
            )
        else:
            raise InputFileError(f"{codebook_path!s}: codebook file not found")
    target = Path(out) if out is not None else source
    _check_target(target, source, Path(review_path))
    raw = source.read_bytes()
    text, encoding = read_text(source)
    book = codebook_from_yaml(text, source=str(source))
    if not isinstance(category_id, str) or not _ID_RE.match(category_id):
        raise CodebookError(
            f"category_id {category_id!r} must be one word of letters, digits, '_', '-' or '.'"
        )
    if category_id in book.code_ids:
        raise CodebookError(
            f"{source}: category_id {category_id!r} is already the id of a code (in category "
            f"{book.category_of(category_id)!r}); choose another category id"
        )
    doc = parse_document(text, source=str(source))
    reserved = _id_places(doc, format_key_path)
    reserved.pop(category_id, None)  # the target category may exist already
    review = read_theme_review(
        review_path, reserved_ids=reserved, codebook_name=f"codebook {source}"
    )
    if review.undecided:
        listing = ", ".join(
            f"{d.theme} (line {d.line})" if d.line else d.theme for d in review.undecided
        )
        raise CodebookError(
            f"{review_path!s}: {len(review.undecided)} of {len(review.decisions)} theme(s) "
            f"are not decided yet (decision: review): {listing}. Set each decision to "
            f"accept, reject or merge, then promote again; {source} was not changed."
        )
    codes = _codes(review, Path(review_path).name)
    if not codes:
        warnings.warn(
            f"{review_path!s}: no theme is accepted; {source} is left as it was",
            MixedWAIWarning,
            stacklevel=2,
        )
        if out is not None:
            write_text(_restore(text, raw, encoding), target)
        book._source = str(target)
        return book

    style, baseline = _guess_style(doc, text)
    _insert(doc, codes, category_id, category_label, Path(review_path).name)
    new_text = _render(doc, text, style, baseline, source)
    try:
        promoted = codebook_from_yaml(new_text, source=str(target))
    except CodebookError as exc:
        raise CodebookError(
            f"{source}: the promoted codebook would not be valid; nothing was written:\n{exc}"
        ) from exc
    write_text(_restore(new_text, raw, encoding), target)
    return promoted


def _check_target(target: Path, source: Path, review: Path) -> None:
    """The promoted codebook replaces only the codebook itself, or goes to a new file."""
    from mixedwai.errors import OutputError

    if not target.exists() or target.resolve() == source.resolve():
        if target.exists() and target.resolve() == review.resolve():
            raise OutputError(f"{target}: is the review file; write the codebook elsewhere")
        return
    what = "the review file" if target.resolve() == review.resolve() else "a file"
    raise OutputError(
        f"{target}: {what} that already exists and is not the codebook {source}; promote "
        "writes either back into the codebook (without --out) or into a new file, never "
        "over another file. Choose a new --out, or remove that file first."
    )


def _id_places(doc: Any, fmt: Any) -> dict[str, str]:
    """Every id of the codebook document -> its key path, for messages."""
    places: dict[str, str] = {}

    def visit(codes: Any, at: KeyPath) -> None:
        if not isinstance(codes, list):
            return
        for i, code in enumerate(codes):
            if isinstance(code, Mapping):
                if code.get("id") is not None:
                    places.setdefault(str(code["id"]), fmt((*at, i, "id")))
                visit(code.get("codes"), (*at, i, "codes"))

    for i, cat in enumerate(doc.get("categories") or []):
        if isinstance(cat, Mapping):
            if cat.get("id") is not None:
                places.setdefault(str(cat["id"]), fmt(("categories", i, "id")))
            visit(cat.get("codes"), ("categories", i, "codes"))
    return places


def _codes(review: ThemeReview, review_name: str) -> list[Any]:
    """The codes to add, as round-trip mappings, in review order."""
    from ruamel.yaml.comments import CommentedMap
    from ruamel.yaml.scalarstring import DoubleQuotedScalarString

    folded: dict[str, dict[str, list[str]]] = {
        d.theme: {
            "lemmas": list(d.lemmas),
            "phrases": list(d.phrases),
            "examples": list(d.examples),
            "themes": [d.theme],
        }
        for d in review.accepted
    }
    for d in review.merged:
        target = review.target_of(d)
        bucket = folded[target.theme]
        for name in ("lemmas", "phrases", "examples"):
            for item in getattr(d, name):
                if item not in bucket[name]:
                    bucket[name].append(item)
        bucket["themes"].append(d.theme)

    codes = []
    for d in review.accepted:
        bucket = folded[d.theme]
        code = CommentedMap()
        code["id"] = d.id
        code["label"] = d.label
        code["definition"] = d.definition
        if d.include:
            code["include"] = d.include
        if d.exclude:
            code["exclude"] = d.exclude
        if bucket["examples"]:
            code["examples"] = _seq(DoubleQuotedScalarString(e) for e in bucket["examples"])
        if bucket["lemmas"] or bucket["phrases"]:
            match = CommentedMap()
            if bucket["lemmas"]:
                match["lemmas"] = _seq(bucket["lemmas"], flow=True)
            if bucket["phrases"]:
                match["phrases"] = _seq(
                    (DoubleQuotedScalarString(p) for p in bucket["phrases"]), flow=True
                )
            code["match"] = match
        metadata = CommentedMap()
        metadata["origin"] = INDUCTIVE
        metadata["themes"] = _seq(bucket["themes"], flow=True)
        metadata["review"] = review_name
        code["metadata"] = metadata
        codes.append(code)
    return codes


def _seq(items: Iterable[Any], *, flow: bool = False) -> Any:
    from ruamel.yaml.comments import CommentedSeq

    seq = CommentedSeq(list(items))
    if flow:
        seq.fa.set_flow_style()
    return seq


def _insert(
    doc: Any, codes: list[Any], category_id: str, category_label: str, review_name: str
) -> None:
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    categories = doc["categories"]
    for category in categories:
        if isinstance(category, Mapping) and str(category.get("id")) == category_id:
            existing = category.get("codes")
            if not isinstance(existing, CommentedSeq):
                existing = CommentedSeq()
                category["codes"] = existing
            if existing.fa.flow_style():
                existing.fa.set_block_style()
            existing.extend(codes)
            return
    category = CommentedMap()
    category["id"] = category_id
    category["label"] = category_label
    category["description"] = (
        f"Themes found inductively in the transcripts (mixedwai themes) and promoted from "
        f"{review_name}."
    )
    metadata = CommentedMap()
    metadata["origin"] = INDUCTIVE
    category["metadata"] = metadata
    category["codes"] = _seq(codes)
    categories.append(category)
