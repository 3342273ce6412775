"""Proposals and contracts: templates, documents, the deal context graph they are written from,
the knowledge base, generation and the offline writer, lifecycle, sharing and signing."""
