"""Tenancy pages: log in and sign up, invitations, organisation settings, the audit trail."""
