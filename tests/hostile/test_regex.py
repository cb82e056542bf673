"""Hostile regular expressions: codebook REGEX patterns and --case-pattern.

Repro of issue 15: a codebook REGEX like ``^(a+)+$`` and a ``--case-pattern`` backtracked
exponentially on one token. Such patterns are now refused before any text is read, with
the key path (codebook) or the option name (``--case-pattern``).
"""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mixedwai._regex import regex_problem
from mixedwai.errors import CodebookError, OptionError
from mixedwai.qual.codebook.loading import codebook_from_yaml, load_codebook
from mixedwai.qual.transcripts.loading import load_corpus
from tests.hostile.conftest import assert_clear_error, run_limited

CODEBOOK = """\
name: Demo
version: '1'
language: en
categories:
  - id: c
    label: C
    codes:
      - id: x
        label: X
        match:
          patterns:
            - [{{LOWER: {{REGEX: "{regex}"}}}}]
"""


@pytest.mark.parametrize("regex", [r"^(a+)+$", r"(a*)*", r"(a|a)*", r"^(\\w+\\s?)*$",
                                   r"(a|ab)+$"])
def test_backtracking_codebook_regex_is_refused_with_its_key_path(regex: str) -> None:
    with pytest.raises(CodebookError) as info:
        codebook_from_yaml(CODEBOOK.format(regex=regex), source="book.yaml")
    message = str(info.value)
    assert "categories[0].codes[0].match.patterns[0] (line 12)" in message
    assert "token 0.LOWER.REGEX" in message
    assert "backtracks exponentially" in message


def test_the_refused_pattern_really_backtracks() -> None:
    # what the check prevents: 2**22 steps for one token of 22 letters
    started = time.perf_counter()
    assert re.match(r"^(a+)+$", "a" * 22 + "!") is None
    assert time.perf_counter() - started > 0.05
    assert regex_problem(r"^(a+)+$") is not None


def test_shipped_codebooks_pass_the_regex_check() -> None:
    assert load_codebook("ross2008-fr").name
    assert load_codebook("ross2008-en").name


def test_safe_regexes_are_accepted() -> None:
    for regex in [r"^([0-9]+|dix|onze)(-.*)?$", r"^trust(ed|ing)?$", r"(?:foo|bar)+",
                  r"[a-z]+", r"^(?:a{1,3}){2}$"]:
        assert regex_problem(regex) is None, regex


def test_long_regex_names_the_limit() -> None:
    assert "MAX_REGEX_LENGTH" in regex_problem("a" * 1001)


def test_backtracking_case_pattern_is_refused(sample_dir: Path) -> None:
    pattern = r"(?P<case>(\w+)+)$"
    with pytest.raises(OptionError, match=re.escape(f"case_pattern = {pattern!r} is not "
                                                    "allowed: a repeated group")):
        load_corpus(sample_dir / "transcripts", case_pattern=pattern)


def test_backtracking_case_pattern_option_from_the_command_line(tmp_path: Path) -> None:
    result = run_limited(["-m", "mixedwai", "code", "sample_corpus/transcripts", "--codebook",
                          "ross2008-en", "--out", str(tmp_path / "out"), "--case-pattern",
                          "(?P<case>(a|a)*)x"], timeout=60)
    assert_clear_error(result, "--case-pattern", "backtracks exponentially")
    assert not (tmp_path / "out").exists()


def test_a_codebook_built_in_python_is_checked_when_compiled() -> None:
    from mixedwai.qual.codebook.model import Codebook
    from mixedwai.qual.coding.matchers import compile_codebook

    book = Codebook.model_validate({
        "name": "Demo", "version": "1", "language": "en",
        "categories": [{"id": "c", "label": "C", "codes": [
            {"id": "x", "label": "X",
             "match": {"patterns": [[{"LOWER": {"REGEX": "^(a+)+$"}}]]}}]}]})
    with pytest.raises(CodebookError, match=r"code 'x': a match pattern's token 0\.LOWER\.REGEX "
                                            r"'\^\(a\+\)\+\$': a repeated group"):
        compile_codebook(book)


@pytest.mark.filterwarnings("ignore::FutureWarning")  # re: "possible set union" in [[
@given(st.text(alphabet="ab()|*+?{},1[]^$\\.", max_size=40))
def test_regex_check_never_raises_and_accepts_what_it_allows(pattern: str) -> None:
    problem = regex_problem(pattern)
    if problem is None:
        re.compile(pattern)  # what the check allows, re compiles
