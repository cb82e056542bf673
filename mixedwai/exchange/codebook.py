"""Codebooks in REFI-QDA form: the code tree of a project, and ``.qdc`` files.

REFI-QDA knows one kind of node, the ``Code``, nested to any depth; mixedwai's
:class:`~mixedwai.qual.codebook.model.Codebook` has categories that hold codes.
The two are mapped as follows.

Reading (REFI -> mixedwai):

- a top-level code that cannot be coded (``isCodable="false"``), or that has
  sub-codes and no coding of its own, becomes a **category** (its codability is
  kept in the category's metadata as ``refi_codable``);
- every other top-level code becomes a code of one extra category,
  ``uncategorised`` (metadata ``refi_top_level: true``), so that nothing is lost;
- deeper codes become codes and sub-codes, the hierarchy kept;
- the description becomes the definition; ``Include:``, ``Exclude:`` and
  ``Example:`` lines in its last paragraph become the inclusion and exclusion
  notes and the examples; colours are kept in ``metadata["color"]``;
- ids come from the names (``"Bond / trust"`` -> ``bond_trust``, made unique),
  unless the last paragraph holds a ``mixedwai id:`` line (written by mixedwai
  when the id is not the name's).

Writing (mixedwai -> REFI) is the reverse; match rules stay in the YAML codebook
(REFI has no place for them). GUIDs are derived from the ids, so the same
codebook always gives the same file.

Examples
--------
>>> from mixedwai.qual.codebook.loading import load_codebook
>>> import pathlib, tempfile
>>> path = pathlib.Path(tempfile.mkdtemp()) / "ross.qdc"
>>> original = load_codebook("ross2008-en")
>>> write_qdc(original, path)
>>> back = read_qdc(path)
>>> back.code_ids == original.code_ids
True
>>> back.code("bond_trust").definition == original.code("bond_trust").definition
True
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from mixedwai.errors import CodebookError, ExchangeError, InputFileError
from mixedwai.exchange.refi import (
    CODEBOOK_NS,
    child_text,
    children,
    is_color,
    local_name,
    normal_guid,
    parse_xml,
    stable_guid,
)
from mixedwai.qual.codebook.model import Code, Codebook

__all__ = ["UNCATEGORISED", "read_qdc", "write_qdc"]

#: Id of the category that holds top-level REFI codes that are codes, not categories.
UNCATEGORISED = "uncategorised"

_FIELD = re.compile(r"^(Include|Exclude|Example|mixedwai id): ?(.*)$")
_SLUG_DROP = re.compile(r"[^\w.\-]+")


@dataclass
class RefiCode:
    """A REFI ``Code`` element as read (before it becomes a category or a code)."""

    guid: str
    name: str
    codable: bool
    color: str | None
    description: str
    children: list[RefiCode] = field(default_factory=list)


def read_code_tree(codes_element: Any) -> list[RefiCode]:
    """The ``Code`` elements under a ``Codes`` element, as a tree of :class:`RefiCode`."""

    def read(element: Any) -> RefiCode:
        color = element.get("color")
        return RefiCode(
            guid=normal_guid(element.get("guid", "")),
            name=(element.get("name") or "").strip(),
            codable=(element.get("isCodable", "true").strip().lower() in ("true", "1")),
            color=color if is_color(color) else None,
            description=child_text(element, "Description"),
            children=[read(sub) for sub in children(element, "Code")],
        )

    return [read(element) for element in children(codes_element, "Code")]


def slug(name: str) -> str:
    """An id made from a name: ``"Bond / trust"`` -> ``"bond_trust"``.

    Examples
    --------
    >>> slug("1. Oltás típusa"), slug("Bond / trust"), slug("???")
    ('1._oltás_típusa', 'bond_trust', 'code')
    """
    text = _SLUG_DROP.sub("_", name.strip().lower()).strip("_.-")
    return re.sub(r"_+", "_", text) or "code"


def split_description(text: str) -> tuple[str, dict[str, Any]]:
    """The definition and the fields of a REFI description (see the module notes).

    Examples
    --------
    >>> split_description("Trust.\\n\\nInclude: any trust\\nExample: I trust her")
    ('Trust.', {'include': 'any trust', 'exclude': '', 'examples': ['I trust her'], 'id': None})
    """
    fields: dict[str, Any] = {"include": "", "exclude": "", "examples": [], "id": None}
    text = text.replace("\r\n", "\n").strip()
    head, _, last = text.rpartition("\n\n")
    lines = last.split("\n")
    matches = [_FIELD.match(line) for line in lines]
    if not last or not all(matches):
        return text, fields
    for match in matches:
        assert match is not None  # checked above
        key, value = match.group(1), match.group(2)
        if key == "Example":
            fields["examples"].append(value)
        elif key == "mixedwai id":
            fields["id"] = value.strip() or None
        else:
            fields[key.lower()] = value
    return head.strip(), fields


def join_description(
    definition: str, *, include: str = "", exclude: str = "",
    examples: Iterable[str] = (), id: str | None = None,
) -> str:
    """The REFI description of a code: the definition, then the field lines."""
    lines = []
    if include:
        lines.append(f"Include: {_one_line(include)}")
    if exclude:
        lines.append(f"Exclude: {_one_line(exclude)}")
    lines.extend(f"Example: {_one_line(example)}" for example in examples)
    if id is not None:
        lines.append(f"mixedwai id: {id}")
    parts = [definition.strip()] if definition.strip() else []
    if lines:
        parts.append("\n".join(lines))
    return "\n\n".join(parts)


def _one_line(text: str) -> str:
    return " ".join(text.split())


def codebook_from_tree(
    tree: list[RefiCode],
    *,
    name: str,
    language: str = "en",
    coded: set[str] | frozenset[str] = frozenset(),
    source: str,
    metadata: Mapping[str, Any] | None = None,
) -> tuple[Codebook, dict[str, str]]:
    """Build a mixedwai codebook from a REFI code tree.

    Parameters
    ----------
    tree : list of RefiCode
        The top-level codes.
    name : str
        The codebook's name.
    language : {"en", "fr"}, default="en"
    coded : set of str
        GUIDs (normalised) of the codes that carry codings.
    source : str
        Where the tree comes from, for messages.
    metadata : mapping, optional
        Stored in the codebook's metadata.

    Returns
    -------
    codebook : Codebook
    ids : dict
        REFI GUID (normalised) -> mixedwai id, for every code and category.

    Raises
    ------
    ExchangeError
        The tree is empty, or a GUID appears twice.
    """
    if not tree:
        raise ExchangeError(f"{source}: the codebook holds no code")
    nodes: list[RefiCode] = []

    def collect(items: list[RefiCode]) -> None:
        for item in items:
            nodes.append(item)
            collect(item.children)

    collect(tree)
    counts: dict[str, int] = {}
    for node in nodes:
        counts[node.guid] = counts.get(node.guid, 0) + 1
    duplicated = sorted(guid for guid, n in counts.items() if n > 1)
    if duplicated:
        raise ExchangeError(
            f"{source}: code GUIDs must be unique; found more than once: {', '.join(duplicated)}"
        )
    parsed = {n.guid: split_description(n.description) for n in nodes}
    taken = {f["id"] for _, f in parsed.values() if f["id"]}
    taken.add(UNCATEGORISED)
    ids: dict[str, str] = {}
    for node in nodes:
        explicit = parsed[node.guid][1]["id"]
        if explicit:
            ids[node.guid] = explicit
            continue
        base = slug(node.name)
        candidate, k = base, 2
        while candidate in taken:
            candidate, k = f"{base}_{k}", k + 1
        taken.add(candidate)
        ids[node.guid] = candidate

    def code(node: RefiCode) -> dict[str, Any]:
        definition, fields = parsed[node.guid]
        meta: dict[str, Any] = {}
        if node.color:
            meta["color"] = node.color
        if not node.codable:
            meta["refi_codable"] = False
        return {
            "id": ids[node.guid], "label": node.name or "(unnamed code)",
            "definition": definition, "include": fields["include"],
            "exclude": fields["exclude"], "examples": fields["examples"],
            "codes": [code(sub) for sub in node.children], "metadata": meta,
        }

    categories: list[dict[str, Any]] = []
    loose: list[dict[str, Any]] = []
    for node in tree:
        is_category = not node.codable or (bool(node.children) and node.guid not in coded)
        if not is_category:
            loose.append(code(node))
            continue
        definition, _ = parsed[node.guid]
        meta = {"color": node.color} if node.color else {}
        if node.codable:
            meta["refi_codable"] = True
        categories.append({
            "id": ids[node.guid], "label": node.name or "(unnamed category)",
            "description": definition, "codes": [code(sub) for sub in node.children],
            "metadata": meta,
        })
    if loose:
        categories.append({
            "id": UNCATEGORISED, "label": "Codes outside any category",
            "codes": loose, "metadata": {"refi_top_level": True},
        })
    data = {
        "name": name or "codebook", "version": "1", "language": language, "unit": "turn",
        "metadata": dict(metadata or {}), "categories": categories,
    }
    try:
        codebook = Codebook.model_validate(data)
    except ValidationError as exc:
        raise ExchangeError(f"{source}: the code tree does not make a valid codebook: {exc}") \
            from exc
    return codebook, ids


def code_tree_elements(codebook: Codebook, namespace: str) -> list[Any]:
    """The REFI ``Code`` elements of a codebook (top level first, in codebook order).

    ``namespace`` is that of a project (``urn:QDA-XML:project:1.0``) or of a ``.qdc``
    codebook (``urn:QDA-XML:codebook:1.0``); the elements take the same shape in both.
    """
    from lxml import etree

    def element(tag: str, attrib: Mapping[str, str]) -> Any:
        return etree.Element(f"{{{namespace}}}{tag}", attrib=dict(attrib))

    def with_description(node: Any, text: str) -> None:
        if text:
            description = etree.SubElement(node, f"{{{namespace}}}Description")
            description.text = text

    def code_element(code: Code) -> Any:
        attrib = {
            "guid": stable_guid("code", code.id), "name": code.label,
            "isCodable": "false" if code.metadata.get("refi_codable") is False else "true",
        }
        color = code.metadata.get("color")
        if is_color(color):
            attrib["color"] = color
        node = element("Code", attrib)
        explicit = None if slug(code.label) == code.id else code.id
        with_description(node, join_description(
            code.definition, include=code.include, exclude=code.exclude,
            examples=code.examples, id=explicit,
        ))
        for sub in code.codes:
            node.append(code_element(sub))
        return node

    top: list[Any] = []
    for category in codebook.categories:
        if category.metadata.get("refi_top_level"):
            top.extend(code_element(code) for code in category.codes)
            continue
        attrib = {
            "guid": stable_guid("code", category.id), "name": category.label,
            "isCodable": "true" if category.metadata.get("refi_codable") else "false",
        }
        color = category.metadata.get("color")
        if is_color(color):
            attrib["color"] = color
        node = element("Code", attrib)
        explicit = None if slug(category.label) == category.id else category.id
        with_description(node, join_description(category.description, id=explicit))
        for code in category.codes:
            node.append(code_element(code))
        top.append(node)
    return top


def read_qdc(path: str | os.PathLike[str], *, language: str = "en") -> Codebook:
    """Read a REFI-QDA codebook (``.qdc``) as a mixedwai codebook.

    Parameters
    ----------
    path : str or path
        The ``.qdc`` file (XML in the namespace ``urn:QDA-XML:codebook:1.0``).
    language : {"en", "fr"}, default="en"
        The language the codebook's rules would be written in (REFI does not say).

    Returns
    -------
    Codebook
        Categories and codes mapped as the module notes say; no code has match
        rules (they are added in YAML).

    Raises
    ------
    InputFileError
        The file does not exist.
    ExchangeError
        The file is not a REFI codebook (not XML, a DOCTYPE, another root element)
        or holds no code.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "c.qdc"
    >>> _ = path.write_text('<CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes>'
    ...     '<Code guid="00000000-0000-0000-0000-000000000001" name="Alliance" isCodable="false">'
    ...     '<Code guid="00000000-0000-0000-0000-000000000002" name="Bond" isCodable="true"'
    ...     ' color="#ff0000"><Description>Trust.</Description></Code></Code></Codes></CodeBook>')
    >>> cb = read_qdc(path)
    >>> cb.category_of("bond"), cb.code("bond").definition, cb.code("bond").metadata
    ('alliance', 'Trust.', {'color': '#ff0000'})
    """
    path = Path(path)
    if not path.is_file():
        raise InputFileError(f"{path}: file not found; expected a .qdc codebook")
    root = parse_xml(path.read_bytes(), source=str(path))
    if local_name(root) != "CodeBook":
        raise ExchangeError(
            f"{path}: the root element is <{local_name(root)}>; a .qdc codebook has <CodeBook>"
        )
    codes = [c for c in root if local_name(c) == "Codes"]
    if not codes:
        raise ExchangeError(f"{path}: <CodeBook> has no <Codes> element")
    codebook, _ = codebook_from_tree(
        read_code_tree(codes[0]), name=path.stem, language=language, source=str(path),
        metadata={"origin": root.get("origin", "")} if root.get("origin") else None,
    )
    return _with_source(codebook, str(path))


def _with_source(codebook: Codebook, source: str) -> Codebook:
    codebook._source = source
    return codebook


def write_qdc(codebook: Codebook, path: str | os.PathLike[str]) -> None:
    """Write a codebook as a REFI-QDA ``.qdc`` file (valid against REFI-QDA-Codebook.xsd).

    Parameters
    ----------
    codebook : Codebook
    path : str or path
        Written atomically; the same codebook always gives the same bytes.

    Raises
    ------
    CodebookError
        ``codebook`` is not a Codebook.
    """
    from lxml import etree

    from mixedwai.io import write_bytes

    if not isinstance(codebook, Codebook):
        raise CodebookError(f"codebook: expected a Codebook, got {type(codebook).__name__}")
    root = etree.Element(f"{{{CODEBOOK_NS}}}CodeBook", nsmap={None: CODEBOOK_NS})
    root.set("origin", "mixedwai")
    codes = etree.SubElement(root, f"{{{CODEBOOK_NS}}}Codes")
    for node in code_tree_elements(codebook, CODEBOOK_NS):
        codes.append(node)
    data = etree.tostring(root, xml_declaration=True, encoding="utf-8", pretty_print=True)
    write_bytes(data, path)
