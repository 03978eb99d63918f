"""A Model subclass customises fit, evaluate and predict by overriding train_step, test_step and
predict_step, with compute_loss, metrics and optimizer.apply as its tools (keras.io's "Customizing
what happens in fit() with PyTorch"). Each test checks the numbers against plain torch."""

import numpy as np
import pytest
import torch

import cnnkit
from cnnkit import layers


def dense_inputs(rng, count=48, features=6):
    x = rng.normal(size=(count, features)).astype("float32")
    y = (x @ rng.normal(size=(features, 1))).astype("float32")
    return x, y


class HalfStepModel(cnnkit.Model):
    """Plain gradient descent at half the compiled optimizer's rate, written out by hand."""

    def train_step(self, data):
        x, y = data
        self.calls = getattr(self, "calls", 0) + 1
        self.zero_grad()
        y_pred = self(x, training=True)
        loss = self.compute_loss(y=y, y_pred=y_pred)
        loss.backward()
        with torch.no_grad():
            for weight in self.trainable_weights:
                weight.value.sub_(0.5 * 0.1 * weight.value.grad)
        for metric in self.metrics:
            if metric.name == "loss":
                metric.update_state(loss)
            else:
                metric.update_state(y, y_pred)
        return {m.name: m.result() for m in self.metrics}


def test_fit_trains_by_the_models_own_train_step(rng):
    x, y = dense_inputs(rng)
    inputs = cnnkit.Input((6,))
    model = HalfStepModel(inputs, layers.Dense(1)(inputs))
    assert isinstance(model, HalfStepModel) and len(model.layers) == 2
    model.compile(optimizer=cnnkit.optimizers.SGD(0.1), loss="mse", metrics=["mae"])
    kernel, bias = (torch.tensor(w) for w in model.get_weights())

    history = model.fit(x, y, batch_size=16, epochs=2, shuffle=False, verbose=0)

    assert model.calls == 6
    assert set(history.history) == {"loss", "mae"}
    xt, yt = torch.tensor(x), torch.tensor(y)
    kernel.requires_grad_(), bias.requires_grad_()
    step_losses = []
    for _ in range(2):
        for start in range(0, 48, 16):
            loss = ((xt[start : start + 16] @ kernel + bias - yt[start : start + 16]) ** 2).mean()
            kernel.grad = bias.grad = None
            loss.backward()
            with torch.no_grad():
                kernel -= 0.05 * kernel.grad
                bias -= 0.05 * bias.grad
            step_losses.append(float(loss.detach()))
    np.testing.assert_allclose(model.get_weights()[0], kernel.detach().numpy(), rtol=1e-5, atol=1e-6)
    # The loss tracker averages the step losses of each epoch (it is reset when an epoch starts).
    assert history.history["loss"][1] == pytest.approx(np.mean(step_losses[3:]), rel=1e-5)


