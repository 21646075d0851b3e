"""Item analysis against a small example computed by hand."""

import pytest

from courses.item_analysis import analyse, question_version


def question(qid, right, wrong, text=None, pool=""):
    return {
        "id": qid,
        "kind": "single",
        "text": text or qid,
        "explanation": "",
        "pool": pool,
        "choices": [{"id": right, "text": right, "correct": True, "feedback": ""}]
        + [{"id": w, "text": w, "correct": False, "feedback": ""} for w in wrong],
    }


Q1 = question("q1", "a", ["b", "c"])
Q2 = question("q2", "x", ["y"])


def attempt(learner, q1, q2, number=1, snapshot=(Q1, Q2)):
    right = (q1 == "a") + (q2 == "x")
    score = right * 100 // 2
    return {
        "learner": learner,
        "number": number,
        "score": score,
        "passed": score >= 80,
        "snapshot": list(snapshot),
        "answers": {"q1": [q1], "q2": [q2]},
    }


# Five learners' first attempts:   q1   q2   score
FIRST = [
    attempt(1, "a", "x"),  #         1    1    100
    attempt(2, "a", "y"),  #         1    0     50
    attempt(3, "b", "x"),  #         0    1     50
    attempt(4, "b", "y"),  #         0    0      0
    attempt(5, "a", "x"),  #         1    1    100
]


def by_id(result):
    return {row["id"]: row for row in result["questions"]}


def test_facility_discrimination_and_option_counts_match_the_hand_computed_example():
    # q1 right: 1,1,0,0,1 -> facility 3/5. Rest of the quiz (q2): 1,0,1,0,1.
    # Deviations from the mean 0.6: q1 (.4,.4,-.6,-.6,.4), rest (.4,-.6,.4,-.6,.4);
    # sum of products .16-.24-.24+.36+.16 = 0.2; sums of squares 1.2 each -> r = 0.2/1.2 = 1/6.
    result = analyse(FIRST)
    rows = by_id(result)
    assert result["attempts"] == 5 and result["learners"] == 5
    assert rows["q1"]["facility"] == pytest.approx(0.6)
    assert rows["q1"]["discrimination"] == pytest.approx(1 / 6)
    assert rows["q2"]["facility"] == pytest.approx(0.6)
    assert rows["q2"]["discrimination"] == pytest.approx(1 / 6)
    assert {o["id"]: o["picked"] for o in rows["q1"]["options"]} == {"a": 3, "b": 2, "c": 0}
    assert {o["id"]: o["picked"] for o in rows["q2"]["options"]} == {"x": 3, "y": 2}
    # Nobody picked c: a dead distractor.
    assert rows["q1"]["flags"] == ["dead_distractor"] and rows["q2"]["flags"] == []
    # Per attempt number: mean of 100, 50, 50, 0, 100 and two of five passed.
    (first,) = result["per_attempt_number"]
    assert first["average_score"] == pytest.approx(60) and first["pass_rate"] == pytest.approx(0.4)


def test_first_attempts_or_all_as_the_editor_picks():
    retry = attempt(4, "a", "x", number=2)
    everything = analyse([*FIRST, retry])
    assert by_id(everything)["q1"]["facility"] == pytest.approx(4 / 6)
    assert by_id(everything)["q1"]["responses"] == 6
    # Attempt 2 had one learner: withheld, no average shown.
    assert everything["per_attempt_number"][1] == {
        "number": 2,
        "learners": None,
        "attempts": None,
        "average_score": None,
        "pass_rate": None,
        "withheld": True,
    }
    first = analyse([*FIRST, retry], first_only=True)
    assert by_id(first)["q1"]["facility"] == pytest.approx(0.6) and first["attempts"] == 5


def test_nothing_is_shown_where_fewer_than_five_learners_answered():
    four = analyse(FIRST[:4])
    assert four["withheld"] and four["questions"] == [] and four["per_attempt_number"] == []
    # Five attempts by four people are still four learners.
    again = analyse([*FIRST[:4], attempt(4, "a", "x", number=2)])
    assert again["withheld"] and again["learners"] == 4


def test_strong_learners_failing_more_than_weak_ones_is_flagged():
    q3 = question("q3", "r", ["w"])
    rows = []
    for learner, (a1, a2, a3) in enumerate(
        [("a", "x", "w"), ("a", "x", "w"), ("a", "y", "w"), ("b", "y", "r"), ("b", "y", "r")]
    ):
        rows.append(
            {
                "learner": learner,
                "number": 1,
                "score": 0,
                "passed": False,
                "snapshot": [Q1, Q2, q3],
                "answers": {"q1": [a1], "q2": [a2], "q3": [a3]},
            }
        )
    q3_row = by_id(analyse(rows))["q3"]
    assert q3_row["discrimination"] < 0 and "negative_discrimination" in q3_row["flags"]


def test_an_edited_question_is_a_new_version_and_pools_count_only_where_asked():
    edited = {**Q1, "text": "q1, clearer"}
    assert question_version(edited) != question_version(Q1)
    later = [attempt(learner, "a", "x", snapshot=(edited, Q2)) for learner in range(6, 11)]
    rows = analyse([*FIRST, *later])["questions"]
    versions = [row for row in rows if row["id"] == "q1"]
    assert len(versions) == 2
    assert sorted(row["facility"] for row in versions) == pytest.approx([0.6, 1.0])
    # A pool question asked in only three attempts has three responses: withheld.
    pooled = question("p1", "m", ["n"], pool="pool")
    some = [
        {**attempt(n, "a", "x", snapshot=(Q1, pooled)), "answers": {"q1": ["a"], "p1": ["m"]}}
        for n in range(3)
    ]
    result = by_id(analyse([*FIRST, *some]))
    assert result["p1"]["withheld"] and result["p1"]["facility"] is None
    assert result["q1"]["responses"] == 8
