"""Layers, arguments and helpers that public Keras programs use (issue 17): Dot, integer inputs,
Keras 2's weights= argument, the Identity and array Constant initializers, TimeDistributed over an
image read row by row, merge layers that broadcast, the scikit-learn wrappers, a compute_loss of the
model's own, and Keras 2's defaults. Numbers are checked against NumPy."""

import itertools

import numpy as np
import pytest

import cnnkit as keras
from cnnkit import initializers, layers
from cnnkit.common import keras_defaults


def test_dot_layer_matches_numpy(rng):
    memory, query = keras.Input((5, 4)), keras.Input((6, 4))
    attention = layers.dot([memory, query], axes=(2, 2))
    cosine = layers.Dot(axes=1, normalize=True)([layers.Flatten()(memory), layers.Flatten()(memory)])
    model = keras.Model([memory, query], [attention, cosine])
    assert model.output_shape == [(None, 5, 6), (None, 1)]
    m, q = rng.random((2, 5, 4)), rng.random((2, 6, 4))
    got_attention, got_cosine = model.predict([m, q], verbose=0)
    np.testing.assert_allclose(got_attention, np.einsum("bmd,bnd->bmn", m, q), rtol=1e-5)
    np.testing.assert_allclose(got_cosine, np.ones((2, 1)), rtol=1e-5)
    with pytest.raises(ValueError, match="must have one size"):
        layers.Dot(axes=1)([keras.Input((3,)), keras.Input((4,))])


def test_integer_input_feeds_an_embedding_and_survives_saving(rng, tmp_path):
    ids = keras.Input(shape=(None,), dtype="int32")
    assert ids.dtype == "int32"
    pooled = layers.GlobalAveragePooling1D()(layers.Embedding(50, 4)(ids))
    model = keras.Model(ids, layers.Dense(1, activation="sigmoid")(pooled))
    model.compile(optimizer="adam", loss="binary_crossentropy")
    model.fit(rng.integers(0, 50, (16, 7)), rng.integers(0, 2, 16), epochs=1, verbose=0)
    model.save(tmp_path / "ids.keras")
    assert keras.models.load_model(tmp_path / "ids.keras").layers[0].input_dtype == "int32"
    with pytest.raises(ValueError, match="dtype must be one of"):
        keras.Input((3,), dtype="complex64")


def test_weights_argument_sets_the_built_layer():
    kernel, bias = np.arange(6.0).reshape(3, 2), np.array([0.5, -0.5])
    table = np.arange(10.0).reshape(5, 2)
    model = keras.Sequential([keras.Input((3,)), layers.Dense(2, weights=[kernel, bias])])
    np.testing.assert_allclose(model.predict(np.ones((1, 3)), verbose=0), [np.ones(3) @ kernel + bias])
    embedded = keras.Sequential([keras.Input((2,)), layers.Embedding(5, 2, weights=[table])])
    np.testing.assert_allclose(embedded.predict(np.array([[4, 1]]), verbose=0)[0], table[[4, 1]])


def test_identity_and_array_constant_initializers():
    np.testing.assert_array_equal(initializers.Identity(gain=2.0)((3, 3)).numpy(), 2 * np.eye(3))
    np.testing.assert_array_equal(initializers.get("identity")((2, 3)).numpy(), np.eye(2, 3))
    row = np.array([1.0, 2.0, 3.0])
    np.testing.assert_array_equal(initializers.Constant(row)((2, 3)).numpy(), np.stack([row, row]))
    assert initializers.serialize(initializers.Constant(row)) == {
        "class_name": "Constant",
        "config": {"value": [1, 2, 3]},
    }
    with pytest.raises(ValueError, match="only 2-D weights"):
        initializers.Identity()((2, 2, 2))
    irnn = layers.SimpleRNN(4, recurrent_initializer=initializers.Identity(gain=1.0))
    keras.Sequential([keras.Input((3, 2)), irnn])
    np.testing.assert_array_equal(irnn.get_weights()[1], np.eye(4))


