"""State of the social pages: the composer (with its media, review and AI assist), the calendar,
accounts and connecting them, the sandbox feed, settings help."""
