"""``kiemdiem orgs merge / move / history``: the reorganisation from a script,
signed by the account named, refusals in plain words, nothing stored then."""

import json
import re
from datetime import UTC, datetime

from tests.test_cli import env, run  # noqa: F401 - the fixture


def _two_cells_of_one_parent(orgs):
    by_parent: dict[str, list[dict[str, str]]] = {}
    for o in orgs:
        if o["kind"] == "cell" and not o["dissolved"]:
            by_parent.setdefault(o["parent_id"], []).append(o)
    return next(cells for cells in by_parent.values() if len(cells) >= 2)[:2]


def test_merge_then_history(env, monkeypatch):  # noqa: F811
    result = run("init", "--origin", "kiemdiem.test/tinh", "--demo")
    password = re.search(r"Quản trị: admin / mật khẩu: (\S+)", result.output)
    assert password is not None
    monkeypatch.setenv("KIEMDIEM_PASSWORD", password.group(1))
    keep, gone = _two_cells_of_one_parent(
        json.loads(run("orgs", "list", "--json").output)
    )
    today = datetime.now(UTC).date().isoformat()
    refused = run(
        "orgs",
        "merge",
        gone["code"],
        "--into",
        keep["code"],
        "--decision",
        " ",
        "--effective",
        today,
    )
    assert refused.exit_code == 1
    assert "org.decision_required" in refused.output
    merged = run(
        "orgs", "merge", gone["code"], "--into", keep["code"],
        "--decision", "20-QĐ/HU", "--effective", today,
    )  # fmt: skip
    assert merged.exit_code == 0, merged.output
    assert merged.output.strip() == keep["org_id"]
    history = json.loads(run("orgs", "history", gone["code"], "--json").output)
    (link,) = history["successions"]
    assert (link["successor_id"], link["decision_no"]) == (keep["org_id"], "20-QĐ/HU")
    assert history["periods"][-1]["ended"] == 1
    members = json.loads(
        run("members", "list", "--cell", gone["org_id"], "--json").output
    )
    assert members == []


def test_history_of_an_unknown_organisation_is_refused(env):  # noqa: F811
    run("init", "--origin", "kiemdiem.test/tinh")
    answer = run("orgs", "history", "KHONG-CO")
    assert answer.exit_code == 1  # was: nothing printed, exit 0
    assert answer.output.startswith("Lỗi: Không tìm thấy tổ chức đảng.")


def test_merge_says_whether_the_peer_groups_follow(monkeypatch):
    """``orgs merge --no-peer-groups`` keeps the ended organisation's peer groups
    back; by default they follow (docs/rules.md, "What follows the decision")."""
    from cli import directory_cmd

    sent: list[bool] = []

    def capture(username, build):
        sent.append(build("u:thu").peer_groups_follow)

    monkeypatch.setattr(directory_cmd, "_send_reorganising", capture)
    today = datetime.now(UTC).date().isoformat()
    head = ("orgs", "merge", "cb-b", "--into", "cb-a", "--decision", "20-QĐ/HU")
    assert run(*head, "--effective", today).exit_code == 0
    assert run(*head, "--effective", today, "--no-peer-groups").exit_code == 0
    assert sent == [True, False]
