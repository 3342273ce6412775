"""Prompt-caching hints by provider: a breakpoint where the provider needs one, a cache key
where it caches by itself, nothing where it does neither."""

from __future__ import annotations

from crmapp.services.ai.gateway import cache_hints

MESSAGES = [
    {"role": "system", "content": "Stable instructions and the template."},
    {"role": "user", "content": "This deal."},
]


def test_anthropic_gets_a_breakpoint_after_the_stable_message():
    hinted, extra = cache_hints("anthropic/claude-sonnet-4-5", MESSAGES)
    assert extra == {}
    assert hinted[0]["content"] == [
        {
            "type": "text",
            "text": "Stable instructions and the template.",
            "cache_control": {"type": "ephemeral"},
        }
    ]
    assert hinted[1] == MESSAGES[1]
    assert MESSAGES[0]["content"] == "Stable instructions and the template."  # not changed


def test_openai_gets_one_key_per_stable_part():
    _, extra = cache_hints("openai/gpt-4o", MESSAGES)
    again = [MESSAGES[0], {"role": "user", "content": "Another deal."}]
    other = [{"role": "system", "content": "Another template."}, MESSAGES[1]]
    assert extra == cache_hints("gpt-4o", again)[1]
    assert extra["prompt_cache_key"] != cache_hints("gpt-4o", other)[1]["prompt_cache_key"]


def test_gemini_caches_by_itself_and_gets_no_hint():
    assert cache_hints("gemini/gemini-2.5-flash", MESSAGES) == (MESSAGES, {})
