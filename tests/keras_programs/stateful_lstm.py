"""A stateful LSTM as Keras 2's lstm_stateful.py trains one: batch_size= on the layer, shuffle off,
one epoch at a time with reset_states between, predict with the same batch size."""

import numpy as np
from keras.layers import LSTM, Dense
from keras.models import Sequential

batch_size, steps = 8, 4
x = np.cumsum(np.random.default_rng(0).standard_normal((64, steps, 1)), axis=1).astype("float32")
y = x.mean(axis=1)
model = Sequential()
model.add(LSTM(10, input_shape=(steps, 1), batch_size=batch_size, return_sequences=False, stateful=True))
model.add(Dense(1))
model.compile(loss="mse", optimizer="adam")
for _ in range(2):
    model.fit(x, y, batch_size=batch_size, epochs=1, verbose=1, shuffle=False)
    model.reset_states()
predicted = model.predict(x, batch_size=batch_size)
print("predicted", predicted.shape)
