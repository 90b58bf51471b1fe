"""``add_graph``'s GraphDef: the ops of one forward pass, each in the scope of the module that ran it.

torch traces the model with the JIT and names each op by the module it ran in.
minitorch has no JIT; the same picture comes from two things it has:

* the autograd graph: every op of the forward pass that touches a tensor needing a
  gradient is a ``grad_fn`` node, and ``next_functions`` are its inputs. The inputs
  of the model are fed as fresh leaves that require grad, so every op downstream
  of them (or of a parameter) is recorded;
* forward hooks: a pre-hook on every module notes the ``grad_fn`` of its inputs; the
  hook after its forward walks back from its outputs to those inputs and gives every
  node not yet named the module's scope. Inner modules finish first, so an op gets the
  innermost module that ran it; what is left gets the model's own scope.

Names follow torch's scopes: the model's class, then ``Class[attribute]`` per
submodule (``Net/Sequential[seq]/Linear[0]/Addmm``); an op is named by its
``grad_fn`` without the ``Backward0`` suffix (the aten op torch shows: ``Addmm``,
``Relu``, ``Convolution``) and its ``op`` is the ``grad_fn`` name; a parameter is
``<module scope>/<name>`` (op ``Parameter``); the model's inputs are
``input/<argument>`` and outputs ``output/output.<i>`` (op ``IO Node``), as in torch.
Each node carries ``_output_shapes``. Ops on tensors that need no gradient (integer
indices, constants) are not in the autograd graph and so not drawn; their results
enter the graph where they meet a parameter or an input.
"""
import inspect
import re

from ... import autograd
from ...tensor import Tensor
from ...autograd.node import AccumulateGrad
from ...nn import Module

from tensorboard.compat.proto.attr_value_pb2 import AttrValue
from tensorboard.compat.proto.config_pb2 import RunMetadata
from tensorboard.compat.proto.graph_pb2 import GraphDef
from tensorboard.compat.proto.node_def_pb2 import NodeDef
from tensorboard.compat.proto.step_stats_pb2 import DeviceStepStats, StepStats
from tensorboard.compat.proto.tensor_shape_pb2 import TensorShapeProto
from tensorboard.compat.proto.versions_pb2 import VersionDef

_BACKWARD = re.compile(r"Backward\d*$")


def _tensors(obj):
    """The tensors in ``obj`` (a tensor, or tuples / lists / dicts of them), in order."""
    if isinstance(obj, Tensor):
        return [obj]
    if isinstance(obj, (list, tuple)):
        return [t for o in obj for t in _tensors(o)]
    if isinstance(obj, dict):
        return [t for o in obj.values() for t in _tensors(o)]
    return []


def _as_leaves(obj):
    """``obj`` with every floating tensor replaced by a fresh leaf that requires grad (so the trace records it)."""
    if isinstance(obj, Tensor):
        return obj.detach().requires_grad_(True) if obj.is_floating_point() else obj
    if isinstance(obj, tuple):
        return tuple(_as_leaves(o) for o in obj)
    if isinstance(obj, list):
        return [_as_leaves(o) for o in obj]
    if isinstance(obj, dict):
        return {k: _as_leaves(v) for k, v in obj.items()}
    return obj


def _input_names(model, args):
    """``input/<argument name>`` for each input tensor (``.i`` after the name inside a list or tuple argument)."""
    try:
        bound = inspect.signature(model.forward).bind(*args).arguments
    except (TypeError, ValueError):
        bound = {f"input.{i}": a for i, a in enumerate(args)}
    names = {}
    for arg_name, value in bound.items():
        tensors = _tensors(value)
        for i, t in enumerate(tensors):
            names.setdefault(id(t), f"input/{arg_name}" if isinstance(value, Tensor) else f"input/{arg_name}.{i}")
    return names


def _scopes(model):
    """id(module) -> torch's scope name: ``Net``, ``Net/Linear[fc1]``, ``Net/Sequential[seq]/Linear[0]``."""
    root = type(model).__name__
    scopes = {}
    by_name = dict(model.named_modules())
    for name, mod in by_name.items():
        if id(mod) in scopes:
            continue
        parts, prefix = [root], []
        for attr in name.split(".") if name else []:
            prefix.append(attr)
            parts.append(f"{type(by_name['.'.join(prefix)]).__name__}[{attr}]")
        scopes[id(mod)] = "/".join(parts)
    return scopes


def _walk(roots, stop=()):
    """Nodes reachable from ``roots`` through ``next_functions``, inputs before users (an iterative DFS)."""
    order, seen = [], set()
    stack = [(r, False) for r in roots if r is not None]
    while stack:
        node, done = stack.pop()
        if done:
            order.append(node)
            continue
        if node in seen:
            continue
        seen.add(node)
        stack.append((node, True))
        if node in stop or isinstance(node, AccumulateGrad):
            continue
        for fn, _ in reversed(node.next_functions):
            if fn is not None and fn not in seen:
                stack.append((fn, False))
    return order


