"""Reports: the dashboard's figures (metrics), its charts as server-side SVG (charts), the
date range it covers (ranges), what the tone checks caught before review (catches) and
the page itself (views). Only views.py knows Flask."""
