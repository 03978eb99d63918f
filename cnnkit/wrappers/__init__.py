"""scikit-learn wrappers: Keras 2's KerasClassifier / KerasRegressor (`wrappers.scikit_learn`)."""

from cnnkit.wrappers.scikit_learn import KerasClassifier, KerasRegressor

__all__ = ["KerasClassifier", "KerasRegressor"]
