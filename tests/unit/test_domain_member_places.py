"""A member's chi bộ over time (quá trình sinh hoạt đảng; issue 12), and an
open plan's path after a reorganisation, as pure functions (no I/O)."""

from domain.reorganisation import chi_bo_over_time, rebased


def period(valid_from, parent, name, decision=None, seq=1, ended=0):
    return {
        "valid_from": valid_from,
        "parent_id": parent,
        "name": name,
        "decision_no": decision,
        "seq": seq,
        "ended": ended,
    }


MERGER = "2025-07-01"
PERIODS = {
    "tinh": [period("", None, "Tỉnh ủy")],
    "huyen": [period("", "tinh", "Huyện ủy")],
    "xa": [
        period("", "huyen", "Xã cũ"),
        period(MERGER, "huyen", "Xã cũ", "1-QĐ", 2, 1),
    ],
    "xa-moi": [period(MERGER, "tinh", "Xã mới", "1-QĐ")],
    "cb-a": [
        period("", "xa", "Chi bộ A"),
        period(MERGER, "xa-moi", "Chi bộ A", "1-QĐ", 2),
    ],
    "cb-b": [period("", "xa-moi", "Chi bộ B")],
}


def names(row):
    return [name for _id, name in row["path"]]


def test_a_member_stays_in_a_chi_bo_moved_by_a_merger_then_is_transferred():
    """Enrolled in Chi bộ A of Xã cũ; the chi bộ moves under Xã mới on 1/7/2025
    by decision 1-QĐ (the member does not move: a new stretch all the same);
    then a plain transfer to Chi bộ B on 1/9/2025."""
    cells = [
        {"cell_id": "cb-a", "valid_from": "", "decision_no": None},
        {"cell_id": "cb-b", "valid_from": "2025-09-01", "decision_no": None},
    ]
    rows = chi_bo_over_time(cells, lambda org: PERIODS[org])
    assert [(r["from"], r["until"], r["how"]) for r in rows] == [
        (None, "2025-07-01", "enrolled"),
        ("2025-07-01", "2025-09-01", "reorganised"),
        ("2025-09-01", None, "transferred"),
    ]
    assert names(rows[0]) == ["Tỉnh ủy", "Huyện ủy", "Xã cũ", "Chi bộ A"]
    assert names(rows[1]) == ["Tỉnh ủy", "Xã mới", "Chi bộ A"]
    assert rows[1]["decision_no"] == "1-QĐ"
    assert names(rows[2]) == ["Tỉnh ủy", "Xã mới", "Chi bộ B"]


def test_an_open_plans_path_is_rebased_on_the_successor_or_the_new_parent():
    path = ["cb-a", "xa", "huyen", "tinh"]  # nearest first, like a subject's
    assert rebased(path, "xa", ["xa-moi", "tinh"], keep=False) == [
        "cb-a", "xa-moi", "tinh",
    ]  # fmt: skip
    assert rebased(path, "xa", ["tinh"], keep=True) == ["cb-a", "xa", "tinh"]
    assert rebased(path, "cb-a", ["cb-b", "xa-moi", "tinh"], keep=False) == [
        "cb-b", "xa-moi", "tinh",
    ]  # fmt: skip
