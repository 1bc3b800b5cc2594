# A model trained on data (src/model/, src/problem/training.rs, src/run/mod.rs), written out.
#
# The network lives on one flat parameter vector p laid out as the playground lays it out
# (src/model/mlp.rs): for each dense layer, its weight matrix (inputs x units, row-major, so
# z = h W + b), then its biases. The training objective on a batch B is
#   L(p) = (1/|B|) * sum_{i in B} l(out(x_i), y_i) + L2 * sum W^2 + L1 * sum |W|
# with the penalties on the weights only, never the biases (src/model/mod.rs); l is the loss of
# src/model/loss.rs read through the output head (src/model/head.rs).
#
# Minibatches come from the playground's own random generator, PCG32 (src/data/rng.rs), ported
# below integer for integer, so the batch order and the dropout masks are the playground's.


class Pcg32:
    """PCG32 (XSH RR) seeded like pcg32_srandom_r(seed, stream), with Lemire's unbiased
    range and the Fisher-Yates shuffle of src/data/rng.rs."""

    MASK = (1 << 64) - 1

    def __init__(self, seed, stream):
        self.state = 0
        self.inc = ((stream << 1) | 1) & self.MASK
        self.next_u32()
        self.state = (self.state + seed) & self.MASK
        self.next_u32()

    def next_u32(self):
        old = self.state
        self.state = (old * 6364136223846793005 + self.inc) & self.MASK
        xorshifted = (((old >> 18) ^ old) >> 27) & 0xFFFFFFFF
        rot = old >> 59
        return ((xorshifted >> rot) | (xorshifted << ((32 - rot) & 31))) & 0xFFFFFFFF

    def range_u32(self, n):
        m = self.next_u32() * n
        low = m & 0xFFFFFFFF
        if low < n:
            threshold = ((1 << 32) - n) % n
            while low < threshold:
                m = self.next_u32() * n
                low = m & 0xFFFFFFFF
        return m >> 32

    def shuffle(self, items):
        for i in range(len(items) - 1, 0, -1):
            j = self.range_u32(i + 1)
            items[i], items[j] = items[j], items[i]


def layers(p):
    """The (W, b) of every dense layer, as views into p."""
    out, at = [], 0
    for n_in, n_out in zip(WIDTHS[:-1], WIDTHS[1:]):
        w = p[at:at + n_in * n_out].view(n_in, n_out)
        at += n_in * n_out
        out.append((w, p[at:at + n_out]))
        at += n_out
    return out


def features(x):
    """The rows as the first layer sees them: as they are, or x, x^2, ..., x^DEGREE formed by
    repeated multiplication (src/model/features.rs)."""
    if DEGREE == 0:
        return x
    powers, power = [], x[:, 0]
    for _ in range(DEGREE):
        powers.append(power)
        power = power * x[:, 0]
    return torch.stack(powers, dim=1)


def activation(z):
    """The hidden units' activation (src/model/activation.rs)."""
    if ACTIVATION == 'tanh':
        return torch.tanh(z)
    if ACTIVATION == 'relu':
        return torch.relu(z)
    if ACTIVATION == 'leaky_relu':
        return torch.nn.functional.leaky_relu(z, LEAKY_SLOPE)
    if ACTIVATION == 'sigmoid':
        return torch.sigmoid(z)
    return z


def forward(p, x, masks=None):
    """The raw outputs (predictions or logits) of the rows x; masks: dropout per hidden layer."""
    h = features(x)
    dense = layers(p)
    for layer, (w, b) in enumerate(dense[:-1]):
        h = activation(h @ w + b)
        if masks is not None:
            h = h * masks[layer]
    w, b = dense[-1]
    return (h @ w + b)[:, 0]


def example_losses(out, y):
    """The loss of every example (src/model/loss.rs)."""
    if LOSS == 'mse':
        if HEAD == 'identity':
            r = out - y
        elif HEAD == 'logit':
            r = torch.sigmoid(out) - y
        else:
            r = torch.tanh(out) - (2.0 * y - 1.0)
        return r * r
    # Binary cross-entropy from the logit z: log(1 + exp(z)) - y z, log(1 + exp(z)) computed
    # without overflow as max(0, z) + log1p(exp(-|z|)), which logaddexp(0, z) is.
    return torch.logaddexp(torch.zeros_like(out), out) - y * out


def penalized(data_term, p):
    """data_term + L2 * sum W^2 + L1 * sum |W| over the weights (not the biases)."""
    if L1 == 0.0 and L2 == 0.0:
        return data_term
    squares = sum((w * w).sum() for w, _ in layers(p))
    absolutes = sum(w.abs().sum() for w, _ in layers(p))
    return data_term + L2 * squares + L1 * absolutes


def f(p):
    """The training loss of the current batch (with its dropout masks), penalties included."""
    x, y = X_TRAIN[batch], Y_TRAIN[batch]
    return penalized(example_losses(forward(p, x, masks), y).mean(), p)


def objective(p):
    """The full-batch training loss with penalties, what `converge run` reports as `loss`."""
    return penalized(example_losses(forward(p, X_TRAIN), Y_TRAIN).mean(), p)


