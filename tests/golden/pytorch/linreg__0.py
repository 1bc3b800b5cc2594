# Reproduces run 0 ("sgd") of a Convergence Playground experiment with PyTorch,
# in float64: torch.optim for the optimizer, torch.optim.lr_scheduler for the schedule,
# and the playground's loop and stopping rule written out below.
# Written by `converge pytorch`; prints the end of the run as JSON, as `converge run` does.
import json
import math
import torch

torch.set_default_dtype(torch.float64)
LABEL = "sgd"

X = torch.tensor([
    0.1, 0.5, 1.2, 2.0, 2.7, 3.3,
])
Y = torch.tensor([
    1.1, 1.9, 3.6, 5.2, 6.3, 7.9,
])
L1 = 0.01
L2 = 0.05


def f(p):
    """linreg: (1/n)*sum_i (w*x_i + b - y_i)^2 + l2*w^2 + l1*|w| (src/problem/models.rs)"""
    w, b = p[0], p[1]
    return ((w * X + b - Y) ** 2).mean() + (L2 * (w * w) + L1 * torch.abs(w))

p = torch.tensor([0.0, 0.0], requires_grad=True)
optimizer = torch.optim.SGD([p], lr=0.05, momentum=0.5, dampening=0.0, weight_decay=0.0, nesterov=False, foreach=False)
scheduler = None
PLATEAU_SCHEDULER = False
SCHEDULE_LAST_STEP = None
LBFGS = False
LOOKAHEAD = None
MAX_STEPS = 300
DIVERGENCE_FACTOR = 1000000.0
GRAD_NORM = {'tol': 1e-8, 'stop': True}
TARGET_LOSS = None
LOSS_PLATEAU = {'tol': 1e-12, 'patience': 50, 'relative': True, 'stop': True}
PARAM_CHANGE = {'tol': 1e-10, 'patience': 10, 'stop': True}

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

with torch.no_grad():
    final_loss = f(p).item()
print(json.dumps({'label': LABEL, 'step': t, 'loss': final_loss, 'params': p.detach().tolist(), 'status': status}))
