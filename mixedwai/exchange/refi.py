"""The REFI-QDA vocabulary: namespaces, the safe XML parser and stable GUIDs.

Project files (``project.qde`` inside a ``.qdpx``) use the namespace
``urn:QDA-XML:project:1.0``; codebooks (``.qdc``) use ``urn:QDA-XML:codebook:1.0``.
XML from other programs is parsed with lxml without resolving entities, without
network access and without lxml's "huge tree" allowance, so an entity bomb or an
external entity is refused, not expanded.

GUIDs written by mixedwai are UUID version 5 derived from what they stand for
(``stable_guid("code", "bond_trust")``), so the same study always gets the same
GUIDs and an export is byte-reproducible.

Examples
--------
>>> import uuid
>>> stable_guid("code", "bond_trust") == str(uuid.uuid5(GUID_NAMESPACE, "code\x1fbond_trust"))
True
>>> len(stable_guid("code", "bond_trust"))
36
>>> root = parse_xml(b'<Project xmlns="urn:QDA-XML:project:1.0" name="x"/>', source="p.qde")
>>> local_name(root), root.get("name")
('Project', 'x')
"""

from __future__ import annotations

import hashlib
import re
import uuid
from typing import Any

from mixedwai.errors import ExchangeError

__all__ = [
    "CODEBOOK_NS",
    "PROJECT_NS",
    "local_name",
    "parse_xml",
    "stable_guid",
]

PROJECT_NS = "urn:QDA-XML:project:1.0"
CODEBOOK_NS = "urn:QDA-XML:codebook:1.0"

#: Namespace of the name-based (version 5) GUIDs mixedwai writes.
GUID_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://mixedwai.invalid/refi-qda")
_NAMESPACE_BYTES = GUID_NAMESPACE.bytes

_GUID = re.compile(
    r"^\{?[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\}?$"
)
_COLOR = re.compile(r"^#(?:[0-9A-Fa-f]{6}|[0-9A-Fa-f]{3})$")


def stable_guid(kind: str, *key: object) -> str:
    """A GUID derived from ``kind`` and ``key`` (UUID version 5): same input, same GUID.

    Equal to ``str(uuid.uuid5(GUID_NAMESPACE, name))``, computed without building a
    ``uuid.UUID`` (exports make hundreds of thousands of them).
    """
    name = "\x1f".join([kind, *(str(k) for k in key)])
    digest = bytearray(hashlib.sha1(_NAMESPACE_BYTES + name.encode("utf-8")).digest()[:16])
    digest[6] = (digest[6] & 0x0F) | 0x50  # version 5
    digest[8] = (digest[8] & 0x3F) | 0x80  # RFC 4122 variant
    h = digest.hex()
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def is_guid(value: str | None) -> bool:
    """True for a GUID as the schemas write it (with or without braces)."""
    return bool(value) and bool(_GUID.match(str(value)))


def normal_guid(value: str) -> str:
    """A GUID in lower case without braces (how references are compared)."""
    return str(value).strip().strip("{}").lower()


def is_color(value: Any) -> bool:
    """True for an RGB colour as the schemas allow it (``#RRGGBB`` or ``#RGB``)."""
    return isinstance(value, str) and bool(_COLOR.match(value))


def _parser() -> Any:
    from lxml import etree

    return etree.XMLParser(
        resolve_entities=False, no_network=True, huge_tree=False, load_dtd=False,
        remove_comments=True, remove_pis=True,
    )


def parse_xml(data: bytes, *, source: str) -> Any:
    """Parse REFI-QDA XML safely (no entities, no network, no huge trees).

    Parameters
    ----------
    data : bytes
        The document.
    source : str
        Where it comes from, for messages (``"study.qdpx: project.qde"``).

    Returns
    -------
    lxml.etree._Element
        The root element.

    Raises
    ------
    ExchangeError
        The document is not well-formed XML or declares a DOCTYPE (entities are
        never expanded; a document that needs them is refused).
    """
    from lxml import etree

    refused = (
        f"{source}: declares a DOCTYPE; REFI-QDA files have none and entity declarations "
        "are refused (they can expand without bound or read other files)"
    )
    try:
        root = etree.fromstring(data, parser=_parser())
    except etree.XMLSyntaxError as exc:
        if b"<!DOCTYPE" in data[:65536]:
            raise ExchangeError(refused) from exc
        raise ExchangeError(f"{source}: not well-formed XML ({exc})") from exc
    tree = root.getroottree()
    if tree.docinfo.doctype or tree.docinfo.internalDTD is not None:
        raise ExchangeError(refused)
    return root


def local_name(element: Any) -> str:
    """The tag of an element without its namespace."""
    tag = element.tag
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def children(element: Any, name: str) -> list[Any]:
    """Child elements called ``name`` (any namespace), in document order."""
    return [child for child in element if local_name(child) == name]


def child(element: Any, name: str) -> Any | None:
    """The first child element called ``name`` (any namespace), or None."""
    for item in element:
        if local_name(item) == name:
            return item
    return None


def child_text(element: Any, name: str) -> str:
    """The text of the first child called ``name`` ("" when absent or empty)."""
    found = child(element, name)
    return "" if found is None or found.text is None else found.text