def loss_and_accuracy(p, x, y):
    """The mean data loss (no penalty, no dropout) and the accuracy of a set (NaN in regression)."""
    with torch.no_grad():
        out = forward(p, x)
        loss = example_losses(out, y).mean().item()
        if HEAD == 'identity':
            return loss, float('nan')
        shown = torch.sigmoid(out) >= 0.5 if HEAD == 'logit' else torch.tanh(out) >= 0.0
        return loss, (shown == (y >= 0.5)).double().mean().item()


order = list(range(len(Y_TRAIN)))
order_rng = Pcg32(SEED, STREAM_BATCHES)
dropout_rng = Pcg32(SEED, STREAM_DROPOUT)
if STOCHASTIC and SHUFFLE:
    order_rng.shuffle(order)
cursor = 0
batch = order
masks = None
epoch_done = False
epoch = 0
evaluations = []
best = None
without_improvement = 0
best_params = None


def dropout_masks(rows):
    """One 32-bit draw per hidden unit and row, in the playground's order: blocks of 8 rows (a
    tail of fewer than 4 rows in blocks of 2), then layer, unit, row; a unit is dropped when its
    draw is below DROPOUT * 2^32 and kept units are scaled by 1 / (1 - DROPOUT)."""
    tail = rows % 8
    split = rows if tail >= 4 else rows - tail
    blocks = [(a, min(a + 8, split)) for a in range(0, split, 8)]
    blocks += [(a, min(a + 2, rows)) for a in range(split, rows, 2)]
    threshold, scale = DROPOUT * 4294967296.0, 1.0 / (1.0 - DROPOUT)
    out = [[[0.0] * units for _ in range(rows)] for units in WIDTHS[1:-1]]
    for a, b in blocks:
        for layer, units in enumerate(WIDTHS[1:-1]):
            for unit in range(units):
                for row in range(a, b):
                    out[layer][row][unit] = 0.0 if float(dropout_rng.next_u32()) < threshold else scale
    return [torch.tensor(m) for m in out]


def next_batch():
    """The next minibatch of the playground's order (the whole training set for full batch)."""
    global batch, masks, cursor, epoch_done
    if not STOCHASTIC:
        epoch_done = True
        return
    if cursor >= len(order):
        if SHUFFLE:
            order_rng.shuffle(order)
        cursor = 0
    end = min(cursor + BATCH_SIZE, len(order))
    batch = order[cursor:end]
    cursor = end
    epoch_done = end >= len(order)
    if DROPOUT > 0.0 and len(WIDTHS) > 2:
        masks = dropout_masks(len(batch))


def evaluate_model(step):
    """Both sets' losses at p, then early stopping (Monitor::check_validation, Run::evaluate)."""
    global status, best, without_improvement, best_params
    train = loss_and_accuracy(p, X_TRAIN, Y_TRAIN)
    validation = loss_and_accuracy(p, X_VALID, Y_VALID)
    evaluations.append((train, validation))
    verdict = None
    if not math.isfinite(validation[0]):
        verdict = {'state': 'diverged', 'criterion': 'nonfinite_loss', 'at_step': step}
    elif EARLY_STOPPING is None:
        if best is None or validation[0] < best[1]:
            best = (step, validation[0])
    else:
        if best is not None and validation[0] >= best[1] - EARLY_STOPPING['min_delta']:
            without_improvement += 1
        else:
            best = (step, validation[0])
            without_improvement = 0
        if without_improvement >= EARLY_STOPPING['patience'] and EARLY_STOPPING['stop']:
            verdict = {'state': 'early_stopped', 'criterion': 'early_stopping', 'at_step': step}
    if best is not None and best[0] == step:
        best_params = p.detach().clone()
    if verdict is None:
        return
    if verdict['criterion'] == 'early_stopping' and still_at_start():
        verdict = {'state': 'stopped', 'criterion': 'stalled', 'at_step': step}
    if EARLY_STOPPING is not None and EARLY_STOPPING['restore_best'] and verdict['state'] == 'early_stopped':
        with torch.no_grad():
            p.copy_(best_params)
        evaluations.append((loss_and_accuracy(p, X_TRAIN, Y_TRAIN), loss_and_accuracy(p, X_VALID, Y_VALID)))
    if status is None:
        status = verdict


def after_update():
    """The end of an epoch: count it, and evaluate every EVAL_EVERY epochs."""
    global epoch
    if not epoch_done:
        return
    epoch += 1
    if EVAL_EVERY > 0 and epoch % EVAL_EVERY == 0 and all(math.isfinite(v) for v in p.detach().tolist()):
        evaluate_model(t)


def training():
    """The `training` part of `converge run`'s snapshot."""
    last = evaluations[-1] if evaluations else ((float('nan'),) * 2,) * 2
    return {'epoch': epoch, 'train_loss': last[0][0], 'validation_loss': last[1][0],
            'best_step': best[0] if best else None, 'best_validation_loss': best[1] if best else float('nan')}
