"""The small CNN the lessons use to read digits (denoise-then-classify, latent-holes)."""
from __future__ import annotations

import numpy as np
import torch
from torch import nn

from .infer import to_tensor
from .loop import update


class SmallCNN(nn.Module):
    """A small digit classifier: two conv + pool blocks and a linear layer. x: (B, H*W) -> (B, classes)."""

    def __init__(self, image_shape: tuple[int, int], n_classes: int = 10):
        super().__init__()
        h, w = image_shape
        self.image_shape = (h, w)
        self.features = nn.Sequential(
            nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        )
        self.head = nn.Linear(32 * (h // 4) * (w // 4), n_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        f = self.features(x.view(-1, 1, *self.image_shape))  # (B, 32, H/4, W/4)
        return self.head(f.flatten(1))  # (B, classes)


def fit_classifier(x: np.ndarray, y: np.ndarray, image_shape: tuple[int, int], *, epochs: int = 5,
                   batch_size: int = 64, lr: float = 1e-3, seed: int = 0) -> SmallCNN:
    """Train a SmallCNN on digits x (N, D) with labels y (N,); seeded; returned in eval mode."""
    torch.manual_seed(seed)
    model = SmallCNN(image_shape, int(np.max(y)) + 1)
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    gen = torch.Generator().manual_seed(seed)
    xt, yt = to_tensor(x), torch.tensor(np.asarray(y, np.int64))
    for _ in range(epochs):
        order = torch.randperm(len(xt), generator=gen)
        for start in range(0, len(xt), batch_size):
            idx = order[start:start + batch_size]
            update(opt, lambda idx=idx: nn.functional.cross_entropy(model(xt[idx]), yt[idx]))
    return model.eval().requires_grad_(False)


def predict(classifier: nn.Module, x: np.ndarray) -> np.ndarray:
    """Class predictions (N,) for digits x (N, D)."""
    return predict_proba(classifier, x).argmax(1)


def predict_proba(classifier: nn.Module, x: np.ndarray) -> np.ndarray:
    """Class probabilities (N, classes) for digits x (N, D): the softmax of the classifier's logits."""
    with torch.no_grad():
        return torch.softmax(classifier(to_tensor(x)), dim=1).numpy()
