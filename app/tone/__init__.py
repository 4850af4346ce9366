"""Tone checks (PRODUCT.md, "Tone check catalogue"): what stands between a tired agent and
a public mistake. No Flask: the editor, the API and the draft operations all call
`checker.check()`."""
