"""``mixedwai agreement`` on the sample: the rules against the hand-made second coding."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from mixedwai.cli import main
from mixedwai.qual.codebook.loading import load_codebook
from mixedwai.qual.coding.apply import code_corpus
from mixedwai.qual.coding.manual import load_manual_codings
from mixedwai.qual.transcripts.loading import load_corpus


@pytest.fixture(scope="module")
def coded(tmp_path_factory: pytest.TempPathFactory) -> dict:
    corpus = load_corpus("sample_corpus/transcripts")
    codebook = load_codebook("ross2008-en")
    hand = load_manual_codings("sample_corpus/second_coder_codings.csv", corpus, codebook,
                               unit="sentence")
    documents = [corpus[d] for d in sorted(set(hand["doc_id"]))]
    rules = code_corpus(documents, codebook)
    path = tmp_path_factory.mktemp("rules") / "codings.csv"
    rules.to_csv(path, index=False)
    return {"corpus": corpus, "hand": hand, "rules": rules, "rules_path": path}


def test_cli_reference_shows_rules_precision_and_recall_per_code(
    coded: dict, tmp_path: Path
) -> None:
    out = tmp_path / "agreement"
    status = main(["agreement", "--transcripts", "sample_corpus/transcripts",
                   "--codings", str(coded["rules_path"]),
                   "--codings", "sample_corpus/second_coder_codings.csv",
                   "--codebook", "ross2008-en", "--reference", "second_coder",
                   "--n-boot", "100", "--out", str(out)])
    assert status == 0
    validation = pd.read_csv(out / "validation.csv")
    rules = validation[validation["coder"] == "mixedwai"].set_index("code_id")
    codebook = load_codebook("ross2008-en")
    assert list(rules.index[:-1]) == codebook.code_ids
    # masks: recomputed from the two codings tables, sentence by sentence
    hand = coded["hand"]
    ours = coded["rules"]
    ref = set(zip(*hand.loc[hand["code_id"] == "masks", ["doc_id", "segment_id"]].T.values,
                  strict=True))
    got = set(zip(*ours.loc[ours["code_id"] == "masks", ["doc_id", "segment_id"]].T.values,
                  strict=True))
    assert rules.loc["masks", "precision"] == pytest.approx(len(ref & got) / len(got))
    assert rules.loc["masks", "recall"] == pytest.approx(len(ref & got) / len(ref))
    agreement = pd.read_csv(out / "agreement.csv")
    assert list(agreement.columns) == [
        "level", "id", "label", "n_units", "n_coders", "prevalence", "percent_agreement",
        "cohen_kappa", "fleiss_kappa", "krippendorff_alpha", "alpha_low", "alpha_high"]
    summary = (out / "summary.txt").read_text(encoding="utf-8")
    assert "Against the reference coder second_coder" in summary


def test_cli_outputs_are_byte_identical_on_a_rerun(coded: dict, tmp_path: Path) -> None:
    args = ["agreement", "--transcripts", "sample_corpus/transcripts",
            "--codings", str(coded["rules_path"]), "sample_corpus/second_coder_codings.csv",
            "--codebook", "ross2008-en", "--n-boot", "100"]
    assert main([*args, "--out", str(tmp_path / "a")]) == 0
    assert main([*args, "--out", str(tmp_path / "b")]) == 0
    for name in ("agreement.csv", "disagreements.csv", "summary.txt"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()


def test_cli_bad_codings_exit_2_naming_file_and_row(tmp_path: Path, capsys) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("doc_id,start,end,code_id,coder\nES03_C01,10,5,masks,AL\n", encoding="utf-8")
    status = main(["agreement", "--transcripts", "sample_corpus/transcripts", "--codings",
                   str(bad), "--codings", "sample_corpus/second_coder_codings.csv",
                   "--codebook", "ross2008-en", "--out", str(tmp_path / "out")])
    assert status == 2
    err = capsys.readouterr().err
    assert "bad.csv row 2" in err and "start = 10, end = 5" in err
    assert not (tmp_path / "out").exists()
