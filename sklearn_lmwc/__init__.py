"""Compact neural networks trained by Levenberg-Marquardt with adaptable weight compression."""

from ._regressor import LMWCRegressor

__version__ = "0.1.0"

__all__ = ["LMWCRegressor", "__version__"]
