"""A memory network over bAbI-style stories, as Keras 2's babi_memnn.py writes it: Embedding,
dot, add, Permute, concatenate (from keras.layers and Keras 2's keras.layers.merge), LSTM."""

import numpy as np
from keras.layers import LSTM, Activation, Dense, Dropout, Embedding, Input, Permute, dot
from keras.layers.merge import add, concatenate
from keras.models import Model, Sequential
from keras.preprocessing.sequence import pad_sequences

rng = np.random.default_rng(0)
vocab_size, story_maxlen, query_maxlen = 20, 12, 4
stories = pad_sequences([rng.integers(1, vocab_size, rng.integers(5, 12)) for _ in range(120)], maxlen=story_maxlen)
queries = rng.integers(1, vocab_size, (120, query_maxlen))
answers = rng.integers(1, vocab_size, 120)

input_sequence, question = Input((story_maxlen,)), Input((query_maxlen,))
input_encoder_m = Sequential([Embedding(input_dim=vocab_size, output_dim=16), Dropout(0.3)])
input_encoder_c = Sequential([Embedding(input_dim=vocab_size, output_dim=query_maxlen), Dropout(0.3)])
question_encoder = Sequential([Embedding(input_dim=vocab_size, output_dim=16, input_length=query_maxlen), Dropout(0.3)])
input_encoded_m, input_encoded_c = input_encoder_m(input_sequence), input_encoder_c(input_sequence)
question_encoded = question_encoder(question)
match = Activation("softmax")(dot([input_encoded_m, question_encoded], axes=(2, 2)))
response = Permute((2, 1))(add([match, input_encoded_c]))
answer = Dropout(0.3)(LSTM(8)(concatenate([response, question_encoded])))
answer = Activation("softmax")(Dense(vocab_size)(answer))
model = Model([input_sequence, question], answer)
model.compile(optimizer="rmsprop", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
model.fit([stories, queries], answers, batch_size=32, epochs=2, validation_data=([stories, queries], answers))
print("answer shape", model.predict([stories[:3], queries[:3]]).shape)
