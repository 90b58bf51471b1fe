"""``Optimizer``: the base class of every optimizer, with torch's bookkeeping.

An optimizer holds

* ``param_groups``: a list of dicts, one per group, each with ``'params'`` (a list
  of tensors) and every option of the optimizer (``lr``, ``momentum``, ...). Options
  a group does not give are filled in from ``defaults``.
* ``state``: a ``defaultdict(dict)`` keyed by the parameter tensor itself
  (momentum buffers, running averages, step counts).

``state_dict()`` has torch's format: parameters are replaced by integer ids
(their position across all groups), ``state`` is keyed by those ids, and each
group keeps its options. ``load_state_dict`` maps the ids back onto this
optimizer's parameters, in order.

Subclasses implement ``step``. The update works directly on the parameters'
arrays (``p._data``), in place, so a parameter keeps its identity and memory
(views of it, and the optimizer's own state keyed by it, stay valid); each
update bumps the version counters of the tensors it changed (``_edited``), as
torch's in-place ops do. Temporaries are named scratch arrays (``_scratch``) from a
per-optimizer workspace, reused from step to step, so a training step allocates
no new arrays for the update.
"""
import contextlib
import functools
import warnings
from collections import OrderedDict, defaultdict
from copy import deepcopy
from itertools import chain

from .. import _backend, _dtype
from ..autograd import grad_mode
from ..autograd.function import _profiling
from ..tensor import Tensor, typename
from ..profiler import record_function
from ._step_hooks import (_register, _with_hooks, register_optimizer_step_pre_hook,  # noqa: F401  (torch's place)
                          register_optimizer_step_post_hook)

__all__ = ["Optimizer", "required", "register_optimizer_step_pre_hook", "register_optimizer_step_post_hook"]

_np = _backend.numpy


class _RequiredParameter:
    """Singleton marking an option every param group must give (no default)."""

    def __repr__(self):
        return "<required parameter>"


required = _RequiredParameter()

def _scalar_dtype():
    """The dtype of the ``step`` counters torch keeps in optimizer state (float64 only under a float64 default)."""
    return _dtype.float64 if _dtype.get_default_dtype() is _dtype.float64 else _dtype.float32


def _step_counter():
    """A fresh ``state['step']``: a 0-d CPU tensor holding 0., as torch's."""
    return Tensor._from_array(_np.zeros((), _scalar_dtype().np))


def _check_lr(lr):
    """The learning-rate check every optimizer but SGD makes first, in torch's words (a NaN is refused too;
    SGD's own ``lr < 0.0``, as torch's, lets it through)."""
    if isinstance(lr, Tensor) and lr.numel() != 1:
        raise ValueError("Tensor lr must be 1-element")
    if not 0.0 <= lr:
        raise ValueError(f"Invalid learning rate: {lr}")


def _check_adam_hyperparameters(lr, betas, eps, weight_decay):
    """The checks Adam, AdamW, NAdam, RAdam and Adamax make first, in torch's order and words."""
    _check_lr(lr)
    if not 0.0 <= eps:
        raise ValueError(f"Invalid epsilon value: {eps}")
    for i, beta in enumerate(betas[:2]):
        if not 0.0 <= beta < 1.0:
            raise ValueError(f"Invalid beta parameter at index {i}: {beta}")
    if not 0.0 <= weight_decay:
        raise ValueError(f"Invalid weight_decay value: {weight_decay}")


def _to_scalar(x):
    """A Python float from a number or a one-element tensor (torch accepts tensor ``lr``s)."""
    return x.item() if isinstance(x, Tensor) else x


_NO_GUARD = contextlib.nullcontext()


def _on_device(arr):
    """Make ``arr``'s GPU the current device for a block (cupy runs kernels and allocates there); a no-op on the CPU."""
    return _NO_GUARD if type(arr) is _np.ndarray else arr.device


def _use_grad(step):
    """Run ``step`` with gradient recording off (the update is not part of any graph)."""
    @functools.wraps(step)
    def wrapper(self, *args, **kwargs):
        prev = grad_mode._enabled[0]
        grad_mode._enabled[0] = False
        try:
            return step(self, *args, **kwargs)
        finally:
            grad_mode._enabled[0] = prev
    return wrapper


