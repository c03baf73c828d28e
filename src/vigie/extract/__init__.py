"""Extract: raw inputs become clean :class:`~vigie.models.Article` records, one step per module.

``readers`` (files, folders, gzip, JSONL, WARC, feeds, stdin -> :class:`~vigie.models.RawDocument`) ->
``clean`` (plain-text dumps: body, comments and furniture apart; ``cleanlex`` holds its word lists) or ``html``
(trafilatura plus page metadata) -> ``metadata`` (dates, languages) and ``outlets`` (the outlet registry) ->
``article`` (:func:`extract`: one typed article per document).
"""

from vigie.extract.article import ExtractOptions, extract

__all__ = ["ExtractOptions", "extract"]
