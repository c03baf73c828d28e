"""`vigie bench` end to end on a tiny corpus: every stage measured, the keys the issue names present."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from vigie.cli import main


def test_bench_json_reports_every_stage(shared_data: Path) -> None:
    result = CliRunner().invoke(main, ["bench", "--size", "40", "--add", "10", "--data", str(shared_data), "--json"])
    assert result.exit_code == 0, result.output
    out = result.stdout
    res = json.loads(out[out.index("{") :])
    for key in ("read_articles_per_s", "clean_articles_per_s", "dedup_articles_per_s", "embed_articles_per_s_cold",
                "store_articles_per_s", "story_stage_articles_per_s", "end_to_end_articles_per_s",
                "end_to_end_articles_per_s_no_sentence_reuse", "end_to_end_articles_per_s_no_sentence_reuse_understood",
                "end_to_end_understood_analyses", "ner_articles_per_s", "html_pages_per_s_ours",
                "html_pages_per_s_trafilatura"):  # fmt: skip
        assert res[key] > 0, key
    assert res["articles"] == 40 and res["add_10_s"] > 0 and res["db_mb"] > 0 and res["peak_rss_mb"] > 0
    assert 0.0 <= res["story_b3_f1"] <= 1.0 and 0.0 <= res["hdbscan_story_b3_f1"] <= 1.0
    assert res["ours_cluster_s_same_articles"] > 0


def test_bench_names_the_missing_data(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["bench", "--size", "40", "--data", str(tmp_path / "nowhere")])
    assert result.exit_code != 0
    assert "nowhere" in result.output or "absent" in result.output
