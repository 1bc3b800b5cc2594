# Reproduces run 1 ("lbfgs-wolfe-minibatch") of a Convergence Playground experiment with PyTorch,
# in float64: torch.optim for the optimizer, torch.optim.lr_scheduler for the schedule,
# and the playground's loop and stopping rule written out below.
# Written by `converge pytorch`; prints the end of the run as JSON, as `converge run` does.
# Dropout: the masks are the playground's own, drawn by its generator (PCG32, ported below).
import json
import math
import torch

torch.set_default_dtype(torch.float64)
LABEL = "lbfgs-wolfe-minibatch"

# The data exactly as the playground generated and split them from seed 6.
X_TRAIN = torch.tensor([
    [-0.3089332109305573, 0.07049239249897074],
    [-0.9309066748626322, 0.15631098247974753],
    [-0.48380795076369676, 0.47178691734051953],
    [0.8027437387022482, -0.3504718158722766],
    [-0.1004846095422665, -0.24872103438621412],
    [0.35557785265010955, -0.18346048984671834],
    [0.22166407261340143, 0.18074619811166578],
    [0.9091353223741299, -0.06709959005082278],
    [-0.4718329978077853, 0.48591476911776366],
    [-1.0216770992036304, -0.21158433245971353],
    [-1.016476235563707, 0.058516933223673344],
    [0.19705686200793726, 0.32038944142644243],
    [-0.9985005643890742, 0.0041985004425096305],
    [-0.0846938105876524, -0.43805133377927863],
    [0.13200780877871626, -0.5081664657321173],
    [1.0253225715008132, 0.12851791259054948],
    [0.9074692776697435, 0.06851986522843004],
    [0.27913978937294326, -0.45912776769743147],
    [0.8379988317824979, -0.22374636208779347],
    [0.5464224873409786, -0.49191750654173905],
    [-0.69766293175031, 0.3840470841301547],
    [-0.552346613049144, 0.4985339166252261],
    [0.08573897363214938, 0.3856216379107758],
    [-0.9858037394596096, -0.07833883978285347],
    [-0.374253881426733, 0.06981287028363489],
    [-0.8949622858866192, 0.09255536330230639],
    [0.04444276941210514, -0.46217844934487196],
    [-0.14479239560937868, 0.4665214036544444],
    [-0.8226025979464271, 0.2702297207774146],
    [-0.37162382434479063, 0.5405592526858438],
    [-0.3112588324104391, -0.015342983049546052],
    [0.7523786848735855, -0.36592016988418213],
    [0.22024060798878173, -0.5077458435963532],
    [0.3167605268330974, -0.08378820098968456],
    [0.8653134012079129, -0.32411916784338946],
    [0.03559743306829818, -0.42073769916249054],
    [-0.2511355939529185, -0.12159915973588485],
    [0.3538574247841399, -0.03739015285630649],
    [0.11716717990112864, 0.30517066596195525],
    [-0.8738898828044845, 0.27724534299927517],
    [-0.2853358182434293, 0.42540920829627027],
    [0.8314894539458245, -0.19125012946672915],
])
Y_TRAIN = torch.tensor([
    1.0, 0.0, 0.0, 1.0, 1.0, 0.0,
    0.0, 1.0, 0.0, 0.0, 0.0, 0.0,
    0.0, 1.0, 1.0, 1.0, 1.0, 1.0,
    1.0, 1.0, 0.0, 0.0, 0.0, 0.0,
    1.0, 0.0, 1.0, 0.0, 0.0, 0.0,
    1.0, 1.0, 1.0, 0.0, 1.0, 1.0,
    1.0, 0.0, 0.0, 0.0, 0.0, 1.0,
])
X_VALID = torch.tensor([
    [-0.6558802772037131, 0.4185937522908347],
    [0.05340092819636402, 0.42969074683464437],
    [-0.21580983066854362, 0.424656442227495],
    [-0.7552490260354806, 0.38440551094939973],
    [0.5561764978759127, -0.47123452421571904],
    [-0.2832289000643337, -0.17687232602923514],
    [-0.3184645685422036, 0.14626149678761577],
    [-0.23730567694382204, -0.20690275731971094],
    [-0.05344461916513486, 0.5030659857567914],
    [0.32574716799203884, 0.0740553506117799],
    [0.494529207392832, -0.5352637388552387],
    [0.4010169608365498, -0.5157393402772241],
    [0.9570513988159962, -0.016749156349959066],
    [0.2968574671746935, 0.13922615866008187],
    [0.6185163204634733, -0.3636384252135567],
    [0.23725266533083217, 0.18117272813903867],
    [0.9556491483244184, 0.025765461728346623],
    [-0.13744204207729427, -0.31189230099369136],
])
Y_VALID = torch.tensor([
    0.0, 0.0, 0.0, 0.0, 1.0, 1.0,
    1.0, 1.0, 0.0, 0.0, 1.0, 1.0,
    1.0, 0.0, 1.0, 0.0, 1.0, 1.0,
])

