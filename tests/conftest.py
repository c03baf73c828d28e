"""Shared fixtures: the bundled seeds, and ../shared data when present (tests needing it skip cleanly)."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "examples" / "seeds"
SHARED = ROOT.parent / "shared" / "data"


@pytest.fixture
def seeds_dir() -> Path:
    return SEEDS


@pytest.fixture
def seed_texts() -> dict[str, str]:
    """Seed file name -> decoded text."""
    return {p.name: p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt"))}


@pytest.fixture
def shared_data() -> Path:
    """../shared/data, or skip when this clone has no ../shared beside it."""
    if not SHARED.is_dir():
        pytest.skip("../shared/data is absent")
    return SHARED
