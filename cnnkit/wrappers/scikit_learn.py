"""Keras 2's scikit-learn wrappers (`keras.wrappers.scikit_learn`): KerasClassifier and KerasRegressor
make a model-building function an estimator that GridSearchCV, cross_val_score and pipelines take.

    def make_model(units=32):
        model = Sequential([...]); model.compile(...); return model

    search = GridSearchCV(KerasClassifier(make_model, epochs=3), {"units": [16, 32]}, cv=3)

`build_fn` is called with the arguments it names (from the wrapper's and set_params's); fit,
predict and evaluate get the ones they take (epochs, batch_size, verbose, ...). scikit-learn is
not needed to import this module; GridSearchCV itself comes from scikit-learn.
"""

from __future__ import annotations

import copy
import inspect

import numpy as np

from cnnkit.models.model import Model

__all__ = ["KerasClassifier", "KerasRegressor"]


def _accepted(function, arguments: dict) -> dict:
    names = set(inspect.signature(function).parameters)
    return {key: value for key, value in arguments.items() if key in names}


class _KerasEstimator:
    """What both wrappers share: the parameters (get_params/set_params) and fitting."""

    def __init__(self, build_fn=None, **sk_params) -> None:
        self.build_fn = build_fn
        self.sk_params = sk_params
        self._check_params(sk_params)

    def _check_params(self, params: dict) -> None:
        """Every parameter must be an argument of build_fn or of fit/predict/evaluate."""
        targets = [Model.fit, Model.predict, Model.evaluate, self.build_fn or self.__call__]
        known = set().union(*(inspect.signature(t).parameters for t in targets))
        unknown = sorted(name for name in params if name not in known)
        if unknown:
            names = ", ".join(unknown)
            raise ValueError(f"{type(self).__name__}: {names} is not an argument of build_fn, fit or predict")

    def get_params(self, deep: bool = True) -> dict:
        return {"build_fn": self.build_fn, **copy.deepcopy(self.sk_params)}

    def set_params(self, **params):
        self._check_params(params)
        self.sk_params.update(params)
        return self

    def __sklearn_tags__(self):  # scikit-learn >= 1.6 asks estimators for their tags
        from sklearn.utils import ClassifierTags, RegressorTags, Tags, TargetTags

        classifier = self._estimator_type == "classifier"
        return Tags(
            estimator_type=self._estimator_type,
            target_tags=TargetTags(required=True),
            classifier_tags=ClassifierTags() if classifier else None,
            regressor_tags=None if classifier else RegressorTags(),
        )

    def _build(self) -> Model:
        build = self.build_fn if self.build_fn is not None else self.__call__
        return build(**_accepted(build, self.sk_params))

    def fit(self, x, y, **kwargs):
        self.model = self._build()
        arguments = {**_accepted(Model.fit, self.sk_params), **kwargs}
        self.history_ = self.model.fit(x, y, **arguments)
        return self.history_

    def _arguments(self, method, kwargs: dict) -> dict:
        return {**_accepted(method, self.sk_params), **kwargs}


class KerasClassifier(_KerasEstimator):
    """A classifier: y holds class labels (ints or strings) or one-hot rows; predict gives labels."""

    _estimator_type = "classifier"

    def fit(self, x, y, **kwargs):
        y = np.asarray(y)
        if y.ndim == 2 and y.shape[1] > 1:  # one-hot rows
            self.classes_ = np.arange(y.shape[1])
            return super().fit(x, y, **kwargs)
        self.classes_, indices = np.unique(y, return_inverse=True)
        return super().fit(x, indices.reshape(-1), **kwargs)

    def predict_proba(self, x, **kwargs) -> np.ndarray:
        probabilities = self.model.predict(x, **self._arguments(Model.predict, {"verbose": 0, **kwargs}))
        if probabilities.shape[1] == 1:  # one sigmoid unit: [P(class 0), P(class 1)]
            probabilities = np.hstack([1 - probabilities, probabilities])
        return probabilities

    def predict(self, x, **kwargs) -> np.ndarray:
        return self.classes_[np.argmax(self.predict_proba(x, **kwargs), axis=1)]

    def score(self, x, y, **kwargs) -> float:
        """The accuracy on (x, y), as Keras 2 reads it from evaluate (the model must track accuracy)."""
        y = np.asarray(y)
        if y.ndim == 1 or y.shape[1] == 1:
            y = np.searchsorted(self.classes_, y.reshape(-1))
        logs = self.model.evaluate(x, y, return_dict=True, **self._arguments(Model.evaluate, {"verbose": 0, **kwargs}))
        for name in ("accuracy", "acc", "categorical_accuracy", "sparse_categorical_accuracy", "binary_accuracy"):
            if name in logs:
                return float(logs[name])
        raise ValueError("KerasClassifier.score: compile the model with metrics=['accuracy'] to score it")


class KerasRegressor(_KerasEstimator):
    """A regressor: predict gives the model's outputs, score the negated loss (higher is better)."""

    _estimator_type = "regressor"

    def predict(self, x, **kwargs) -> np.ndarray:
        return np.squeeze(self.model.predict(x, **self._arguments(Model.predict, {"verbose": 0, **kwargs})))

    def score(self, x, y, **kwargs) -> float:
        logs = self.model.evaluate(x, y, return_dict=True, **self._arguments(Model.evaluate, {"verbose": 0, **kwargs}))
        return -float(logs["loss"])
