"""CRM pages: dashboard, contacts, companies and deals, record pages, the deal board, pipelines,
custom fields, import, trash."""
