"""Compact neural networks trained by Levenberg-Marquardt with adaptable weight compression."""

from ._classifier import LMWCClassifier
from ._interval_display import PredictionIntervalDisplay
from ._layout import LayerLayout, NetworkLayout
from ._regressor import LMWCRegressor
from ._training_display import TrainingDisplay

__version__ = "0.1.0"

__all__ = ["LMWCClassifier", "LMWCRegressor", "LayerLayout", "NetworkLayout",
           "PredictionIntervalDisplay", "TrainingDisplay", "__version__"]
