"""Sequential: a model that is a list of layers, each feeding the next."""

from __future__ import annotations

import torch
from torch import nn

from cnnkit import session
from cnnkit.common.layout import Shape, api_shape, with_channel_axis
from cnnkit.layers.core.input_layer import Input, InputLayer, KerasTensor
from cnnkit.layers.layer import Layer, move_to
from cnnkit.models.model import Model
from cnnkit.training.batch_sources import convert_inputs
from cnnkit.training.labels import as_tensor


class Sequential(Model):
    """A stack of layers. Shapes are inferred as layers are added once the input shape is known
    (from `input_shape=` on the first layer, an `Input`, or `InputLayer`), else on the first batch.

    `model(x)` takes an NCHW tensor like any torch module (or a channels-last NumPy array) and
    follows torch's train()/eval() mode; fit/evaluate/predict manage the mode themselves.
    """

    def __init__(self, layers: list | None = None, name: str | None = None, trainable: bool = True) -> None:
        super().__init__(name=name or session.unique_name("sequential"), trainable=trainable)
        self.layers = nn.ModuleList()
        self._input_shape: Shape | None = None
        self._output_shapes: list[Shape] = []
        self._input_tensor: KerasTensor | None = None  # the Input given, if any
        self._symbolic: list[KerasTensor] = []  # the graph view: the input, then each layer's output
        for layer in layers or []:
            self.add(layer)

    # ---- building -----------------------------------------------------------------------------
    def add(self, layer) -> None:
        if isinstance(layer, KerasTensor):
            self._input_tensor, layer = layer, layer.source
        if isinstance(layer, InputLayer):
            if self.layers or self._input_shape is not None:
                raise ValueError(f"Sequential '{self.name}': an Input must come first, before any layer")
            self._input_shape = layer.declared_input_shape
            return
        if not isinstance(layer, nn.Module):
            raise TypeError(f"Sequential '{self.name}': add() expects a layer; received {layer!r}")
        name = getattr(layer, "name", None)
        if name is not None and any(getattr(other, "name", None) == name for other in self.layers):
            raise ValueError(
                f"Sequential '{self.name}': a layer named {name!r} is already in the model; names must be unique"
            )
        declared = getattr(layer, "declared_input_shape", None)
        if declared is None and isinstance(layer, Model) and isinstance(layer.input_shape, tuple):
            declared = layer.input_shape  # a model added first (a headless base) brings its input shape
        if not self.layers and self._input_shape is None and declared is not None:
            self._input_shape = declared
        self.layers.append(layer)
        if self._input_shape is not None:
            try:
                self._build_layer(layer)
            except Exception:
                del self.layers[-1]  # leave the model as it was before the failed add
                raise

    def _build_layer(self, layer: nn.Module) -> None:
        position = len(self._output_shapes)
        input_shape = self._output_shapes[-1] if self._output_shapes else self._input_shape
        device = self._device_before(position)
        move_to(layer, device)
        if isinstance(layer, Layer):
            output_shape = layer.build_for(input_shape, device)
        else:
            output_shape = self._probe_plain_module(layer, input_shape, device)
        self._output_shapes.append(tuple(output_shape))
        self._trace(layer, len(self._output_shapes) - 1)

    def _trace(self, layer: nn.Module, position: int) -> None:
        """Keras's view of a built Sequential as a graph: `model.input`, `model.output` and each
        layer's `.output`, so `Model(inputs=model.input, outputs=model.layers[2].output)` cuts
        out part of it (feature extraction, activations to look at) sharing the same layers. A
        plain torch module has no symbolic call: the view ends before it."""
        if not self._symbolic:
            self._symbolic = [self._input_tensor or Input(shape=self._input_shape[1:])]
        if len(self._symbolic) == position + 1 and isinstance(layer, Layer):
            self._symbolic.append(layer(self._symbolic[-1]))

    def _graph_end(self, index: int) -> KerasTensor:
        if not self.built or len(self._symbolic) <= (index if index >= 0 else len(self.layers)):
            if not self.layers:
                reason = "it has no layers yet"
            elif not self.built:
                reason = "it is not built yet"
            else:
                reason = "it holds a plain torch module, which has none"
            # ValueError, as Keras's Sequential raises it (an AttributeError from a property would
            # be swallowed by torch's own attribute lookup and come out as "no attribute 'input'").
            raise ValueError(f"Sequential '{self.name}' has no symbolic input and output: {reason}")
        return self._symbolic[index]

    @property
    def input(self) -> KerasTensor:
        return self._graph_end(0)

    @property
    def output(self) -> KerasTensor:
        return self._graph_end(-1)

    @property
    def inputs(self) -> list[KerasTensor]:
        return [self.input]

    @property
    def outputs(self) -> list[KerasTensor]:
        return [self.output]

    def _device_before(self, position: int) -> torch.device:
        """Where the layers before `position` keep their weights; with none yet, where the model
        makes them. A layer that arrives built elsewhere is moved there, not the other way round."""
        for layer in self.layers[:position]:
            for tensor in (*layer.parameters(), *layer.buffers()):
                if not tensor.is_meta:
                    return tensor.device
        return self._target_device or session.get_device()

    @torch.no_grad()
    def _probe_plain_module(self, module: nn.Module, input_shape: Shape, device: torch.device) -> Shape:
        """A plain torch module has no shape arithmetic: run it once on zeros to learn its output."""
        if None in input_shape[1:]:
            raise ValueError(f"Sequential '{self.name}': {type(module).__name__} needs a fully known input shape")
        dims = input_shape[1:]
        sample = torch.zeros((2, dims[2], dims[0], dims[1]) if len(dims) == 3 else (2, *dims))
        was_training = module.training
        module.eval()
        try:
            return api_shape(module(sample.to(device)))
        finally:
            module.train(was_training)

    def build(self, input_shape: Shape) -> None:
        """Build every layer for `input_shape` (channels-last, batch axis first, e.g. (None, 28, 28, 1))."""
        self.ensure_built(tuple(input_shape), f"Sequential '{self.name}'")

    def ensure_built(self, input_shape: Shape, where: str) -> None:
        if self._input_shape is not None:
            return
        if not self.layers:
            raise ValueError(f"{where}: the model has no layers; add some with model.add(...)")
        self._input_shape = tuple(input_shape)
        self._output_shapes, self._symbolic = [], []
        try:
            for layer in self.layers:
                self._build_layer(layer)
        except Exception:
            self._input_shape, self._output_shapes, self._symbolic = None, [], []
            raise

    @property
    def built(self) -> bool:
        return self._input_shape is not None and len(self._output_shapes) == len(self.layers)

    @built.setter
    def built(self, value: bool) -> None:  # Layer.__init__ assigns it; the graph decides
        pass

    def pop(self) -> nn.Module:
        if not self.layers:
            raise ValueError(f"Sequential '{self.name}': there are no layers to pop")
        layer = self.layers[-1]
        del self.layers[-1]
        self._output_shapes = self._output_shapes[: len(self.layers)]
        self._symbolic = self._symbolic[: len(self.layers) + 1]
        return layer

    # ---- shapes -------------------------------------------------------------------------------
    @property
    def input_shape(self) -> Shape | None:
        return self._input_shape

    @property
    def output_shape(self) -> Shape:
        if not self.built:
            raise ValueError(
                f"Sequential '{self.name}' has not been built: give the first layer input_shape=..., "
                "call model.build(input_shape), or run it on data"
            )
        return self._output_shapes[-1] if self._output_shapes else self._input_shape

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        shape = tuple(input_shape)
        for layer in self.layers:
            shape = layer.compute_output_shape(shape)
        return shape

    def summary_rows(self) -> list[tuple[str, str, Shape | None, int]]:
        if not self.built:
            raise ValueError(
                f"Sequential '{self.name}' has not been built yet, so its summary is unknown: give the "
                "first layer input_shape=..., call model.build(input_shape), or fit it on data"
            )
        rows = []
        for layer, shape in zip(self.layers, self._output_shapes):
            count = layer.count_params() if isinstance(layer, Layer) else sum(p.numel() for p in layer.parameters())
            rows.append((getattr(layer, "name", type(layer).__name__.lower()), type(layer).__name__, shape, count))
        return rows

    # ---- running ------------------------------------------------------------------------------
    def _prepare(self, x) -> torch.Tensor:
        if not isinstance(x, torch.Tensor):  # NumPy (or nested lists) at the API is channels-last
            x = as_tensor(x)
            self.ensure_built((None, *x.shape[1:]), f"Sequential '{self.name}'")
            return convert_inputs(x, self._input_shape, self.device, f"Sequential '{self.name}'")
        if not self.built:
            self.ensure_built(api_shape(x), f"Sequential '{self.name}'")
        return with_channel_axis(x, self._input_shape)

    def forward(self, x) -> torch.Tensor:
        x = self._prepare(x)
        for layer in self.layers:
            x = layer(x)
        return x

    @property
    def output_activation(self) -> str | None:
        """The last layer's softmax/sigmoid, which a cross-entropy loss can take over from logits."""
        last = self.layers[-1] if self.layers else None
        return getattr(last, "output_activation", None) if hasattr(last, "pre_activation") else None

    def forward_logits(self, x: torch.Tensor) -> torch.Tensor:
        """The output before the last layer's activation."""
        x = self._prepare(x)
        for layer in self.layers[:-1]:
            x = layer(x)
        return self.layers[-1].pre_activation(x)

    def predict_classes(self, x, batch_size=32, verbose=0):
        """Keras 2's Sequential.predict_classes: the top class of each row, or 0/1 for one sigmoid."""
        probabilities = self.predict(x, batch_size=batch_size, verbose=verbose)
        if probabilities.shape[-1] > 1:
            return probabilities.argmax(axis=-1)
        return (probabilities > 0.5).astype("int32")

    def predict_proba(self, x, batch_size=32, verbose=0):
        """Keras 2's name for predict on a classifier."""
        return self.predict(x, batch_size=batch_size, verbose=verbose)

    def get_config(self) -> dict:
        from cnnkit.layers.serialization import serialize

        return {
            "name": self.name,
            "trainable": self.trainable,
            "input_shape": None if self._input_shape is None else list(self._input_shape[1:]),
            "layers": [serialize(layer) for layer in self.layers],
        }

    @classmethod
    def from_config(cls, config: dict, make_layer=None):
        """The model `get_config` describes; `make_layer(description)` makes each layer (clone_model
        passes its clone_function through it), by default a new one from its config."""
        from cnnkit.layers.serialization import deserialize

        model = cls(name=config["name"])
        if config.get("input_shape") is not None:
            model.add(InputLayer(shape=tuple(config["input_shape"])))
        for description in config["layers"]:
            model.add((make_layer or deserialize)(description))
        if not config.get("trainable", True):  # True would unfreeze layers saved frozen
            model.trainable = False
        return model
