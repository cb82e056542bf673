"""Real data: the ten AnnoMI annotators as ten coders (../shared/corpora).

``annomi_multiannotator_subset.csv`` holds 428 utterances of 7 counselling sessions,
each labelled by all 10 annotators: therapist utterances with a main behaviour (4
categories), client utterances with a talk type (3). The sessions are rendered as
transcripts (one ``Therapist:``/``Client:`` line per utterance, so turn i is utterance
i), each annotator's labels become a coder's codings of the turns, and ``mixedwai
agreement`` must give, per category, the alpha of the ``krippendorff`` package and the
Fleiss' kappa of statsmodels on the same annotator matrix, and per code the
presence/absence alpha.
"""

from __future__ import annotations

from pathlib import Path

import krippendorff
import numpy as np
import pandas as pd
import pytest
import yaml
from statsmodels.stats.inter_rater import aggregate_raters
from statsmodels.stats.inter_rater import fleiss_kappa as sm_fleiss_kappa

from mixedwai.cli import main
from mixedwai.qual.transcripts.loading import load_corpus

THERAPIST = ["question", "reflection", "therapist_input", "other"]
CLIENT = ["change", "neutral", "sustain"]


@pytest.fixture(scope="module")
def annomi(shared_corpora: Path, tmp_path_factory: pytest.TempPathFactory) -> dict:
    frame = pd.read_csv(shared_corpora / "annomi_multiannotator_subset.csv")
    root = tmp_path_factory.mktemp("annomi")
    folder = root / "transcripts"
    folder.mkdir()
    utterances = (frame.drop_duplicates(["transcript_id", "utterance_id"])
                  .sort_values(["transcript_id", "utterance_id"]))
    for tid, group in utterances.groupby("transcript_id"):
        lines = [f"{who.capitalize()}: {' '.join(str(text).split())}"
                 for who, text in zip(group["interlocutor"], group["utterance_text"], strict=True)]
        (folder / f"annomi_{tid}.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    corpus = load_corpus(folder)
    rows = []
    for record in frame.itertuples(index=False):
        transcript = corpus[f"annomi_{record.transcript_id}"]
        turn = transcript.turns[record.utterance_id]
        label = (record.main_therapist_behaviour if record.interlocutor == "therapist"
                 else record.client_talk_type)
        rows.append((transcript.doc_id, turn.start, turn.end, label,
                     f"annotator_{record.annotator_id}"))
    codings = pd.DataFrame(rows, columns=["doc_id", "start", "end", "code_id", "coder"])
    codings_path = root / "codings.csv"
    codings.to_csv(codings_path, index=False)
    codebook = {
        "name": "annomi", "version": "1", "language": "en", "unit": "turn",
        "categories": [
            {"id": "therapist_behaviour", "label": "Main therapist behaviour",
             "codes": [{"id": c, "label": c, "definition": c} for c in THERAPIST]},
            {"id": "client_talk_type", "label": "Client talk type",
             "codes": [{"id": c, "label": c, "definition": c} for c in CLIENT]},
        ],
    }
    codebook_path = root / "annomi.yaml"
    codebook_path.write_text(yaml.safe_dump(codebook, sort_keys=False), encoding="utf-8")
    return {"frame": frame, "corpus": corpus, "folder": folder, "codings": codings_path,
            "codebook": codebook_path, "root": root}


def _matrix(frame: pd.DataFrame, column: str) -> pd.DataFrame:
    """Utterances x annotators labels (NaN where the column does not apply), all 428 rows."""
    every = pd.MultiIndex.from_frame(
        frame[["transcript_id", "utterance_id"]].drop_duplicates().sort_values(
            ["transcript_id", "utterance_id"]))
    return frame.pivot_table(index=["transcript_id", "utterance_id"], columns="annotator_id",
                             values=column, aggfunc="first", dropna=False).reindex(every)


def test_rendered_transcripts_have_one_turn_per_utterance(annomi: dict) -> None:
    frame = annomi["frame"]
    for transcript in annomi["corpus"]:
        tid = int(transcript.doc_id.split("_")[1])
        assert len(transcript.turns) == frame.loc[frame["transcript_id"] == tid,
                                                  "utterance_id"].nunique()


def test_cli_agreement_equals_krippendorff_and_statsmodels(annomi: dict) -> None:
    out = annomi["root"] / "out"
    status = main(["agreement", "--transcripts", str(annomi["folder"]), "--codings",
                   str(annomi["codings"]), "--codebook", str(annomi["codebook"]),
                   "--unit", "turn", "--n-boot", "200", "--out", str(out)])
    assert status == 0
    table = pd.read_csv(out / "agreement.csv").set_index("id")
    assert {p.name for p in out.iterdir()} >= {"agreement.csv", "disagreements.csv",
                                              "summary.txt"}
    frame = annomi["frame"]
    for category, column, codes in (("therapist_behaviour", "main_therapist_behaviour",
                                      THERAPIST),
                                     ("client_talk_type", "client_talk_type", CLIENT)):
        labels = _matrix(frame, column).dropna(how="all")
        numeric = labels.replace({c: float(i) for i, c in enumerate(codes)}).astype(float)
        expected_alpha = krippendorff.alpha(numeric.to_numpy().T,
                                            level_of_measurement="nominal")
        counts, _ = aggregate_raters(labels.to_numpy())
        expected_kappa = sm_fleiss_kappa(counts, method="fleiss")
        row = table.loc[category]
        assert row["level"] == "category"
        assert row["n_units"] == len(labels) and row["n_coders"] == 10
        assert row["krippendorff_alpha"] == pytest.approx(expected_alpha, abs=1e-9)
        assert row["fleiss_kappa"] == pytest.approx(expected_kappa, abs=1e-9)
        assert row["alpha_low"] < row["krippendorff_alpha"] < row["alpha_high"]
    # per code: presence/absence on every utterance (the other speaker's turns are "absent")
    therapist = _matrix(frame, "main_therapist_behaviour")
    client = _matrix(frame, "client_talk_type")
    for code in THERAPIST + CLIENT:
        source = therapist if code in THERAPIST else client
        presence = (source == code).astype(float).to_numpy().T
        assert table.loc[code, "krippendorff_alpha"] == pytest.approx(
            krippendorff.alpha(presence, level_of_measurement="nominal"), abs=1e-9)
        assert table.loc[code, "n_units"] == 428


def test_disagreements_and_validation_against_one_annotator(annomi: dict) -> None:
    out = annomi["root"] / "out_reference"
    status = main(["agreement", "--transcripts", str(annomi["folder"]), "--codings",
                   str(annomi["codings"]), "--codebook", str(annomi["codebook"]),
                   "--reference", "annotator_0", "--n-boot", "0", "--out", str(out)])
    assert status == 0
    validation = pd.read_csv(out / "validation.csv")
    assert set(validation["coder"]) == {f"annotator_{i}" for i in range(1, 10)}
    frame = annomi["frame"]
    labels = frame.assign(label=frame["main_therapist_behaviour"].fillna(
        frame["client_talk_type"])).pivot_table(index=["transcript_id", "utterance_id"],
                                                columns="annotator_id", values="label",
                                                aggfunc="first")
    row = validation.set_index(["coder", "code_id"]).loc[("annotator_3", "question")]
    ref, other = labels[0] == "question", labels[3] == "question"
    assert row["tp"] == int((ref & other).sum())
    assert row["precision"] == pytest.approx((ref & other).sum() / other.sum())
    assert row["recall"] == pytest.approx((ref & other).sum() / ref.sum())
    disagreements = pd.read_csv(out / "disagreements.csv", keep_default_na=False)
    assert len(disagreements) == int((labels.nunique(axis=1) > 1).sum())
    assert np.all(disagreements[[f"annotator_{i}" for i in range(10)]] != "(not coded)")
