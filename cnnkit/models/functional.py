"""The functional Model: `Model(inputs, outputs)` over a graph of layers called on KerasTensors.

At construction the graph is walked back from the outputs to the inputs and flattened into a
plan: one step per layer call, reading and writing numbered value slots. Running the model is
one pass over that plan, so a shared layer, a skip connection or a branch costs nothing extra.
"""

from __future__ import annotations

from contextlib import nullcontext

import torch
from torch import nn

from cnnkit import session
from cnnkit.common import symbolic
from cnnkit.common.layout import Shape, format_shape, with_channel_axis
from cnnkit.layers import activity
from cnnkit.layers.core.input_layer import Input, InputLayer
from cnnkit.layers.layer import Layer, move_to, running_as
from cnnkit.layers.node import KerasTensor, Node
from cnnkit.metrics.reduction_metrics import Mean
from cnnkit.models.model import Model
from cnnkit.training.batch_sources import convert_inputs
from cnnkit.training.labels import as_tensor


def _as_tensor_list(value, argument: str) -> tuple[list[KerasTensor], bool]:
    """([tensors], given as a single tensor?) for a Model's inputs or outputs argument."""
    if isinstance(value, KerasTensor):
        return [value], True
    if isinstance(value, dict):
        value = list(value.values())
    if isinstance(value, (list, tuple)) and value and all(isinstance(v, KerasTensor) for v in value):
        return list(value), False
    raise TypeError(
        f"Model: {argument} must be a KerasTensor (from Input(...) or a layer called on one) or a list of "
        f"them; received {value!r}"
    )


def nodes_between(inputs: list[KerasTensor], outputs: list[KerasTensor]) -> list[Node]:
    """The nodes that turn `inputs` into `outputs`, each after the nodes it reads from."""
    input_ids = {id(t) for t in inputs}
    order: list[Node] = []
    seen: set[int] = set()
    stack: list[tuple[Node, bool]] = [(t.node, False) for t in reversed(outputs) if id(t) not in input_ids]
    while stack:
        node, inputs_done = stack.pop()
        if inputs_done:
            order.append(node)
            continue
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node.layer, InputLayer) and not node.inputs and getattr(node.layer, "constant", None) is None:
            raise ValueError(
                f"Model: the graph is disconnected: it needs the input '{node.layer.name}', which is not "
                f"among the model's inputs ({', '.join(t.name for t in inputs)})"
            )
        stack.append((node, True))
        for tensor in reversed(node.inputs):
            if id(tensor) not in input_ids and id(tensor.node) not in seen:
                stack.append((tensor.node, False))
    return order


def _with_tensors(value, produced: dict):
    """A saved call's keyword arguments with each {"tensor": reference} replaced by that tensor."""
    if isinstance(value, dict) and set(value) == {"tensor"}:
        return produced[tuple(value["tensor"])]
    if isinstance(value, dict):
        return {key: _with_tensors(item, produced) for key, item in value.items()}
    if isinstance(value, list):
        return [_with_tensors(item, produced) for item in value]
    return value


