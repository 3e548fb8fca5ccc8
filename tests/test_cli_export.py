"""``kiemdiem export report`` on the demo store, without a terminal."""

import io
import json
import unicodedata

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook
from pypdf import PdfReader

from cli.main import cli


@pytest.fixture(scope="module")
def demo_env(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("cli-export")
    mp = pytest.MonkeyPatch()
    mp.setenv("KIEMDIEM_DATABASE_URL", f"sqlite:///{tmp}/k.db")
    mp.setenv("KIEMDIEM_INSTANCE_DIR", str(tmp))
    mp.setenv("KIEMDIEM_ARGON2_MEMORY_KIB", "1024")
    mp.delenv("KIEMDIEM_ADMIN_PASSWORD", raising=False)
    for key in ("KIEMDIEM_TRUST_ROOT", "KIEMDIEM_LOG_KEY_FILE", "KIEMDIEM_PROJECTIONS"):
        mp.delenv(key, raising=False)
    result = run("init", "--origin", "kiemdiem.test/tinh", "--demo")
    assert result.exit_code == 0, result.output
    yield tmp
    mp.undo()


def run(*args):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def test_xlsx_report_of_the_province(demo_env):
    out = demo_env / "bao-cao.xlsx"
    result = run(
        "export", "report", "--org", "tinh-uy-song-hong", "--year", "2025",
        "--format", "xlsx", "--out", str(out),
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert result.output.startswith(f"Đã ghi {out}")
    assert "export  [" not in result.output  # no progress bar off a terminal
    book = load_workbook(io.BytesIO(out.read_bytes()))
    info = list(book["Thông tin"].iter_rows(values_only=True))
    assert info[1] == ("Tổ chức", "Tỉnh ủy Sông Hồng")
    summary = list(book["Bảng 1"].iter_rows(values_only=True))
    assert [r[0] for r in summary[2:]] == [
        "Tổ chức đảng",
        "Đảng viên",
        "Tập thể lãnh đạo, quản lý",
        "Cá nhân lãnh đạo, quản lý",
    ]


def test_pdf_report_by_organisation_id(demo_env):
    orgs = run("orgs", "list", "--json")
    province = json.loads(orgs.output)[0]["org_id"]
    out = demo_env / "bao-cao.pdf"
    result = run(
        "export", "report", "--org", province, "--year", "2025",
        "--format", "pdf", "--out", str(out),
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    reader = PdfReader(io.BytesIO(out.read_bytes()))
    text = unicodedata.normalize("NFC", reader.pages[0].extract_text())
    assert "XẾP LOẠI CHẤT LƯỢNG NĂM 2025" in text
    assert "Tỉnh ủy Sông Hồng" in text


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (("--org", "khong-co", "--year", "2025"), "không có tổ chức 'khong-co'"),
        (("--org", "tinh-uy-song-hong", "--year", "2019"), "chưa có kỳ kiểm điểm"),
        (
            ("--org", "tinh-uy-song-hong", "--year", "1900"),
            "không phải một năm kiểm điểm",
        ),
    ],
)
def test_bad_input_is_refused_in_plain_words(demo_env, args, words):
    out = demo_env / "x.xlsx"
    result = run("export", "report", *args, "--format", "xlsx", "--out", str(out))
    assert result.exit_code == 2
    assert words in result.output
    assert not out.exists()


def test_an_unknown_format_is_a_usage_error(demo_env):
    result = run(
        "export", "report", "--org", "tinh-uy-song-hong", "--year", "2025",
        "--format", "docx", "--out", str(demo_env / "x.docx"),
    )  # fmt: skip
    assert result.exit_code == 2
    assert "docx" in result.output


def _sheets(path):
    book = load_workbook(io.BytesIO(path.read_bytes()))
    return {s.title: list(s.iter_rows(values_only=True)) for s in book.worksheets}


def test_tree_on_rolls_up_by_the_tree_of_that_day_and_says_so(demo_env):
    """Issue 12: by default the tree at the report date; ``--tree-on`` the tree
    of another day. The demo's two đảng ủy xã were merged on 1/7/2025: on
    30/6/2025 their people stood under Huyện ủy Yên Thành, today under the new
    đảng bộ xã; the province counts everyone once either way."""
    today, june = demo_env / "hom-nay.xlsx", demo_env / "30-6.xlsx"
    base = ("export", "report", "--org", "tinh-uy-song-hong", "--year", "2025")
    assert run(*base, "--format", "xlsx", "--out", str(today)).exit_code == 0
    result = run(
        *base, "--format", "xlsx", "--out", str(june), "--tree-on", "2025-06-30"
    )
    assert result.exit_code == 0, result.output
    assert "như tại ngày 30/06/2025" in result.output
    now, then = _sheets(today), _sheets(june)
    trees = [dict(r[:2] for r in s["Thông tin"] if len(r) > 1) for s in (now, then)]
    assert str(trees[0]["Tổng hợp theo cây tổ chức"]).startswith("tại ngày báo cáo")
    assert trees[1]["Tổng hợp theo cây tổ chức"] == "như tại ngày 30/06/2025"
    assert now["Bảng 1"] == then["Bảng 1"]  # nobody doubled, nobody lost


def test_a_bad_tree_on_day_is_refused_in_plain_words(demo_env):
    out = demo_env / "x.xlsx"
    result = run(
        "export", "report", "--org", "tinh-uy-song-hong", "--year", "2025",
        "--format", "xlsx", "--out", str(out), "--tree-on", "30/06/2025",
    )  # fmt: skip
    assert result.exit_code == 2
    assert "YYYY-MM-DD" in result.output
    assert not out.exists()
