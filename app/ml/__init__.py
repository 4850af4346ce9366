"""Trained text models: a small linear model over hashed features, stored without pickle.

A model is two files in `app/ml/models/<language>/`: `<name>.npz` (the weights, read with
`allow_pickle=False`) and `<name>.json` (its card: how text becomes features, the data it
was trained on and their licences, the seed, its measured quality), with `<name>.md`, the
same card for people. `python -m app.ml.train <name>` (another language's:
`<language>/<name>`, e.g. `de/hostile`) writes all three from public data in ../shared/data
and the team's labelled texts; nothing is fetched at run time.
"""
