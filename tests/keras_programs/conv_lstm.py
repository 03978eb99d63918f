"""Next-frame prediction as Keras 2's conv_lstm.py trains it: stacked ConvLSTM2D layers with
BatchNormalization, then a Conv3D, on generated movies of moving squares."""

import numpy as np
from keras.layers import BatchNormalization, Conv3D
from keras.layers.convolutional_recurrent import ConvLSTM2D
from keras.models import Sequential

rng = np.random.default_rng(0)
movies = np.zeros((24, 6, 12, 12, 1), dtype="float32")
for movie in movies:
    row, column = rng.integers(0, 8, 2)
    for t in range(6):
        movie[t, row : row + 3, (column + t) % 10 : (column + t) % 10 + 3, 0] = 1
seq = Sequential()
seq.add(ConvLSTM2D(filters=8, kernel_size=(3, 3), input_shape=(None, 12, 12, 1), padding="same", return_sequences=True))
seq.add(BatchNormalization())
seq.add(ConvLSTM2D(filters=8, kernel_size=(3, 3), padding="same", return_sequences=True))
seq.add(BatchNormalization())
seq.add(Conv3D(filters=1, kernel_size=(3, 3, 3), activation="sigmoid", padding="same", data_format="channels_last"))
seq.compile(loss="binary_crossentropy", optimizer="adadelta")
seq.fit(movies[:, :-1], movies[:, 1:], batch_size=4, epochs=2, validation_split=0.25)
print("next frames", seq.predict(movies[:1, :-1]).shape)
