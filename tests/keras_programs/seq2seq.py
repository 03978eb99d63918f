"""A character-level sequence-to-sequence model as Keras 2's lstm_seq2seq.py builds one: an encoder
LSTM's states passed as the decoder's initial_state, inference models cut from the trained graph,
the model saved to an .h5 name and loaded back."""

import numpy as np
from keras.layers import LSTM, Dense, Input
from keras.models import Model, load_model

rng = np.random.default_rng(0)
samples, in_steps, out_steps, in_tokens, out_tokens, latent = 96, 6, 5, 7, 8, 16
encoder_input_data = np.eye(in_tokens)[rng.integers(0, in_tokens, (samples, in_steps))]
decoder_input_data = np.eye(out_tokens)[rng.integers(0, out_tokens, (samples, out_steps))]
decoder_target_data = np.roll(decoder_input_data, -1, axis=1)

encoder_inputs = Input(shape=(None, in_tokens))
_, state_h, state_c = LSTM(latent, return_state=True)(encoder_inputs)
encoder_states = [state_h, state_c]
decoder_inputs = Input(shape=(None, out_tokens))
decoder_lstm = LSTM(latent, return_sequences=True, return_state=True)
decoder_outputs, _, _ = decoder_lstm(decoder_inputs, initial_state=encoder_states)
decoder_dense = Dense(out_tokens, activation="softmax")
model = Model([encoder_inputs, decoder_inputs], decoder_dense(decoder_outputs))
model.compile(optimizer="rmsprop", loss="categorical_crossentropy", metrics=["accuracy"])
model.fit([encoder_input_data, decoder_input_data], decoder_target_data, batch_size=16, epochs=2, validation_split=0.2)
model.save("s2s.h5")

model = load_model("s2s.h5")
_, restored_h, restored_c = model.layers[2].output  # the layers in Keras's order: inputs, encoder, decoder, dense
encoder_model = Model(model.input[0], [restored_h, restored_c])
state_input_h, state_input_c = Input(shape=(latent,)), Input(shape=(latent,))
restored_lstm, restored_dense = model.layers[3], model.layers[4]
outputs, h, c = restored_lstm(model.input[1], initial_state=[state_input_h, state_input_c])
decoder_model = Model([model.input[1], state_input_h, state_input_c], [restored_dense(outputs), h, c])
states = encoder_model.predict(encoder_input_data[:1])
target = np.zeros((1, 1, out_tokens))
decoded = []
for _ in range(out_steps):
    tokens, h, c = decoder_model.predict([target, *states])
    decoded.append(int(np.argmax(tokens[0, -1])))
    target = np.eye(out_tokens)[decoded[-1]].reshape(1, 1, out_tokens)
    states = [h, c]
print("decoded", len(decoded), "tokens")