def test_time_distributed_reads_an_image_row_by_row(rng):
    image = keras.Input((6, 5, 1))  # (rows, columns, channels): each row is a timestep of 5 x 1
    rows = layers.TimeDistributed(layers.Dense(3))(layers.Reshape((6, 5))(image))
    per_row = layers.TimeDistributed(layers.SimpleRNN(2))(image)
    model = keras.Model(image, [rows, per_row])
    assert model.output_shape == [(None, 6, 3), (None, 6, 2)]
    x = rng.random((2, 6, 5, 1)).astype("float32")
    got_rows, got_rnn = model.predict(x, verbose=0)
    wrapped = {type(layer.layer): layer.layer for layer in model.layers if isinstance(layer, layers.TimeDistributed)}
    kernel, bias = wrapped[layers.Dense].get_weights()
    np.testing.assert_allclose(got_rows, x[..., 0] @ kernel + bias, rtol=1e-5)
    w, u, b = wrapped[layers.SimpleRNN].get_weights()
    state = np.zeros((2 * 6, 2))
    for column in range(5):
        state = np.tanh(x.reshape(12, 5, 1)[:, column] @ w + state @ u + b)
    np.testing.assert_allclose(got_rnn, state.reshape(2, 6, 2), rtol=1e-4, atol=1e-5)


def test_merge_layers_broadcast_a_size_one_axis(rng):
    values, gate = keras.Input((4, 3)), keras.Input((4, 1))
    model = keras.Model([values, gate], [layers.multiply([values, gate]), layers.add([gate, values])])
    assert model.output_shape == [(None, 4, 3), (None, 4, 3)]
    v, g = rng.random((2, 4, 3)), rng.random((2, 4, 1))
    product, total = model.predict([v, g], verbose=0)
    np.testing.assert_allclose(product, v * g, rtol=1e-6)
    np.testing.assert_allclose(total, v + g, rtol=1e-6)
    with pytest.raises(ValueError, match="shapes that broadcast"):
        layers.add([keras.Input((4, 3)), keras.Input((4, 2))])
    # a lower-rank input gets a size-1 axis after the batch axis, as Keras's merge layers give it
    flat, sequence = keras.Input((5,)), keras.Input((1, 5))
    joined = keras.Model([flat, sequence], layers.multiply([flat, sequence]))
    assert joined.output_shape == (None, 1, 5)
    f, s = rng.random((2, 5)), rng.random((2, 1, 5))
    np.testing.assert_allclose(joined.predict([f, s], verbose=0), f[:, None, :] * s, rtol=1e-6)


def test_scikit_learn_grid_search_over_a_keras_classifier(rng):
    from sklearn.model_selection import GridSearchCV

    from cnnkit.wrappers.scikit_learn import KerasClassifier

    def make_model(units=4):
        model = keras.Sequential(
            [keras.Input((3,)), layers.Dense(units, activation="relu"), layers.Dense(2, activation="softmax")]
        )
        model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
        return model

    x = rng.random((40, 3)).astype("float32")
    labels = np.where(x[:, 0] > 0.5, "big", "small")
    search = GridSearchCV(KerasClassifier(make_model, verbose=0), {"units": [2, 4], "epochs": [1]}, cv=2)
    search.fit(x, labels)
    assert search.best_params_["units"] in (2, 4)
    best = search.best_estimator_
    assert set(best.predict(x)) <= {"big", "small"}
    probabilities = best.predict_proba(x)
    np.testing.assert_allclose(probabilities.sum(axis=1), 1.0, rtol=1e-5)
    assert 0.0 <= best.score(x, labels) <= 1.0
    with pytest.raises(ValueError, match="not an argument of build_fn, fit or predict"):
        KerasClassifier(make_model, colour="red")


