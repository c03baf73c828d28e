"""Optional abstractive rewrite: off by default, used when an endpoint answers, ignored when it fails."""

from __future__ import annotations

import json
from typing import Any

import pytest

from vigie.understand.abstractive import LLMConfig, rewrite

SUMMARY = "La Russie a suspendu sa mission auprès de l'Otan. L'Otan avait expulsé huit diplomates russes."


def _reply(text: str) -> bytes:
    return json.dumps({"choices": [{"message": {"role": "assistant", "content": text}}]}).encode()


def test_abstractive_off_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("VIGIE_LLM_URL", raising=False)
    assert LLMConfig.from_env() is None
    assert rewrite(SUMMARY) is None


def test_abstractive_uses_configured_endpoint(http_server: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    http_server.routes["/v1/chat/completions"] = lambda _h: (200, {"Content-Type": "application/json"},
                                                            _reply("Moscou suspend sa mission après des expulsions."))
    monkeypatch.setenv("VIGIE_LLM_URL", http_server.url + "/v1/")
    monkeypatch.setenv("VIGIE_LLM_MODEL", "local")
    monkeypatch.setenv("VIGIE_LLM_KEY", "secret")
    assert rewrite(SUMMARY, max_words=50) == "Moscou suspend sa mission après des expulsions."
    method, path, headers, body = http_server.requests[-1]
    sent = json.loads(body)
    assert (method, path, sent["model"]) == ("POST", "/v1/chat/completions", "local")
    assert headers["Authorization"] == "Bearer secret"
    assert SUMMARY in sent["messages"][0]["content"]


@pytest.mark.parametrize(
    "answer",
    [
        (500, {}, b"boom"),
        (200, {}, b"not json"),
        (200, {}, b'{"choices": []}'),
        (200, {}, _reply("mot " * 500)),  # runaway generation
    ],
)
def test_abstractive_failure_keeps_extractive(
    http_server: Any, answer: tuple[int, dict[str, str], bytes]
) -> None:
    http_server.routes["/chat/completions"] = lambda _h: answer
    assert rewrite(SUMMARY, config=LLMConfig(url=http_server.url, timeout=5)) is None


def test_abstractive_unreachable_endpoint() -> None:
    assert rewrite(SUMMARY, config=LLMConfig(url="http://127.0.0.1:9", timeout=2)) is None
