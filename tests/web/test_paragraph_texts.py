"""A text written in paragraphs keeps its lines (issue 13): a self-review's
numbered points, sent by the form (CRLF, as a browser sends a textarea) or by
the JSON API ("\\n"), are signed with their line breaks, shown line by line on
the subject page, the member's file and the event page (``white-space:
pre-line``, the text escaped), printed line by line in the PDF, and the store
still verifies. A line "<script>" stays text everywhere."""

from __future__ import annotations

import html
import io
import json
import unicodedata

from pypdf import PdfReader

from ledger import history
from ledger import verify as ledger_verify
from tests.web.test_rating_pages import API, SUBJ, R, url
from tests.web.test_rating_pages import cycle_world as cycle_world  # the fixture

POINTS = "1. Gương mẫu trong công tác\n2. Tận tụy với nhân dân"
SCRIPT = "<script>alert(1)</script>"
ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"


def _pdf_lines(data: bytes) -> list[str]:
    """The printout's lines of text, blank ones left out."""
    reader = PdfReader(io.BytesIO(data))
    text = "\n".join(page.extract_text() for page in reader.pages)
    lines = unicodedata.normalize("NFC", text).splitlines()
    return [line.strip() for line in lines if line.strip()]


def _signed_row(kiemdiem, review) -> history.Row:
    (row,) = [
        r
        for r in history.stream_rows(kiemdiem.ledger.sql, review)
        if r.topic.endswith("SelfReviewSubmitted")
    ]
    return row


def _check_everywhere(client, auth, kiemdiem, ids, signed: str) -> None:
    """``signed``: the section as signed. Stored as JSON escapes it; the subject
    page, the member's file and the event page show it line by line, escaped;
    the printout prints one line a line; the store verifies."""
    row = _signed_row(kiemdiem, ids["review"])
    assert json.dumps(signed, ensure_ascii=False)[1:-1].encode() in row.state
    shown = html.escape(signed, quote=False)
    assert ESCAPED in shown
    page = client.get(url(f"{R}/cycles/{SUBJ}", ids)).get_data(as_text=True)
    assert f'<p class="paragraphs">{shown}</p>' in page
    assert SCRIPT not in page
    printout = client.get(url(f"{R}/cycles/{SUBJ}/venues/{{cell}}/ban-in.pdf", ids))
    assert printout.status_code == 200
    lines = _pdf_lines(printout.data)
    first = lines.index("1. Gương mẫu trong công tác")
    assert lines[first + 1 : first + 3] == ["2. Tận tụy với nhân dân", SCRIPT]
    auth.logout()
    auth.login("inspector")
    file = client.get(f"/audit/subjects/{ids['member_id']}").get_data(as_text=True)
    assert f'<span class="paragraphs">{shown}</span>' in file
    assert SCRIPT not in file
    event = client.get(f"/audit/events/{row.notification_id}")
    assert event.status_code == 200
    assert f'<span class="paragraphs">{shown}</span>' in event.get_data(as_text=True)
    assert SCRIPT not in event.get_data(as_text=True)
    settings = kiemdiem.settings
    audit = ledger_verify.verify(settings.database_url, kiemdiem.trust_root, jobs=1)
    assert audit.ok, audit.first_failure and audit.first_failure.to_json()


def test_a_self_review_from_the_form_keeps_its_lines(
    client, auth, kiemdiem, cycle_world
):
    """A browser sends a textarea's lines with CRLF: one LF each, spaces folded
    within a line, three blank lines one."""
    ids = cycle_world
    auth.login("secretary")
    typed = "  1. Gương mẫu  trong công tác \r\n2. Tận tụy với nhân dân\r\n\r\n\r\n"
    answer = auth.post(
        url(f"{R}/reviews/{{review}}/self-review", ids),
        {
            "form_code": "2B",
            "sv-strengths": typed + SCRIPT,
            "sv-shortcomings": "Chậm báo cáo",
            "sv-measures": "Khắc phục\r\nngay",
        },
    )
    assert answer.status_code == 302
    _check_everywhere(client, auth, kiemdiem, ids, f"{POINTS}\n\n{SCRIPT}")


def test_the_api_takes_line_breaks_and_every_page_shows_them(
    client, auth, kiemdiem, cycle_world
):
    ids = cycle_world
    auth.login("secretary")
    answer = client.post(
        url("/api/v1/reviews/{review}/self-review", ids),
        json={
            "form": "2B",
            "sections": {
                "strengths": f"{POINTS}\n{SCRIPT}",
                "shortcomings": "Chậm báo cáo",
                "measures": "Khắc phục ngay",
            },
        },
        headers=API,
    )
    assert answer.status_code < 300, answer.get_data(as_text=True)
    _check_everywhere(client, auth, kiemdiem, ids, f"{POINTS}\n{SCRIPT}")


def test_a_comment_with_two_lines_shows_two_lines_in_the_timeline(
    client, auth, cycle_world
):
    ids = cycle_world
    auth.login("secretary")
    answer = auth.post(
        url(f"{R}/reviews/{{review}}/comment", ids),
        {
            "cm-author_member_id": str(ids["member_id"]),
            "cm-text": "Góp ý 1: gương mẫu hơn\r\nGóp ý 2: " + SCRIPT,
        },
    )
    assert answer.status_code == 302
    page = client.get(url(f"{R}/cycles/{SUBJ}", ids)).get_data(as_text=True)
    timeline = page.split('<ol class="timeline">', 1)[1]
    assert f'<span class="muted">Góp ý 1: gương mẫu hơn\nGóp ý 2: {ESCAPED}</span>' in (
        timeline
    )
    assert SCRIPT not in page
