"""scikit-learn wrappers: Keras 2's KerasClassifier / KerasRegressor (`wrappers.scikit_learn`), and
Keras 3's SKLearnClassifier / SKLearnRegressor (loaded on first use: they need scikit-learn)."""

from cnnkit.wrappers.scikit_learn import KerasClassifier, KerasRegressor

__all__ = ["KerasClassifier", "KerasRegressor", "SKLearnClassifier", "SKLearnRegressor"]


def __getattr__(name: str):
    if name in ("SKLearnClassifier", "SKLearnRegressor"):
        from cnnkit.wrappers import sklearn_wrapper  # imports scikit-learn, which cnnkit does not need

        return getattr(sklearn_wrapper, name)
    raise AttributeError(f"module 'cnnkit.wrappers' has no attribute {name!r}")
