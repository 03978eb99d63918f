"""A grid search over a Keras model as Keras 2's mnist_sklearn_wrapper.py runs one: KerasClassifier
from keras.wrappers.scikit_learn in scikit-learn's GridSearchCV, scored by negative log loss."""

import numpy as np
from keras.layers import Dense, Dropout
from keras.models import Sequential
from keras.utils import to_categorical
from keras.wrappers.scikit_learn import KerasClassifier
from sklearn.model_selection import GridSearchCV

rng = np.random.default_rng(0)
x = rng.random((90, 6)).astype("float32")
y = to_categorical((x[:, 0] * 3).astype(int), 3)


def make_model(dense_layer_sizes):
    model = Sequential()
    model.add(Dense(dense_layer_sizes[0], activation="relu", input_shape=(6,)))
    for size in dense_layer_sizes[1:]:
        model.add(Dense(size, activation="relu"))
    model.add(Dropout(0.1))
    model.add(Dense(3, activation="softmax"))
    model.compile(loss="categorical_crossentropy", optimizer="adadelta", metrics=["accuracy"])
    return model


search = GridSearchCV(
    KerasClassifier(make_model, batch_size=16, verbose=0),
    param_grid={"dense_layer_sizes": [[8], [8, 8]], "epochs": [1, 2]},
    scoring="neg_log_loss",
    cv=2,
)
search.fit(x, y)
print("best", search.best_params_)
print("metrics", search.best_estimator_.model.metrics_names)
