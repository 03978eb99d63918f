"""A PixelCNN's masked convolution as keras.io's port writes it: the mask made in NumPy from
ops.shape(kernel) (Keras's layout), applied with kernel.assign(kernel * mask) on every call, and
pixels sampled with `probs - keras.random.uniform(...)` mixing NumPy and the framework's tensors."""

import keras
import numpy as np
from keras import layers, ops


class PixelConvLayer(layers.Layer):
    def __init__(self, mask_type, **kwargs):
        super().__init__()
        self.mask_type = mask_type
        self.conv = layers.Conv2D(**kwargs)

    def build(self, input_shape):
        self.conv.build(input_shape)
        kernel_shape = ops.shape(self.conv.kernel)
        self.mask = np.zeros(shape=kernel_shape)
        self.mask[: kernel_shape[0] // 2, ...] = 1.0
        self.mask[kernel_shape[0] // 2, : kernel_shape[1] // 2, ...] = 1.0
        if self.mask_type == "B":
            self.mask[kernel_shape[0] // 2, kernel_shape[1] // 2, ...] = 1.0

    def call(self, inputs):
        self.conv.kernel.assign(self.conv.kernel * self.mask)
        return self.conv(inputs)


(x, _), _ = keras.datasets.mnist.load_data()
data = np.where(x[:64, :, :, None] / 255.0 > 0.33, 1.0, 0.0).astype("float32")
inputs = keras.Input(shape=(28, 28, 1))
hidden = PixelConvLayer(mask_type="A", filters=8, kernel_size=5, activation="relu", padding="same")(inputs)
out = layers.Conv2D(1, 1, activation="sigmoid")(hidden)
model = keras.Model(inputs, out)
model.compile(optimizer="adam", loss="binary_crossentropy")
model.fit(data, data, batch_size=16, epochs=1)
pixels = np.zeros((2, 28, 28, 1))
probs = model.predict(pixels)[:, 0, 0, 0]  # the call masks the kernel the last step trained
kernel = model.layers[1].conv.get_weights()[0]
below = np.abs(kernel[3:, ...]).max() + np.abs(kernel[2, 2:, ...]).max()  # the taps mask A hides
pixels[:, 0, 0, 0] = ops.ceil(probs - keras.random.uniform(probs.shape))
print(f"masked taps {below} sampled 0 or 1 {set(np.abs(pixels[:, 0, 0, 0]).tolist()) <= {0.0, 1.0}}")
