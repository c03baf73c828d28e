"""Optional abstractive rewrite of an extractive summary through an OpenAI-compatible chat endpoint.

Off unless the user configures an endpoint (e.g. a local llama.cpp or Ollama server). No feature depends on it: when
it is off, slow or failing, callers keep the extractive summary, whose sentences stay traceable to their articles.

Configuration (environment): ``VIGIE_LLM_URL`` (base URL, e.g. ``http://127.0.0.1:8080/v1``), ``VIGIE_LLM_MODEL``
(default ``default``), ``VIGIE_LLM_KEY`` (optional bearer token), ``VIGIE_LLM_TIMEOUT`` (seconds, default 60).

The request goes through :func:`vigie.net.fetch`: the configured host may be local (the user chose it), but a
redirect is checked like any URL, and one that would carry the key to another host is refused.
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import dataclass
from urllib.parse import urlsplit

from vigie.net import FetchError, FetchPolicy, fetch

log = logging.getLogger(__name__)

PROMPT = (
    "Réécris ce résumé d'actualité en un seul paragraphe fluide de {words} mots au plus, dans la langue du texte. "
    "N'ajoute aucun fait absent du texte, garde les noms, les dates et les chiffres exacts, et n'invente aucune "
    "citation.\n\n{summary}"
)


@dataclass(frozen=True, slots=True)
class LLMConfig:
    """Where and how to reach the endpoint."""

    url: str
    model: str = "default"
    key: str | None = None
    timeout: float = 60.0

    @classmethod
    def from_env(cls) -> LLMConfig | None:
        """The configured endpoint, or None when ``VIGIE_LLM_URL`` is unset (the rewrite is off)."""
        url = os.environ.get("VIGIE_LLM_URL", "").strip()
        if not url:
            return None
        try:
            timeout = float(os.environ.get("VIGIE_LLM_TIMEOUT", "60"))
        except ValueError:
            timeout = 60.0
        return cls(url=url.rstrip("/"), model=os.environ.get("VIGIE_LLM_MODEL", "default"),
                   key=os.environ.get("VIGIE_LLM_KEY") or None, timeout=timeout)


def rewrite(summary: str, *, max_words: int = 100, config: LLMConfig | None = None) -> str | None:
    """The endpoint's rewrite of ``summary``, or None when the rewrite is off or fails (the failure is logged).

    A reply longer than twice ``max_words`` is refused as a runaway generation.
    """
    cfg = config or LLMConfig.from_env()
    if cfg is None or not summary.strip():
        return None
    body = {
        "model": cfg.model,
        "messages": [{"role": "user", "content": PROMPT.format(words=max_words, summary=summary)}],
        "temperature": 0.2,
    }
    headers = {"Content-Type": "application/json"}
    if cfg.key:
        headers["Authorization"] = f"Bearer {cfg.key}"
    host = (urlsplit(cfg.url).hostname or "").lower()
    policy = FetchPolicy.from_env(allow_hosts=frozenset({host}), deadline=cfg.timeout, max_bytes=1_000_000)
    try:
        resp = fetch(f"{cfg.url}/chat/completions", policy=policy, method="POST", data=json.dumps(body).encode(),
                     headers=headers)  # fmt: skip
        if not 200 <= resp.status < 300:
            raise FetchError(f"HTTP {resp.status} {resp.reason}")
        reply = json.loads(resp.body)
        text = str(reply["choices"][0]["message"]["content"]).strip()
    except (FetchError, ValueError, KeyError, IndexError, TypeError) as e:
        log.warning("abstractive rewrite via %s failed (%s); keeping the extractive summary", cfg.url, e)
        return None
    if not text or len(text.split()) > 2 * max_words:
        log.warning("abstractive rewrite via %s gave %d words; keeping the extractive summary", cfg.url,
                    len(text.split()))
        return None
    return text
