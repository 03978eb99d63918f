"""Images as sequences of patches, as keras.io's Keras 3 CCT, ViT, EANet and FNet examples write
them: CIFAR-100; the user's layers read images channels-last (ops.shape, ops.image.extract_patches,
a Sequential held as an attribute); positions embedded with Embedding(ops.arange); stochastic depth
reading `training`; an FNet block's ops.fft2; a patch layer called on a resized picture."""

import keras
from keras import layers, ops

num_classes, patch_size, dim = 100, 4, 16
(x_train, y_train), (x_test, y_test) = keras.datasets.cifar100.load_data()
y_train, y_test = keras.utils.to_categorical(y_train, num_classes), keras.utils.to_categorical(y_test, num_classes)


class Tokenizer(layers.Layer):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.conv_model = keras.Sequential(
            [layers.Conv2D(dim, 3, padding="same", activation="relu"), layers.MaxPooling2D(2, 2, "same")]
        )

    def call(self, images):
        outputs = self.conv_model(images)
        shape = ops.shape(outputs)
        return ops.reshape(outputs, (-1, shape[1] * shape[2], shape[-1]))


class Patches(layers.Layer):
    def __init__(self, size, **kwargs):
        super().__init__(**kwargs)
        self.size = size

    def call(self, images):
        batch, channels = ops.shape(images)[0], ops.shape(images)[-1]
        patches = ops.image.extract_patches(images, self.size)
        return ops.reshape(patches, (batch, -1, self.size * self.size * channels))


class PatchEmbedding(layers.Layer):
    def __init__(self, num_patch, embed_dim, **kwargs):
        super().__init__(**kwargs)
        self.num_patch = num_patch
        self.proj = layers.Dense(embed_dim)
        self.pos_embed = layers.Embedding(input_dim=num_patch, output_dim=embed_dim)

    def call(self, patch):
        return self.proj(patch) + self.pos_embed(ops.arange(start=0, stop=self.num_patch, step=1))


class StochasticDepth(layers.Layer):
    def __init__(self, drop_prob, **kwargs):
        super().__init__(**kwargs)
        self.drop_prob, self.modes = drop_prob, set()
        self.seed_generator = keras.random.SeedGenerator(1337)

    def call(self, x, training=None):
        self.modes.add(bool(training))
        if training:
            keep = 1 - self.drop_prob
            shape = (ops.shape(x)[0],) + (1,) * (len(x.shape) - 1)
            return (x / keep) * ops.floor(keep + keras.random.uniform(shape, 0, 1, seed=self.seed_generator))
        return x


class FNetLayer(layers.Layer):
    def __init__(self, embedding_dim, **kwargs):
        super().__init__(**kwargs)
        self.ffn = keras.Sequential([layers.Dense(embedding_dim, activation="gelu"), layers.Dense(embedding_dim)])
        self.normalize1 = layers.LayerNormalization(epsilon=1e-6)
        self.normalize2 = layers.LayerNormalization(epsilon=1e-6)

    def call(self, inputs):
        x = ops.fft2((inputs, ops.zeros_like(inputs)))[0]
        x = self.normalize1(x + inputs)
        return self.normalize2(x + self.ffn(x))


inputs = layers.Input((32, 32, 3))
scaled = layers.Rescaling(1.0 / 255)(inputs)
tokens = Tokenizer(name="tokenizer")(scaled)
embedded = PatchEmbedding((32 // patch_size) ** 2, dim)(Patches(patch_size)(scaled))
sequence = layers.Concatenate(axis=1)([tokens, embedded])
normed = layers.LayerNormalization(epsilon=1e-5)(sequence)
depth = StochasticDepth(0.1)
attended = depth(layers.MultiHeadAttention(num_heads=2, key_dim=dim, dropout=0.1)(normed, normed))
sequence = FNetLayer(dim)(layers.Add()([attended, sequence]))
logits = layers.Dense(num_classes)(layers.GlobalAveragePooling1D()(sequence))
model = keras.Model(inputs, logits)
model.compile(
    optimizer=keras.optimizers.AdamW(learning_rate=0.001, weight_decay=0.0001),
    loss=keras.losses.CategoricalCrossentropy(from_logits=True, label_smoothing=0.1),
    metrics=[keras.metrics.CategoricalAccuracy(name="accuracy"), keras.metrics.TopKCategoricalAccuracy(5)],
)
checkpoint = keras.callbacks.ModelCheckpoint(
    "checkpoint.weights.h5", monitor="val_accuracy", save_best_only=True, save_weights_only=True
)
model.fit(x_train, y_train, batch_size=16, epochs=2, validation_split=0.1, callbacks=[checkpoint])
model.load_weights("checkpoint.weights.h5")
_, accuracy, top_5 = model.evaluate(x_test, y_test)
print(f"Test accuracy: {round(accuracy * 100, 2)}% top 5: {round(top_5 * 100, 2)}%")

picture = ops.image.resize(ops.convert_to_tensor([x_train[0]]), size=(16, 16))
patches = Patches(patch_size)(picture)
tokens_shape = tuple(model.get_layer("tokenizer").output.shape)
print(f"patches {tuple(patches.shape)} tokens {tokens_shape} depth modes {sorted(depth.modes)}")