def _shape_attr(shapes):
    protos = [TensorShapeProto(dim=[TensorShapeProto.Dim(size=int(d)) for d in s]) for s in shapes]
    return {"_output_shapes": AttrValue(list=AttrValue.ListValue(shape=protos))}


def trace(model, input_to_model=None, verbose=False):
    """(GraphDef, RunMetadata) of one forward pass of ``model``, as torch's ``add_graph`` writes them."""
    if not isinstance(model, Module):
        raise TypeError(f"add_graph(): model must be a Module, not {type(model).__name__}")
    if input_to_model is None:
        args = ()
    elif isinstance(input_to_model, tuple):
        args = input_to_model
    else:
        args = (input_to_model,)
    args = _as_leaves(args)
    input_names = _input_names(model, args)
    scopes = _scopes(model)
    owner = {}                                   # node -> scope of the innermost module that created it
    pending = []                                 # per running module call: its inputs' grad_fns

    def pre_hook(module, a, kw):
        pending.append({t.grad_fn for t in _tensors((a, kw)) if t.grad_fn is not None})

    def post_hook(module, a, kw, out):
        stop = pending.pop()
        scope = scopes[id(module)]
        for node in _walk([t.grad_fn for t in _tensors(out)], stop):
            if node not in stop and not isinstance(node, AccumulateGrad) and node not in owner:
                owner[node] = scope

    modules = {id(m): m for _, m in model.named_modules()}.values()
    handles = []
    modes = [(m, m.training) for m in modules]
    try:
        for m in modules:
            handles.append(m.register_forward_pre_hook(pre_hook, with_kwargs=True))
            handles.append(m.register_forward_hook(post_hook, with_kwargs=True))
        for m, _ in modes:
            m.training = False                  # torch traces in eval mode (no running-stat updates, no dropout)
        with autograd.enable_grad():
            out = model(*args)
    finally:
        for h in handles:
            h.remove()
        for m, mode in modes:
            m.training = mode

    outputs = _tensors(out)
    nodes = _walk([t.grad_fn for t in outputs])
    root_scope = scopes[id(model)]

    # shape of each node's outputs: from the edges of its users (and from the model's outputs)
    shapes = {}
    for node in nodes:
        for edge in getattr(node, "_edges", ()):
            if edge:
                shapes.setdefault((edge.node, edge.output_nr), tuple(edge.shape))
    for t in outputs:
        if t.grad_fn is not None:
            shapes.setdefault((t.grad_fn, getattr(t, "_output_nr", 0)), tuple(t.shape))

    param_names = {}
    for name, p in model.named_parameters():
        mod_path, _, leaf = name.rpartition(".")
        mod = model.get_submodule(mod_path) if mod_path else model
        param_names.setdefault(id(p), f"{scopes[id(mod)]}/{leaf}")

    used, names, defs = set(), {}, []

    def unique(base):
        name, k = base, 0
        while name in used:
            k += 1
            name = f"{base}_{k}"
        used.add(name)
        return name

    def ref(node, nr):
        return names[node] + (f":{nr}" if nr else "")

    for node in nodes:
        if isinstance(node, AccumulateGrad):
            var = node.variable
            if id(var) in input_names:
                base, op = input_names[id(var)], "IO Node"
            elif id(var) in param_names:
                base, op = param_names[id(var)], "Parameter"
            else:
                base, op = f"{root_scope}/Tensor", "Tensor"
            names[node] = unique(base)
            defs.append(NodeDef(name=names[node], op=op, attr=_shape_attr([tuple(var.shape)])))
            continue
        kind = node.name()
        names[node] = unique(f"{owner.get(node, root_scope)}/{_BACKWARD.sub('', kind) or kind}")
        meta = getattr(node, "_output_meta", None)
        out_shapes = [tuple(s) for s, _ in meta] if meta else [shapes[(node, 0)]] if (node, 0) in shapes else []
        defs.append(NodeDef(name=names[node], op=kind,
                            input=[ref(fn, nr) for fn, nr in node.next_functions if fn is not None],
                            attr=_shape_attr(out_shapes)))

    for i, t in enumerate(outputs):
        if t.grad_fn is not None:
            inputs = [ref(t.grad_fn, getattr(t, "_output_nr", 0))]
        else:                                    # an input or a parameter returned as it is, or a constant
            inputs = [names[n] for n in nodes if isinstance(n, AccumulateGrad) and n.variable is t][:1]
            leaf = input_names.get(id(t)) or param_names.get(id(t))
            if not inputs and leaf is not None:
                inputs = [unique(leaf)]
                defs.append(NodeDef(name=inputs[0], op="IO Node" if id(t) in input_names else "Parameter",
                                    attr=_shape_attr([tuple(t.shape)])))
        defs.append(NodeDef(name=f"output/output.{i + 1}", op="IO Node", input=inputs,
                            attr=_shape_attr([tuple(t.shape)])))

    if verbose:
        for d in defs:
            print(f"{d.name} = {d.op}({', '.join(d.input)})")
    graph = GraphDef(node=defs, versions=VersionDef(producer=22))
    stats = RunMetadata(step_stats=StepStats(dev_stats=[DeviceStepStats(device="/device:CPU:0")]))
    return graph, stats
