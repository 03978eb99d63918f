"""Keras metrics: classes (`TopKCategoricalAccuracy(k=3)`, `Precision()`, `AUC()`, `F1Score()`) and functions,
in Keras's files: metric.py (the base), reduction_metrics.py, accuracy_metrics.py, regression_metrics.py,
confusion_metrics.py, f_score_metrics.py; lookup.py finds one by name."""

from cnnkit.metrics.accuracy_metrics import (
    Accuracy,
    BinaryAccuracy,
    CategoricalAccuracy,
    SparseCategoricalAccuracy,
    SparseTopKCategoricalAccuracy,
    TopKCategoricalAccuracy,
    binary_accuracy,
    categorical_accuracy,
    sparse_categorical_accuracy,
    sparse_top_k_categorical_accuracy,
    top_k_categorical_accuracy,
)
from cnnkit.metrics.confusion_metrics import (
    AUC,
    FalseNegatives,
    FalsePositives,
    Precision,
    Recall,
    TrueNegatives,
    TruePositives,
)
from cnnkit.metrics.f_score_metrics import F1Score, FBetaScore
from cnnkit.metrics.metric import Metric
from cnnkit.metrics.reduction_metrics import Mean, MeanMetricWrapper
from cnnkit.metrics.regression_metrics import MeanAbsoluteError, MeanSquaredError, RootMeanSquaredError

__all__ = [
    "AUC",
    "Accuracy",
    "BinaryAccuracy",
    "CategoricalAccuracy",
    "F1Score",
    "FBetaScore",
    "FalseNegatives",
    "FalsePositives",
    "Mean",
    "MeanAbsoluteError",
    "MeanMetricWrapper",
    "MeanSquaredError",
    "Metric",
    "Precision",
    "Recall",
    "RootMeanSquaredError",
    "SparseCategoricalAccuracy",
    "SparseTopKCategoricalAccuracy",
    "TopKCategoricalAccuracy",
    "TrueNegatives",
    "TruePositives",
    "binary_accuracy",
    "categorical_accuracy",
    "sparse_categorical_accuracy",
    "sparse_top_k_categorical_accuracy",
    "top_k_categorical_accuracy",
]
