"""What pages ask a rulebook (issue 10: the rules that had leaked into
``web/ratings`` now answered by ``domain.rulebooks``)."""

from domain.rulebooks import Appendix, CriteriaSet, Criterion, rulebook_for_year


def test_the_form_of_an_appendix_is_the_rulebooks():
    book = rulebook_for_year(2025)
    assert [book.form_of(a.value) for a in Appendix] == [None, "2A", "2A", "2B", "2C"]
    assert book.form_of(None) is None
    assert book.form_sections("2A")[-2:] == ("responsibility", "measures")
    assert "responsibility" not in book.form_sections("2B")
    assert book.form_sections("9Z") == ()


def test_scored_criteria_prefer_the_cycles_refinement():
    book = rulebook_for_year(2025)
    own = book.criteria_listed("PL4")
    assert own == book.criteria[Appendix.NON_LEADER].criteria
    refined = CriteriaSet(Appendix.NON_LEADER, (Criterion("x", "X", "general", 30),))
    assert book.criteria_listed("PL4", {"PL4": refined}) == refined.criteria
    assert set(book.criteria_frame()) == {a.value for a in Appendix}


def test_unscored_regimes_list_every_levels_conditions():
    book = rulebook_for_year(2020)
    listed = book.criteria_listed("PL4")
    assert listed
    assert {c.group for c in listed} == {lv.value for lv in book.level_criteria}
    assert all(c.max_points == 0 for c in listed)
    assert book.criteria_frame() == {}
