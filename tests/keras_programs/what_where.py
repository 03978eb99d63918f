"""Keras 2's channels-first style, as mnist_swwae.py writes it: image_data_format set to
"channels_first", MNIST reshaped to (N, 1, 28, 28) and padded, an autoencoder whose unpooling
multiplies by the 'where' switches of each max-pooling (K.gradients of the pooled sum inside a
Lambda), BatchNormalization on axis 1, trained with validation and asked for reconstructions."""

import numpy as np
from keras import backend as K
from keras import layers
from keras.datasets import mnist
from keras.layers import Activation, BatchNormalization, Conv2D, Input, MaxPooling2D, UpSampling2D
from keras.models import Model


def getwhere(x):
    before, after = x
    return K.gradients(K.sum(after), before)


K.set_image_data_format("channels_first")
(x_train, _), (x_test, _) = mnist.load_data()
x_train = np.pad(x_train.reshape(-1, 1, 28, 28).astype("float32") / 255, [[0, 0], [0, 0], [2, 2], [2, 2]])
x_test = np.pad(x_test.reshape(-1, 1, 28, 28).astype("float32") / 255, [[0, 0], [0, 0], [2, 2], [2, 2]])

image = Input(shape=x_train.shape[1:])
y = image
wheres = []
for features in (4, 8):
    before = Conv2D(features, 3, padding="same")(y)
    before = Activation("relu")(BatchNormalization(axis=1)(before))
    y = MaxPooling2D(pool_size=(2, 2))(before)
    wheres.append(layers.Lambda(getwhere, output_shape=lambda shapes: shapes[0])([before, y]))
for features, where in zip((4, 1), reversed(wheres)):
    y = layers.multiply([UpSampling2D(size=(2, 2))(y), where])
    y = Conv2D(features, 3, padding="same")(y)
y = Activation("hard_sigmoid")(y)

model = Model(image, y)
model.compile("adam", "mse")
history = model.fit(x_train, x_train, batch_size=16, epochs=3, validation_data=(x_test, x_test))
reconstructed = model.predict(x_test[:5])
pairs = np.concatenate((x_test[:5], reconstructed), axis=1)
print(f"reconstructions {reconstructed.shape} pairs {pairs.shape} val_loss {history.history['val_loss'][-1] < 1}")
