// One-click experiments, each telling one story (its caption). Every caption was checked
// against the runs' actual outcome: tests/e2e/page.test.mjs runs the landscape presets to the
// end, tests/e2e/training.test.mjs the presets that train models on data (group 'data').
// Each preset's speed (steps per frame, pace.js) plays its story in 8 to 15 s (the slowest run's
// end, at 60 frames per second): tests/e2e/pace.test.mjs checks it. LESSONS orders them as a
// guided path, from gradient descent and when to stop to noisy data and overfitting.
// A preset with the same data and model but one setting changed is a separate preset, linked
// from the caption (links): runs of one experiment share the data, the model and the stop rule.
// A preset may set a chart's log scales where its story shows (`charts`, e.g. hypergradient's
// learning rate climbing a hundredfold in its first 50 steps: log x and log y); every other
// chart starts from its default scales.

// Run colours chosen per story, from Okabe and Ito's colour-blind-safe palette. The core owns
// the palette (src/chart/style.rs, the catalogue's `palette`); this module is read before the
// catalogue loads (and by the Node tests), so it names the colours it picks, and
// tests/e2e/catalog.test.mjs checks that each is one of the core's.
const C = ['#e69f00', '#56b4e9', '#009e73', '#d55e00', '#cc79a7', '#0072b2'];

const sgd = (label, lr, x0, color, extra = {}, schedule = { name: 'constant' }) => ({
  label, x0, optimizer: { name: 'SGD', lr, ...extra }, schedule, color,
});

