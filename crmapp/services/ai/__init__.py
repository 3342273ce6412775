"""The AI gateway, and nothing about what it writes: LiteLLM with failover and retries, the monthly
budgets, embeddings, warm-up. Callers pass the prompt and the offline text to fall back on; this
package imports no domain package."""
