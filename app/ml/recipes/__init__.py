"""One module per trained model: what it learns from, how it is measured, its card."""