export const PRESETS = [
  {
    id: 'bowl',
    title: 'Gradient descent on a bowl',
    caption: 'Gradient descent steps downhill in proportion to the slope. On this bowl the slope shrinks as the run nears the bottom, so the steps shrink too, and the run stops once the gradient norm falls below its tolerance (the dashed line in the gradient chart).',
    speed: '1/4',
    config: {
      seed: 1,
      problem: { name: 'quadratic', a: 1, b: 4 },
      runs: [sgd('gd', 0.1, [-4, 3], C[0])],
      stop: { max_steps: 1000 },
    },
  },
  {
    id: 'lr',
    title: 'Learning rate: too small, right, too big',
    caption: 'The same gradient descent with three learning rates on a bowl with curvature 10 along y. lr = 0.01 crawls and is still short of the bottom after 500 steps; lr = 0.15 converges in about 120 steps; lr = 0.21 is above 2 / 10 = 0.2, the largest stable step along y, so every step overshoots a little further and the run diverges.',
    speed: '1',
    config: {
      seed: 1,
      problem: { name: 'quadratic', a: 1, b: 10 },
      runs: [
        sgd('lr 0.01', 0.01, [-4, 3], C[0]),
        sgd('lr 0.15', 0.15, [-4, 3], C[2]),
        sgd('lr 0.21', 0.21, [-4, 3], C[3]),
      ],
      stop: { max_steps: 500 },
    },
  },
  {
    id: 'schedules',
    title: 'Learning-rate schedules',
    charts: { lr: { log_x: true } },
    caption: 'lr = 0.22 is slightly too big for this bowl (the limit along y is 2 / 10 = 0.2): with a constant lr, SGD diverges. Each schedule brings lr under the limit (see the learning-rate chart). 1/t and 1/√t decay slowly and take well over a thousand steps; exponential decay shrinks the steps so fast that they vanish before the run arrives, so it stops on the ||Δw|| test short of (0, 0); a short linear warm-up followed by a cosine decay converges in about 100 steps.',
    speed: '3',
    config: {
      seed: 1,
      problem: { name: 'quadratic', a: 1, b: 10 },
      runs: [
        sgd('constant', 0.22, [-4, 3], '#7f7f7f'),
        sgd('inverse time', 0.22, [-4, 3], C[0], {}, { name: 'LambdaLR', lambda: 'inverse_time', t0: 20 }),
        sgd('1/sqrt(t)', 0.22, [-4, 3], C[1], {}, { name: 'LambdaLR', lambda: 'inverse_sqrt' }),
        sgd('exponential', 0.22, [-4, 3], C[3], {}, { name: 'ExponentialLR', gamma: 0.95 }),
        sgd('warm-up + cosine', 0.22, [-4, 3], C[2], {}, {
          name: 'SequentialLR',
          schedulers: [{ name: 'LinearLR', start_factor: 0.1, total_iters: 20 }, { name: 'CosineAnnealingLR', T_max: 200 }],
          milestones: [20],
        }),
      ],
      stop: { max_steps: 3000 },
    },
  },
  {
    id: 'momentum',
    title: 'Momentum in a narrow valley',
    caption: 'A bowl 100 times steeper along y than along x. Plain SGD must keep lr below 2 / 100 for the steep direction, so it crawls along the flat one (about 1000 steps). Momentum (0.9) builds up speed along the valley floor (about 390 steps); Nesterov momentum looks one step ahead and damps the zig-zag (about 250 steps).',
    speed: '1.5',
    config: {
      seed: 1,
      problem: { name: 'quadratic', a: 1, b: 100 },
      runs: [
        sgd('SGD', 0.019, [-4, 1], C[0]),
        sgd('momentum 0.9', 0.01, [-4, 1], C[1], { momentum: 0.9 }),
        sgd('Nesterov 0.9', 0.01, [-4, 1], C[2], { momentum: 0.9, nesterov: true }),
      ],
      stop: { max_steps: 3000 },
    },
  },
  {
    id: 'adam-rosenbrock',
    title: 'Adam vs SGD on Rosenbrock',
    caption: 'Both runs drop into the curved valley within a few steps. On its flat floor the gradient is tiny, and so are SGD’s steps: after 10,000 steps it is still short of the minimum at (1, 1). Adam divides each coordinate’s step by the size of its recent gradients, keeps moving at a useful pace and converges in about 4900 steps.',
    speed: '15',
    config: {
      seed: 1,
      problem: { name: 'rosenbrock' },
      runs: [
        sgd('SGD', 0.001, [-1.5, 2], C[0]),
        { label: 'Adam', x0: [-1.5, 2], optimizer: { name: 'Adam', lr: 0.01 }, schedule: { name: 'constant' }, color: C[1] },
      ],
      stop: { max_steps: 10000 },
    },
  },
  {
    id: 'adamw',
    title: 'AdamW vs Adam + L2',
    caption: 'weight_decay = 1 means two different things. Adam + L2 adds 1·w to the gradient before Adam’s rescaling: it converges to the minimum of f + ½‖w‖², at (1.23, 2.56), pulled toward the origin from Booth’s minimum (1, 3), which plain Adam reaches. AdamW shrinks w by lr·w every step, outside the rescaling, while Adam’s own step is at most about lr per coordinate: the decay wins wherever |x| or |y| exceeds 1, so AdamW ends up just inside the square |x|, |y| ≤ 1, near (0.95, 0.96), and never settles.',
    speed: '5',
    config: {
      seed: 1,
      problem: { name: 'booth' },
      runs: [
        { label: 'Adam', x0: [-4, -4], optimizer: { name: 'Adam', lr: 0.05 }, schedule: { name: 'constant' }, color: C[0] },
        { label: 'Adam + L2', x0: [-4, -4], optimizer: { name: 'Adam', lr: 0.05, weight_decay: 1 }, schedule: { name: 'constant' }, color: C[1] },
        { label: 'AdamW', x0: [-4, -4], optimizer: { name: 'AdamW', lr: 0.05, weight_decay: 1 }, schedule: { name: 'constant' }, color: C[2] },
      ],
      stop: { max_steps: 3000 },
    },
  },
  {
    id: 'lookahead',
    title: 'Lookahead around SGD',
    caption: 'SGD at lr = 0.21 overshoots along the steep direction and diverges (the limit is 0.2). Lookahead wraps the very same SGD: after every 5 fast steps it moves the weights only halfway (alpha = 0.5) from where they were 5 steps ago, and that pull-back is enough to converge.',
    speed: '1/3',
    config: {
      seed: 1,
      problem: { name: 'quadratic', a: 1, b: 10 },
      runs: [
        sgd('SGD lr 0.21', 0.21, [-4, 3], C[3]),
        {
          label: 'Lookahead(SGD lr 0.21)', x0: [-4, 3],
          optimizer: { name: 'Lookahead', k: 5, alpha: 0.5, inner: { name: 'SGD', lr: 0.21 } },
          // Sky blue, not orange: orange and vermillion blur together where the paths overlap.
          schedule: { name: 'constant' }, color: C[1],
        },
      ],
      stop: { max_steps: 1000 },
    },
  },
  {
    id: 'himmelblau',
    title: 'Where you start decides where you end (Himmelblau)',
    caption: 'Four gradient-descent runs starting close together near the middle of Himmelblau’s function. Each slides into a different one of its four minima; all four are global (f = 0).',
    speed: '1/10',
    config: {
      seed: 1,
      problem: { name: 'himmelblau' },
      runs: [
        sgd('start (0, 0)', 0.01, [0, 0], C[0]),
        sgd('start (−1, 0)', 0.01, [-1, 0], C[1]),
        sgd('start (−1, −1)', 0.01, [-1, -1], C[2]),
        sgd('start (1, −1)', 0.01, [1, -1], C[4]),
      ],
      stop: { max_steps: 1000 },
    },
  },
  {
    id: 'six-hump',
    title: 'Local vs global minima (six-hump camel)',
    caption: 'Six minima: two global (rings with a cross-hair) and four local (plain rings). Gradient descent ends in the basin it starts in: two runs reach a global minimum, two get stuck in local ones — and they still report “converged”, because every convergence test is local.',
    speed: '1/6',
    config: {
      seed: 1,
      problem: { name: 'six_hump_camel' },
      runs: [
        sgd('start (−2.5, 1.5)', 0.02, [-2.5, 1.5], C[0]),
        sgd('start (2.5, −1.5)', 0.02, [2.5, -1.5], C[2]),
        sgd('start (1.5, 1.5)', 0.02, [1.5, 1.5], C[1]),
        sgd('start (−2, 1)', 0.02, [-2, 1], C[3]),
      ],
      stop: { max_steps: 1000 },
    },
  },
  {
    id: 'rastrigin',
    title: 'Trapped by ripples (Rastrigin)',
    caption: 'Rastrigin’s ripples put a local minimum near every integer point. Each run stops in the dip nearest its start: only the one starting inside the central basin reaches the global minimum (0, 0). Momentum and Adam roll around a bit longer, but here they get trapped too.',
    speed: '1/2',
    config: {
      seed: 1,
      problem: { name: 'rastrigin' },
      runs: [
        sgd('GD from (0.4, 0.3)', 0.002, [0.4, 0.3], C[2]),
        sgd('GD from (2.2, 1.8)', 0.002, [2.2, 1.8], C[0]),
        sgd('momentum from (2.2, 1.8)', 0.003, [2.2, 1.8], C[1], { momentum: 0.9 }),
        { label: 'Adam from (−1.3, −2.1)', x0: [-1.3, -2.1], optimizer: { name: 'Adam', lr: 0.2 }, schedule: { name: 'constant' }, color: C[4] },
      ],
      stop: { max_steps: 3000 },
    },
  },
  {
    id: 'saddle',
    title: 'Escaping a saddle point',
    caption: 'f = x² − y² has a saddle at (0, 0) and no minimum. Starting almost on the ridge, gradient descent first heads for the saddle, then the tiny y offset grows and it slides off toward f = −∞: no convergence test can fire, and once the loss falls a million times below its start the run is stopped as diverged, “unbounded below” (step 150); momentum escapes sooner (step 54). Newton’s method solves for the point where the gradient vanishes and jumps straight onto the saddle in one step: its gradient test fires, but at a point that is not a minimum.',
    speed: '1/4',
    config: {
      seed: 1,
      problem: { name: 'saddle' },
      runs: [
        sgd('GD', 0.05, [1.5, 0.001], C[0]),
        sgd('momentum 0.9', 0.05, [1.5, 0.001], C[1], { momentum: 0.9 }),
        { label: 'Newton', x0: [1.5, 0.001], optimizer: { name: 'Newton', lr: 1 }, schedule: { name: 'constant' }, color: C[3] },
      ],
      stop: { max_steps: 500 },
    },
  },
  {
    id: 'hypergradient',
    title: 'A learning rate that learns itself (hypergradient descent)',
    caption: 'All three runs start with lr = 0.001 on a bowl with curvature 10 along y. Plain SGD keeps it and crawls: after 2,000 steps its loss is still 0.15. SGD-HD and Adam-HD (Baydin et al. 2018) learn the learning rate online from the dot product of two successive gradients: while they point the same way, the lr grows. The learning-rate chart (log scales) shows it climbing about a hundredfold, to about 0.1, below the stability limit 2 / 10 = 0.2, and both converge (SGD-HD at step 178, Adam-HD at step 403).',
    speed: '1..6@400',
    charts: { lr: { log_x: true, log_y: true } },
    config: {
      seed: 1,
      problem: { name: 'quadratic', a: 1, b: 10 },
      runs: [
        sgd('SGD lr 0.001', 0.001, [-4, 3], C[0]),
        { label: 'SGD-HD from lr 0.001', x0: [-4, 3], optimizer: { name: 'SGDHD', lr: 0.001, hypergrad_lr: 0.0001 }, schedule: { name: 'constant' }, color: C[1] },
        { label: 'Adam-HD from lr 0.001', x0: [-4, 3], optimizer: { name: 'AdamHD', lr: 0.001, hypergrad_lr: 0.0001 }, schedule: { name: 'constant' }, color: C[2] },
      ],
      stop: { max_steps: 2000 },
    },
  },
  {
    id: 'search-fair',
    title: 'Hyperband against random search, same budget',
    caption: 'Press Start search in the Hyperparameter search card under the charts: random search and Hyperband search Adam’s learning rate and β₁ on Rosenbrock with the same budget (the objective is the loss after at most R = 243 steps), and the budget chart draws the best loss each has found against the resource spent. Hyperband tries 415 configurations, most for a few steps, and trains the best up to 243 steps (6831 steps in all); random search trains 28 for 243 steps each (6804). Here random search’s best loss (0.119) is a little lower than Hyperband’s (0.129): on Rosenbrock the loss after a few steps says little about the loss after 243, so stopping early can drop the eventual winner. Hyperband pays off where early losses rank configurations as the final ones do.',
    speed: '5',
    searchCompare: true,
    config: {
      seed: 1,
      problem: { name: 'rosenbrock' },
      runs: [{ label: 'adam', x0: [-1.5, 2], optimizer: { name: 'Adam', lr: 0.01 }, schedule: { name: 'constant' }, color: C[0] }],
      stop: { max_steps: 3000 },
      search: {
        method: 'hyperband', max_resource: 243, eta: 3, seed: 1,
        space: [
          { path: 'runs[0].optimizer.lr', low: 0.0001, high: 1, scale: 'log' },
          { path: 'runs[0].optimizer.betas[0]', low: 0.5, high: 0.99, scale: 'linear' },
        ],
      },
    },
  },
];

