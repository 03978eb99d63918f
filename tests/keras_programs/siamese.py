"""A siamese network as Keras 2's mnist_siamese.py trains one, on MNIST: a shared base network, a
Lambda computing the euclidean distance with K ops, a contrastive loss and accuracy written with K."""

import numpy as np
from keras import backend as K
from keras.datasets import mnist
from keras.layers import Dense, Dropout, Flatten, Input, Lambda
from keras.models import Model
from keras.optimizers import RMSprop


def euclidean_distance(vects):
    x, y = vects
    return K.sqrt(K.maximum(K.sum(K.square(x - y), axis=1, keepdims=True), K.epsilon()))


def contrastive_loss(y_true, y_pred):
    margin = 1
    return K.mean(y_true * K.square(y_pred) + (1 - y_true) * K.square(K.maximum(margin - y_pred, 0)))


def accuracy(y_true, y_pred):
    return K.mean(K.equal(y_true, K.cast(y_pred < 0.5, y_true.dtype)))


(x_train, y_train), _ = mnist.load_data()
x_train = x_train.astype("float32") / 255
pairs, labels = [], []
for i in range(len(x_train) - 1):
    pairs.append([x_train[i], x_train[i + 1]])
    labels.append(float(y_train[i] == y_train[i + 1]))
pairs, labels = np.array(pairs), np.array(labels)

base_input = Input(shape=(28, 28))
hidden = Dropout(0.1)(Dense(32, activation="relu")(Flatten()(base_input)))
base_network = Model(base_input, Dense(16, activation="relu")(hidden))
input_a, input_b = Input(shape=(28, 28)), Input(shape=(28, 28))
distance = Lambda(euclidean_distance)([base_network(input_a), base_network(input_b)])
model = Model([input_a, input_b], distance)
model.compile(loss=contrastive_loss, optimizer=RMSprop(), metrics=[accuracy])
history = model.fit([pairs[:, 0], pairs[:, 1]], labels, batch_size=16, epochs=2, validation_split=0.25)
print("logged", sorted(history.history))
