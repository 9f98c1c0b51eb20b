"""The cost model and the measured thresholds that decide how a fit computes.

One place for every choice made from sizes: the form of the damped system (weights'
or residuals' space), the Kronecker or Jacobian path to ``Q``, the chunk of rows held
at once, the shares of the rows run on threads, BLAS threads, and whether trials run
together. Each threshold says where it was measured; the machinery that follows the
choices (``_passes``, ``_objective``, ``_batched``, ``_trials``) holds none.
"""

from typing import NamedTuple

# rows of J held at once: bounded so that memory does not grow with the samples
CHUNK_ELEMENTS = 2**21
# the forward state (activations, slopes) of every sample that a value pass keeps for
# the Jacobian pass at the same weights, the accepted step's: at most this many
# elements (as many as a chunk of J), so that memory stays bounded
STATE_ELEMENTS = CHUNK_ELEMENTS
# the work per share of the rows from which threads pay: forward-state elements (a
# value pass) or multiply-adds of J^T J (a Jacobian pass). Measured with a thread
# pool on a 2-core machine: elementwise passes over 2e4 values per thread ran no
# faster on two threads than on one, over 2e5 values 1.9 times as fast
_MIN_SHARE_STATE = 2**18
_MIN_SHARE_GRAM = 1e8
# a share's chunks hold 1 / shares of a chunk's rows, so that memory stays that of one
# chunk whatever the threads: four shares, with chunks half as large, made an
# iteration of the M case 6 % (one thread) to 16 % (two) slower than two shares
MAX_SHARES = 2
# multiply-adds of an iteration's largest product (``Plan.largest_product``) from
# which a second BLAS thread pays. Measured on a shared 2-core machine: chunks' J^T J
# of 2.4e9 (N = 1231) took 0.76 of the time on 2 threads, of 3.4e8 (N = 201) 3.5
# times as long (small products collapse when the cores are busy); J J^T of 6.9e8
# (R < N: 450 residuals, 3403 weights) 0.8 of the time
_MIN_PRODUCT_FOR_BLAS_THREADS = 5e8
# elements of the stacked quasi-Hessians (T x N x N) held at once: bounds how many
# runs are under way together
MAX_STACK_ELEMENTS = 2**22
# samples x weights^2 (an iteration's J^T J) below which runs are served together.
# Measured (8 trials of a bridged network, 15 iterations, one BLAS thread; time
# together / one by one): 0.29 at 2.4e5, 0.53 at 5.9e6, 0.66 at 1.2e7, 0.86 at 8.7e7,
# 0.96 at 2.4e8, 1.00 at 5.5e8: the saving is the overhead, which large products hide
_MAX_WORK_TOGETHER = 1e8

# "weights": (Q + mu I) in the weights' space, N x N; "residuals": its R x R form in
# the space of the R scaled residuals (samples x outputs), for R < N
FORMS = ("auto", "weights", "residuals")
_TRIES = 2  # damping tries per iteration assumed by the cost model (typical of LM)
_MEMORY = 4  # an element written and read again, in multiply-adds
_SMALL_PRODUCT = 10  # a multiply-add of a batch of tiny per-sample products
_PER_SAMPLE_CALL = 15_000  # numpy's matmul calls BLAS once per sample of a batch


def _costs(network, n_samples):
    """Relative costs (multiply-adds per iteration) of the ways to build and solve the
    damped system, and the elements held per sample by each way of building Q.

    The weights of the non-BLAS terms (sums over outputs of small per-sample
    products, elementwise passes) were measured against BLAS products on this
    code's shapes."""
    M, N = network.n_outputs, network.n_weights
    layers = network.layers
    kron = kron_memory = 0
    for l, L in enumerate(layers):
        for K in layers[:l + 1]:
            if K is L:
                u, v = (L.fan_in + 1) * (L.fan_in + 2) // 2, L.size * (L.size + 1) // 2
            else:
                u, v = (L.fan_in + 1) * (K.fan_in + 1), L.size * K.size
            kron += u * v + _MEMORY * (u + v) + _SMALL_PRODUCT * M * L.size * K.size \
                + _PER_SAMPLE_CALL
            kron_memory = max(kron_memory, u + M * L.size * K.size)
    backprop = M * (network.n_columns + 2 * sum(L.size for L in layers))
    jacobian = M * N * N / 2 + _MEMORY * M * N
    R = n_samples * M
    weights = n_samples * min(kron, jacobian) + _TRIES * N**3 / 6
    residuals = n_samples * _MEMORY * M * N + R * R * N / 2 + \
        _TRIES * (R**3 / 6 + 2 * R * N)
    return {"kronecker": kron, "jacobian": jacobian, "weights": weights,
            "residuals": residuals, "kronecker_memory": kron_memory + backprop,
            "jacobian_memory": M * N + backprop}