/* ---------------------------------------------------------------- training on data */

// 20 noisy points of one period of a sine, the same draw (seed 3) in every "fit" preset.
const SINE20 = { name: 'sine', n: 20, noise: 0.2, frequency: 0.5 };
const LBFGS1 = { name: 'LBFGS', lr: 1, max_iter: 1, line_search_fn: 'strong_wolfe' };
const fit = (degree, extra = {}, stop = {}) => ({
  seed: 3,
  problem: { name: 'model', data: SINE20, model: { name: 'polynomial', degree }, ...extra },
  runs: [{ label: 'L-BFGS', optimizer: LBFGS1, schedule: { name: 'constant' }, color: C[0] }],
  stop: { max_steps: 1000, ...stop },
});
const cubicNoise = (noise) => ({
  seed: 1,
  problem: { name: 'model', data: { name: 'polynomial', n: 100, noise }, model: { name: 'polynomial', degree: 3 }, batch_size: 10 },
  runs: [{ label: 'SGD momentum', optimizer: { name: 'SGD', lr: 0.05, momentum: 0.9 }, schedule: { name: 'constant' }, color: C[0] }],
  stop: { max_steps: 5000 },
});
const moons = (batch) => ({
  seed: 1,
  problem: { name: 'model', data: { name: 'moons', noise: 0.1 }, model: { name: 'mlp', hidden: [8, 8], activation: 'tanh' }, batch_size: batch },
  runs: [{ label: 'SGD', optimizer: { name: 'SGD', lr: 0.1 }, schedule: { name: 'constant' }, color: C[0] }],
  stop: { max_steps: 3000 },
});

