"""The silver line labels of train/train_cleaner.py: how a dump line is matched against trafilatura's text."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parents[1]


def _trainer() -> ModuleType:
    spec = importlib.util.spec_from_file_location("train_cleaner", ROOT / "train" / "train_cleaner.py")
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("train_cleaner", mod)  # dataclasses look their module up while the file runs
    spec.loader.exec_module(mod)
    return mod


def test_list_items_are_body_without_trafilaturas_bullet() -> None:
    """trafilatura writes "- Keine Vorkasse"; the dump line is "Keine Vorkasse": a short list item is still body."""
    t = _trainer()
    intro = "Sie wollen Ihren Vertrieb auslagern, und das unterscheidet uns von anderen Anbietern:"
    traf = f"{intro}\n- Keine Vorkasse\n- Zahlungsziel von 10 Tagen"
    dump = [intro, "Keine Vorkasse", "Zahlungsziel von 10 Tagen", "Impressum"]
    assert t._traf_labels(traf, [t.flat(x) for x in dump]) == [1, 1, 1, 0]
