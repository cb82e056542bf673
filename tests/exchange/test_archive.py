"""Hostile archives and XML are refused with clear errors; nothing is extracted."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from mixedwai.errors import ExchangeError, InputFileError
from mixedwai.exchange.archive import QdpxArchive, write_archive
from mixedwai.exchange.reading import read_qdpx
from mixedwai.exchange.refi import parse_xml

PROJECT = '<Project xmlns="urn:QDA-XML:project:1.0" name="p"/>'


def _zip(path: Path, members: dict[str, bytes | str]) -> Path:
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            info = zipfile.ZipInfo(name)
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, data)
    return path


@pytest.mark.parametrize("name", ["../evil.txt", "/etc/passwd", "C:/x.txt", "a\\..\\b.txt",
                                  "Sources/../../x.txt"])
def test_member_names_outside_the_archive_are_refused(tmp_path: Path, name: str) -> None:
    path = _zip(tmp_path / "p.qdpx", {"project.qde": PROJECT, name: b"x"})
    with pytest.raises(ExchangeError, match="unsafe archive") as info:
        read_qdpx(path)
    assert repr(name) in str(info.value)


def test_zip_bomb_is_refused_before_decompressing(tmp_path: Path) -> None:
    zeros = b"0" * 5_000_000  # compresses about 1000 times
    path = _zip(tmp_path / "bomb.qdpx", {"project.qde": PROJECT, "Sources/a.txt": zeros})
    with pytest.raises(ExchangeError, match="zip bomb"):
        QdpxArchive(path)
    with pytest.raises(ExchangeError, match="limit is 1000"):
        QdpxArchive(_zip(tmp_path / "big.qdpx", {"project.qde": "x" * 2000}),
                     max_total_bytes=1000)


def test_member_expanding_past_its_declared_size_is_refused(tmp_path: Path) -> None:
    path = _zip(tmp_path / "p.qdpx", {"project.qde": PROJECT * 100})
    with QdpxArchive(path) as archive:
        archive._infos["project.qde"].file_size = 10  # an archive that lies about sizes
        with pytest.raises(ExchangeError, match="past its declared size|Bad CRC"):
            archive.read("project.qde")


def test_entities_are_refused_not_expanded() -> None:
    bomb = (b'<?xml version="1.0"?><!DOCTYPE p [<!ENTITY a "aaaaaaaaaa">'
            b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]><Project name="&b;"/>')
    with pytest.raises(ExchangeError, match="DOCTYPE"):
        parse_xml(bomb, source="p.qde")
    external = b'<!DOCTYPE p [<!ENTITY x SYSTEM "file:///etc/passwd">]><Project name="&x;"/>'
    with pytest.raises(ExchangeError, match="DOCTYPE"):
        parse_xml(external, source="p.qde")


def test_source_pointing_outside_the_archive_is_refused(tmp_path: Path) -> None:
    xml = ('<Project xmlns="urn:QDA-XML:project:1.0" name="p"><Sources><TextSource '
           'guid="00000000-0000-0000-0000-000000000001" name="s" '
           'plainTextPath="internal://../../etc/passwd"/></Sources></Project>')
    path = _zip(tmp_path / "p.qdpx", {"project.qde": xml})
    with pytest.raises(ExchangeError, match="points outside the archive"):
        read_qdpx(path)


def test_not_a_zip_missing_file_and_missing_project(tmp_path: Path) -> None:
    (tmp_path / "x.qdpx").write_text("hello")
    with pytest.raises(ExchangeError, match="not a zip archive"):
        read_qdpx(tmp_path / "x.qdpx")
    with pytest.raises(InputFileError, match="file not found"):
        read_qdpx(tmp_path / "missing.qdpx")
    with pytest.raises(ExchangeError, match="no project.qde"):
        read_qdpx(_zip(tmp_path / "empty.qdpx", {"readme.txt": b"x"}))
    with pytest.raises(ExchangeError, match="not well-formed"):
        read_qdpx(_zip(tmp_path / "bad.qdpx", {"project.qde": "<Project"}))


def test_written_archives_are_byte_reproducible_and_refuse_unsafe_names(tmp_path: Path) -> None:
    members = {"project.qde": b"<Project/>", "Sources/a.txt": b"text"}
    write_archive(tmp_path / "a.qdpx", members)
    write_archive(tmp_path / "b.qdpx", dict(reversed(members.items())))
    assert (tmp_path / "a.qdpx").read_bytes() == (tmp_path / "b.qdpx").read_bytes()
    with pytest.raises(ExchangeError, match="unsafe member names"):
        write_archive(tmp_path / "c.qdpx", {"../x": b""})
    assert not (tmp_path / "c.qdpx").exists()