def test_a_models_own_compute_loss_needs_no_compiled_loss(rng):
    class HalfMSE(keras.Model):
        def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None, training=True):
            return 0.5 * keras.ops.mean((y - y_pred) ** 2)

    inputs = keras.Input((3,))
    model = HalfMSE(inputs, layers.Dense(1)(inputs))
    model.compile(optimizer="sgd", metrics=["mae"])
    x, y = rng.random((8, 3)).astype("float32"), rng.random((8, 1)).astype("float32")
    prediction = model.predict(x, verbose=0)
    logs = model.evaluate(x, y, verbose=0, return_dict=True)
    assert logs["loss"] == pytest.approx(0.5 * ((y - prediction) ** 2).mean(), rel=1e-5)
    assert logs["mae"] == pytest.approx(np.abs(y - prediction).mean(), rel=1e-5)


@pytest.fixture
def keras_2_defaults():
    keras_defaults.set_version(2)
    yield
    keras_defaults.set_version(3)


def test_keras_2_defaults_where_they_differ(keras_2_defaults):
    assert keras.optimizers.Adadelta().learning_rate == pytest.approx(1.0)
    assert keras.optimizers.Adagrad().learning_rate == pytest.approx(0.01)
    assert keras.optimizers.Adagrad().initial_accumulator_value == 0.0
    assert keras.optimizers.Adamax().learning_rate == pytest.approx(0.002)
    assert keras.optimizers.Nadam().learning_rate == pytest.approx(0.002)
    assert keras.optimizers.Adam().learning_rate == pytest.approx(0.001)  # the same in both
    assert keras.optimizers.Adadelta(learning_rate=0.5).learning_rate == pytest.approx(0.5)
    assert layers.GRU(3).reset_after is False
    x = np.linspace(-4, 4, 9).astype("float32")
    np.testing.assert_allclose(
        keras.activations.hard_sigmoid(keras.ops.convert_to_tensor(x)), np.clip(0.2 * x + 0.5, 0, 1)
    )


def test_keras_3_defaults_by_default():
    assert keras.optimizers.Adadelta().learning_rate == pytest.approx(0.001)
    assert layers.GRU(3).reset_after is True
    with pytest.raises(ValueError, match="version must be 2 or 3"):
        keras_defaults.set_version(1)


def _sigmoid(v):
    return 1 / (1 + np.exp(-v))