const DATA_PRESETS = [
  {
    id: 'fit-under', group: 'data',
    title: 'Underfitting: a straight line through a sine',
    caption: 'Twenty noisy points of one period of a sine: 14 train the model (filled dots), 6 are held out to measure it (hollow). A polynomial of degree 1 is a straight line: L-BFGS finds the best line at once (converged at step 15), but a line cannot bend, so both losses stay high, training 0.26 and validation 0.22. That is underfitting: the model is too simple for the data.',
    links: [['fit-good', 'a good fit (degree 5)'], ['fit-over', 'overfitting (degree 15)']],
    speed: '1/48',
    config: fit(1),
  },
  {
    id: 'fit-good', group: 'data',
    title: 'A good fit: degree 5',
    caption: 'The same 20 points with a polynomial of degree 5, enough to follow one wave of the sine. Training loss 0.029 and validation loss 0.031 are both about as low as the noise allows (its variance is 0.2² = 0.04): a good fit. Press “Start sweep” below to train every degree from 1 to 15: validation loss is lowest at degree 5.',
    links: [['fit-under', 'underfitting (degree 1)'], ['fit-over', 'overfitting (degree 15)']],
    speed: '1/20',
    config: fit(5),
  },
  {
    id: 'fit-over', group: 'data',
    title: 'Overfitting: degree 15 on 14 points',
    caption: 'Degree 15 has 16 coefficients for 14 training points. L-BFGS bends the curve through the training points and the training loss falls to 0.011 (converged at step 63), but between and beyond them the curve swings wildly: the validation loss ends at 7.0, over 200 times that of degree 5. The training vs validation chart shows when it happened: validation loss was lowest (0.027) at step 18, then shot up while the training loss kept falling. That is overfitting.',
    links: [['fit-under', 'degree 1'], ['fit-good', 'degree 5'], ['cure-l2', 'cure it with L2'], ['cure-early', 'cure it with early stopping']],
    speed: '1/12',
    config: fit(15),
  },
  {
    id: 'cure-l2', group: 'data',
    title: 'Curing overfitting with an L2 penalty',
    caption: 'The degree-15 model again, with an L2 penalty λ₂ = 0.0001 added to the loss (Problem panel, Regularization). Large coefficients now cost more than they gain, so the curve stays smooth: training loss 0.029 and validation loss 0.034 instead of 7.0, close to degree 5. Run the complexity sweep: with the penalty, the validation loss no longer climbs with the degree.',
    links: [['fit-over', 'without the penalty'], ['cure-early', 'early stopping instead']],
    speed: '1/15',
    config: fit(15, { regularization: { l2: 0.0001 } }),
  },
  {
    id: 'cure-early', group: 'data',
    title: 'Curing overfitting with early stopping',
    caption: 'The degree-15 model without a penalty, but with early stopping (Stopping criteria): both losses are measured after every epoch, and the run stops once the validation loss has not improved for 10 evaluations. Its best, 0.027, came at step 18, so the run stops at step 28 and puts back the weights of step 18 (restore best weights): a smooth curve instead of the wild one L-BFGS reaches by step 63.',
    links: [['fit-over', 'without early stopping'], ['cure-l2', 'an L2 penalty instead']],
    speed: '1/24',
    config: fit(15, {}, { early_stopping: { patience: 10, min_delta: 0, restore_best: true, stop: true } }),
  },
  {
    id: 'noise-clean', group: 'data',
    title: 'Clean data: minibatch SGD converges',
    caption: 'A cubic, y = 4x³ − 3x, without noise, fitted by a cubic model with SGD (momentum 0.9) on minibatches of 10 points. The model can pass through every point exactly, so at the minimum the gradient of every minibatch vanishes at once: the steps shrink to nothing and the run converges at step 959 (137 epochs), when ‖∇f‖ < 10⁻⁸.',
    links: [['noise-noisy', 'the same with noisy data']],
    speed: '1.5',
    config: cubicNoise(0),
  },
  {
    id: 'noise-noisy', group: 'data',
    title: 'Noisy data: minibatch SGD never settles',
    caption: 'The same cubic, model and SGD, with noise 0.5 on y. No curve passes through all the points now, and each minibatch of 10 pulls toward its own: the minibatch gradients never vanish together, the loss per step keeps jumping and the weights keep wandering around the best fit. After 5000 steps no convergence test has fired. In full batch (clear the batch size) the noise slows nothing: the run converges in 770 steps.',
    links: [['noise-clean', 'the same without noise']],
    speed: '7',
    config: cubicNoise(0.5),
  },
  {
    id: 'batch-mini', group: 'data',
    title: 'Minibatches of 10: a noisy loss, fewer epochs',
    caption: 'A small network (two hidden layers of 8 tanh units) learns the two moons with plain SGD (lr 0.1) on minibatches of 10: one epoch, a pass over the 140 training points, is 14 steps. Every step sees other points, so the training loss per step (chart below) is noisy, while the evaluations after each epoch are smooth. Training accuracy reaches 100 % at step 2366, after only 169 epochs.',
    links: [['batch-full', 'the same in full batch']],
    speed: '5',
    config: moons(10),
  },
  {
    id: 'batch-full', group: 'data',
    title: 'Full batch: a smooth loss, more epochs',
    caption: 'The same network, data and SGD in full batch: every step uses all 140 training points, so the training loss per step descends smoothly. Step for step it learns at the pace of the minibatch run (100 % training accuracy at step 2070), but every step is a whole epoch: 2070 epochs, 12 times the computation the minibatches needed.',
    links: [['batch-mini', 'the same with minibatches of 10']],
    speed: '5',
    config: moons(null),
  },
  {
    id: 'spiral', group: 'data',
    title: 'Spiral: Adam vs SGD on a network',
    caption: 'Two interleaved spirals, the hardest of TensorFlow Playground’s data sets, for a network of three hidden layers of 8 tanh units; both runs start from the same weights. Adam (lr 0.01) separates them fast: 99 % training accuracy at step 418, 100 % from step 731 on, and its gradient test fires at step 3063. SGD (lr 0.03) barely moves: after 12,000 steps its training loss is still 0.64, hardly below a coin toss’s 0.69 (57 % training accuracy). Adam’s validation loss is lowest at step 508, then rises while its training loss goes to zero: it memorizes the training points (validation loss 0.95 against 0.0001, validation accuracy 92 %), so its mark is a caution, not a success.',
    speed: '2..30@800',
    config: {
      seed: 1,
      problem: { name: 'model', data: { name: 'spiral' }, model: { name: 'mlp', hidden: [8, 8, 8], activation: 'tanh' } },
      runs: [
        { label: 'Adam lr 0.01', optimizer: { name: 'Adam', lr: 0.01 }, schedule: { name: 'constant' }, color: C[1] },
        { label: 'SGD lr 0.03', optimizer: { name: 'SGD', lr: 0.03 }, schedule: { name: 'constant' }, color: C[0] },
      ],
      stop: { max_steps: 12000, grad_norm: { tol: 1e-4 } },
    },
  },
];

PRESETS.push(...DATA_PRESETS);

/**
 * The presets as a guided path, in the article's order: gradient descent and when to stop, the
 * learning rate and its schedules, momentum and adaptive steps, where a run ends (local minima,
 * saddles), tuning, training on data with minibatches, and last noisy data, overfitting,
 * regularization and early stopping.
 */
export const LESSONS = [
  'bowl', 'lr', 'schedules', 'hypergradient', 'momentum', 'adam-rosenbrock', 'adamw', 'lookahead',
  'himmelblau', 'six-hump', 'rastrigin', 'saddle', 'search-fair',
  'batch-mini', 'batch-full', 'spiral', 'noise-clean', 'noise-noisy',
  'fit-under', 'fit-good', 'fit-over', 'cure-l2', 'cure-early',
];

/** The lesson number of a preset (1-based), or 0 when it is not a lesson. */
export function lessonNumber(id) {
  return LESSONS.indexOf(id) + 1;
}

/** The groups of the preset menu: [group, title]. */
export const PRESET_GROUPS = [['landscape', 'Loss landscapes'], ['data', 'Training on data']];

export function presetById(id) {
  return PRESETS.find((p) => p.id === id) || null;
}
