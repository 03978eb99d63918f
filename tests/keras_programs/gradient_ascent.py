"""TensorFlow 1's graph style as Keras 2's neural_style_transfer.py and deep_dream.py use it: a
network built on a K.placeholder joined to constant images, a loss from the layers' outputs, its
K.gradients, a K.function evaluating both, and SciPy's L-BFGS driving the picture; then gradient
ascent on a model's own input, the gradients normalized as deep_dream.py does."""

import numpy as np
from keras import backend as K
from keras.layers import Conv2D, Input, MaxPooling2D
from keras.models import Model
from scipy.optimize import fmin_l_bfgs_b

rows, cols = 12, 10
rng = np.random.default_rng(0)
base = K.variable(rng.random((1, rows, cols, 3)))
combination = K.placeholder((1, rows, cols, 3))
images = K.concatenate([base, combination], axis=0)
features = Conv2D(4, 3, padding="same", activation="relu", name="block1_conv1")(images)
features = MaxPooling2D(2)(Conv2D(8, 3, padding="same", name="block2_conv1")(features))
loss = K.variable(0.0) + K.sum(K.square(features[1, :, :, :] - features[0, :, :, :]))
grads = K.gradients(loss, combination)
evaluate = K.function([combination], [loss] + grads)


def loss_and_grads(x):
    value, gradient = evaluate([x.reshape((1, rows, cols, 3))])
    return float(value), gradient.flatten().astype("float64")


start = rng.random((1, rows, cols, 3)).flatten()
first = loss_and_grads(start)[0]
x, last, _ = fmin_l_bfgs_b(loss_and_grads, start, maxfun=15)

dream_input = Input((None, None, 3))
dream_features = Conv2D(4, 3, activation="relu", name="mixed0")(dream_input)
dream = Model(dream_input, dream_features)
response = dream.get_layer("mixed0").output
scaling = K.prod(K.cast(K.shape(response), "float32"))
dream_loss = K.sum(K.square(response[:, 1:-1, 1:-1, :])) / scaling
dream_grads = K.gradients(dream_loss, dream.input)[0]
dream_grads /= K.maximum(K.mean(K.abs(dream_grads)), K.epsilon())
fetch = K.function([dream.input], [dream_loss, dream_grads])
picture = rng.random((1, 9, 11, 3)).astype("float32")
before = fetch([picture])[0]
for _ in range(5):
    value, step = fetch([picture])
    picture += 0.01 * step
after = fetch([picture])[0]
print(f"style loss fell {first > last}; dream loss rose {after > before}; grads {step.shape}")
