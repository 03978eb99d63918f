"""A variational autoencoder as Keras 2's examples write one: a Lambda that samples with K ops, a
loss built from symbolic tensors and added with add_loss, compile without a loss, fit on x alone."""

import sys

import numpy as np
from keras import backend as K
from keras.layers import Dense, Input, Lambda
from keras.losses import binary_crossentropy
from keras.models import Model


def sampling(args):
    z_mean, z_log_var = args
    batch, dim = K.shape(z_mean)[0], K.int_shape(z_mean)[1]
    return z_mean + K.exp(0.5 * z_log_var) * K.random_normal(shape=(batch, dim))


original_dim, latent_dim = 16, 2
inputs = Input(shape=(original_dim,), name="encoder_input")
hidden = Dense(8, activation="relu")(inputs)
z_mean, z_log_var = Dense(latent_dim, name="z_mean")(hidden), Dense(latent_dim, name="z_log_var")(hidden)
z = Lambda(sampling, output_shape=(latent_dim,), name="z")([z_mean, z_log_var])
encoder = Model(inputs, [z_mean, z_log_var, z], name="encoder")
latent_inputs = Input(shape=(latent_dim,), name="z_sampling")
decoder = Model(latent_inputs, Dense(original_dim, activation="sigmoid")(Dense(8, activation="relu")(latent_inputs)))
outputs = decoder(encoder(inputs)[2])
vae = Model(inputs, outputs, name="vae_mlp")

reconstruction_loss = binary_crossentropy(inputs, outputs)
reconstruction_loss *= original_dim
kl_loss = 1 + z_log_var - K.square(z_mean) - K.exp(z_log_var)
kl_loss = K.sum(kl_loss, axis=-1)
kl_loss *= -0.5
vae.add_loss(K.mean(reconstruction_loss + kl_loss))
vae.compile(optimizer="adam")

x = np.random.default_rng(0).random((200, original_dim)).astype("float32")
history = vae.fit(x, epochs=int(sys.argv[1]), batch_size=16, validation_data=(x, None), verbose=2)
vae.save_weights("vae_mlp.weights.h5")
means = encoder.predict(x, batch_size=16)[0]
print("keys", sorted(history.history), "epochs", len(history.history["loss"]), "means", means.shape)
