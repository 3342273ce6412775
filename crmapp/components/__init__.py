"""Stateless UI builders: no database, no state writes."""