def _conv_same(frame, kernel):
    """A stride-1 'same' convolution of one (height, width, channels) frame, odd kernel, in NumPy."""
    kh, kw = kernel.shape[:2]
    padded = np.pad(frame, ((kh // 2, kh // 2), (kw // 2, kw // 2), (0, 0)))
    out = np.zeros((*frame.shape[:2], kernel.shape[3]))
    for i in range(frame.shape[0]):
        for j in range(frame.shape[1]):
            out[i, j] = np.tensordot(padded[i : i + kh, j : j + kw], kernel, axes=3)
    return out


def test_conv_lstm2d_matches_numpy(rng):
    clips = rng.random((2, 3, 5, 4, 2)).astype("float32")
    layer = layers.ConvLSTM2D(3, (3, 3), padding="same", return_sequences=True)
    model = keras.Sequential([keras.Input((None, 5, 4, 2)), layer])
    assert model.output_shape == (None, None, 5, 4, 3)
    kernel, recurrent, bias = layer.get_weights()
    np.testing.assert_array_equal(bias[3:6], 1.0)  # unit_forget_bias
    expected = []
    for clip in clips:
        h = c = np.zeros((5, 4, 3))
        steps = []
        for frame in clip:
            z = _conv_same(frame, kernel) + _conv_same(h, recurrent) + bias
            i, f, g, o = np.split(z, 4, axis=-1)
            c = _sigmoid(f) * c + _sigmoid(i) * np.tanh(g)
            h = _sigmoid(o) * np.tanh(c)
            steps.append(h)
        expected.append(steps)
    np.testing.assert_allclose(model.predict(clips, verbose=0), np.array(expected), rtol=1e-4, atol=1e-5)
    last = keras.Sequential([keras.Input((3, 5, 4, 2)), layers.ConvLSTM2D(3, 3)])
    assert last.output_shape == (None, 3, 2, 3) and last.predict(clips, verbose=0).shape == (2, 3, 2, 3)


def test_conv3d_and_3d_pooling_match_numpy(rng):
    volume = rng.random((1, 4, 3, 5, 2)).astype("float32")
    conv = layers.Conv3D(2, (2, 1, 3), padding="valid")
    model = keras.Sequential([keras.Input((4, 3, 5, 2)), conv])
    kernel, bias = conv.get_weights()
    expected = np.zeros((1, 3, 3, 3, 2))
    for d in range(3):
        for w in range(3):
            window = volume[0, d : d + 2, :, w : w + 3]  # (2, 3, 3, 2): depth, height, width, channels
            expected[0, d, :, w] = np.einsum("dhwc,dwco->ho", window, kernel[:, 0]) + bias
    np.testing.assert_allclose(model.predict(volume, verbose=0), expected, rtol=1e-5, atol=1e-6)
    pooled = keras.Sequential([keras.Input((4, 3, 5, 2)), layers.MaxPooling3D(2, padding="same")])
    assert pooled.output_shape == (None, 2, 2, 3, 2)
    got = pooled.predict(volume, verbose=0)
    np.testing.assert_allclose(got[0, 1, 1, 2], volume[0, 2:4, 2:3, 4:5].max(axis=(0, 1, 2)))
    averaged = keras.Sequential([keras.Input((4, 3, 5, 2)), layers.AveragePooling3D((2, 2, 2), padding="same")])
    np.testing.assert_allclose(
        averaged.predict(volume, verbose=0)[0, 1, 1, 2], volume[0, 2:4, 2:3, 4:5].mean(axis=(0, 1, 2)), rtol=1e-5
    )


def test_a_missing_single_channel_axis_is_added_as_keras_3_does(rng):
    model = keras.Sequential([keras.Input((6, 6, 1)), layers.Conv2D(2, 3), layers.Flatten(), layers.Dense(2)])
    model.compile(optimizer="sgd", loss="mse")
    images = rng.random((4, 6, 6)).astype("float32")
    np.testing.assert_array_equal(model.predict(images, verbose=0), model.predict(images[..., None], verbose=0))
    model.fit(images, rng.random((4, 2)), epochs=1, verbose=0)
    with pytest.raises(ValueError, match=r"expects inputs of shape \(6, 6, 1\)"):
        model.predict(rng.random((4, 6, 5)), verbose=0)


def test_batch_normalization_of_clips_uses_the_last_axis(rng):
    import torch

    layer = layers.BatchNormalization()
    keras.Sequential([keras.Input((3, 4, 5, 2)), layer])
    clips = rng.random((6, 3, 4, 5, 2)).astype("float32") * 3 + 1
    normalised = layer(torch.tensor(clips), training=True).detach().numpy()
    mean, variance = clips.mean(axis=(0, 1, 2, 3)), clips.var(axis=(0, 1, 2, 3))
    np.testing.assert_allclose(normalised, (clips - mean) / np.sqrt(variance + 1e-3), rtol=1e-4, atol=1e-4)


def test_keras_config(rng, capsys):
    model = keras.Sequential([keras.Input((3,)), layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    batches = []
    counter = keras.callbacks.LambdaCallback(on_train_batch_end=lambda batch, logs: batches.append(batch))
    keras.config.set_max_steps_per_epoch(2)
    keras.config.set_max_epochs(1)
    keras.config.disable_interactive_logging()
    try:
        history = model.fit(rng.random((50, 3)), rng.random((50, 1)), batch_size=5, epochs=4, callbacks=[counter])
    finally:
        keras.config.set_max_steps_per_epoch(None)
        keras.config.set_max_epochs(None)
        keras.config.enable_interactive_logging()
    assert batches == [0, 1] and len(history.history["loss"]) == 1
    assert capsys.readouterr().out == ""  # no progress output while interactive logging is off
    assert keras.config.floatx() == "float32" and keras.config.image_data_format() == "channels_last"
    with pytest.raises(ValueError, match="set_floatx: cnnkit keeps weights in float32"):
        keras.config.set_floatx("float64")


def test_a_capped_epoch_reports_the_batches_it_ran(rng, capsys):
    model = keras.Sequential([keras.Input((3,)), layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    keras.config.set_max_steps_per_epoch(2)
    try:
        model.fit(rng.random((50, 3)), rng.random((50, 1)), batch_size=5, epochs=2, verbose=2)
    finally:
        keras.config.set_max_steps_per_epoch(None)
    finished = [line for line in capsys.readouterr().out.splitlines() if " - loss: " in line]
    assert len(finished) == 2 and all(line.startswith("2/2 - ") for line in finished), finished


def test_keras_2_gan_recipe_trains_what_compile_saw(keras_2_defaults, rng):
    discriminator = keras.Sequential([keras.Input((3,)), layers.Dense(1, activation="sigmoid")])
    discriminator.compile(optimizer="sgd", loss="binary_crossentropy")
    generator = keras.Sequential([keras.Input((2,)), layers.Dense(3)])
    discriminator.trainable = False  # Keras 2's recipe: frozen for the combined model only
    noise = keras.Input((2,))
    combined = keras.Model(noise, discriminator(generator(noise)))
    combined.compile(optimizer="sgd", loss="binary_crossentropy")
    d_before, g_before = discriminator.get_weights()[0].copy(), generator.get_weights()[0].copy()
    combined.train_on_batch(rng.random((4, 2)), np.ones(4))
    np.testing.assert_array_equal(discriminator.get_weights()[0], d_before)  # frozen in the combined model
    assert not np.allclose(generator.get_weights()[0], g_before)
    discriminator.train_on_batch(rng.random((4, 3)), np.ones(4))
    assert not np.allclose(discriminator.get_weights()[0], d_before)  # compiled trainable, so it trains
    assert discriminator.trainable is False and not discriminator.layers[0].kernel.requires_grad


def test_causal_multi_head_attention_matches_numpy(rng):
    query = keras.Input((4, 6))
    attention = layers.MultiHeadAttention(num_heads=2, key_dim=3)
    output, scores = attention(query, query, use_causal_mask=True, return_attention_scores=True)
    model = keras.Model(query, [output, scores])
    x = rng.random((2, 4, 6)).astype("float32")
    got_output, got_scores = model.predict(x, verbose=0)
    wq, bq, wk, bk, wv, bv, wo, bo = attention.get_weights()
    q = np.einsum("btf,fhd->bthd", x, wq) + bq
    k, v = np.einsum("btf,fhd->bthd", x, wk) + bk, np.einsum("btf,fhd->bthd", x, wv) + bv
    logits = np.einsum("bqhd,bkhd->bhqk", q / np.sqrt(3), k) + np.where(np.tril(np.ones((4, 4))), 0, -1e9)
    weights = np.exp(logits - logits.max(-1, keepdims=True))
    weights /= weights.sum(-1, keepdims=True)
    expected = np.einsum("bqhd,hdf->bqf", np.einsum("bhqk,bkhd->bqhd", weights, v), wo) + bo
    np.testing.assert_allclose(got_scores, weights, rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(got_output, expected, rtol=1e-4, atol=1e-5)
    assert np.all(got_scores[:, :, 0, 1:] < 1e-6)  # the first step sees only itself


def test_resnet50v2_has_keras_layers_and_parameter_counts():
    # Keras 3.15's own counts for these builders (keras.applications.ResNet50V2(weights=None)...)
    model = keras.applications.ResNet50V2(weights=None)
    assert model.count_params() == 25_613_800 and len(model.layers) == 192
    assert model.get_layer("conv2_block1_0_conv").get_weights()[0].shape == (1, 1, 64, 256)
    features = keras.applications.resnet_v2.ResNet50V2(
        include_top=False, weights=None, input_shape=(32, 32, 3), pooling="avg"
    )
    assert features.output_shape == (None, 2048) and features.count_params() == 23_564_800


def test_mobilenetv2_has_keras_parameter_counts():
    # Keras 3.15's own counts (keras.applications.MobileNetV2(alpha=..., weights=None))
    counts = {1.0: 3_538_984, 0.35: 1_691_208, 1.4: 6_156_712}
    for alpha, count in counts.items():
        model = keras.applications.MobileNetV2(alpha=alpha)
        assert model.count_params() == count and len(model.layers) == 156, alpha
    small = keras.applications.mobilenet_v2.MobileNetV2(input_shape=(32, 32, 3), include_top=False, pooling="avg")
    assert small.output_shape == (None, 1280) and small.count_params() == 2_257_984


def test_keras_3_sklearn_classifier_in_a_pipeline(rng):
    from sklearn.model_selection import cross_val_score
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    def build(x, y, units=8):  # y arrives one-hot, as Keras 3's wrapper gives it
        model = keras.Sequential([keras.Input(x.shape[1:]), layers.Dense(units, activation="relu"),
                                  layers.Dense(y.shape[1], activation="softmax")])  # fmt: skip
        model.compile(loss="categorical_crossentropy", optimizer="adam")
        return model

    x = rng.random((60, 4)).astype("float32")
    labels = np.where(x[:, 0] > 0.5, "high", "low")
    classifier = keras.wrappers.SKLearnClassifier(build, model_kwargs={"units": 4}, fit_kwargs={"epochs": 1})
    scores = cross_val_score(make_pipeline(StandardScaler(), classifier), x, labels, cv=3)
    assert scores.shape == (3,) and np.all((0 <= scores) & (scores <= 1))
    fitted = classifier.fit(x, labels)
    assert set(fitted.predict(x)) <= {"high", "low"} and list(fitted.classes_) == ["high", "low"]
    regressor = keras.wrappers.SKLearnRegressor(
        lambda x, y: _compiled(keras.Sequential([keras.Input((4,)), layers.Dense(1)]))
    ).fit(x, x[:, 0])
    assert regressor.predict(x).shape == (60,)


def _compiled(model):
    model.compile(optimizer="sgd", loss="mse")
    return model


def test_mobilenet_has_keras_parameter_counts():
    # Keras 3.15's own counts (keras.applications.MobileNet(alpha=..., weights=None))
    for alpha, count in {1.0: 4_253_864, 0.5: 1_342_536}.items():
        model = keras.applications.MobileNet(alpha=alpha)
        assert model.count_params() == count and len(model.layers) == 91, alpha
    features = keras.applications.mobilenet.MobileNet(input_shape=(32, 32, 3), include_top=False, pooling="avg")
    assert features.output_shape == (None, 1024) and features.count_params() == 3_228_864


def test_inception_v3_has_keras_layers_and_parameter_counts():
    # Keras 3.15's own counts (keras.applications.InceptionV3(weights=None)...)
    model = keras.applications.InceptionV3()
    assert model.count_params() == 23_851_784 and len(model.layers) == 313
    mixed = {layer.name for layer in model.layers if layer.name.startswith("mixed")}
    assert mixed == {f"mixed{i}" for i in range(11)} | {"mixed9_0", "mixed9_1"}  # Keras's names, which programs use
    features = keras.applications.inception_v3.InceptionV3(include_top=False, input_shape=(75, 75, 3), pooling="avg")
    assert features.output_shape == (None, 2048) and features.count_params() == 21_802_784


def test_keras_built_applications_check_their_arguments():
    with pytest.raises(ValueError, match="pooling must be None, 'avg' or 'max'"):
        keras.applications.MobileNetV2(include_top=False, pooling="mean")
    with pytest.raises(ValueError, match="input_shape must be"):
        keras.applications.InceptionV3(input_shape=(299, 299))
    pixels = np.full((1, 2, 2, 3), 255.0, dtype="float32")
    np.testing.assert_allclose(keras.applications.resnet_v2.preprocess_input(pixels), np.ones((1, 2, 2, 3)))


def test_a_kernel_masked_as_keras_pixelcnn_does(rng):
    """`mask = np.zeros(ops.shape(kernel))` in Keras's layout, then `kernel.assign(kernel * mask)`:
    the top rows of a 5x5 kernel kept, checked against the same mask applied to get_weights()."""
    conv = keras.layers.Conv2D(4, 5)
    conv.build((None, 9, 9, 2))
    kernel_shape = keras.ops.shape(conv.kernel)
    assert kernel_shape == (5, 5, 2, 4) and tuple(conv.kernel.shape) == (4, 2, 5, 5)  # stored as torch's
    mask = np.zeros(kernel_shape)
    mask[: kernel_shape[0] // 2, ...] = 1.0
    mask[kernel_shape[0] // 2, : kernel_shape[1] // 2, ...] = 1.0
    before = conv.get_weights()[0]
    conv.kernel.assign(conv.kernel * mask)
    np.testing.assert_array_equal(conv.get_weights()[0], before * mask)
    np.testing.assert_array_equal(np.asarray((mask * conv.kernel).detach()), before * mask)
    np.testing.assert_allclose(np.asarray((conv.kernel - mask).detach()), before * mask - mask, rtol=1e-6)
    square = np.ones(tuple(conv.kernel.shape))  # torch's layout: torch's arithmetic, as before
    assert tuple((conv.kernel * square).shape) == (4, 2, 5, 5)


def ctc_by_enumeration(probabilities: np.ndarray, label: list[int], blank: int) -> float:
    """-log of the summed probability of every path that collapses to `label` (repeats merged,
    then blanks dropped): CTC's definition, by brute force over all paths."""
    steps, classes = probabilities.shape
    total = 0.0
    for path in itertools.product(range(classes), repeat=steps):
        collapsed = [c for i, c in enumerate(path) if (i == 0 or c != path[i - 1]) and c != blank]
        if collapsed == label:
            total += float(np.prod([probabilities[t, c] for t, c in enumerate(path)]))
    return -np.log(total)


def test_ctc_batch_cost_and_greedy_decode_match_their_definitions(rng):
    """Keras 2's K.ctc_batch_cost (softmax outputs, the blank last, lengths as (samples, 1)) against
    CTC by enumeration of all 3**5 paths; K.ctc_decode's best path merges repeats, then drops blanks."""
    from cnnkit import backend as K

    logits = rng.standard_normal((2, 5, 3))
    probabilities = (np.exp(logits) / np.exp(logits).sum(-1, keepdims=True)).astype("float32")
    labels = np.array([[0, 1, -1], [1, 1, 0]])  # padded with -1 past each label's length
    lengths, label_lengths = np.array([[5], [4]]), np.array([[2], [3]])
    cost = K.ctc_batch_cost(labels, probabilities, lengths, label_lengths)
    assert tuple(cost.shape) == (2, 1)
    expected = [ctc_by_enumeration(probabilities[0], [0, 1], 2), ctc_by_enumeration(probabilities[1][:4], [1, 1, 0], 2)]
    np.testing.assert_allclose(cost.numpy()[:, 0], expected, rtol=1e-4)
    path = np.full((1, 6, 3), 0.01, "float32")
    for t, c in enumerate([1, 1, 2, 1, 0, 2]):
        path[0, t, c] = 0.98
    (decoded,), _ = K.ctc_decode(path, np.array([6]))
    assert decoded.tolist() == [[1, 1, 0, -1, -1, -1]]


def test_keras_2_untar_extracts_next_to_the_name_it_returns(tmp_path, monkeypatch, keras_2_defaults):
    """Keras 2's get_file(untar=True): the archive kept as NAME.tar.gz, its files extracted into the
    cache folder, NAME returned (image_ocr.py reads os.path.dirname of it)."""
    import tarfile

    from tests.http_files import serving

    (tmp_path / "www").mkdir()
    (tmp_path / "words.txt").write_text("abc\n")
    with tarfile.open(tmp_path / "www" / "lists.tgz", "w:gz") as archive:
        archive.add(tmp_path / "words.txt", "words.txt")
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras"))
    with serving(tmp_path / "www") as (url, requests):
        path = keras.utils.get_file("lists.tgz", origin=url + "lists.tgz", untar=True)
        assert path == str(tmp_path / "keras" / "datasets" / "lists.tgz")
        assert (tmp_path / "keras" / "datasets" / "words.txt").read_text() == "abc\n"
        keras.utils.get_file("lists.tgz", origin=url + "lists.tgz", untar=True)
        assert len(requests) == 1 and (tmp_path / "keras" / "datasets" / "lists.tgz.tar.gz").is_file()


def test_one_output_named_in_dicts_as_keras_takes_it(rng):
    """compile(loss={"ctc": ...}) and labels {"ctc": y} for a model whose one output is named ctc."""
    inputs = keras.Input((3,), name="features")
    model = keras.Model(inputs, keras.layers.Dense(1, name="ctc")(inputs))
    model.compile(loss={"ctc": lambda y_true, y_pred: keras.ops.mean(keras.ops.square(y_pred))}, optimizer="sgd")

    def batches():
        while True:
            yield {"features": rng.random((4, 3)), "unused": ["text"] * 4}, {"ctc": np.zeros(4)}

    history = model.fit(batches(), steps_per_epoch=2, epochs=1, verbose=0)
    assert np.isfinite(history.history["loss"][0])
    with pytest.raises(ValueError, match="this model has one output, named 'ctc'"):
        model.compile(loss={"other": "mse"})
    with pytest.raises(ValueError, match=r"fit: y is a dict \['other'\]; this model has one output, named 'ctc'"):
        model.fit(rng.random((4, 3)), {"other": np.zeros(4)}, verbose=0)


def test_random_rotation_keeps_keras_2_axes():
    image = np.arange(2 * 5 * 7, dtype="float32").reshape(2, 5, 7)  # channels first, Keras 2's default
    np.testing.assert_allclose(keras.preprocessing.image.random_rotation(image, 0), image, atol=1e-4)
    turned = keras.preprocessing.image.random_rotation(image, 40)
    assert turned.shape == (2, 5, 7) and not np.allclose(turned, image)
    last = keras.preprocessing.image.random_rotation(image.transpose(1, 2, 0), 0, 0, 1, 2)
    np.testing.assert_allclose(last, image.transpose(1, 2, 0), atol=1e-4)


def test_keras_2_resnet50_and_layer_names(keras_2_defaults):
    """Under Keras 2's defaults layers are numbered from _1 and keras.applications.ResNet50 is Keras
    2.3's network: class_activation_maps.py reads its last ReLU as activation_49 and its top as fc1000."""
    keras.backend.clear_session()
    assert keras.layers.Dense(2).name == "dense_1"
    keras.backend.clear_session()
    model = keras.applications.resnet50.ResNet50(weights=None)
    assert model.count_params() == 25_636_712 and len(model.layers) == 177  # Keras 2.3's counts
    assert model.get_layer("activation_49").output.shape == (None, 7, 7, 2048)
    assert model.get_layer("fc1000").get_weights()[0].shape == (2048, 1000)
    assert model.get_layer("res5c_branch2c").get_weights()[0].shape == (1, 1, 512, 2048)
    keras.backend.clear_session()


def test_input_fed_from_a_graph_tensor_passes_it_through():
    """Keras 2's Input(tensor=graph_tensor): an input layer of its own on that tensor's graph."""
    placeholder = keras.backend.placeholder((2, 3))
    doubled = placeholder * 2.0
    fed = keras.Input(tensor=doubled)
    assert fed.shape == (2, 3) and fed.source.input is doubled
    (got,) = keras.backend.function([placeholder], [fed + 1.0])([np.ones((2, 3), "float32")])
    np.testing.assert_allclose(got, np.full((2, 3), 3.0))
