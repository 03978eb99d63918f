"""Keras 3's scikit-learn wrappers, `keras.wrappers.SKLearnClassifier` and `SKLearnRegressor`:
scikit-learn estimators around a Keras model, for pipelines, cross-validation and grid search.

    def build(X, y, units=16):  # y as the model sees it: one-hot classes for the classifier
        model = keras.Sequential([keras.Input(X.shape[1:]), Dense(units, "relu"), Dense(y.shape[1], "softmax")])
        model.compile(loss="categorical_crossentropy", optimizer="adam")
        return model

    SKLearnClassifier(build, model_kwargs={"units": 32}, fit_kwargs={"epochs": 5}).fit(X, y).predict(X)

`model` is such a function or a compiled Model (each fit trains a copy). This module needs
scikit-learn (`pip install scikit-learn`).
"""

from __future__ import annotations

import copy

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin

from cnnkit.models.model import Model

__all__ = ["SKLearnClassifier", "SKLearnRegressor"]


class _SKLearnWrapper(BaseEstimator):
    def __init__(
        self, model, warm_start: bool = False, model_kwargs: dict | None = None, fit_kwargs: dict | None = None
    ):
        self.model = model
        self.warm_start = warm_start
        self.model_kwargs = model_kwargs
        self.fit_kwargs = fit_kwargs

    def _new_model(self, X, y) -> Model:
        if isinstance(self.model, Model):
            if self.model.training_setup is None:
                raise ValueError(f"{type(self).__name__}: a Model given as `model` must be compiled")
            return copy.deepcopy(self.model)
        return self.model(X, y, **(self.model_kwargs or {}))

    def fit(self, X, y, **kwargs):
        target = self._encode(np.asarray(y), fitting=True)
        if not (self.warm_start and hasattr(self, "model_")):
            self.model_ = self._new_model(X, target)
        fit_arguments = {"verbose": 0, **(self.fit_kwargs or {}), **kwargs}
        self.history_ = self.model_.fit(X, target, **fit_arguments)
        return self

    def predict(self, X):
        return self._decode(self.model_.predict(X, verbose=0))


class SKLearnClassifier(ClassifierMixin, _SKLearnWrapper):
    """A classifier: labels of any kind (ints, strings) are one-hot encoded for the model, and
    predict turns its outputs back into labels; `classes_` lists them."""

    def _encode(self, y, fitting: bool = False):
        if fitting:
            self.classes_ = np.unique(y)
            if len(self.classes_) < 2:
                raise ValueError("SKLearnClassifier: the labels hold only one class")
        return (y.reshape(-1, 1) == self.classes_.reshape(1, -1)).astype("float32")

    def _decode(self, outputs):
        outputs = np.asarray(outputs)
        if outputs.ndim == 2 and outputs.shape[1] == 1:  # one sigmoid unit
            return self.classes_[(outputs[:, 0] > 0.5).astype(int)]
        return self.classes_[np.argmax(outputs, axis=1)]

    def predict_proba(self, X):
        return np.asarray(self.model_.predict(X, verbose=0))


class SKLearnRegressor(RegressorMixin, _SKLearnWrapper):
    """A regressor: 1-D targets are given to the model as one column and come back 1-D."""

    def _encode(self, y, fitting: bool = False):
        if fitting:
            self.target_ndim_ = y.ndim
        return y.reshape(-1, 1).astype("float32") if y.ndim == 1 else y.astype("float32")

    def _decode(self, outputs):
        outputs = np.asarray(outputs)
        return outputs.reshape(-1) if self.target_ndim_ == 1 else outputs
