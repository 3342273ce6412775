"""The AI gateway: LiteLLM with failover and budgets, and the offline drafter as last resort."""
