"""The engine's network, rebuilt in numpy (float64) from a member's stored parameters.

The definitions match the engine's reference forward pass exactly: with A_0 = X (dX × P),
hidden layer l computes Z_l = W_l A_{l-1} + b_l 1ᵀ and A_l = φ(Z_l); the readout is
F = W_{L+1} A_L (the readout has no bias). See docs/science.md, "The network".
"""

import math

import numpy as np

LEAKY_SLOPE = 0.01
_GELU_C = math.sqrt(2.0 / math.pi)
_GELU_A = 0.044715


def _relu(z):
    return np.where(z > 0, z, 0.0)


def _leaky_relu(z):
    return np.where(z > 0, z, LEAKY_SLOPE * z)


def _clipped_relu(z):
    return np.clip(z, 0.0, 1.0)


def _linear(z):
    return np.array(z, dtype=np.float64, copy=True)


def _gelu(z):
    # the tanh approximation, the engine's definition on every backend (no erf)
    return 0.5 * z * (1.0 + np.tanh(_GELU_C * (z + _GELU_A * z * z * z)))


ACTIVATIONS = {
    "relu": _relu,
    "leaky_relu": _leaky_relu,
    "clipped_relu": _clipped_relu,
    "linear": _linear,
    "tanh": np.tanh,
    "gelu": _gelu,
}


def activation(name):
    """The activation φ called ``name`` in specs and output files, as a numpy function."""
    try:
        return ACTIVATIONS[name]
    except KeyError:
        raise ValueError("unknown activation %r (expected one of %s)" % (name, ", ".join(ACTIVATIONS))) from None


class Layer:
    """One weight layer of a member: ``W`` (fan_out × fan_in) and ``b`` (fan_out, or None)."""

    __slots__ = ("W", "b", "kind")

    def __init__(self, W, b, kind):
        self.W = W
        self.b = b
        self.kind = kind

    def __iter__(self):  # unpack as W, b = layer
        return iter((self.W, self.b))

    def __repr__(self):
        return "Layer(%s, W %s, b %s)" % (self.kind, self.W.shape, None if self.b is None else self.b.shape)


def unpack(row, group):
    """The layers of one member from its row of params_group<g>.npy, using groups.json's layout."""
    row = np.asarray(row, dtype=np.float64)
    if row.shape != (group["stride"],):
        raise ValueError("a parameter row of group %s has %d values, groups.json says stride %d"
                         % (group["group"], row.size, group["stride"]))
    layers = []
    n = len(group["layers"])
    for l, spec in enumerate(group["layers"]):
        fan_out, fan_in = spec["weight_shape"]
        w0 = spec["weight_offset"]
        W = row[w0:w0 + fan_out * fan_in].reshape(fan_out, fan_in)
        b0 = spec["bias_offset"]
        b = row[b0:b0 + fan_out] if b0 >= 0 else None
        layers.append(Layer(W, b, spec.get("kind", "readout" if l == n - 1 else "hidden")))
    return layers


def forward(layers, X, phi):
    """Hidden representations [A_1, …, A_L] (each M_l × P) and the output F (dY × P)."""
    A = np.asarray(X, dtype=np.float64)
    hidden = []
    for layer in layers[:-1]:
        Z = layer.W @ A
        if layer.b is not None:
            Z = Z + layer.b[:, None]
        A = phi(Z)
        hidden.append(A)
    top = layers[-1]
    F = top.W @ A
    if top.b is not None:
        F = F + top.b[:, None]
    return hidden, F


def forward_rnn(layers, X, phi, time_steps, input_every=True):
    """A recurrent member (layers input [U, b], recurrent W, readout W_out): its hidden states
    [h_1, …, h_T] (each M × P) with h_0 = 0, h_(t+1) = phi(W h_t + U x_t + b), and F = W_out h_T."""
    inp, rec, out = layers
    X = np.asarray(X, dtype=np.float64)
    drive = inp.W @ X
    h = np.zeros((rec.W.shape[0], X.shape[1]))
    hidden = []
    for t in range(time_steps):
        z = rec.W @ h + inp.b[:, None]
        if input_every or t == 0:
            z = z + drive
        h = phi(z)
        hidden.append(h)
    return hidden, out.W @ h
