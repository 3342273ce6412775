"""Who may do what, in which organisation: sign-up and login, sessions and tokens, passwords,
organisations, members and invitations, the permission matrix, the audit trail (and how it
reads), notifications."""
