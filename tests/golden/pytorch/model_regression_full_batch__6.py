# Reproduces run 6 ("adam-plateau") of a Convergence Playground experiment with PyTorch,
# in float64: torch.optim for the optimizer, torch.optim.lr_scheduler for the schedule,
# and the playground's loop and stopping rule written out below.
# Written by `converge pytorch`; prints the end of the run as JSON, as `converge run` does.
import json
import math
import torch

torch.set_default_dtype(torch.float64)
LABEL = "adam-plateau"

# The data exactly as the playground generated and split them from seed 5.
X_TRAIN = torch.tensor([
    -0.5592581069645493, 0.8923703812574726, 0.0215239969933132, -0.535991843308985, 0.7787718962101795, -0.5642519030030473,
    -0.9926836865410864, -0.1698033214907264, -0.6584899140287765, 0.8789745878697353, -0.2187405376415732, -0.45364476662606035,
    -0.42430740921743726, 0.978659221797211, -0.17836488847282905, 0.8896892577413715, -0.8302621748385304, 0.46134116863965824,
    -0.26969754024541515, 0.22608984189421277, 0.6903664370879417, -0.27534509075744884, -0.9807637728369192, -0.46141930699642963,
    0.21176904813588937, 0.6147784695988951, 0.2887463355261719, -0.17850048547196362,
])
Y_TRAIN = torch.tensor([
    0.3067797214569293, -0.7031244983657002, 0.21276976476282874, 0.19725935925592153, -0.9564576475535618, 0.44717267301058705,
    -0.1150139181150895, -0.7262307469875177, 0.7661756521473575, -0.7349747507887289, -0.8836321012119603, -0.20646911617168306,
    -0.37553105450749374, -0.2699059674776647, -1.003797798822833, -0.7770464423068386, 0.9296027274118638, 0.23054110899563543,
    -1.008526238555237, 0.8769215987452276, -0.9990912336504973, -1.1110144506968382, 0.1876991282075426, -0.2059068549663708,
    1.0171444023190004, -0.701357717462934, 1.0073705587532484, -0.98476836348285,
])
X_VALID = torch.tensor([
    -0.9259187396817472, 0.2770827624228278, 0.8078971633513072, -0.20717445764317022, 0.27800052019577737, 0.04815218377545327,
    0.9698250443290564, -0.3932943050008415, -0.9407952964644204, 0.4896019694272544, -0.6979546402123891, -0.4779604087068552,
])
Y_VALID = torch.tensor([
    0.3857552562300299, 0.9684704342162106, -0.977317825843966, -0.7356171361899766, 1.0887514762227593, 0.1902275220493951,
    -0.29148734717847025, -0.6036552212610423, 0.21420216686135746, 0.19791369501357092, 1.1380036041579789, -0.2594080924062728,
])
X_TRAIN, X_VALID = X_TRAIN[:, None], X_VALID[:, None]

# Neural network (MLP): dense layers of these widths (features, hidden layers, output).
WIDTHS = [1, 8, 1]
DEGREE = 0
ACTIVATION = 'sigmoid'
LEAKY_SLOPE = 0.01
HEAD = 'identity'
LOSS = 'mse'
L1 = 0.001
L2 = 0.0
DROPOUT = 0.0
SEED = 5
STREAM_BATCHES = 12
STREAM_DROPOUT = 13
BATCH_SIZE = 28
STOCHASTIC = False
SHUFFLE = True
EVAL_EVERY = 5
EARLY_STOPPING = None

p = torch.tensor([
    0.19639436399051907, 0.5559979471901954, 0.695926441998883, -0.5148483148720026, -0.8094555034420989,
    0.3915236034082575, 0.6990359053962484, 0.07629460993398675, 0.0, 0.0,
    0.0, 0.0, 0.0, 0.0, 0.0,
    0.0, 0.22045472258626175, -0.6795300060568589, 0.3685432853010837, -0.27306492973222424,
    0.4379654908364258, -0.4680018423987287, 0.006112895419561551, -0.0771539012428516, 0.0,
], requires_grad=True)
optimizer = torch.optim.Adam([p], lr=0.05, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0, amsgrad=False, foreach=False)
scheduler = torch.optim.lr_scheduler.ReduceLROnPlateau(optimizer, mode='min', factor=0.5, patience=5, threshold=0.0001, threshold_mode='rel', cooldown=0, min_lr=0.0, eps=1e-8)
PLATEAU_SCHEDULER = True
SCHEDULE_LAST_STEP = None
LBFGS = False
LOOKAHEAD = None
MAX_STEPS = 150
DIVERGENCE_FACTOR = 1000000.0
GRAD_NORM = {'tol': 1e-8, 'stop': True}
TARGET_LOSS = None
LOSS_PLATEAU = {'tol': 1e-12, 'patience': 50, 'relative': True, 'stop': True}
PARAM_CHANGE = {'tol': 1e-10, 'patience': 10, 'stop': True}

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


# The playground's loop (src/run/mod.rs, Run::step_once) and stopping rule (src/run/monitor.rs),
# comparison for comparison.


def evaluate():
    """The loss at p, with its gradient in p.grad (the closure L-BFGS calls as well)."""
    optimizer.zero_grad()
    loss = f(p)
    loss.backward()
    return loss


