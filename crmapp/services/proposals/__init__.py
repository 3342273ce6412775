"""Proposals and contracts: templates, documents, generation, lifecycle, sharing and signing."""