class Functional(Model):
    """A model defined by its input and output tensors, as in Keras:

        inputs = Input(shape=(32, 32, 3))
        x = Conv2D(16, 3, padding="same", activation="relu")(inputs)
        outputs = Dense(10, activation="softmax")(GlobalAveragePooling2D()(x))
        model = Model(inputs, outputs)

    `model.layers` lists the InputLayer(s) first, then every layer in the order it runs. Calling
    the model takes one NCHW tensor (or channels-last NumPy array) per input, as a list when
    there are several, and returns one tensor per output (a list when there are several).
    """

    def __init__(self, inputs, outputs, name: str | None = None, trainable: bool = True) -> None:
        super().__init__(name=name or session.unique_name("functional"), trainable=trainable)
        self.inputs, self._single_input = _as_tensor_list(inputs, "inputs")
        self.outputs, self._single_output = _as_tensor_list(outputs, "outputs")
        self.graph_losses: list[KerasTensor] = []  # model.add_loss(tensor): computed with the outputs
        self.graph_metrics: list[tuple[KerasTensor, Mean]] = []  # model.add_metric(tensor, name)
        self._plan()
        if not self._single_input:
            self.input_names = [t.source.name for t in self.inputs]
        if not self._single_output:
            self.output_names = self._unique([t.source.name for t in self.outputs])

    def _plan(self) -> None:
        """Flatten the graph from the inputs to the outputs (and the added losses) into steps."""
        extra = self.graph_losses + [tensor for tensor, _ in self.graph_metrics]
        nodes = nodes_between(self.inputs, self.outputs + extra)

        layers: list[nn.Module] = [t.source for t in self.inputs]
        for node in nodes:
            if all(node.layer is not known for known in layers):
                layers.append(node.layer)
        names = [layer.name for layer in layers]
        repeated = sorted({n for n in names if names.count(n) > 1})
        if repeated:
            raise ValueError(f"Model: layer names must be unique within a model; repeated: {', '.join(repeated)}")
        self.layers = nn.ModuleList(layers)
        for layer in layers:  # new layers were built on the session's device; prebuilt ones join them
            move_to(layer, session.get_device())

        slots = {id(t): i for i, t in enumerate(self.inputs)}
        # (layer position, slots read, takes a list, slots written, the call's training argument,
        # its keyword arguments with Slots into the reads after the first `main_count`, main_count)
        self._steps: list[tuple] = []
        self._connections: dict[int, list[str]] = {}
        for node in nodes:
            position = next(i for i, layer in enumerate(layers) if layer is node.layer)
            for tensor in node.outputs:
                slots[id(tensor)] = len(slots)
            reads, writes = [slots[id(t)] for t in node.inputs], [slots[id(t)] for t in node.outputs]
            self._steps.append(
                (position, reads, node.takes_list, writes, node.training, node.keywords, node.main_count)
            )
            self._connections.setdefault(position, []).extend(t.label for t in node.inputs)
        self._slot_count = len(slots)
        self._output_slots = [slots[id(t)] for t in self.outputs]
        self._loss_slots = [slots[id(t)] for t in self.graph_losses]
        self._metric_slots = [(slots[id(t)], metric) for t, metric in self.graph_metrics]
        self._first_output_shape = {}
        for node in nodes:
            self._first_output_shape.setdefault(id(node.layer), node.outputs[0].shape)
        self._fusable = self._fusable_output(nodes)
        self._graph = self._describe_graph(nodes)

    def add_loss(self, loss) -> None:
        """A symbolic tensor of this model's graph (`K.mean(K.square(x - decoded))`) joins the loss of
        every training and evaluation step, as Keras's add_loss; a real tensor, inside a call."""
        if not isinstance(loss, KerasTensor):
            super().add_loss(loss)
            return
        self.graph_losses.append(loss)
        self._plan()

    def add_metric(self, value, name: str | None = None, aggregation: str | None = "mean") -> None:
        """Keras 2's add_metric: a symbolic tensor of this graph (`K.mean(z)`) logged under `name`
        as its mean over each epoch's steps, in fit's and evaluate's logs. Keras 2.3 took
        (value, aggregation, name); both orders are read."""
        if name == "mean" and aggregation in (None, "mean"):
            name, aggregation = None, "mean"  # add_metric(value, "mean", "name") in Keras 2.3's order
        if aggregation not in (None, "mean"):
            raise ValueError(f"add_metric: only aggregation='mean' is supported; received {aggregation!r}")
        if not isinstance(value, KerasTensor):
            raise ValueError(
                "add_metric: pass a symbolic tensor of the model's graph (a layer's output or an op on one)"
            )
        if not name:
            raise ValueError("add_metric: name= is required, as the logs' key")
        self.graph_metrics.append((value, Mean(name)))
        self._plan()

    @staticmethod
    def _unique(names: list[str]) -> list[str]:
        """Output names for logs; a layer giving several outputs numbers them (`model_1`, `model_2`)."""
        return [
            name if names.count(name) == 1 else f"{name}_{names[:i].count(name) + 1}" for i, name in enumerate(names)
        ]

    def _describe_graph(self, nodes: list[Node]) -> dict:
        """The calls in run order, each input named [layer, call number in this model, output number]."""
        call_number: dict[int, int] = {}
        counts: dict[str, int] = {}
        for node in nodes:
            call_number[id(node)] = counts.get(node.layer.name, 0)
            counts[node.layer.name] = call_number[id(node)] + 1
        input_ids = {id(t) for t in self.inputs}

        def reference(tensor: KerasTensor) -> list:
            if id(tensor) in input_ids:
                return [tensor.source.name, 0, 0]
            return [tensor.node.layer.name, call_number[id(tensor.node)], tensor.index]

        calls = []
        for node in nodes:
            inputs = [reference(t) for t in node.inputs[: node.main_count]]
            call = {"layer": node.layer.name, "takes_list": node.takes_list, "inputs": inputs}
            if node.training is not None:
                call["training"] = node.training
            if node.keywords:  # initial_state=[h, c]: each tensor as {"tensor": reference}
                tensors = [{"tensor": reference(t)} for t in node.inputs[node.main_count :]]
                call["keywords"] = symbolic.fill(node.keywords, tensors)
            calls.append(call)
        return {"calls": calls, "outputs": [reference(t) for t in self.outputs]}

    def _fusable_output(self, nodes: list[Node]) -> bool:
        """Can a loss take the logits? Only for one output made by the plan's last step, used nowhere else."""
        if not self._single_output or not nodes or nodes[-1].outputs[0] is not self.outputs[0]:
            return False
        last = nodes[-1].layer
        return getattr(last, "output_activation", None) is not None and hasattr(last, "pre_activation")

    # ---- shapes -------------------------------------------------------------------------------
    @property
    def built(self) -> bool:
        return True

    @built.setter
    def built(self, value: bool) -> None:  # Layer.__init__ assigns it; a graph is built by construction
        pass

    @property
    def input_shape(self) -> Shape | list[Shape]:
        shapes = [t.shape for t in self.inputs]
        return shapes[0] if self._single_input else shapes

    @property
    def output_shape(self) -> Shape | list[Shape]:
        shapes = [t.shape for t in self.outputs]
        return shapes[0] if self._single_output else shapes

    @property
    def input(self):
        return self.inputs[0] if self._single_input else list(self.inputs)

    @property
    def output(self):
        return self.outputs[0] if self._single_output else list(self.outputs)

    def ensure_built(self, input_shape: Shape, where: str) -> None:
        """A graph is built when it is made; only check that `input_shape` fits it."""
        self.compute_output_shape(input_shape)

    def compute_output_shape(self, input_shape):
        given = input_shape if isinstance(input_shape, list) else [input_shape]
        expected = [t.shape for t in self.inputs]
        fits = len(given) == len(expected) and all(
            len(g) == len(e) and all(a is None or b is None or a == b for a, b in zip(g, e))
            for g, e in zip(given, expected)
        )
        if not fits:
            raise self.error(
                f"expects input(s) of shape {', '.join(format_shape(e) for e in expected)}; "
                f"received {', '.join(format_shape(g) for g in given)}"
            )
        return self.output_shape

    # ---- running ------------------------------------------------------------------------------
    def _prepare(self, x) -> list[torch.Tensor]:
        given = list(x) if isinstance(x, (list, tuple)) and not self._looks_like_one_array(x) else [x]
        if len(given) != len(self.inputs):
            raise self.error(f"expects {len(self.inputs)} input(s); received {len(given)}")
        prepared = []
        for value, tensor in zip(given, self.inputs):
            if not isinstance(value, torch.Tensor):  # NumPy (or nested lists) at the API is channels-last
                value = convert_inputs(as_tensor(value), tensor.shape, self.device, f"Model '{self.name}'")
            prepared.append(with_channel_axis(value, tensor.shape))
        return prepared

    def _looks_like_one_array(self, x) -> bool:
        """Nested lists of numbers are one input; a list of arrays or tensors is one per input."""
        return self._single_input and not isinstance(x[0], (torch.Tensor,)) and not hasattr(x[0], "shape")

    def _run(self, x, logits: bool = False) -> list[torch.Tensor]:
        values: list = [None] * self._slot_count
        values[: len(self.inputs)] = self._prepare(x)
        last = len(self._steps) - 1
        for step, (position, reads, takes_list, writes, training, keywords, main_count) in enumerate(self._steps):
            layer = self.layers[position]
            argument = [values[i] for i in reads[:main_count]] if takes_list else values[reads[0]]
            if keywords:
                keywords = symbolic.fill(keywords, [values[i] for i in reads[main_count:]])
            if logits and step == last:
                with nullcontext() if training is None else running_as(layer, training):
                    result = layer.pre_activation(argument)
            else:
                result = layer(argument, training=training, **keywords)
            if len(writes) == 1:
                values[writes[0]] = result
            else:
                for slot, value in zip(writes, result):
                    values[slot] = value
        for slot in self._loss_slots:
            activity.add(values[slot])
        if self._metric_slots and activity.in_step():
            for slot, metric in self._metric_slots:
                metric.update_state(values[slot])
        return [values[i] for i in self._output_slots]

    def forward(self, x):
        outputs = self._run(x)
        return outputs[0] if self._single_output else outputs

    @property
    def output_activation(self) -> str | None:
        return self.layers[self._steps[-1][0]].output_activation if self._fusable else None

    def forward_logits(self, x) -> torch.Tensor:
        return self._run(x, logits=True)[0]

    # ---- inspection ---------------------------------------------------------------------------
    def summary_rows(self) -> list[tuple]:
        rows = []
        for position, layer in enumerate(self.layers):
            if isinstance(layer, InputLayer):
                shape = layer.declared_input_shape
            else:
                shape = self._first_output_shape.get(id(layer))
            count = layer.count_params() if isinstance(layer, Layer) else sum(p.numel() for p in layer.parameters())
            connected = self._connections.get(position, ["-"])
            rows.append((layer.name, type(layer).__name__, shape, count, connected))
        return rows

    def get_config(self) -> dict:
        """Layers, and the graph as Keras describes it: each call lists the tensors it reads as
        [layer name, call number within this model, output number]."""
        from cnnkit.layers.serialization import serialize

        return {
            "name": self.name,
            "trainable": self.trainable,
            "layers": [serialize(layer) for layer in self.layers],
            "calls": self._graph["calls"],
            "input_layers": [t.source.name for t in self.inputs],
            "output_tensors": self._graph["outputs"],
        }

    @classmethod
    def from_config(cls, config: dict, make_layer=None):
        """The model `get_config` describes; `make_layer(description)` makes each layer (clone_model
        passes its clone_function through it), by default a new one from its config."""
        from cnnkit.layers.serialization import deserialize

        layers = {d["config"]["name"]: d for d in config["layers"]}
        inputs = {}
        for name in config["input_layers"]:
            input_config = layers[name]["config"]
            inputs[name] = Input(shape=tuple(input_config["shape"]), name=name, dtype=input_config.get("dtype"))
        built = {name: (make_layer or deserialize)(d) for name, d in layers.items() if name not in inputs}
        produced: dict[tuple, KerasTensor] = {(name, 0, 0): tensor for name, tensor in inputs.items()}
        calls_so_far: dict[str, int] = {}
        for call in config["calls"]:
            name = call["layer"]
            arguments = [produced[tuple(ref)] for ref in call["inputs"]]
            keywords = _with_tensors(call.get("keywords", {}), produced)
            given = arguments if call["takes_list"] else arguments[0]
            result = built[name](given, training=call.get("training"), **keywords)
            index = calls_so_far.get(name, 0)
            calls_so_far[name] = index + 1
            for position, tensor in enumerate(result if isinstance(result, list) else [result]):
                produced[(name, index, position)] = tensor
        outputs = [produced[tuple(ref)] for ref in config["output_tensors"]]
        model = cls(
            [inputs[n] for n in config["input_layers"]] if len(inputs) > 1 else next(iter(inputs.values())),
            outputs if len(outputs) > 1 else outputs[0],
            name=config["name"],
        )
        if not config.get("trainable", True):  # True would unfreeze layers saved frozen
            model.trainable = False
        return model
