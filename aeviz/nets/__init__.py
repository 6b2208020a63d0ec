"""The one torch core of aeviz, at the bottom of every arrow: what a net is and how it learns.

- `graph`: UMAP's neighbour graph of the training digits and the parametric-UMAP loss, with the lock
  every numba call of aeviz holds (torch-free on import: the projection process uses it).
- `models`: the autoencoders as torch modules, and their penalties (sparsity, the VAE's KL).
- `loop`: `fit` and `TrainResult`; one objective and one update serve every loop.
- `diverge`: when training has gone wrong, and what to try instead.
- `infer`: encode / decode / reconstruct, in float64 so a row's result does not depend on its batch.
- `classifier`: the small CNN the lessons use to read digits.

This package imports nothing of aeviz but `config`, `noise`, `failures` and `i18n`. Its modules are
imported by name (`from aeviz.nets import loop`): importing the package loads no torch.
"""