class OwnMetrics(cnnkit.Model):
    """Compiled with an optimizer only: the loss and metrics are the model's own."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.loss_tracker = cnnkit.metrics.Mean(name="loss")
        self.mae_metric = cnnkit.metrics.MeanAbsoluteError(name="mae")

    def train_step(self, data):
        x, y = data
        self.zero_grad()
        y_pred = self(x, training=True)
        loss = torch.mean((y_pred - y) ** 2)
        loss.backward()
        weights = self.trainable_weights
        self.optimizer.apply([w.value.grad for w in weights], weights)
        self.loss_tracker.update_state(loss)
        self.mae_metric.update_state(y, y_pred)
        return {"loss": self.loss_tracker.result(), "mae": self.mae_metric.result()}

    def test_step(self, data):
        x, y = data
        y_pred = self(x, training=False)
        self.mae_metric.update_state(y, y_pred)
        return {"mae": self.mae_metric.result()}

    @property
    def metrics(self):
        return [self.loss_tracker, self.mae_metric]


def test_a_models_own_metrics_are_reset_each_epoch_and_evaluate_uses_its_test_step(rng):
    x, y = dense_inputs(rng)
    inputs = cnnkit.Input((6,))
    model = OwnMetrics(inputs, layers.Dense(1)(inputs))
    model.compile(optimizer="adam")  # no loss: the train_step computes its own
    history = model.fit(x, y, batch_size=48, epochs=3, verbose=0)

    assert model.optimizer.iterations == 3
    # One batch per epoch: each epoch's loss is that batch's alone, so reset worked.
    predictions = model.predict(x, verbose=0)
    assert history.history["loss"][2] < history.history["loss"][0]
    result = model.evaluate(x, y, verbose=0, return_dict=True)
    assert result == {"mae": pytest.approx(float(np.abs(predictions - y).mean()), rel=1e-5)}


class Regularized(cnnkit.Model):
    def train_step(self, data):
        x, y, sample_weight = data
        y_pred = self(x, training=True)
        self.seen = self.compute_loss(x, y, y_pred, sample_weight)
        return {"loss": self.seen}


def test_compute_loss_is_the_compiled_loss_plus_the_weight_penalties(rng):
    x, y = dense_inputs(rng, count=8)
    weights = rng.uniform(0.5, 2.0, size=8).astype("float32")
    inputs = cnnkit.Input((6,))
    outputs = layers.Dense(1, kernel_regularizer=cnnkit.regularizers.L2(0.3))(inputs)
    model = Regularized(inputs, outputs)
    model.compile(optimizer="sgd", loss="mse")
    model.fit(x, y, sample_weight=weights, batch_size=8, epochs=1, verbose=0)

    kernel, bias = model.get_weights()
    per_sample = ((x @ kernel + bias - y) ** 2).mean(axis=1)
    expected = (per_sample * weights).mean() + 0.3 * (kernel**2).sum()
    assert float(model.seen.detach()) == pytest.approx(float(expected), rel=1e-5)


class TwoPartModel(cnnkit.Model):
    """Trains `first` with one optimizer and `second` with another, as a GAN trains its halves."""

    def __init__(self):
        super().__init__()
        self.first = cnnkit.Sequential([layers.Input((4,)), layers.Dense(4)])
        self.second = cnnkit.Sequential([layers.Input((4,)), layers.Dense(1)])
        self.tracker = cnnkit.metrics.Mean(name="step_loss")
        self.seed_generator = cnnkit.random.SeedGenerator(7)

    def compile(self, first_optimizer, second_optimizer):
        super().compile()
        self.first_optimizer, self.second_optimizer = first_optimizer, second_optimizer

    def train_step(self, data):
        (x,) = data if isinstance(data, tuple) else (data,)
        noise = cnnkit.random.normal(shape=x.shape, seed=self.seed_generator)
        self.zero_grad()
        loss = self.second(self.first(x + 0.01 * noise)).pow(2).mean()
        loss.backward()
        self.first_optimizer.apply([w.value.grad for w in self.first.trainable_weights], self.first.trainable_weights)
        self.tracker.update_state(loss)
        return {"step_loss": self.tracker.result()}


def test_a_train_step_with_two_optimizers_updates_only_the_weights_it_names(rng):
    x = torch.tensor(rng.normal(size=(32, 4)).astype("float32"))
    loader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(x), batch_size=8)
    model = TwoPartModel()
    model.compile(cnnkit.optimizers.SGD(0.05), cnnkit.optimizers.SGD(0.05))
    second_before = [w.copy() for w in model.second.get_weights()]
    first_before = [w.copy() for w in model.first.get_weights()]

    history = model.fit(loader, epochs=2, verbose=0)

    assert len(history.history["step_loss"]) == 2
    assert model.first_optimizer.iterations == 8 and not model.second_optimizer.built
    for before, after in zip(second_before, model.second.get_weights()):
        np.testing.assert_array_equal(before, after)
    assert not np.allclose(first_before[0], model.first.get_weights()[0])
    with pytest.raises(ValueError, match="not the ones this optimizer was built on"):
        model.first_optimizer.apply([torch.zeros(1)], [model.second.trainable_weights[1]])


class Doubled(cnnkit.Sequential):
    def predict_step(self, data):
        (x,) = data
        return 2 * self(x, training=False)


def test_predict_uses_the_models_predict_step(rng):
    x, _ = dense_inputs(rng, count=10)
    model = Doubled([layers.Input((6,)), layers.Dense(2)])
    kernel, bias = model.get_weights()
    np.testing.assert_allclose(model.predict(x, verbose=0), 2 * (x @ kernel + bias), rtol=1e-5, atol=1e-6)


def test_fit_without_labels_when_the_train_step_needs_none(rng):
    model = TwoPartModel()
    model.compile(cnnkit.optimizers.SGD(0.05), cnnkit.optimizers.SGD(0.05))
    model.fit(rng.normal(size=(16, 4)).astype("float32"), batch_size=8, epochs=1, verbose=0)
    assert model.first_optimizer.iterations == 2


def test_train_on_batch_goes_through_train_step(rng):
    x, y = dense_inputs(rng, count=16)
    inputs = cnnkit.Input((6,))
    model = HalfStepModel(inputs, layers.Dense(1)(inputs))
    model.compile(optimizer="sgd", loss="mse", metrics=["mae"])
    logs = model.train_on_batch(x, y, return_dict=True)
    assert model.calls == 1 and set(logs) == {"loss", "mae"}


def test_seeded_random_draws_repeat_and_a_seed_generator_advances():
    first, again = cnnkit.random.normal((3,), seed=5), cnnkit.random.normal((3,), seed=5)
    torch.testing.assert_close(first, again)
    stream, same_stream = cnnkit.random.SeedGenerator(3), cnnkit.random.SeedGenerator(3)
    a, b = cnnkit.random.uniform((4,), seed=stream), cnnkit.random.uniform((4,), seed=stream)
    assert not torch.equal(a, b)
    torch.testing.assert_close(a, cnnkit.random.uniform((4,), seed=same_stream))
    assert bool(((a >= 0) & (a < 1)).all())


class PlainLoss(cnnkit.Model):
    """Compiled with metrics but no loss: the metrics learn their kind from the predictions."""

    def train_step(self, data):
        x, y = data
        self.zero_grad()
        y_pred = self(x, training=True)
        loss = torch.nn.functional.cross_entropy(torch.log(y_pred), y.long())
        loss.backward()
        self.optimizer.apply([w.value.grad for w in self.trainable_weights], self.trainable_weights)
        return self.compute_metrics(x, y, y_pred)


def test_compiled_metrics_without_a_compiled_loss_read_the_predictions(rng):
    x = rng.normal(size=(30, 4)).astype("float32")
    y = rng.integers(0, 3, size=30)
    inputs = cnnkit.Input((4,))
    model = PlainLoss(inputs, layers.Dense(3, activation="softmax")(inputs))
    model.compile(optimizer="sgd", metrics=["accuracy"])
    initial = model.predict(x, verbose=0)  # what the one training step's forward sees
    history = model.fit(x, y, batch_size=30, epochs=1, verbose=0, shuffle=False)
    # Integer labels against a softmax: sparse categorical accuracy, as Keras reads "accuracy".
    assert history.history["accuracy"][0] == pytest.approx(float(np.mean(initial.argmax(1) == y)))


class Pair(cnnkit.Model):
    """A model made of two models, passed positionally (not a graph's inputs and outputs)."""

    def __init__(self, first, second):
        super().__init__()
        self.first, self.second = first, second


def test_two_positional_models_are_not_taken_for_inputs_and_outputs():
    first = cnnkit.Sequential([layers.Input((4,)), layers.Dense(2)])
    second = cnnkit.Sequential([layers.Input((2,)), layers.Dense(1)])
    pair = Pair(first, second)
    assert type(pair) is Pair and pair.first is first and pair.second is second


def test_a_dataloader_gives_fit_its_number_of_steps(rng):
    x = torch.tensor(rng.normal(size=(20, 4)).astype("float32"))
    loader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(x), batch_size=8)
    model = TwoPartModel()
    model.compile(cnnkit.optimizers.SGD(0.05), cnnkit.optimizers.SGD(0.05))
    history = model.fit(loader, epochs=2, verbose=0)
    assert history.params["steps"] == 3 and model.first_optimizer.iterations == 6


def test_an_unseeded_seed_generator_follows_the_global_seed():
    draws = []
    for _ in range(2):
        cnnkit.utils.set_random_seed(4)
        stream = cnnkit.random.SeedGenerator()
        draws.append((cnnkit.random.normal((3,), seed=stream), torch.rand(2)))
    torch.testing.assert_close(draws[0], draws[1])
