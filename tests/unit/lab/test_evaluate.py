"""Scoring a clustering against the truth: B-cubed, over-merges, the baseline, the report."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from graph.errors import InputError
from graph.lab.evaluate import evaluate, format_report
from graph.lab.metrics import bcubed, connected_components, detection, over_merged
from graph.lab.truth import PersonInfo, Referral, Truth, load_truth

# Two people: p1 owns a, b; p2 owns c, d, e.
OWNERS = {"a": "p1", "b": "p1", "c": "p2", "d": "p2", "e": "p2"}


def test_perfect_clustering_scores_one() -> None:
    s = bcubed(OWNERS, {"a": "x", "b": "x", "c": "y", "d": "y", "e": "y"})
    assert (s.precision, s.recall, s.f1, s.identifiers) == (1.0, 1.0, 1.0, 5)


def test_everything_in_one_cluster() -> None:
    s = bcubed(OWNERS, dict.fromkeys(OWNERS, "all"))
    # p1's identifiers share the cluster with 2 of 5 of their own, p2's with 3 of 5.
    assert s.precision == pytest.approx((2 * 2 / 5 + 3 * 3 / 5) / 5)  # 0.52
    assert s.recall == 1.0
    assert s.f1 == pytest.approx(2 * 0.52 / 1.52)


def test_all_singletons_whether_labelled_or_missing() -> None:
    missing = bcubed(OWNERS, {})
    labelled = bcubed(OWNERS, {key: f"own-{key}" for key in OWNERS})
    assert missing == labelled
    assert missing.precision == 1.0
    assert missing.recall == pytest.approx((2 * 1 / 2 + 3 * 1 / 3) / 5)  # 0.4
    assert missing.f1 == pytest.approx(2 * 0.4 / 1.4)


def test_a_missing_identifier_never_joins_a_cluster_named_like_it() -> None:
    # "a" is predicted in a cluster labelled "b"; "b" itself is missing: two clusters.
    assert bcubed({"a": "p1", "b": "p2"}, {"a": "b"}).precision == 1.0


def test_unscored_identifiers_do_not_count() -> None:
    plain = bcubed(OWNERS, {"a": "x", "b": "x", "c": "y", "d": "y", "e": "y"})
    with_shared = bcubed(
        OWNERS, {"a": "x", "b": "x", "c": "y", "d": "y", "e": "y", "device:tablet": "x"}
    )
    assert plain == with_shared


def test_nothing_to_score() -> None:
    assert bcubed({}, {"a": "x"}).identifiers == 0


owners_strategy = st.dictionaries(
    st.text("abcdefgh", min_size=1, max_size=3), st.sampled_from(["p1", "p2", "p3", "p4"])
)


@given(owners_strategy, st.data())
def test_scores_are_shares(owners: dict[str, str], data: st.DataObject) -> None:
    predicted = {
        key: data.draw(st.sampled_from(["x", "y", "z"]))
        for key in owners
        if data.draw(st.booleans())
    }
    s = bcubed(owners, predicted)
    for score in (s.precision, s.recall, s.f1):
        assert 0.0 <= score <= 1.0


@given(owners_strategy)
def test_the_truth_itself_scores_one(owners: dict[str, str]) -> None:
    s = bcubed(owners, owners)
    assert (s.precision, s.recall, s.f1) == (1.0, 1.0, 1.0)


@given(owners_strategy, st.data())
def test_cluster_labels_do_not_matter(owners: dict[str, str], data: st.DataObject) -> None:
    labels = ["x", "y", "z"]
    predicted = {key: data.draw(st.sampled_from(labels)) for key in owners}
    renamed = dict(zip(labels, data.draw(st.permutations(labels)), strict=True))
    permuted = {key: renamed[label] for key, label in predicted.items()}
    assert bcubed(owners, permuted) == bcubed(owners, predicted)
    assert over_merged(owners, permuted) == over_merged(owners, predicted)


def test_over_merged_needs_two_people_with_two_identifiers_each() -> None:
    owners = {"a1": "A", "a2": "A", "a3": "A", "b1": "B", "b2": "B", "c1": "C"}
    assert over_merged(owners, dict.fromkeys(["a1", "a2", "b1", "b2"], "x")) == 1
    # One stray identifier of B in A's cluster is not a merge of identities.
    assert over_merged(owners, dict.fromkeys(["a1", "a2", "a3", "b1"], "x")) == 0
    assert over_merged(owners, {}) == 0  # missing identifiers are singletons
    two_clusters = {"a1": "x", "a2": "x", "b1": "x", "b2": "x", "a3": "y", "c1": "y"}
    assert over_merged(owners, two_clusters) == 1
    assert over_merged(owners, dict.fromkeys(owners, "x"), min_identifiers=1, min_people=3) == 1
    assert over_merged(owners, dict.fromkeys(owners, "x"), min_people=3) == 0


def test_over_merged_rejects_meaningless_thresholds() -> None:
    with pytest.raises(ValueError, match="min_people"):
        over_merged(OWNERS, {}, min_people=1)
    with pytest.raises(ValueError, match="min_identifiers"):
        over_merged(OWNERS, {}, min_identifiers=0)


def test_connected_components_label_by_smallest_member() -> None:
    labels = connected_components(["f", "b", "a"], [("b", "c"), ("a", "b"), ("e", "d")])
    assert labels == {"a": "a", "b": "a", "c": "a", "d": "d", "e": "d", "f": "f"}


def _truth() -> Truth:
    return Truth(
        owners={"email:a": "p1", "cookie:b": "p1", "email:c": "p2", "cookie:d": "p2"},
        shared={"device:tablet": ("p1", "p2")},
        shared_kinds={"device:tablet": "household"},
        people={"p1": PersonInfo(household="h1"), "p2": PersonInfo(household="h1")},
        households={"h1": ("p1", "p2")},
        referrals=(Referral("p1", "p2", "2026-03-04T10:00:00Z"),),
    )


def test_evaluate_sets_idgraph_beside_connected_components() -> None:
    truth = _truth()
    links = [
        ("email:a", "cookie:b"),
        ("email:c", "cookie:d"),
        ("cookie:b", "device:tablet"),
        ("device:tablet", "cookie:d"),
    ]
    predicted = {"email:a": "X", "cookie:b": "X", "email:c": "Y", "cookie:d": "Y"}
    report = evaluate(truth, predicted, iter(links))
    assert (report.identifiers, report.people, report.shared) == (4, 2, 1)
    assert (report.idgraph.f1, report.idgraph.over_merged, report.idgraph.clusters) == (1.0, 0, 2)
    base = report.baseline
    assert (base.precision, base.recall, base.over_merged, base.clusters) == (0.5, 1.0, 1, 1)
    assert (report.idgraph.mixed, report.idgraph.shared_kept) == (0, 1.0)
    assert (base.mixed, base.shared_kept, base.over_merged_share) == (1, 0.0, 1.0)
    assert (report.idgraph.mixed_share, base.mixed_share) == (0.0, 1.0)
    as_dict = report.as_dict()
    assert set(as_dict) == {"identifiers", "people", "shared", "idgraph", "connected_components"}
    assert as_dict["connected_components"]["over_merged"] == 1
    json.dumps(as_dict)  # plain JSON types

    table = format_report(report).splitlines()
    assert table[0].split() == [
        "method",
        "precision",
        "recall",
        "f1",
        "over-merged",
        "share",
        "mixed",
        "mixed-share",
        "rings-fused",
        "shared-kept",
        "clusters",
    ]
    assert table[1].split()[0] == "idgraph" and table[2].split()[0] == "connected_components"
    assert len({len(line) for line in table[:3]}) == 1  # aligned
    assert "scored identifiers: 4" in table[3]


def test_truth_round_trips_through_json(tmp_path: Path) -> None:
    truth = _truth()
    path = tmp_path / "truth.json"
    path.write_text(json.dumps(truth.as_dict()))
    assert load_truth(path) == truth


def test_version_1_flat_truth_is_owners_only(tmp_path: Path) -> None:
    path = tmp_path / "truth.json"
    path.write_text(json.dumps({"email:a": "p1", "phone:+33612345678": "p2"}))
    truth = load_truth(path)
    assert truth.version == 1
    assert truth.owners == {"email:a": "p1", "phone:+33612345678": "p2"}
    assert truth.shared == {} and truth.rings == {} and truth.referrals == ()


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("{not json", "not JSON"),
        ("[1, 2]", "JSON object"),
        ('{"version": 3}', "unsupported version"),
        ('{"email:a": 1}', "version 1"),
        ('{"version": 2, "owners": []}', "owners"),
        ('{"version": 2, "people": {"p1": {"kind": "alien"}}}', "kind"),
        ('{"version": 2, "referrals": [["p1", "p2"]]}', "referrals[0]"),
    ],
)
def test_bad_truth_files_are_input_errors(tmp_path: Path, text: str, words: str) -> None:
    path = tmp_path / "truth.json"
    path.write_text(text)
    with pytest.raises(InputError, match=re.escape(words)):
        load_truth(path)


def _fraud_truth() -> Truth:
    """Two ring members (r1, r2), a bot (b1) and two ordinary people (p1, p2)."""
    owners = {
        "email:r1": "r1", "cookie:r1": "r1",
        "email:r2": "r2", "cookie:r2": "r2",
        "device:b1": "b1", "cookie:b1a": "b1", "cookie:b1b": "b1",
        "email:p1": "p1", "cookie:p1": "p1",
        "email:p2": "p2",
    }  # fmt: skip
    people = {
        "r1": PersonInfo(kind="synthetic", ring="r0001"),
        "r2": PersonInfo(kind="synthetic", ring="r0001"),
        "b1": PersonInfo(kind="bot"),
        "p1": PersonInfo(),
        "p2": PersonInfo(),
    }
    return Truth(owners=owners, people=people, rings={"r0001": ("r1", "r2")}, bots=("b1",))


def test_detection_maps_identities_to_their_majority_person() -> None:
    truth = _fraud_truth()
    predicted = {
        "email:r1": "I1", "cookie:r1": "I1",
        "email:r2": "I2", "cookie:r2": "I2",
        "device:b1": "B", "cookie:b1a": "B", "cookie:b1b": "B",
        # p1's identity holds a stray cookie of p2: still p1's.
        "email:p1": "P1", "cookie:p1": "P1", "email:p2": "P1",
    }  # fmt: skip
    flags = {"I1": ["ring_member"], "P1": ["ring_member"], "B": ["bot_suspected"], "I2": []}
    rings = detection(truth, predicted, flags, "ring_member", "synthetic")
    assert (rings.planted, rings.found, rings.flagged, rings.true_flagged) == (2, 1, 2, 1)
    assert (rings.recall, rings.precision) == (0.5, 0.5)
    bots = detection(truth, predicted, flags, "bot_suspected", "bot")
    assert (bots.recall, bots.precision) == (1.0, 1.0)
    # Nothing flagged: precision is vacuous (1.0), recall 0.
    none = detection(truth, predicted, {}, "ring_member", "synthetic")
    assert (none.recall, none.precision, none.flagged) == (0.0, 1.0, 0)

    report = evaluate(truth, predicted, [], flags)
    assert report.rings == rings and report.bots == bots
    as_dict = report.as_dict()
    assert as_dict["rings"]["recall"] == 0.5 and as_dict["bots"]["precision"] == 1.0
    json.dumps(as_dict)
    text = format_report(report)
    assert "fraud rings: recall 0.5000 (1 of 2 planted found), precision 0.5000" in text
    assert "bots: recall 1.0000" in text
    assert "rings" not in evaluate(truth, predicted, []).as_dict()


def test_truth_metrics_and_report_are_pure() -> None:
    import subprocess
    import sys

    code = (
        "import sys, graph.lab.truth, graph.lab.metrics, graph.lab.evaluate;"
        "print('neo4j' in sys.modules, 'fastapi' in sys.modules, 'graph.store' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False", "False"]
