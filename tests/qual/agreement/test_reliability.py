"""mw.agreement: units, the table, disagreements and validation, against the reference packages."""

from __future__ import annotations

import krippendorff
import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import cohen_kappa_score
from statsmodels.stats.inter_rater import aggregate_raters
from statsmodels.stats.inter_rater import fleiss_kappa as sm_fleiss_kappa

from mixedwai.errors import DataValueError, InsufficientDataError, OptionError
from mixedwai.qual.agreement.reliability import AGREEMENT_COLUMNS, agreement
from mixedwai.qual.agreement.units import coding_units, unit_codings
from mixedwai.qual.codebook.model import Codebook
from mixedwai.qual.transcripts.model import Transcript

CODEBOOK = Codebook.model_validate({
    "name": "demo", "version": "1", "language": "en", "unit": "turn",
    "categories": [
        {"id": "alliance", "label": "Alliance", "codes": [
            {"id": "bond", "label": "Bond", "definition": "Trust."},
            {"id": "goals", "label": "Goals", "definition": "Goals."}]},
        {"id": "context", "label": "Context", "codes": [
            {"id": "phone", "label": "Phone", "definition": "Phone."}]},
    ],
})


def _corpus(n_docs: int = 3, n_turns: int = 12) -> list[Transcript]:
    docs = []
    for d in range(n_docs):
        lines = [f"{'ES' if t % 2 == 0 else 'Interviewer'}: Turn {t} of document {d}. It went."
                 for t in range(n_turns)]
        docs.append(Transcript.from_text("\n".join(lines), doc_id=f"ES{d + 1}_C1"))
    return docs


