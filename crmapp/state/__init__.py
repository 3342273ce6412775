"""Reflex state: one substate per page; UI state only, calling services."""
