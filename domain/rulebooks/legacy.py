"""Criteria of the criteria-based regimes (132-QĐ/TW and 124-QĐ/TW): a subject
self-rates a level by confirming each condition of that level (domain.md §4.4)."""

from __future__ import annotations

from domain.rulebooks import Criterion, Level


def _level(level: Level, *items: tuple[str, str]) -> tuple[Criterion, ...]:
    return tuple(Criterion(code, title, level.value) for code, title in items)


LEVEL_CRITERIA = {
    Level.EXCELLENT: _level(
        Level.EXCELLENT,
        ("x1", "Thực sự tiêu biểu, có nhiều thành tích nổi bật"),
        ("x2", "Hoàn thành 100% chỉ tiêu, nhiệm vụ, vượt mức"),
        ("x3", "Có đổi mới, sáng tạo, sản phẩm cụ thể"),
    ),
    Level.GOOD: _level(
        Level.GOOD,
        ("g1", "Phẩm chất chính trị, đạo đức, lối sống tốt"),
        ("g2", "Hoàn thành tốt các chỉ tiêu, nhiệm vụ được giao"),
    ),
    Level.COMPLETED: _level(
        Level.COMPLETED,
        ("h1", "Phẩm chất chính trị, đạo đức, lối sống đạt yêu cầu"),
        ("h2", "Hoàn thành các chỉ tiêu, nhiệm vụ được giao"),
    ),
}