def _random_codings(corpus: list[Transcript], coders: list[str], seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    rows = []
    for t in corpus:
        for turn in t.turns:
            truth = rng.random(3) < [0.4, 0.3, 0.2]
            for coder in coders:
                for code, present in zip(("bond", "goals", "phone"), truth, strict=True):
                    if present != (rng.random() < 0.2):  # each coder flips 20 % of judgements
                        rows.append((t.doc_id, turn.start, turn.end, code, coder))
    return pd.DataFrame(rows, columns=["doc_id", "start", "end", "code_id", "coder"])


def _exclusive(codings: pd.DataFrame) -> pd.DataFrame:
    """Keep one alliance code per coder and turn (bond wins), so the category is exclusive."""
    alliance = codings["code_id"].isin(["bond", "goals"])
    ranked = codings[alliance].sort_values("code_id", kind="mergesort")
    first = ranked.drop_duplicates(["doc_id", "start", "coder"])
    return pd.concat([first, codings[~alliance]]).sort_index()


def test_code_rows_equal_the_reference_packages_on_the_presence_matrix() -> None:
    corpus = _corpus()
    codings = _random_codings(corpus, ["AL", "BO", "CY"], seed=1)
    result = agreement(codings, corpus, codebook=CODEBOOK, n_boot=100)
    assert result.table.columns.tolist() == list(AGREEMENT_COLUMNS)
    for code in ("bond", "goals", "phone"):
        row = result.table.set_index("id").loc[code]
        presence = result.data.presence(code)
        assert row["krippendorff_alpha"] == pytest.approx(
            krippendorff.alpha(presence.to_numpy().T, level_of_measurement="nominal"))
        table, _ = aggregate_raters(presence.to_numpy().astype(int))
        assert row["fleiss_kappa"] == pytest.approx(sm_fleiss_kappa(table, method="fleiss"))
        assert np.isnan(row["cohen_kappa"])  # three coders
        assert row["n_units"] == 36 and row["n_coders"] == 3
        assert row["prevalence"] == pytest.approx(presence.to_numpy().mean())
        pairs = [(a, b) for a in presence for b in presence if a < b]
        agree = np.mean([(presence[a] == presence[b]).mean() for a, b in pairs])
        assert row["percent_agreement"] == pytest.approx(agree)
        assert row["alpha_low"] <= row["krippendorff_alpha"] <= row["alpha_high"]


def test_two_coders_get_cohen_kappa_from_sklearn_and_overall_pools_codes() -> None:
    corpus = _corpus()
    codings = _random_codings(corpus, ["AL", "BO"], seed=2)
    result = agreement(codings, corpus, codebook=CODEBOOK, n_boot=100)
    table = result.table.set_index("id")
    stacked = []
    for code in ("bond", "goals", "phone"):
        presence = result.data.presence(code)
        stacked.append(presence)
        assert table.loc[code, "cohen_kappa"] == pytest.approx(
            cohen_kappa_score(presence["AL"], presence["BO"]))
    pooled = pd.concat(stacked)
    assert table.loc["all", "level"] == "overall"
    assert table.loc["all", "cohen_kappa"] == pytest.approx(
        cohen_kappa_score(pooled["AL"], pooled["BO"]))
    assert table.loc["all", "krippendorff_alpha"] == pytest.approx(
        krippendorff.alpha(pooled.to_numpy().T, level_of_measurement="nominal"))
    assert table.loc["all", "percent_agreement"] == pytest.approx(
        (pooled["AL"] == pooled["BO"]).mean())


def test_exclusive_category_is_one_nominal_variable() -> None:
    corpus = _corpus()
    codings = _exclusive(_random_codings(corpus, ["AL", "BO", "CY"], seed=3))
    result = agreement(codings, corpus, codebook=CODEBOOK, n_boot=50)
    row = result.table.set_index("id").loc["alliance"]
    assert row["level"] == "category"
    values = result.data.values(["bond", "goals"])
    numeric = values.replace({"bond": 0.0, "goals": 1.0}).astype(float).to_numpy().T
    assert row["krippendorff_alpha"] == pytest.approx(
        krippendorff.alpha(numeric, level_of_measurement="nominal"))
    with_none = result.data.values(["bond", "goals"], uncoded="value")
    assert set(with_none.stack()) <= {"bond", "goals", "(none)"}
    valued = agreement(codings, corpus, codebook=CODEBOOK, n_boot=0, uncoded="value")
    numeric = with_none.replace({"bond": 0.0, "goals": 1.0, "(none)": 2.0})
    assert valued.table.set_index("id").loc["alliance", "krippendorff_alpha"] == pytest.approx(
        krippendorff.alpha(numeric.astype(float).to_numpy().T, level_of_measurement="nominal"))
    # "context" has one code: compared as a code only
    assert "context" not in set(result.table["id"])


def test_category_used_as_not_exclusive_is_named_in_the_notes() -> None:
    corpus = _corpus()
    codings = _random_codings(corpus, ["AL", "BO"], seed=4)
    result = agreement(codings, corpus, codebook=CODEBOOK, n_boot=0)
    assert "alliance" not in set(result.table["id"])
    assert any("category 'alliance' is not compared" in n for n in result.notes)
    with pytest.raises(DataValueError, match="not mutually exclusive"):
        agreement(codings, corpus, codebook=CODEBOOK, n_boot=0, categories=["alliance"])


def test_a_document_a_coder_did_not_code_is_missing_not_absent() -> None:
    corpus = _corpus(n_docs=2, n_turns=4)
    doc_a, doc_b = corpus
    rows = [(doc_a.doc_id, doc_a.turns[0].start, doc_a.turns[0].end, "bond", c)
            for c in ("AL", "BO")]
    rows.append((doc_b.doc_id, doc_b.turns[1].start, doc_b.turns[1].end, "bond", "AL"))
    codings = pd.DataFrame(rows, columns=["doc_id", "start", "end", "code_id", "coder"])
    result = agreement(codings, corpus, codebook=CODEBOOK, n_boot=0)
    presence = result.data.presence("bond")
    assert presence.loc[doc_b.doc_id, "BO"].isna().all()
    assert result.table.set_index("id").loc["bond", "n_units"] == 4  # doc_a's four turns
    told = agreement(codings, corpus, codebook=CODEBOOK, n_boot=0,
                     documents={"BO": [doc_a.doc_id, doc_b.doc_id]})
    assert told.table.set_index("id").loc["bond", "n_units"] == 8
    assert len(told.disagreements) == 1
    assert told.disagreements.loc[0, ["AL", "BO"]].tolist() == ["bond", ""]


def test_overlap_rules_and_speakers() -> None:
    t = Transcript.from_text("ES: One. Two. Three.\nInterviewer: Why?\nES: Four.", doc_id="d")
    start = t.text.index("Two")
    end = t.text.index("Why") + 2  # spans "Two. Three." and part of the interviewer turn
    codings = pd.DataFrame({"doc_id": ["d", "d"], "start": [start, 0], "end": [end, 1],
                            "code_id": ["bond", "goals"], "coder": ["AL", "BO"]})
    def applied(**options):
        data = unit_codings(codings, [t], unit="sentence", **options)
        return data.presence("bond")["AL"].to_dict()
    assert applied() == {("d", "t0.s0"): 0, ("d", "t0.s1"): 1, ("d", "t0.s2"): 1,
                         ("d", "t1.s0"): 1, ("d", "t2.s0"): 0}
    assert sum(applied(overlap="start").values()) == 1
    assert applied(overlap=0.75)[("d", "t1.s0")] == 0  # 2 of 4 characters of "Why?"
    es_only = unit_codings(codings, [t], unit="sentence", speakers="ES")
    assert list(es_only.units["segment_id"]) == ["t0.s0", "t0.s1", "t0.s2", "t2.s0"]
    assert any("apply to no unit" in n for n in es_only.notes)  # BO's coding on "ES: "
    with pytest.raises(OptionError, match="overlap"):
        unit_codings(codings, [t], overlap=1.5)


def test_units_from_a_units_table_equal_units_from_the_corpus() -> None:
    corpus = _corpus()
    codings = _random_codings(corpus, ["AL", "BO"], seed=5)
    units = coding_units(corpus, unit="sentence")
    a = agreement(codings, corpus, codebook=CODEBOOK, unit="sentence", n_boot=50)
    b = agreement(codings, units, codebook=CODEBOOK, n_boot=50)
    pd.testing.assert_frame_equal(a.table, b.table)


def test_same_seed_same_table_and_row_order_does_not_matter() -> None:
    corpus = _corpus()
    codings = _random_codings(corpus, ["AL", "BO", "CY"], seed=6)
    a = agreement(codings, corpus, codebook=CODEBOOK, n_boot=200, random_state=7)
    b = agreement(codings.sample(frac=1, random_state=0), corpus, codebook=CODEBOOK,
                  n_boot=200, random_state=7)
    pd.testing.assert_frame_equal(a.table, b.table)
    pd.testing.assert_frame_equal(a.disagreements, b.disagreements)
    c = agreement(codings, corpus, codebook=CODEBOOK, n_boot=200, random_state=8)
    assert not c.table["alpha_low"].equals(a.table["alpha_low"])


def test_disagreements_list_each_coders_codes() -> None:
    corpus = _corpus()
    codings = _random_codings(corpus, ["AL", "BO"], seed=7)
    result = agreement(codings, corpus, codebook=CODEBOOK, n_boot=0)
    frame = result.disagreements
    presence = {c: result.data.presence(c) for c in ("bond", "goals", "phone")}
    split = sum((p["AL"] != p["BO"]).astype(int) for p in presence.values()) > 0
    assert len(frame) == int(split.sum())
    first = frame.iloc[0]
    for coder in ("AL", "BO"):
        expected = [c for c, p in presence.items()
                    if p.loc[(first["doc_id"], first["segment_id"]), coder] == 1]
        assert first[coder] == "; ".join(expected)
    assert frame["text"].iloc[0].startswith("Turn")


def test_validation_against_a_reference_coder() -> None:
    corpus = _corpus()
    codings = _random_codings(corpus, ["AL", "mixedwai"], seed=8)
    result = agreement(codings, corpus, codebook=CODEBOOK, n_boot=0, reference="AL")
    table = result.validation.set_index("code_id")
    for code in ("bond", "goals", "phone"):
        p = result.data.presence(code)
        ref, rules = p["AL"].astype(bool), p["mixedwai"].astype(bool)
        tp = int((ref & rules).sum())
        assert table.loc[code, "tp"] == tp
        assert table.loc[code, "precision"] == pytest.approx(tp / rules.sum())
        assert table.loc[code, "recall"] == pytest.approx(tp / ref.sum())
        assert table.loc[code, "cohen_kappa"] == pytest.approx(cohen_kappa_score(ref, rules))
    assert table.loc["(all codes)", "tp"] == table.loc[["bond", "goals", "phone"], "tp"].sum()
    with pytest.raises(OptionError, match="'ZZ' is not one of the coders"):
        agreement(codings, corpus, codebook=CODEBOOK, n_boot=0, reference="ZZ")


def test_errors_name_rows_and_values() -> None:
    corpus = _corpus()
    codings = _random_codings(corpus, ["AL", "BO"], seed=9)
    bad = codings.copy()
    bad.loc[3, "doc_id"] = "nope"
    bad.loc[5, "end"] = 10**6
    bad.loc[6, "code_id"] = "trust"
    with pytest.raises(DataValueError) as info:
        agreement(bad, corpus, codebook=CODEBOOK)
    message = str(info.value)
    assert "row 5: doc_id 'nope'" in message and "row 7" in message and "'trust'" in message
    with pytest.raises(InsufficientDataError, match="at least two coders"):
        agreement(codings[codings["coder"] == "AL"], corpus, codebook=CODEBOOK)
    with pytest.raises(OptionError, match="'CY' coded nothing"):
        agreement(codings, corpus, codebook=CODEBOOK, coders=["AL", "CY"])


def test_summary_and_method_words() -> None:
    corpus = _corpus()
    codings = _random_codings(corpus, ["AL", "BO"], seed=10)
    result = agreement(codings, corpus, codebook=CODEBOOK, n_boot=100, reference="AL")
    text = result.summary()
    assert "Agreement between coders: AL, BO" in text and "Against the reference coder AL" in text
    assert "Cohen's kappa" in result.method() and "100 resamples" in result.method()


def test_overall_interval_matches_a_plain_bootstrap_of_segments() -> None:
    corpus = _corpus(n_docs=4, n_turns=15)
    codings = _random_codings(corpus, ["AL", "BO", "CY"], seed=11)
    result = agreement(codings, corpus, codebook=CODEBOOK, n_boot=2000, random_state=1)
    overall = result.table.set_index("id").loc["all"]
    presence = np.stack([result.data.presence(c).to_numpy() for c in ("bond", "goals", "phone")])
    rng = np.random.default_rng(0)
    plain = []
    n_units = presence.shape[1]
    for _ in range(2000):
        sample = presence[:, rng.integers(0, n_units, n_units)]  # whole segments, all codes
        plain.append(krippendorff.alpha(sample.reshape(-1, 3).T, level_of_measurement="nominal"))
    assert overall["alpha_low"] == pytest.approx(np.quantile(plain, 0.025), abs=0.02)
    assert overall["alpha_high"] == pytest.approx(np.quantile(plain, 0.975), abs=0.02)


def test_a_units_table_of_some_speakers_accepts_codings_past_its_last_unit() -> None:
    t = Transcript.from_text("ES: We trust.\nInterviewer: And then? Tell me more.", doc_id="d")
    units = coding_units([t], speakers="ES")
    late = t.text.index("Tell")
    codings = pd.DataFrame({"doc_id": ["d"] * 3, "start": [4, 4, late],
                            "end": [13, 13, len(t.text)], "code_id": ["bond"] * 3,
                            "coder": ["AL", "BO", "AL"]})
    data = unit_codings(codings, units)
    assert data.presence("bond").to_numpy().tolist() == [[1.0, 1.0]]
    assert any("1 coding(s) apply to no unit" in n for n in data.notes)
