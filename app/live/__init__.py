"""What changes while a page is open: counts, a draft's state, who else is here (issue 18)."""
