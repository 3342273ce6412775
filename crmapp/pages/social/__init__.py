"""Social pages: the composer, the calendar, accounts and connecting them, the sandbox feed,
settings help."""
