"""Contacts, companies and deals: their fields (built-in and custom), forms and record pages,
list views and saved views, bulk actions, pipelines and the deal board, search, trash,
activities, the dashboard, and CSV import."""