def norm(values):
    """The playground's norm: the square root of the sum of squares, summed in order."""
    total = 0.0
    for v in values:
        total += v * v
    return math.sqrt(total)


def still_at_start():
    """The parameters are the start point up to one rounding step at unit scale."""
    moved = sum((a - b) * (a - b) for a, b in zip(p.detach().tolist(), X0))
    start = sum(b * b for b in X0)
    eps = 2.0 ** -52
    return moved <= eps * eps * max(start, 1.0)


def converged(criterion, step):
    """A progress criterion that fires while the run has not moved means it stalled."""
    progress = criterion in ('loss_plateau', 'param_change')
    state = 'stalled' if progress and still_at_start() else 'converged'
    return {'state': state, 'criterion': criterion, 'at_step': step}


X0 = p.detach().tolist()
slow = list(X0)
inner_steps = 0


def lookahead_after_step():
    """Lookahead: `paper` (Zhang et al. 2019, Alg. 1) pulls the fast weights back after inner
    steps k, 2k, ...; `torch_optimizer` after steps 1, 1 + k, ... (slow weights set at step 1)."""
    global slow, inner_steps
    inner_steps += 1
    k, alpha = LOOKAHEAD['k'], LOOKAHEAD['alpha']
    fast = p.detach().tolist()
    if LOOKAHEAD['variant'] == 'paper':
        if inner_steps % k != 0:
            return
        slow = [s + alpha * (x - s) for s, x in zip(slow, fast)]
        fast = list(slow)
    else:
        if (inner_steps - 1) % k != 0:
            return
        if inner_steps == 1:
            slow = list(fast)
        fast = [x * alpha + (1.0 - alpha) * s for x, s in zip(fast, slow)]
        slow = list(fast)
    with torch.no_grad():
        p.copy_(torch.tensor(fast))


status = None
initial_loss = None
previous_loss = None
plateau_count = 0
param_count = 0
t = 0
while status is None:
    if t == 0 and EVAL_EVERY > 0 and not evaluations:
        evaluate_model(0)
    next_batch()
    visited = p.detach().tolist()
    loss = evaluate().item()
    grad_norm = norm(p.grad.tolist())
    # Check the point (Monitor::check_point).
    if not math.isfinite(loss):
        status = {'state': 'diverged', 'criterion': 'nonfinite_loss', 'at_step': t}
    elif not math.isfinite(grad_norm):
        status = {'state': 'diverged', 'criterion': 'nonfinite_gradient', 'at_step': t}
    else:
        if initial_loss is None:
            initial_loss = loss
        bound = DIVERGENCE_FACTOR * max(abs(initial_loss), 1.0)
        if loss > bound:
            status = {'state': 'diverged', 'criterion': 'loss_exploded', 'at_step': t}
        elif loss < -bound:
            status = {'state': 'diverged', 'criterion': 'unbounded_below', 'at_step': t}
        else:
            fired = None
            if GRAD_NORM is not None and grad_norm < GRAD_NORM['tol'] and GRAD_NORM['stop']:
                fired = fired or 'grad_norm'
            if TARGET_LOSS is not None and loss <= TARGET_LOSS['value'] and TARGET_LOSS['stop']:
                fired = fired or 'target_loss'
            if LOSS_PLATEAU is not None and previous_loss is not None:
                change = abs(loss - previous_loss)
                if LOSS_PLATEAU['relative']:
                    flat = change <= LOSS_PLATEAU['tol'] * abs(previous_loss)
                else:
                    flat = change < LOSS_PLATEAU['tol']
                plateau_count = plateau_count + 1 if flat else 0
                if plateau_count >= LOSS_PLATEAU['patience'] and LOSS_PLATEAU['stop']:
                    fired = fired or 'loss_plateau'
            previous_loss = loss
            if fired is not None:
                status = converged(fired, t)
    if status is not None:
        break
    if t >= MAX_STEPS:
        status = {'state': 'stopped', 'criterion': 'max_steps', 'at_step': t}
        break
    # One update, then the schedule.
    if LBFGS:
        optimizer.step(evaluate)
    else:
        optimizer.step()
    if LOOKAHEAD is not None:
        lookahead_after_step()
    if scheduler is not None and (SCHEDULE_LAST_STEP is None or scheduler.last_epoch < SCHEDULE_LAST_STEP):
        if PLATEAU_SCHEDULER:
            scheduler.step(loss)
        else:
            scheduler.step()
    # Check the update (Monitor::check_update).
    now = p.detach().tolist()
    delta_norm = norm([a - b for a, b in zip(now, visited)])
    t += 1
    if not all(math.isfinite(v) for v in now) or not math.isfinite(delta_norm):
        status = {'state': 'diverged', 'criterion': 'nonfinite_params', 'at_step': t}
    elif PARAM_CHANGE is not None:
        param_count = param_count + 1 if delta_norm < PARAM_CHANGE['tol'] else 0
        if param_count >= PARAM_CHANGE['patience'] and PARAM_CHANGE['stop']:
            status = converged('param_change', t)
    after_update()

with torch.no_grad():
    final_loss = objective(p).item()
print(json.dumps({'label': LABEL, 'step': t, 'loss': final_loss, 'params': p.detach().tolist(), 'status': status, 'training': training()}))
