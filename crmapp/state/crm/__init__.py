"""State of the CRM pages: contacts, companies and deals lists, record pages and forms, the deal
board, pipelines, custom fields, import, dashboard, search, trash."""
