"""A hierarchical RNN over MNIST as Keras 2's mnist_hierarchical_rnn.py builds one: a
TimeDistributed LSTM reads each image row, a second LSTM reads the rows' encodings."""

import keras
from keras.datasets import mnist
from keras.layers import LSTM, Dense, Input, TimeDistributed
from keras.models import Model

(x_train, y_train), (x_test, y_test) = mnist.load_data()
x_train = x_train.reshape(x_train.shape[0], 28, 28, 1).astype("float32") / 255
x_test = x_test.reshape(x_test.shape[0], 28, 28, 1).astype("float32") / 255
y_train, y_test = keras.utils.to_categorical(y_train, 10), keras.utils.to_categorical(y_test, 10)
x = Input(shape=(28, 28, 1))
encoded_rows = TimeDistributed(LSTM(16))(x)
prediction = Dense(10, activation="softmax")(LSTM(16)(encoded_rows))
model = Model(x, prediction)
model.compile(loss="categorical_crossentropy", optimizer="rmsprop", metrics=["accuracy"])
model.fit(x_train, y_train, batch_size=32, epochs=2, verbose=1, validation_data=(x_test, y_test))
scores = model.evaluate(x_test, y_test, verbose=0)
print("Test loss:", scores[0], "Test accuracy:", scores[1])
