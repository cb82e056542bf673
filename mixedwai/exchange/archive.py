"""Safe handling of the zip archives REFI-QDA projects are shipped in (``.qdpx``).

A ``.qdpx`` file is a zip archive holding ``project.qde`` (the XML project) and a
``Sources/`` folder. Archives come from other people and other programs, so they
are read defensively: every member name is checked (no absolute paths, no ``..``,
no drive letters or backslashes), the sizes the archive declares are checked
against limits before anything is decompressed, and every member is read with a
cap so that an archive lying about its sizes (a zip bomb) is stopped too. Nothing
is ever extracted to disk: members are read into memory by name.

Archives are written with fixed time stamps and a sorted member order, so the same
content always gives the same bytes.

Examples
--------
>>> import pathlib, tempfile
>>> path = pathlib.Path(tempfile.mkdtemp()) / "p.qdpx"
>>> write_archive(path, {"project.qde": b"<Project/>", "Sources/a.txt": b"hi"})
>>> with QdpxArchive(path) as archive:
...     archive.names, archive.read("Sources/a.txt")
(['Sources/a.txt', 'project.qde'], b'hi')
"""

from __future__ import annotations

import os
import re
import zipfile
from collections.abc import Mapping
from pathlib import Path, PurePosixPath
from types import TracebackType

from mixedwai.errors import ExchangeError, InputFileError

__all__ = ["MAX_MEMBER_BYTES", "MAX_TOTAL_BYTES", "QdpxArchive", "archive_bytes", "write_archive"]

#: Largest uncompressed size accepted for one member (bytes).
MAX_MEMBER_BYTES = 512 * 1024 * 1024
#: Largest uncompressed size accepted for the whole archive (bytes).
MAX_TOTAL_BYTES = 2 * 1024 * 1024 * 1024
#: Largest compression ratio accepted for a member larger than 1 MiB.
MAX_RATIO = 200

_DRIVE = re.compile(r"^[A-Za-z]:")
_FIXED_TIME = (1980, 1, 1, 0, 0, 0)


