# Reproduces run 0 ("sgd-nesterov") of a Convergence Playground experiment with PyTorch,
# in float64: torch.optim for the optimizer, torch.optim.lr_scheduler for the schedule,
# and the playground's loop and stopping rule written out below.
# Written by `converge pytorch`; prints the end of the run as JSON, as `converge run` does.
import json
import math
import torch

torch.set_default_dtype(torch.float64)
LABEL = "sgd-nesterov"

# The data exactly as the playground generated and split them from seed 3.
X_TRAIN = torch.tensor([
    [0.16841296034485861, -0.10399205936158473],
    [0.431015984122244, -0.034590253344255376],
    [-0.5625323405023249, -0.3371437786373899],
    [-0.01759892544098694, 0.011178297768924235],
    [-0.0811112002525456, -0.03726066321735277],
    [-0.1636761329941466, 0.05756158982627377],
    [-0.7089118214277458, 0.15124370309751628],
    [0.08843219773369008, 0.03332095940214344],
    [-0.1328278929684454, -0.012803544497046201],
    [0.18462210963529135, 0.2951892804428675],
    [-0.27200950378777516, -0.24357409289699955],
    [-0.4522094767722818, 0.015070705645506513],
    [0.27305257023850416, 0.21766760480231048],
    [0.3877920509676176, 0.5010562160186505],
    [0.20466934101582143, 0.559385336053927],
    [0.4630222755298047, -0.629183548996],
    [-0.9145998266225274, -0.360973085790968],
    [-0.369338897252685, 0.36718428734904945],
    [-0.46941136168609754, 0.632890300491802],
    [-0.3758854389747709, -0.12879328351581537],
    [0.6498664985044853, -0.40535817274988956],
    [-0.21967615436886936, 0.4790009722095322],
    [-0.16068406114811207, -0.298982078923822],
    [-0.41698558838883654, 0.20475292771320416],
    [0.7128261665722248, -0.15910074108983674],
    [0.36431886391266066, 0.13075255059838756],
    [0.3905381311676936, 0.8114562262852937],
    [0.7100914424952964, 0.09403607606710489],
    [-0.07757771264240815, -0.8534821268846312],
    [0.3694570947931413, -0.3491892603585588],
])
Y_TRAIN = torch.tensor([
    1.0, 0.0, 0.0, 1.0, 0.0, 0.0,
    0.0, 1.0, 0.0, 0.0, 1.0, 1.0,
    0.0, 1.0, 1.0, 1.0, 1.0, 1.0,
    0.0, 1.0, 1.0, 1.0, 1.0, 1.0,
    1.0, 0.0, 0.0, 1.0, 1.0, 0.0,
])
X_VALID = torch.tensor([
    [0.42299373044309135, -0.20073836737576875],
    [-0.16988546804462662, 0.10174804634292334],
    [0.01478930438925185, -0.5741959326103447],
    [0.707044651630019, 0.6265353326144791],
    [0.02763756122884203, 0.30122927989331605],
    [0.09941087509030619, 0.844144490882111],
    [-0.6992998781918719, -0.10323000706701839],
    [-0.04251605327906861, -0.042302080709371345],
    [-0.13265537060379537, 0.19840695071786504],
    [0.13786364715212146, 0.030419259582437304],
    [-0.022629809575157228, 0.5583823705714847],
    [0.013800966574625925, 0.04441233528809972],
    [0.5863681571455918, 0.32607931979128757],
    [-0.053058657475109655, -0.31114478332101037],
    [-0.19778808039701523, 0.7952717321348999],
    [-0.41448002223430824, -0.5012464778142444],
    [0.12229538980048878, -0.18282725600107633],
    [0.8999288588537008, 0.3315648257699007],
    [0.20088533748887755, -0.7985582953119522],
    [-0.17717980703373742, -0.555670268460121],
    [0.1438334004974831, -0.03838804329287125],
    [-0.6289128373717309, 0.4138145289449267],
    [-0.4080459255003675, -0.7886784076367157],
    [0.0501886549432393, -0.27821142412488814],
    [0.0021087332353532245, 0.015364520699502655],
    [-0.06656438874700404, 0.25964628926296596],
    [0.050524878546271156, 0.045202230311093494],
    [0.19746565869049412, -0.49900707581703346],
    [-0.015100254787710994, -0.0395949063106547],
    [-0.6974879436745427, -0.6159773139026997],
])
Y_VALID = torch.tensor([
    0.0, 0.0, 0.0, 0.0, 0.0, 0.0,
    0.0, 0.0, 0.0, 1.0, 1.0, 1.0,
    1.0, 1.0, 0.0, 0.0, 1.0, 0.0,
    1.0, 0.0, 1.0, 0.0, 1.0, 1.0,
    0.0, 0.0, 1.0, 0.0, 0.0, 1.0,
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
DROPOUT = 0.0
SEED = 3
STREAM_BATCHES = 12
STREAM_DROPOUT = 13
BATCH_SIZE = 7
STOCHASTIC = True
SHUFFLE = True
EVAL_EVERY = 1
EARLY_STOPPING = {'patience': 20, 'min_delta': 0.0, 'restore_best': True, 'stop': True}

p = torch.tensor([
    -0.7257234178251554, -0.5611827826426848, -0.028465374210096876, -0.2371427856225245, 0.7701638492193061,
    -0.8145365839416654, -0.7655494854044758, 0.585200119803729, 0.6762263920919246, 0.5554525613244103,
    0.7212771506439503, -0.7865869009739263, 0.0, 0.0, 0.0,
    0.0, 0.0, 0.0, 0.02583720149333825, -0.44222312693939153,
    -0.582133142087974, 0.6070843743073256, 0.09003640260677878, -0.46099358037670535, -0.44896167125011965,
    0.36064288274270345, -0.348699637314444, 0.2542566611710757, 0.22279820683451143, -0.6683705982003534,
    -0.5900323087716193, -0.3782868802854285, -0.2557641587538401, -0.5525135480856643, -0.490925789771894,
    -0.19403227349275237, -0.7136752952893025, 0.38394377556237663, -0.4354251630174967, -0.2362735671316578,
    -0.7000078404592424, 0.27375325282871926, 0.38936632985601327, -0.15479177674299513, 0.7245991129755057,
    -0.7110765291478736, 0.6083168681251826, -0.5277748343930421, 0.0, 0.0,
    0.0, 0.0, 0.0, -0.2882257288041341, -0.5581443676306592,
    -0.46728267536768153, -0.6251717256680691, 0.06677818735952079, 0.0,
], requires_grad=True)
optimizer = torch.optim.SGD([p], lr=0.05, momentum=0.9, dampening=0.0, weight_decay=0.0, nesterov=True, foreach=False)
scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=40, gamma=0.5)
PLATEAU_SCHEDULER = False
SCHEDULE_LAST_STEP = None
LBFGS = False
LOOKAHEAD = None
MAX_STEPS = 200
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
