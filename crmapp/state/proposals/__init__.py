"""State of the proposal pages: the list, the editor and its lifecycle actions, templates, the
knowledge base, settings, the public page."""