class QdpxArchive:
    """A ``.qdpx`` (zip) archive opened for reading, its member names checked.

    Parameters
    ----------
    path : str or path
        The archive.
    max_member_bytes, max_total_bytes : int
        Limits on the uncompressed size of one member and of all members.

    Raises
    ------
    InputFileError
        The file does not exist or cannot be read.
    ExchangeError
        The file is not a zip archive; a member name is absolute, holds ``..``, a
        drive letter or a backslash; or the declared sizes pass the limits or a
        member is compressed more than :data:`MAX_RATIO` times (a zip bomb).
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        max_member_bytes: int = MAX_MEMBER_BYTES,
        max_total_bytes: int = MAX_TOTAL_BYTES,
    ) -> None:
        self.path = Path(path)
        self.max_member_bytes = max_member_bytes
        if not self.path.is_file():
            raise InputFileError(f"{self.path}: file not found; expected a .qdpx project")
        try:
            self._zip = zipfile.ZipFile(self.path)
        except zipfile.BadZipFile as exc:
            raise ExchangeError(
                f"{self.path}: not a zip archive ({exc}); a .qdpx project is a zip file "
                "holding project.qde and a Sources folder"
            ) from exc
        except OSError as exc:
            raise InputFileError(f"{self.path}: cannot be read ({exc})") from exc
        try:
            self._infos = self._check(max_total_bytes)
        except BaseException:
            self._zip.close()
            raise

    def _check(self, max_total_bytes: int) -> dict[str, zipfile.ZipInfo]:
        problems: list[str] = []
        infos: dict[str, zipfile.ZipInfo] = {}
        total = 0
        for info in self._zip.infolist():
            name = info.filename
            problem = unsafe_member_name(name)
            if problem:
                problems.append(f"member {name!r}: {problem}")
                continue
            if info.is_dir():
                continue
            total += info.file_size
            if info.file_size > self.max_member_bytes:
                problems.append(
                    f"member {name!r} expands to {info.file_size} bytes; the limit is "
                    f"{self.max_member_bytes}"
                )
            elif (info.file_size > 1024 * 1024 and info.compress_size
                  and info.file_size / info.compress_size > MAX_RATIO):  # fmt: skip
                problems.append(
                    f"member {name!r} is compressed {info.file_size // info.compress_size} "
                    f"times (limit {MAX_RATIO}); refused as a possible zip bomb"
                )
            infos[name] = info
        if total > max_total_bytes:
            problems.append(
                f"the members expand to {total} bytes in all; the limit is {max_total_bytes}"
            )
        if problems:
            listing = "\n".join(f"  - {p}" for p in problems[:20])
            more = f"\n  ... and {len(problems) - 20} more" if len(problems) > 20 else ""
            raise ExchangeError(
                f"{self.path}: unsafe archive, refused ({len(problems)} problem(s)):\n"
                f"{listing}{more}"
            )
        return infos

    @property
    def names(self) -> list[str]:
        """The member names (files only), sorted."""
        return sorted(self._infos)

    def find(self, name: str) -> str | None:
        """The member called ``name``, compared without case (``Sources/`` or ``sources/``)."""
        if name in self._infos:
            return name
        folded = name.casefold()
        matches = sorted(n for n in self._infos if n.casefold() == folded)
        return matches[0] if matches else None

    def read(self, name: str) -> bytes:
        """The bytes of member ``name``, read with the size cap.

        Raises
        ------
        ExchangeError
            No such member, or it expands past its declared size or the limit.
        """
        member = self.find(name)
        if member is None:
            raise ExchangeError(f"{self.path}: the archive has no member {name!r}")
        info = self._infos[member]
        cap = min(info.file_size, self.max_member_bytes)
        try:
            with self._zip.open(info) as handle:
                data = handle.read(cap + 1)
        except (zipfile.BadZipFile, OSError, RuntimeError, ValueError) as exc:
            raise ExchangeError(f"{self.path}: member {member!r} cannot be read ({exc})") from exc
        if len(data) > cap:
            raise ExchangeError(
                f"{self.path}: member {member!r} expands past its declared size "
                f"({info.file_size} bytes); refused as a possible zip bomb"
            )
        return data

    def close(self) -> None:
        """Close the archive."""
        self._zip.close()

    def __enter__(self) -> QdpxArchive:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def unsafe_member_name(name: str) -> str | None:
    """Why a member name is unsafe to use as a path, or None when it is safe.

    Examples
    --------
    >>> unsafe_member_name("Sources/a.txt") is None
    True
    >>> unsafe_member_name("../evil.txt")
    "holds '..'; members must stay inside the archive"
    """
    if not name:
        return "empty name"
    if "\\" in name:
        return "holds a backslash; expected '/' separators"
    if name.startswith("/") or _DRIVE.match(name):
        return "is an absolute path; members must be relative"
    if ".." in PurePosixPath(name).parts:
        return "holds '..'; members must stay inside the archive"
    if "\x00" in name:
        return "holds a NUL character"
    return None


def archive_bytes(members: Mapping[str, bytes]) -> bytes:
    """A zip archive of ``members`` as bytes, byte-reproducibly.

    Members are written in sorted order with a fixed time stamp (1980-01-01) and
    deflate compression, so the same ``members`` always give the same bytes.

    Raises
    ------
    ExchangeError
        A member name is unsafe (see :func:`unsafe_member_name`).
    """
    import io

    bad = [f"{name!r}: {why}" for name in members if (why := unsafe_member_name(name))]
    if bad:
        raise ExchangeError(f"cannot write unsafe member names: {'; '.join(bad)}")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name in sorted(members):
            info = zipfile.ZipInfo(name, date_time=_FIXED_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, members[name])
    return buffer.getvalue()


def write_archive(path: str | os.PathLike[str], members: Mapping[str, bytes]) -> None:
    """Write a zip archive atomically and byte-reproducibly (see :func:`archive_bytes`).

    Parameters
    ----------
    path : str or path
        The archive to write (replaced only once complete).
    members : mapping of str to bytes
        Member name -> content.

    Raises
    ------
    ExchangeError
        A member name is unsafe (see :func:`unsafe_member_name`); nothing is written.
    """
    from mixedwai.io import write_bytes

    try:
        data = archive_bytes(members)
    except ExchangeError as exc:
        raise ExchangeError(f"{path}: {exc}") from exc
    write_bytes(data, path)
