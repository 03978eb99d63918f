"""The functional API: Input, layers called on tensors, merge layers, Model(inputs, outputs).

The residual block and the inception module are written exactly as a Keras user writes them and
compared with the same computation in plain torch."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from conftest import assert_close

import cnnkit as keras
from cnnkit import layers
from cnnkit.models import Functional, Model, Sequential


def residual_block(x, filters):
    shortcut = x
    y = layers.Conv2D(filters, 3, padding="same", use_bias=False)(x)
    y = layers.BatchNormalization()(y)
    y = layers.ReLU()(y)
    y = layers.Conv2D(filters, 3, padding="same", use_bias=False)(y)
    y = layers.BatchNormalization()(y)
    y = layers.add([y, shortcut])
    return layers.ReLU()(y)


def inception_module(x, f1, f3_reduce, f3, f5_reduce, f5, pool_proj):
    b1 = layers.Conv2D(f1, 1, padding="same", activation="relu")(x)
    b2 = layers.Conv2D(f3_reduce, 1, padding="same", activation="relu")(x)
    b2 = layers.Conv2D(f3, 3, padding="same", activation="relu")(b2)
    b3 = layers.Conv2D(f5_reduce, 1, padding="same", activation="relu")(x)
    b3 = layers.Conv2D(f5, 5, padding="same", activation="relu")(b3)
    b4 = layers.MaxPooling2D(3, strides=1, padding="same")(x)
    b4 = layers.Conv2D(pool_proj, 1, padding="same", activation="relu")(b4)
    return layers.concatenate([b1, b2, b3, b4])


def randomise_batch_norm(model, rng):
    """Non-trivial moving statistics, so inference-mode batch norm is really tested."""
    for layer in model.layers:
        if isinstance(layer, layers.BatchNormalization):
            gamma, beta, mean, var = layer.get_weights()
            shape = gamma.shape
            layer.set_weights([rng.uniform(0.5, 1.5, shape), rng.normal(0, 0.1, shape), rng.normal(0, 0.2, shape),
                               rng.uniform(0.5, 2.0, shape)])  # fmt: skip


def test_residual_block_matches_plain_torch(rng):
    inputs = keras.Input(shape=(8, 8, 4))
    model = Model(inputs, residual_block(inputs, 4))
    assert isinstance(model, Functional)
    randomise_batch_norm(model, rng)
    conv1, bn1, _, conv2, bn2, *_ = model.layers[1:]
    x = rng.standard_normal((3, 8, 8, 4)).astype(np.float32)

    def bn(t, layer):
        return F.batch_norm(t, layer.moving_mean, layer.moving_variance, layer.gamma, layer.beta, False, 0.0, 1e-3)

    with torch.no_grad():
        t = torch.from_numpy(x).permute(0, 3, 1, 2)
        y = F.relu(bn(F.conv2d(t, conv1.kernel, padding=1), bn1))
        y = bn(F.conv2d(y, conv2.kernel, padding=1), bn2)
        expected = F.relu(y + t).permute(0, 2, 3, 1)
    assert_close(model.predict(x, verbose=0), expected)


def test_inception_module_matches_plain_torch(rng):
    inputs = keras.Input(shape=(9, 9, 6))
    model = Model(inputs, inception_module(inputs, 4, 3, 5, 2, 3, 2))
    assert model.output_shape == (None, 9, 9, 4 + 5 + 3 + 2)
    convs = [layer for layer in model.layers if isinstance(layer, layers.Conv2D)]
    x = rng.standard_normal((2, 9, 9, 6)).astype(np.float32)

    def conv(t, layer):
        return F.relu(F.conv2d(t, layer.kernel, layer.bias, padding=layer.kernel_size[0] // 2))

    with torch.no_grad():
        t = torch.from_numpy(x).permute(0, 3, 1, 2)
        by_name = {layer.name: layer for layer in convs}
        c = [by_name[f"conv2d_{i}" if i else "conv2d"] for i in range(6)]  # creation order, as Keras names them
        b1 = conv(t, c[0])
        b2 = conv(conv(t, c[1]), c[2])
        b3 = conv(conv(t, c[3]), c[4])
        b4 = conv(F.max_pool2d(t, 3, 1, padding=1), c[5])
        expected = torch.cat([b1, b2, b3, b4], dim=1).permute(0, 2, 3, 1)
    assert_close(model.predict(x, verbose=0), expected, atol=1e-4)


def test_functional_and_sequential_train_identically(rng):
    def stack():
        return [layers.Conv2D(4, 3, activation="relu"), layers.Flatten(), layers.Dense(3, activation="softmax")]

    sequential = Sequential([layers.Input(shape=(6, 6, 2)), *stack()])
    inputs = keras.Input(shape=(6, 6, 2))
    x = inputs
    for layer in stack():
        x = layer(x)
    functional = Model(inputs, x)
    functional.set_weights(sequential.get_weights())
    x = rng.standard_normal((16, 6, 6, 2)).astype(np.float32)
    y = rng.integers(0, 3, 16)
    for model in (sequential, functional):
        model.compile(optimizer=keras.optimizers.SGD(0.1), loss="sparse_categorical_crossentropy")
        model.fit(x, y, batch_size=8, epochs=2, shuffle=False, verbose=0)
    for a, b in zip(sequential.get_weights(), functional.get_weights()):
        np.testing.assert_allclose(a, b, atol=1e-5)
    assert functional.output_activation == "softmax"


def test_several_inputs_and_outputs_shared_and_nested_layers(rng):
    image = keras.Input(shape=(8, 8, 1), name="image")
    extra = keras.Input(shape=(3,), name="extra")
    features = layers.GlobalAveragePooling2D()(layers.Conv2D(4, 3, padding="same")(image))
    shared = layers.Dense(5, name="shared")
    joined = layers.concatenate([shared(layers.Dense(3)(features)), shared(extra)])
    tower = Sequential([layers.Dense(6, activation="relu"), layers.Dense(2)], name="tower")
    model = Model([image, extra], [tower(joined), layers.Dense(1, name="score")(joined)])
    assert [layer.name for layer in model.layers[:2]] == ["image", "extra"]
    assert sum(layer is shared for layer in model.layers) == 1  # one layer, two calls
    assert model.input_shape == [(None, 8, 8, 1), (None, 3)]
    assert model.output_shape == [(None, 2), (None, 1)]

    a = torch.randn(4, 1, 8, 8)
    b = torch.randn(4, 3)
    first, second = model([a, b])
    assert first.shape == (4, 2) and second.shape == (4, 1)
    with torch.no_grad():  # the shared Dense applied to `extra` directly
        expected = F.linear(b, shared.kernel, shared.bias)
        got = model.get_layer("shared")(b)
    assert_close(got, expected)

    # A model is a layer: call it on new inputs to reuse all its weights.
    new_inputs = [keras.Input(shape=(8, 8, 1)), keras.Input(shape=(3,))]
    outer = Model(new_inputs, model(new_inputs)[0])
    assert_close(outer([a, b]), first)


def test_cutting_a_graph_at_a_layer_output(rng):
    inputs = keras.Input(shape=(8, 8, 2))
    x = layers.Conv2D(3, 3, name="features")(inputs)
    outputs = layers.Dense(2)(layers.Flatten()(x))
    model = Model(inputs, outputs)
    extractor = Model(model.input, model.get_layer("features").output)
    x = rng.standard_normal((2, 8, 8, 2)).astype(np.float32)
    with torch.no_grad():
        expected = model.get_layer("features")(torch.from_numpy(x).permute(0, 3, 1, 2))
    assert_close(extractor.predict(x, verbose=0), expected.permute(0, 2, 3, 1))


def test_summary_shows_connections(capsys):
    inputs = keras.Input(shape=(8, 8, 4))
    Model(inputs, residual_block(inputs, 4), name="res").summary()
    text = capsys.readouterr().out
    assert "Connected to" in text and 'Model: "res"' in text
    add_line = next(line for line in text.splitlines() if line.lstrip().startswith("add (Add)"))
    assert "batch_normalization_1[0][0]" in add_line
    assert "input_layer[0][0]" in text.split("add (Add)")[1].splitlines()[1]
    assert "Total params: 320" in text  # 2 x (3*3*4*4) kernels + 2 x (4 x 4) batch-norm values


def test_merge_layers_compute_what_they_say():
    a, b = torch.randn(2, 3, 4, 4), torch.randn(2, 3, 4, 4)
    assert_close(layers.Add()([a, b]), a + b)
    assert_close(layers.Subtract()([a, b]), a - b)
    assert_close(layers.Multiply()([a, b]), a * b)
    assert_close(layers.Average()([a, b]), (a + b) / 2)
    assert_close(layers.Maximum()([a, b]), torch.maximum(a, b))
    assert_close(layers.Minimum()([a, b]), torch.minimum(a, b))
    assert_close(layers.Concatenate()([a, b]), torch.cat([a, b], 1))  # API axis -1 is channels
    assert_close(layers.Concatenate(axis=1)([a, b]), torch.cat([a, b], 2))  # API axis 1 is height
    s = keras.Input(shape=(4, 4, 3))
    assert layers.concatenate([s, s], axis=2).shape == (None, 4, 8, 3)


@pytest.mark.parametrize(
    "build, message",
    [
        (lambda i: layers.add([i, layers.Conv2D(2, 1)(i)]), "shapes that broadcast"),
        (lambda i: layers.concatenate([i, layers.MaxPooling2D()(i)]), "must match except on axis"),
        (lambda i: layers.Add()(i), "list of at least 2 inputs"),
        (lambda i: layers.Dense(2)(i, colour=i), "takes no keyword argument colour"),
        (lambda i: Model(i, layers.Dense(2)(keras.Input(shape=(3,)))), "graph is disconnected"),
        (lambda i: Model(i, [1, 2]), "outputs must be a KerasTensor"),
        (
            lambda i: Model(i, layers.Conv2D(1, 1, name="c")(layers.Conv2D(1, 1, name="c")(i))),
            "names must be unique",
        ),
    ],
)
def test_graph_errors_are_clear(build, message):
    with pytest.raises((ValueError, TypeError), match=message):
        build(keras.Input(shape=(4, 4, 3)))


def two_headed_model():
    image = keras.Input(shape=(6, 6, 1), name="image")
    extra = keras.Input(shape=(2,), name="extra")
    x = layers.concatenate([layers.Flatten()(layers.Conv2D(2, 3)(image)), extra])
    kind = layers.Dense(3, activation="softmax", name="kind")(x)
    size = layers.Dense(1, name="size")(x)
    return Model([image, extra], [kind, size])


def test_several_inputs_and_outputs_train_as_the_weighted_sum_of_losses(rng):
    model = two_headed_model()
    assert model.input_names == ["image", "extra"] and model.output_names == ["kind", "size"]
    start = [w.copy() for w in model.get_weights()]
    model.compile(
        optimizer=keras.optimizers.SGD(0.1),
        loss={"kind": "sparse_categorical_crossentropy", "size": "mse"},
        loss_weights=[1.0, 0.5],
        metrics={"kind": "accuracy"},
    )
    images = rng.standard_normal((8, 6, 6, 1)).astype(np.float32)
    extras = rng.standard_normal((8, 2)).astype(np.float32)
    kinds, sizes = rng.integers(0, 3, 8), rng.standard_normal((8, 1)).astype(np.float32)
    history = model.fit({"image": images, "extra": extras}, [kinds, sizes], batch_size=8, epochs=1, verbose=0)
    assert list(history.history) == ["loss", "kind_loss", "kind_accuracy", "size_loss"]

    # The same step in plain torch, from the same starting weights.
    reference = two_headed_model()
    reference.set_weights(start)
    kind_out, size_out = reference([torch.from_numpy(images).permute(0, 3, 1, 2), torch.from_numpy(extras)])
    kind_loss = F.nll_loss(torch.log(kind_out), torch.from_numpy(kinds))
    size_loss = F.mse_loss(size_out, torch.from_numpy(sizes))
    (kind_loss + 0.5 * size_loss).backward()
    with torch.no_grad():
        for p in reference.parameters():
            p -= 0.1 * p.grad
    for a, b in zip(model.get_weights(), reference.get_weights()):
        np.testing.assert_allclose(a, b, atol=1e-5)
    assert history.history["loss"][0] == pytest.approx((kind_loss + 0.5 * size_loss).item(), rel=1e-5)
    assert history.history["kind_loss"][0] == pytest.approx(kind_loss.item(), rel=1e-5)

    logs = model.evaluate([images, extras], {"kind": kinds, "size": sizes}, verbose=0, return_dict=True)
    assert logs["loss"] == pytest.approx(logs["kind_loss"] + 0.5 * logs["size_loss"], rel=1e-5)
    kind_pred, size_pred = model.predict([images, extras], verbose=0)
    assert kind_pred.shape == (8, 3) and size_pred.shape == (8, 1)
    model.fit([images, extras], [kinds, sizes], validation_split=0.25, epochs=1, verbose=0)


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda m, x, y: m.fit(x[0], y, verbose=0), "has 2 inputs \\['image', 'extra'\\]"),
        (lambda m, x, y: m.fit(x, y[0], verbose=0), "has 2 outputs \\['kind', 'size'\\]"),
        (lambda m, x, y: m.fit(x, {"kind": y[0]}, verbose=0), "y has no entry for output\\(s\\) \\['size'\\]"),
        (lambda m, x, y: m.fit(x, y, class_weight={0: 1.0}, verbose=0), "class_weight is not supported"),
        (lambda m, x, y: m.fit([x[0][:3], x[1]], y, verbose=0), "different numbers of samples"),
    ],
)
def test_several_inputs_and_outputs_errors(call, message, rng):
    model = two_headed_model()
    model.compile(optimizer="sgd", loss=["sparse_categorical_crossentropy", "mse"])
    x = [rng.standard_normal((4, 6, 6, 1)).astype(np.float32), rng.standard_normal((4, 2)).astype(np.float32)]
    y = [rng.integers(0, 3, 4), rng.standard_normal((4, 1)).astype(np.float32)]
    with pytest.raises(ValueError, match=message):
        call(model, x, y)
    with pytest.raises(ValueError, match="loss_weights has 3 entries for 2 outputs"):
        model.compile(optimizer="sgd", loss="mse", loss_weights=[1, 2, 3])


def test_summary_shows_which_layers_train(capsys):
    base = keras.Sequential([layers.Input((8, 8, 1)), layers.Conv2D(2, 3, name="c1"), layers.Flatten(name="f")])
    base.get_layer("c1").trainable = False
    inputs = layers.Input((8, 8, 1))
    model = keras.Model(inputs, layers.Dense(2, name="head")(base(inputs)))
    model.summary(show_trainable=True)
    lines = capsys.readouterr().out.splitlines()
    assert "Trainable" in lines[2]
    words = {line.split()[0]: line.split() for line in lines if line.startswith(" ") and "(" in line}
    assert words["head"][4:] == ["146", "Y", "sequential[0][0]"]  # name, type, shape (2 words), params, flag
    base.summary(show_trainable=True)
    rows = {line.split()[0]: line.split()[-1] for line in capsys.readouterr().out.splitlines() if "(" in line}
    assert (rows["c1"], rows["f"]) == ("N", "-")
    with pytest.raises(ValueError, match="layer_range is not supported"):
        model.summary(layer_range=["c1", "f"])
