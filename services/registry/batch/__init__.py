"""The registry's set-based batch application (`Consumer.apply_all`): `handler` applies a
batch, `rules` splits it and folds its frequent events (pure), `repository` is its SQL."""