class Plan(NamedTuple):
    """How an objective computes on its data: ``form`` of the damped system,
    ``kronecker`` (Q from the Kronecker blocks, one network) or through J, ``chunk``
    rows at once for one network and ``stacked_chunk`` for a stack of networks (always
    through J), and the ``shares`` of the rows whose sums are accumulated apart."""

    form: str
    kronecker: bool
    chunk: int
    stacked_chunk: int
    shares: int
    n_samples: int
    n_outputs: int
    n_weights: int

    def largest_product(self):
        """Multiply-adds of the largest BLAS product of an iteration: a chunk's
        ``J^T J`` in the weights' space, ``J J^T`` in the residuals' space."""
        n, M, N = self.n_samples, self.n_outputs, self.n_weights
        if self.form == "residuals":
            return (n * M) ** 2 * N
        return min(n, self.chunk) * M * N * N

    def blas_threads(self, allowed, threads):
        """BLAS threads per share when ``threads`` run the shares out of ``allowed``:
        their part of the allowed ones on large products, where they pay; one on small
        ones, where they cost more than they save (and collapse on shared cores)."""
        if self.largest_product() < _MIN_PRODUCT_FOR_BLAS_THREADS:
            return 1
        return max(1, allowed // threads)

    def small(self):
        """Whether an iteration is small: the work of its J^T J (rows of J times
        weights^2) below ``_MAX_WORK_TOGETHER``, where the overhead of numpy's calls,
        not the arithmetic, is its cost."""
        return self.n_samples * self.n_outputs * self.n_weights**2 < _MAX_WORK_TOGETHER

    def worth_serving_together(self, n_runs):
        """Whether ``n_runs`` runs on these data are cheaper served together: small
        iterations in the weights' space."""
        return n_runs > 1 and self.form == "weights" and self.small()


def plan(network, n_samples, form="auto", max_shares=MAX_SHARES):
    """The ``Plan`` for ``network`` on ``n_samples`` rows: ``form`` as asked, or the
    cheaper one ("auto"); at most ``max_shares`` shares."""
    if form not in FORMS:
        raise ValueError(f"form must be one of {FORMS}, got {form!r}.")
    costs = _costs(network, n_samples)
    # one output: the Jacobian's own product is the cheaper (the model prices the
    # Kronecker path's elementwise passes too low there: 3x slower than J^T J,
    # measured on a bridged 8-24-24-1 network at P = 8000)
    kronecker = network.n_outputs > 1 and costs["kronecker"] < costs["jacobian"]
    if form == "auto":
        form = "residuals" if costs["residuals"] < costs["weights"] else "weights"
    per_sample = costs["kronecker_memory" if kronecker else "jacobian_memory"]
    chunk = max(64, CHUNK_ELEMENTS // per_sample)
    # networks evaluated together always go through the Jacobian
    stacked_chunk = max(64, CHUNK_ELEMENTS // costs["jacobian_memory"])
    M, N = network.n_outputs, network.n_weights
    shares = 1
    # the residuals' form keeps one share: its system is one product
    if form == "weights":
        affordable = max(network.state_size(n_samples) // _MIN_SHARE_STATE,
                         int(n_samples * M * N * N // _MIN_SHARE_GRAM))
        shares = max(1, min(affordable, max_shares))
    return Plan(form, kronecker, chunk, stacked_chunk, shares, n_samples, M, N)
