"""Proposal pages: the list, the editor, templates, the knowledge base, settings, the public
page."""
