"""Proposal documents: rich-text bodies, the pricing table and the printable rendering (PDF)."""
