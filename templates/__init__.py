"""Message and document templates (data, shipped with the package)."""
