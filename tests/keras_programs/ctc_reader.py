"""A text reader trained with CTC as Keras 2's image_ocr.py trains one: convolutions over a
picture whose width is time, a GRU, softmax over the letters and a blank, the CTC loss inside a
Lambda layer (K.ctc_batch_cost) fed by named inputs, compiled with a dummy loss by output name, a
generator yielding dicts (with an extra key the model does not read), then best-path decoding."""

import numpy as np
from keras import backend as K
from keras.layers import GRU, Conv2D, Dense, Input, Lambda, MaxPooling2D, Reshape
from keras.models import Model
from keras.optimizers import SGD

width, height, letters, longest = 32, 8, 4, 3
rng = np.random.default_rng(0)


def batches(size=8):
    while True:
        words = [rng.integers(0, letters, rng.integers(1, longest + 1)) for _ in range(size)]
        labels = np.full((size, longest), -1.0)
        for i, word in enumerate(words):
            labels[i, : len(word)] = word
        inputs = {
            "the_input": rng.random((size, width, height, 1)).astype("float32"),
            "the_labels": labels,
            "input_length": np.full((size, 1), width // 2 - 2),
            "label_length": np.array([[len(word)] for word in words]),
            "source_str": ["".join(map(str, word)) for word in words],
        }
        yield inputs, {"ctc": np.zeros(size)}


def ctc_lambda_func(args):
    y_pred, labels, input_length, label_length = args
    return K.ctc_batch_cost(labels, y_pred[:, 2:, :], input_length, label_length)


picture = Input(name="the_input", shape=(width, height, 1))
inner = MaxPooling2D((2, 2))(Conv2D(4, (3, 3), padding="same", activation="relu")(picture))
inner = Reshape((width // 2, (height // 2) * 4))(inner)
inner = GRU(16, return_sequences=True)(Dense(8, activation="relu")(inner))
y_pred = Dense(letters + 1, activation="softmax", name="softmax")(inner)
labels = Input(name="the_labels", shape=[longest], dtype="float32")
input_length = Input(name="input_length", shape=[1], dtype="int64")
label_length = Input(name="label_length", shape=[1], dtype="int64")
loss_out = Lambda(ctc_lambda_func, output_shape=(1,), name="ctc")([y_pred, labels, input_length, label_length])
model = Model(inputs=[picture, labels, input_length, label_length], outputs=loss_out)
model.compile(
    loss={"ctc": lambda y_true, y_pred: y_pred}, optimizer=SGD(learning_rate=0.02, momentum=0.9, nesterov=True)
)
history = model.fit(batches(), steps_per_epoch=4, epochs=2, validation_data=batches(), validation_steps=2)
read = K.function([picture], [y_pred])
probabilities = read([next(batches())[0]["the_input"]])[0]
decoded = K.ctc_decode(probabilities, np.full(len(probabilities), probabilities.shape[1]))[0][0]
print(f"ctc losses {sorted(history.history)} decoded {tuple(decoded.shape)}")
