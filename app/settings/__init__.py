"""Admin-editable settings: company contact details and policy values."""
