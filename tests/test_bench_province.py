"""The province load test end to end at a tiny size: built through the CLI,
served by gunicorn on 127.0.0.1, every role signed in, every key page answered
200 one at a time and under a small concurrent load."""

import re

import pytest

from bench import page_pair, province


@pytest.mark.slow
def test_bench_province_at_thirty_members(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("KIEMDIEM_ARGON2_MEMORY_KIB", "1024")
    store = tmp_path / "store"
    args = ["--members", "30", "--seed", "3", "--store", str(store)]
    args += ["--duration", "1", "--samples", "2", "--levels", "1,4"]
    assert province.main(args) == 0
    out = capsys.readouterr().out
    rows = re.findall(r"^\| (.+?) \| .* \| (\d+) \|$", out, re.MULTILINE)
    pages = {name: int(errors) for name, errors in rows if not name[0].isdigit()}
    assert set(pages) == {p.name for p in province.key_pages(30, 3)}
    assert all(errors == 0 for errors in pages.values()), pages
    loads = re.findall(r"^\| (\d+) \| ([\d.]+) \| .* \| (\d+) \| (\d+) \|$", out, re.M)
    assert [int(level) for level, *_ in loads] == [1, 4]
    assert all(float(rate) > 0 and errors == "0" for _, rate, _, errors in loads)
    # The built province is reused by the next run with the same parameters.
    assert (store / "bench-province.json").exists()
    assert province.main([*args, "--levels", "1", "--samples", "1"]) == 0
    assert "reusing the province" in capsys.readouterr().out


@pytest.mark.slow
def test_page_pair_reads_each_page_for_both_codes(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("KIEMDIEM_ARGON2_MEMORY_KIB", "1024")
    store = tmp_path / "store"
    build = ["--members", "30", "--seed", "3", "--store", str(store)]
    assert province.main([*build, "--backend", "sqlite", "--build-only"]) == 0
    capsys.readouterr()
    args = ["--members", "30", "--seed", "3", "--store", str(store)]
    args += ["--backend", "sqlite", "--baseline", str(province.ROOT)]
    args += ["--seconds", "0.3", "--rounds", "1", "--page", "organisation tree"]
    assert page_pair.main(args) == 0
    rows = re.findall(
        r"^\| 1 \| (.+?) \| organisation tree \| (\d+) \|",
        capsys.readouterr().out,
        re.M,
    )
    assert len(rows) == 2
    assert all(int(n) > 0 for _, n in rows)
    with pytest.raises(SystemExit):
        page_pair.main([*args[:-1], "no such page"])
    assert "no key page named no such page" in capsys.readouterr().err