class Optimizer:
    """Base class for all optimizers: ``step()`` updates the parameters from their ``.grad``, ``zero_grad()`` resets it.

    A subclass gives its defaults to ``__init__`` and its rule as ``_update(p, group)``;
    state per parameter lives in ``self.state[p]`` and round-trips through
    ``state_dict()`` / ``load_state_dict()`` with torch's keys. Parameter groups
    (a list of dicts, each with ``'params'`` and its own options such as ``lr``) are in
    ``param_groups``; learning-rate schedulers change them. See SGD's rule, line by
    line: docs/08-sgd-with-momentum.md; the training loop: docs/05-gradient-accumulation.md.

    Args:
        params (iterable): tensors to optimize, or dicts defining parameter groups
            (each with a ``'params'`` entry and any per-group options), or
            ``(name, tensor)`` pairs as given by ``named_parameters()``.
        defaults (dict): the default value of each option, used where a group does not give it.
    """

    def __init__(self, params, defaults):
        self.defaults = defaults
        self._optimizer_step_pre_hooks = OrderedDict()
        self._optimizer_step_post_hooks = OrderedDict()
        self._optimizer_state_dict_pre_hooks = OrderedDict()
        self._optimizer_state_dict_post_hooks = OrderedDict()
        self._optimizer_load_state_dict_pre_hooks = OrderedDict()
        self._optimizer_load_state_dict_post_hooks = OrderedDict()
        self._work = {}
        self._patch_step_function()

        if isinstance(params, Tensor):
            raise TypeError("params argument given to the optimizer should be an iterable of Tensors or dicts, "
                            "but got " + typename(params))
        if defaults.get("differentiable"):
            raise NotImplementedError(
                "differentiable=True is not supported: minitorch optimizers update the parameters' arrays in "
                "place outside autograd, so no graph runs through step()")
        if defaults.get("fused") and defaults.get("foreach"):
            raise RuntimeError("`fused` and `foreach` cannot be `True` together.")

        self.state = defaultdict(dict)
        self.param_groups = []

        param_groups = list(params)
        if len(param_groups) == 0:
            raise ValueError("optimizer got an empty parameter list")
        if not isinstance(param_groups[0], dict):
            param_groups = [{"params": param_groups}]
        for param_group in param_groups:
            self.add_param_group(param_group)

    # ------------------------------------------------------------------ pickling, repr
    def __getstate__(self):
        return {"defaults": self.defaults, "state": self.state, "param_groups": self.param_groups}

    _group_defaults = {}     # per optimizer: group keys that older pickles and state dicts may lack

    def __setstate__(self, state):
        self.__dict__.update(state)
        for group in self.param_groups:
            for key, value in self._group_defaults.items():
                group.setdefault(key, value)
        for name in ("_optimizer_step_pre_hooks", "_optimizer_step_post_hooks",
                     "_optimizer_state_dict_pre_hooks", "_optimizer_state_dict_post_hooks",
                     "_optimizer_load_state_dict_pre_hooks", "_optimizer_load_state_dict_post_hooks"):
            if name not in self.__dict__:
                setattr(self, name, OrderedDict())
        if "_work" not in self.__dict__:
            self._work = {}
        self._patch_step_function()
        self.defaults.setdefault("differentiable", False)

    def __repr__(self):
        format_string = self.__class__.__name__ + " ("
        for i, group in enumerate(self.param_groups):
            format_string += "\n"
            format_string += f"Parameter Group {i}\n"
            for key in sorted(group.keys()):
                if key != "params":
                    format_string += f"    {key}: {group[key]}\n"
        format_string += ")"
        return format_string

    # ------------------------------------------------------------------ step and its hooks
    def _patch_step_function(self):
        """Wrap the (most derived) class's ``step`` once, so step hooks run around it."""
        cls = self.__class__
        if not getattr(cls.step, "hooked", False):
            cls.step = _with_hooks(cls.step)

    def _optimizer_step_code(self):
        """Called after every ``step`` (an entry point for profilers and schedulers; does nothing here)."""

    def register_step_pre_hook(self, hook):
        """Call ``hook(optimizer, args, kwargs)`` before each ``step``; it may return new ``(args, kwargs)``."""
        return _register(self._optimizer_step_pre_hooks, hook)

    def register_step_post_hook(self, hook):
        """Call ``hook(optimizer, args, kwargs)`` after each ``step``."""
        return _register(self._optimizer_step_post_hooks, hook)

    def register_state_dict_pre_hook(self, hook, prepend=False):
        """Call ``hook(optimizer)`` before ``state_dict()`` builds its result."""
        return _register(self._optimizer_state_dict_pre_hooks, hook, prepend)

    def register_state_dict_post_hook(self, hook, prepend=False):
        """Call ``hook(optimizer, state_dict)`` on the result of ``state_dict()``; a returned dict replaces it."""
        return _register(self._optimizer_state_dict_post_hooks, hook, prepend)

    def register_load_state_dict_pre_hook(self, hook, prepend=False):
        """Call ``hook(optimizer, state_dict)`` before loading; a returned dict is loaded instead."""
        return _register(self._optimizer_load_state_dict_pre_hooks, hook, prepend)

    def register_load_state_dict_post_hook(self, hook, prepend=False):
        """Call ``hook(optimizer)`` after ``load_state_dict``."""
        return _register(self._optimizer_load_state_dict_post_hooks, hook, prepend)

    @_use_grad
    def step(self, closure=None):
        """Perform a single optimization step: ``_update`` every parameter that has a ``.grad``.

        ``closure``, when given, re-evaluates the model and returns the loss; it runs
        with gradient recording on, and its result is returned. Each optimizer's
        ``_update(p, group)`` holds its formula (see the class docstrings).
        """
        if type(self)._update is Optimizer._update:       # a subclass must define step or _update
            raise NotImplementedError
        loss = self._closure_loss(closure)
        for group in self.param_groups:
            for p in group["params"]:
                if p._grad is not None:
                    with _on_device(p._data):
                        self._update(p, group)
        return loss

    def _update(self, p, group):
        """Update parameter ``p`` of ``group`` in place (each optimizer defines its own rule)."""
        raise NotImplementedError

    @staticmethod
    def _closure_loss(closure):
        """Run ``closure`` with gradients on (``step`` itself runs under ``no_grad``); None without one."""
        if closure is None:
            return None
        with grad_mode.enable_grad():
            return closure()

    # ------------------------------------------------------------------ gradients
    def zero_grad(self, set_to_none=True):
        """Reset the gradients of all optimized tensors.

        With ``set_to_none=True`` (the default) each ``.grad`` becomes None: the next
        backward stores a fresh gradient instead of adding into a zeroed one, and a
        parameter that then receives no gradient is skipped by ``step``. With
        ``set_to_none=False`` each gradient is detached and filled with zeros in place.
        """
        if _profiling[0] is not None:          # torch's profiler row: Optimizer.zero_grad#SGD.zero_grad
            with record_function(f"Optimizer.zero_grad#{type(self).__name__}.zero_grad"):
                return self._zero_grad(set_to_none)
        return self._zero_grad(set_to_none)

    def _zero_grad(self, set_to_none):
        for group in self.param_groups:
            for p in group["params"]:
                g = p._grad
                if g is not None:
                    if set_to_none:
                        p._grad = None
                    else:
                        if g.grad_fn is not None:
                            g.detach_()
                        else:
                            g.requires_grad_(False)
                        with _on_device(g._data):
                            g.zero_()

    # ------------------------------------------------------------------ param groups
    def add_param_group(self, param_group):
        """Add a group of parameters (a dict with ``'params'`` and any options) to ``param_groups``.

        Useful when fine-tuning: frozen layers can be made trainable and added as
        training goes on. Options the group does not give come from ``defaults``.
        """
        if not isinstance(param_group, dict):
            raise TypeError(f"param_group must be a dict, but got {type(param_group)}")

        params = param_group["params"]
        if isinstance(params, Tensor):
            param_group["params"] = [params]
        elif isinstance(params, set):
            raise TypeError("optimizer parameters need to be organized in ordered collections, but the ordering "
                            "of tensors in sets will change between runs. Please use a list instead.")
        else:
            param_group["params"] = list(params)

        tensors, names = [], []
        for param in param_group["params"]:
            if isinstance(param, tuple):
                names.append(param[0])
                tensors.append(param[1])
            else:
                tensors.append(param)
        param_group["params"] = tensors
        if names:
            if len(names) == len(tensors):
                param_group["param_names"] = names
            else:
                raise ValueError("all optimizer params should be with/without names. Some param names are missing")

        for param in param_group["params"]:
            if not isinstance(param, Tensor):
                raise TypeError("optimizer can only optimize Tensors, but one of the params is " + typename(param))
            if not self.defaults.get("differentiable", None) and not (param.is_leaf or param.retains_grad):
                raise ValueError("can't optimize a non-leaf Tensor")

        for name, default in self.defaults.items():
            if default is required and name not in param_group:
                raise ValueError(f"parameter group didn't specify a value of required optimization parameter {name}")
            param_group.setdefault(name, default)

        params = param_group["params"]
        if len(params) != len(set(params)):
            warnings.warn("optimizer contains a parameter group with duplicate parameters; in future, this will "
                          "cause an error; see github.com/pytorch/pytorch/issues/40967 for more information",
                          stacklevel=3)

        param_set = set()
        for group in self.param_groups:
            param_set.update(set(group["params"]))
            if ("param_names" in param_group) != ("param_names" in group):
                current = "with names" if "param_names" in param_group else "without names"
                raise ValueError("all optimizer param groups should be with/without names. "
                                 f"cannot add param group {current} to the optimizer")
        if not param_set.isdisjoint(set(param_group["params"])):
            raise ValueError("some parameters appear in more than one parameter group")

        self.param_groups.append(param_group)

    # ------------------------------------------------------------------ state dict
    def state_dict(self):
        """The optimizer's state as a dict, in torch's format.

        ``{'state': {id: {...}}, 'param_groups': [{option: value, ..., 'params': [id, ...]}]}``
        where a parameter's id is its position counted across all groups. The state
        tensors are the optimizer's own (not copies), as in torch.
        """
        for hook in self._optimizer_state_dict_pre_hooks.values():
            hook(self)

        param_mappings = {}
        start_index = 0

        def pack_group(group):
            nonlocal start_index
            packed = {k: v for k, v in group.items() if k != "params"}
            param_mappings.update({id(p): i for i, p in enumerate(group["params"], start_index)
                                   if id(p) not in param_mappings})
            packed["params"] = [param_mappings[id(p)] for p in group["params"]]
            start_index += len(packed["params"])
            return packed

        param_groups = [pack_group(g) for g in self.param_groups]
        packed_state = {(param_mappings[id(k)] if isinstance(k, Tensor) else k): v for k, v in self.state.items()}
        state_dict = {"state": packed_state, "param_groups": param_groups}

        for hook in self._optimizer_state_dict_post_hooks.values():
            result = hook(self, state_dict)
            if result is not None:
                state_dict = result
        return state_dict

    @staticmethod
    def _process_value_according_to_param_policy(param, value, param_id, param_groups, key=None):
        """Cast a loaded state tensor to its parameter's device (and dtype, for floating parameters).

        ``step`` counters stay as they are (on the CPU, in their own dtype) unless the
        group is ``fused`` or ``capturable``.
        """
        fused = capturable = False
        for pg in param_groups:
            if param_id in pg["params"]:
                fused = pg.get("fused", False)
                capturable = pg.get("capturable", False)
                break
        if key == "step":
            if capturable or fused:
                return value.to(dtype=_dtype.float32, device=param.device)
            return value
        if param.is_floating_point():
            return value.to(dtype=param.dtype, device=param.device)
        return value.to(device=param.device)

    def load_state_dict(self, state_dict):
        """Load a state produced by ``state_dict()`` (of an optimizer over parameters of the same layout).

        The saved ids are matched with this optimizer's parameters in order; state
        tensors are moved to each parameter's device and floating ones cast to its
        dtype (tensors that already match are used as they are, as in torch).
        """
        state_dict = state_dict.copy()
        for hook in self._optimizer_load_state_dict_pre_hooks.values():
            result = hook(self, state_dict)
            if result is not None:
                state_dict = result

        groups = self.param_groups
        saved_groups = deepcopy(state_dict["param_groups"])
        if len(groups) != len(saved_groups):
            raise ValueError("loaded state dict has a different number of parameter groups")
        if any(len(g["params"]) != len(s["params"]) for g, s in zip(groups, saved_groups)):
            raise ValueError("loaded state dict contains a parameter group that doesn't match the size of "
                             "optimizer's group")

        id_map = dict(zip(chain.from_iterable(g["params"] for g in saved_groups),
                          chain.from_iterable(g["params"] for g in groups)))

        def _cast(param, value, param_id=None, param_groups=None, key=None):
            if isinstance(value, Tensor):
                return Optimizer._process_value_according_to_param_policy(param, value, param_id, param_groups, key)
            if isinstance(value, dict):
                return {k: _cast(param, v, param_id=param_id, param_groups=param_groups, key=k)
                        for k, v in value.items()}
            if isinstance(value, (list, tuple)):
                return type(value)(_cast(param, v, param_id=param_id, param_groups=param_groups) for v in value)
            return value

        state = defaultdict(dict)
        for k, v in state_dict["state"].items():
            if k in id_map:
                param = id_map[k]
                state[param] = _cast(param, v, param_id=k, param_groups=state_dict["param_groups"])
            else:
                state[k] = v

        def update_group(group, new_group):
            new_group["params"] = group["params"]
            if "param_names" in group and "param_names" not in new_group:
                new_group["param_names"] = group["param_names"]
            return new_group

        param_groups = [update_group(g, ng) for g, ng in zip(groups, saved_groups)]
        self.__setstate__({"state": state, "param_groups": param_groups})

        for hook in self._optimizer_load_state_dict_post_hooks.values():
            hook(self)

    # ------------------------------------------------------------------ helpers for subclasses
    def _scratch(self, name, like):
        """The scratch array called ``name``, shaped and typed like the array ``like``, on its device.

        Why: so that a step allocates nothing. The optimizer keeps one flat array per
        name (and dtype and device), grown to the largest parameter, and every parameter
        and every step reuses it. Its contents are garbage between uses: an update writes
        before it reads, and gives two arrays in use at the same time different names.
        """
        key = (name, like.dtype, type(like) if type(like) is _np.ndarray else _backend.device_of(like))
        buf = self._work.get(key)
        n = like.size
        if buf is None or buf.size < n:
            with _on_device(like):
                buf = self._work[key] = _backend.array_module(like).empty(n, like.dtype)
        return buf[:n].reshape(like.shape)

    SCRATCH_BLOCK = 1 << 16       # elements per block of _subtract_scaled (256 KiB of float32)

    def _subtract_scaled(self, theta, g, alpha):
        """``theta -= alpha * g``, in place (torch's ``theta.add_(g, alpha=-alpha)``).

        Why in blocks: numpy has no fused multiply-subtract, so ``alpha * g`` needs scratch memory. A
        parameter-sized scratch array would stay with the optimizer for good (SGD's MLP step: 1.5 of its
        9.7 MiB; torch's step keeps none), so a large contiguous parameter goes through one scratch block
        of SCRATCH_BLOCK elements at a time (the same operations on each element, and the block stays in
        cache). Small or strided parameters, and GPU arrays, take the whole-array form."""
        xp = _backend.array_module(theta)
        n, block = theta.size, self.SCRATCH_BLOCK
        if n <= block or type(theta) is not _np.ndarray or not (theta.flags.c_contiguous and g.flags.c_contiguous):
            xp.subtract(theta, xp.multiply(g, alpha, out=self._scratch("tmp", theta)), out=theta)
            return
        t, gf = theta.reshape(-1), g.reshape(-1)
        tmp = self._scratch("block", t[:block])
        for s in range(0, n, block):
            e = min(s + block, n)
            xp.subtract(t[s:e], xp.multiply(gf[s:e], alpha, out=tmp[:e - s]), out=t[s:e])

    @staticmethod
    def _edited(*tensors, ops=1):
        """These tensors were changed in place: bump their version counters (by ``ops`` each).

        Why: a backward that saved one of them then refuses to run, as torch's does,
        instead of using the new values. torch bumps a counter once per in-place op, so
        ``ops`` is the number of in-place ops torch's own update applies to the tensor
        (``v.mul_(β₂).addcmul_(g, g, value=1 - β₂)`` is 2): after every step each
        parameter's and state tensor's ``_version`` is torch's.
        """
        for t in tensors:
            t._vc[0] += ops

    def _next_step(self, step_t):
        """``t ← t + 1`` on a ``state['step']`` counter (torch's ``step_t += 1``, in place); returns the new t."""
        step_t._data += 1
        self._edited(step_t)
        return float(step_t._data)

    def _grad_with_decay(self, p, grad, weight_decay, maximize):
        """The gradient the update uses: ``g = ±grad + weight_decay * p`` (``-`` when maximizing).

        Returns ``grad`` itself when nothing changes it, otherwise the scratch array ``"g"``.
        ``grad`` is never modified.
        """
        xp = _backend.array_module(p)
        if weight_decay != 0:
            g = self._scratch("g", p)
            xp.multiply(p, weight_decay, out=g)
            if maximize:
                xp.subtract(g, grad, out=g)      # -grad + wd * p
            else:
                xp.add(g, grad, out=g)           # grad + wd * p
            return g
        if maximize:
            return xp.negative(grad, out=self._scratch("g", grad))
        return grad

    def _zeros_state(self, p, fill=0):
        """A state tensor of ``p``'s shape, dtype and device, filled with ``fill``."""
        xp = _backend.array_module(p._data)
        with _on_device(p._data):
            arr = xp.zeros_like(p._data) if fill == 0 else xp.full_like(p._data, fill)
        return Tensor._from_array(arr)
