"""Keras's third way to define a model: subclass Model, create the layers in __init__ and write
the computation in call().

    class MyModel(cnnkit.Model):
        def __init__(self):
            super().__init__()
            self.flatten, self.dense = layers.Flatten(), layers.Dense(10)

        def call(self, inputs, training=False):
            return self.dense(self.flatten(inputs))

What Sequential and Functional know from their graph, a subclassed model learns by running: on
the first data it sees (or `model.build(input_shape)`), one forward on two zero samples builds
every layer and gives the output shape. `call` runs as a torch module's forward does: its input
is NCHW for images, as the layers inside take it; `training` is True while fit trains.
"""

from __future__ import annotations

import inspect

import torch

from cnnkit.common.layout import Shape, api_shape
from cnnkit.layers.layer import Layer
from cnnkit.training.batch_sources import convert_inputs
from cnnkit.training.labels import as_tensor


class SubclassedModel:
    """What Model does when a subclass defines `call` (Sequential and Functional override all of
    it with their graphs)."""

    _runs_graph_or_model_call = True  # a subclass's call takes the run-time layout (users_call.py)
    _subclass_input_shape: Shape | None = None
    _subclass_output_shape: Shape | None = None

    def _takes_training(self) -> bool:
        return "training" in inspect.signature(self.call).parameters

    @property
    def input_shape(self) -> Shape | None:
        return self._subclass_input_shape

    @property
    def output_shape(self) -> Shape:
        if self._subclass_output_shape is None:
            raise ValueError(
                f"{type(self).__name__} '{self.name}' has not been built: call model.build(input_shape) or run "
                "it on data first"
            )
        return self._subclass_output_shape

    def build(self, input_shape: Shape) -> None:
        self.ensure_built(tuple(input_shape), f"{type(self).__name__} '{self.name}'.build")

    def ensure_built(self, input_shape: Shape, where: str) -> None:
        if self._subclass_input_shape is not None:
            return
        if any(d is None for d in input_shape[1:]):
            raise ValueError(
                f"{where}: a subclassed model is built for a fully known input shape; received {input_shape}"
            )
        dims = input_shape[1:]
        zeros = torch.zeros((2, dims[2], dims[0], dims[1]) if len(dims) == 3 else (2, *dims), device=self.device)
        was_training = self.training
        self.eval()
        try:
            with torch.no_grad():
                output = self._run_call(zeros)
        finally:
            self.train(was_training)
        if not isinstance(output, torch.Tensor):
            raise ValueError(f"{where}: call() must return one tensor; it returned {type(output).__name__}")
        self._subclass_input_shape = tuple(input_shape)
        self._subclass_output_shape = api_shape(output)
        self.to(self.device)  # layers built during the probe made their weights where the probe ran

    def get_build_config(self) -> dict | None:
        """Keras's build config: the input shape a saved subclassed model is built for on loading,
        before its weights go in (None for Sequential and Functional, whose config holds it)."""
        if not self._is_subclassed() or self._subclass_input_shape is None:
            return None
        return {"input_shape": list(self._subclass_input_shape)}

    def build_from_config(self, config: dict) -> None:
        self.build(tuple(config["input_shape"]))

    def builds_from_data(self) -> bool:
        """Whether the first data can build this model: it has a graph (Sequential) or a call()
        to run. A model that only overrides train_step (a GAN holding two models) has neither."""
        return self._is_subclassed() or type(self).ensure_built is not SubclassedModel.ensure_built

    def _is_subclassed(self) -> bool:
        return type(self).call is not Layer.call  # Sequential and Functional run their graphs instead

    @classmethod
    def from_config(cls, config: dict):
        try:
            return cls(**config)
        except TypeError as error:
            raise ValueError(
                f"cannot rebuild {cls.__name__} from its saved config {config} ({error}): give it a get_config() "
                "that returns its __init__ arguments, and an __init__ that passes **kwargs to Model's"
            ) from None

    def _run_call(self, x: torch.Tensor):
        return self.call(x, training=self.training) if self._takes_training() else self.call(x)

    def forward(self, x):
        if not isinstance(x, torch.Tensor):  # NumPy at the API is channels-last
            x = as_tensor(x)
            self.ensure_built((None, *x.shape[1:]), f"{type(self).__name__} '{self.name}'")
            return self._run_call(convert_inputs(x, self.input_shape, self.device, self.name))
        if self._subclass_input_shape is None:
            self.ensure_built(api_shape(x), f"{type(self).__name__} '{self.name}'")
        return self._run_call(x)

    def forward_logits(self, x) -> torch.Tensor:
        return self.forward(x)  # output_activation is None: the loss takes the output as it is

    def summary_rows(self) -> list[tuple]:
        if self._subclass_input_shape is None:
            raise ValueError(
                f"{type(self).__name__} '{self.name}' has not been built yet, so its summary is unknown: call "
                "model.build(input_shape) or fit it on data"
            )
        rows = []
        for name, module in self.named_children():
            count = sum(p.numel() for p in module.parameters())
            rows.append((getattr(module, "name", name), type(module).__name__, None, count))
        return rows

    def __getattr__(self, name: str):
        # `model.layers` of a subclassed model: the layers it holds as attributes (Sequential and
        # Functional hold a ModuleList of that name, which torch finds first).
        if name == "layers" and "layers" not in self.__dict__.get("_modules", {}):
            return list(self.children())
        return super().__getattr__(name)
