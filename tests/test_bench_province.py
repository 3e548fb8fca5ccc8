"""The province load test end to end at a tiny size: built through the CLI,
served by gunicorn on 127.0.0.1, every role signed in, every key page answered
200 one at a time and under a small concurrent load."""

import re

import pytest

from bench import province


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