# Neural network (MLP): dense layers of these widths (features, hidden layers, output).
WIDTHS = [2, 6, 5, 1]
DEGREE = 0
ACTIVATION = 'tanh'
LEAKY_SLOPE = 0.01
HEAD = 'logit'
LOSS = 'cross_entropy'
L1 = 0.0
L2 = 0.001
DROPOUT = 0.1
SEED = 6
STREAM_BATCHES = 12
STREAM_DROPOUT = 13
BATCH_SIZE = 8
STOCHASTIC = True
SHUFFLE = True
EVAL_EVERY = 2
EARLY_STOPPING = None

p = torch.tensor([
    -0.588066838498594, 0.30006072256320077, -0.4810437061835672, -0.405103167126617, 0.39862458282948715,
    0.19596846906536833, 0.3259215068366876, -0.3997175004878197, 0.29728651838595843, -0.03743239835627367,
    -0.32288847820711264, -0.6191608955230274, 0.0, 0.0, 0.0,
    0.0, 0.0, 0.0, 0.17053435937491462, -0.35176442591606305,
    0.22886624736814698, -0.342752431304085, -0.21669390326214866, 0.46941792285487827, 0.6917462703997975,
    -0.05425934494933174, -0.043114781762289785, -0.5844441218852009, -0.012982320163035615, -0.6354250678483756,
    -0.26090982547253205, 0.07567503380955397, -0.007435873466562966, -0.20979025804350104, 0.6171114203737424,
    -0.0794610295314098, -0.7177576722067003, -0.1805582557203366, 0.13079288743708856, -0.0504883564723836,
    -0.5038143192965443, 0.42827779263549354, -0.4395065830551084, -0.5636615307316925, -0.3864763460841547,
    -0.045288224486068604, 0.07914691029512867, 0.3335734756739737, 0.0, 0.0,
    0.0, 0.0, 0.0, 0.2509084046417609, 0.1876299703172859,
    0.9181915310776185, 0.5316015683603177, -0.7378359785326638, 0.0,
], requires_grad=True)
optimizer = torch.optim.LBFGS([p], lr=1.0, max_iter=5, max_eval=None, tolerance_grad=1e-7, tolerance_change=1e-9, history_size=100, line_search_fn='strong_wolfe')
scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=10, gamma=0.5)
PLATEAU_SCHEDULER = False
SCHEDULE_LAST_STEP = None
LBFGS = True
LOOKAHEAD = None
MAX_STEPS = 20
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


def minibatch_lbfgs_closure():
    """L-BFGS's closure for one step: the step's minibatch on the first call, then the full
    training set without dropout (`objective`), as the playground's L-BFGS evaluates."""
    calls = [0]

    def closure():
        calls[0] += 1
        optimizer.zero_grad()
        loss = f(p) if calls[0] == 1 else objective(p)
        loss.backward()
        return loss

    return closure

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
        optimizer.step(minibatch_lbfgs_closure())
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
