"""Plotly figure builders: plain numpy results in, `plotly.graph_objects.Figure` out; nothing here
shows or saves a figure. By subject: `latent` (maps of codes), `mosaics` (digits as pictures),
`curves` (numbers against numbers), `board` (the class's shared models), `lessons` (each lesson's
figures), `layers` (a digit through a net, stage by stage); `style` is their one look."""
from .board import class_board, map_thumbnail
from .curves import bars, error_vs_bottleneck, grouped_lines, histogram, loss_curves
from .describe import describe
from .latent import SVG_MAX_POINTS, THUMBNAILS, embedding, embedding_with_thumbnails, replay
from .layers import layer_view
from .mosaics import image, image_grid, latent_grid, mosaic, triptych
from .style import (
                    GAP,
                    PALETTE,
                    SYMBOLS,
                    SYMBOLS_3D_UNIQUE,
                    class_color,
                    class_glyph,
                    class_glyph_3d,
                    class_symbol,
                    class_symbol_3d,
                    class_text_color,
                    shared_shapes_3d,
)

__all__ = ["GAP", "PALETTE", "SVG_MAX_POINTS", "SYMBOLS", "SYMBOLS_3D_UNIQUE", "THUMBNAILS", "bars", "class_board",
           "class_color", "class_glyph", "class_glyph_3d", "class_symbol", "class_symbol_3d", "class_text_color",
           "shared_shapes_3d",
           "describe", "embedding", "embedding_with_thumbnails", "error_vs_bottleneck", "grouped_lines", "histogram",
           "image", "image_grid", "latent_grid", "layer_view", "loss_curves", "map_thumbnail", "mosaic", "replay",
           "triptych"]
