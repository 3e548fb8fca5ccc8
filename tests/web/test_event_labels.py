"""Every event the ledger may hold has a Vietnamese name on history pages."""

from pathlib import Path

from web.catalogue.audit import EVENT_LABELS, event_label

TOPICS = Path(__file__).resolve().parents[1] / "topics.txt"


def committed_topics():
    lines = TOPICS.read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


def test_every_committed_topic_has_a_vietnamese_label():
    missing = [
        t for t in committed_topics() if t.rpartition(":")[2] not in EVENT_LABELS
    ]
    assert missing == []


def test_label_is_found_from_the_stored_topic():
    assert event_label("domain.accounts:UserAccount.Opened") == "Tạo tài khoản"
    assert event_label("domain.reviews:Review.Opened") == "Mở hồ sơ kiểm điểm"
    assert event_label("VoteBallotCast") == "Phiếu bầu"
    assert event_label("new.module:Thing.Happened") == "Thing.Happened"


def test_every_bare_event_name_of_the_history_filter_is_vietnamese():
    """The history's filter lists bare names (``Opened``): each reads in Vietnamese,
    one shared name where several records have an event of that name."""
    bare = {t.rpartition(":")[2].rpartition(".")[2] for t in committed_topics()}
    untranslated = [name for name in bare if event_label(name) == name]
    assert untranslated == []
    assert event_label("Opened") == "Mở hồ sơ"
    assert event_label("RemediationPlanAdopted") == "Thông qua kế hoạch khắc phục"
