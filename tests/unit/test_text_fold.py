"""The search folding (domain/text.py): accent-insensitive, đ as d, pure."""

from __future__ import annotations

import unicodedata

from domain.text import fold, prefix_upper_bound, query_tokens, search_tokens


def test_vietnamese_names_fold_to_plain_letters():
    assert fold("Nguyễn Văn A") == "nguyen van a"
    assert fold("ĐẶNG Thị Đào") == "dang thi dao"
    assert fold("Chi bộ xóm Đông") == "chi bo xom dong"


def test_nfc_and_nfd_fold_alike():
    name = "Trần Thị Hường"
    assert fold(unicodedata.normalize("NFD", name)) == fold(name) == "tran thi huong"


def test_codes_split_on_punctuation_and_compatibility_forms():
    assert fold("chi-bo-xom-dong") == "chi bo xom dong"
    assert fold("ＤＶ００１２") == "dv0012"  # full-width letters and digits
    assert search_tokens("DV-001/23 dv") == ["dv", "001", "23"]


def test_query_words_longest_first_and_bounded():
    assert query_tokens("nguyen van a") == ["nguyen", "van", "a"]
    assert query_tokens("  ") == []
    assert len(query_tokens(" ".join(f"w{i}" for i in range(30)))) == 8


def test_prefix_upper_bound_brackets_every_word_with_the_prefix():
    bound = prefix_upper_bound("nguy")
    assert bound == "nguz"
    for word in ("nguy", "nguyen", "nguyzzz"):
        assert "nguy" <= word < bound
    assert bound <= "nguz"  # the next word after the prefix is outside
    assert prefix_upper_bound("") is None
