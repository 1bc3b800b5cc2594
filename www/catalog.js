// The vocabulary of the page: problems, optimizers and schedules with torch's names, their
// hyperparameters and torch's defaults (the values the Rust core uses when a field is omitted),
// plus the default experiment. One table, used by the controls and by the presets.
//
// A field descriptor: {key, label, type, default, help, keep, required, options, step}.
//   type: 'number' | 'int' | 'bool' | 'select' | 'betas' | 'optint' | 'ints' | 'optnumber'
//   default: torch's default (undefined when torch has none: the field is required).
//   keep: always written to the config even when equal to the default (lr, required fields).
//   initial: the value the page starts from when torch has no default.

export const PROBLEMS = {
  quadratic: {
    title: 'Quadratic bowl',
    formula: 'f(x, y) = ½ (a·x² + b·y²)',
    blurb: 'The simplest landscape: one minimum at (0, 0). With a = 1, b is the condition number: the larger it is, the narrower the valley.',
    params: [
      { key: 'a', label: 'a', type: 'number', default: 1, help: 'curvature along x' },
      { key: 'b', label: 'b (condition number when a = 1)', type: 'number', default: 10, help: 'curvature along y' },
    ],
  },
  rosenbrock: {
    title: 'Rosenbrock',
    formula: 'f(x, y) = (a − x)² + b (y − x²)²',
    blurb: 'A long, curved, flat-bottomed valley; the minimum sits at (a, a²). Easy to find the valley, hard to follow it.',
    params: [
      { key: 'a', label: 'a', type: 'number', default: 1 },
      { key: 'b', label: 'b (valley steepness)', type: 'number', default: 100 },
    ],
  },
  himmelblau: {
    title: 'Himmelblau',
    formula: 'f(x, y) = (x² + y − 11)² + (x + y² − 7)²',
    blurb: 'Four minima, all with f = 0: where you start decides where you end.',
    params: [],
  },
  rastrigin: {
    title: 'Rastrigin',
    formula: 'f(x, y) = 2A + x² − A cos 2πx + y² − A cos 2πy',
    blurb: 'A bowl covered in ripples: a local minimum near every integer point, the global one at (0, 0).',
    params: [{ key: 'A', label: 'A (ripple height)', type: 'number', default: 10 }],
  },
  beale: {
    title: 'Beale',
    formula: 'f(x, y) = (1.5 − x + xy)² + (2.25 − x + xy²)² + (2.625 − x + xy³)²',
    blurb: 'Flat plateaus and sharp ridges; the minimum is at (3, 0.5).',
    params: [],
  },
  booth: {
    title: 'Booth',
    formula: 'f(x, y) = (x + 2y − 7)² + (2x + y − 5)²',
    blurb: 'A tilted quadratic bowl with its minimum at (1, 3).',
    params: [],
  },
  three_hump_camel: {
    title: 'Three-hump camel',
    formula: 'f(x, y) = 2x² − 1.05x⁴ + x⁶/6 + xy + y²',
    blurb: 'One global minimum at the origin and two local ones beside it.',
    params: [],
  },
  six_hump_camel: {
    negative: true, // f goes below 0: the loss chart starts with a linear y axis
    title: 'Six-hump camel',
    formula: 'f(x, y) = (4 − 2.1x² + x⁴/3) x² + xy + (4y² − 4) y²',
    blurb: 'Six minima: two global, four local.',
    params: [],
  },
  ackley: {
    title: 'Ackley',
    formula: 'f(x, y) = −a e^(−b √(½(x² + y²))) − e^(½(cos cx + cos cy)) + e + a',
    blurb: 'A nearly flat, bumpy plain around one deep hole at (0, 0).',
    params: [
      { key: 'a', label: 'a', type: 'number', default: 20 },
      { key: 'b', label: 'b', type: 'number', default: 0.2 },
      { key: 'c', label: 'c', type: 'number', default: 2 * Math.PI },
    ],
  },
  styblinski_tang: {
    negative: true, // f goes below 0: the loss chart starts with a linear y axis
    title: 'Styblinski–Tang',
    formula: 'f(x, y) = ½ (x⁴ − 16x² + 5x + y⁴ − 16y² + 5y)',
    blurb: 'Four minima, one in each quadrant; the global one is near (−2.9, −2.9).',
    params: [],
  },
  saddle: {
    negative: true, // f goes below 0: the loss chart starts with a linear y axis
    title: 'Saddle',
    formula: 'f(x, y) = x² − y²',
    blurb: 'No minimum at all: a saddle point at (0, 0), downhill forever along y.',
    params: [],
  },
  goldstein_price: {
    title: 'Goldstein–Price',
    formula: 'f(x, y) = [1 + (x + y + 1)² (…)] · [30 + (2x − 3y)² (…)]',
    blurb: 'Values spanning six orders of magnitude; the global minimum f = 3 is at (0, −1).',
    params: [],
  },
  matyas: {
    title: 'Matyas',
    formula: 'f(x, y) = 0.26 (x² + y²) − 0.48 xy',
    blurb: 'A shallow, rotated, ill-conditioned bowl with its minimum at (0, 0).',
    params: [],
  },
  mccormick: {
    negative: true, // f goes below 0: the loss chart starts with a linear y axis
    title: 'McCormick',
    formula: 'f(x, y) = sin(x + y) + (x − y)² − 1.5x + 2.5y + 1',
    blurb: 'A wavy trough; the global minimum is near (−0.55, −1.55).',
    params: [],
  },
};

// ---------------------------------------------------------------- training on data
// The datasets, models and training settings of a "model" problem (src/data/mod.rs,
// src/model/mod.rs, src/problem/training.rs), with the Rust defaults.

const N = (d) => ({ key: 'n', label: 'n (points)', type: 'int', default: d, help: 'number of points, from 4 to 5000, before the validation split' });
const REG_NOISE = { key: 'noise', label: 'noise (σ of y)', type: 'range', min: 0, max: 1, step: 0.05, default: 0.1, help: 'standard deviation of the Gaussian noise added to y' };
const OUTLIERS = { key: 'outliers', label: 'outliers (share)', type: 'range', min: 0, max: 0.5, step: 0.01, default: 0, format: 'percent', help: 'share of points whose y is thrown far off' };
const CLS_NOISE = { key: 'noise', label: 'noise', type: 'range', min: 0, max: 1, step: 0.05, default: 0, help: 'how far the points scatter (TensorFlow Playground’s noise slider / 100)' };
const LABEL_NOISE = { key: 'label_noise', label: 'label noise (flipped share)', type: 'range', min: 0, max: 0.5, step: 0.01, default: 0, format: 'percent', help: 'share of points given the wrong class' };

export const DATASETS = {
  linear: {
    title: 'Line', task: 'regression', formula: 'y = slope·x + intercept + noise',
    params: [N(100), REG_NOISE, OUTLIERS,
      { key: 'slope', label: 'slope', type: 'number', default: 1.5 },
      { key: 'intercept', label: 'intercept', type: 'number', default: 0.5 }],
  },
  polynomial: {
    title: 'Cubic', task: 'regression', formula: 'y = 4x³ − 3x + noise',
    params: [N(100), REG_NOISE, OUTLIERS],
  },
  sine: {
    title: 'Sine', task: 'regression', formula: 'y = sin(2π·frequency·x) + noise',
    params: [N(100), REG_NOISE, OUTLIERS,
      { key: 'frequency', label: 'frequency (cycles per unit)', type: 'number', default: 1, help: 'x runs over [−1, 1], so frequency 1 is two full waves' }],
  },
  circle: { title: 'Circle', task: 'classification', formula: 'a disc of one class inside a ring of the other', params: [N(200), CLS_NOISE, LABEL_NOISE] },
  xor: { title: 'Exclusive or', task: 'classification', formula: 'the class is the sign of x₁·x₂', params: [N(200), CLS_NOISE, LABEL_NOISE] },
  gaussians: { title: 'Two Gaussians', task: 'classification', formula: 'two round clusters', params: [N(200), CLS_NOISE, LABEL_NOISE] },
  spiral: { title: 'Spiral', task: 'classification', formula: 'two interleaved spirals', params: [N(200), CLS_NOISE, LABEL_NOISE] },
  moons: { title: 'Two moons', task: 'classification', formula: 'two interleaving half circles', params: [N(200), CLS_NOISE, LABEL_NOISE] },
  csv: { title: 'Your data (CSV)', task: null, formula: 'x,y per line (regression) or x1,x2,label (classification, labels 0/1 or −1/1)', params: [] },
};

export const DATASET_GROUPS = [
  ['Regression (1-D: fit y from x)', ['linear', 'polynomial', 'sine']],
  ['Classification (2-D: two classes)', ['circle', 'xor', 'gaussians', 'spiral', 'moons']],
  ['Your own data', ['csv']],
];

// An example CSV offered when "Your data" is chosen: 24 noisy points of a parabola.
export const SAMPLE_CSV = `x,y
-1.00,1.07
-0.91,0.76
-0.83,0.72
-0.74,0.49
-0.65,0.47
-0.57,0.28
-0.48,0.30
-0.39,0.12
-0.30,0.14
-0.22,0.02
-0.13,0.05
-0.04,-0.03
0.04,0.04
0.13,-0.01
0.22,0.09
0.30,0.05
0.39,0.19
0.48,0.20
0.57,0.36
0.65,0.38
0.74,0.59
0.83,0.66
0.91,0.86
1.00,0.97
`;

export const ACTIVATIONS = [['tanh', 'tanh'], ['relu', 'ReLU'], ['leaky_relu', 'leaky ReLU (slope 0.01)'], ['sigmoid', 'sigmoid'], ['linear', 'linear (none)']];

export const MODELS = {
  linear: { title: 'Linear regression', tasks: ['regression'], formula: 'y = w·x + b' },
  polynomial: { title: 'Polynomial regression', tasks: ['regression'], formula: 'y = b + w₁x + w₂x² + … + w_d·xᵈ' },
  logistic: { title: 'Logistic regression', tasks: ['classification'], formula: 'p(class 1) = σ(w₁x₁ + w₂x₂ + b)' },
  mlp: { title: 'Neural network (MLP)', tasks: ['regression', 'classification'], formula: 'hidden layers of units, then one linear output (a logit for classification)' },
};

export const MODEL_LIMITS = { maxDegree: 15, maxLayers: 6, maxUnits: 32, minPoints: 4, maxPoints: 5000 };

/** A fresh model config that fits a task (keeps the current one when it already fits). */
export function modelForTask(model, task) {
  if (model && MODELS[model.name] && MODELS[model.name].tasks.includes(task)) return model;
  if (task === 'classification') return { name: 'mlp', hidden: [8, 8], activation: 'tanh' };
  return { name: 'polynomial', degree: 3 };
}

/** Regression or classification, from the data config (CSV: from the first data line). */
export function dataTask(data) {
  if (!data) return null;
  const spec = DATASETS[data.name];
  if (spec && spec.task) return spec.task;
  if (data.name !== 'csv') return null;
  return csvShape(data.text || '').columns === 3 ? 'classification' : 'regression';
}

/** Column count and number of data lines of a CSV text (a header line is not counted). */
export function csvShape(text) {
  let columns = null;
  let rows = 0;
  let first = true;
  for (const raw of String(text).replace(/^\ufeff/, '').split(/\r\n|\n|\r/)) {
    const line = raw.trim();
    if (!line) continue;
    const fields = line.split(',').map((f) => f.trim());
    const numeric = fields.map((f) => f !== '' && Number.isFinite(Number(f)));
    if (first) {
      first = false;
      if (!numeric.some(Boolean)) {
        if (fields.length === 2 || fields.length === 3) columns = fields.length;
        continue;
      }
    }
    if (columns === null && (fields.length === 2 || fields.length === 3)) columns = fields.length;
    rows += 1;
  }
  return { columns, rows };
}

/** The number of training and validation points of a model problem (as src/data/mod.rs splits). */
export function splitSizes(problem) {
  const data = problem.data || {};
  let n;
  if (data.name === 'csv') n = csvShape(data.text || '').rows;
  else if (typeof data.n === 'number') n = data.n;
  else n = DATASETS[data.name] && DATASETS[data.name].task === 'classification' ? 200 : 100;
  const share = typeof problem.validation_share === 'number' ? problem.validation_share : 0.3;
  let train = Math.round((1 - share) * n);
  if (n >= 2) train = Math.min(n - 1, Math.max(1, train));
  return { n, train, validation: Math.max(0, n - train) };
}

/** A fresh model problem config. */
export function newModelProblem(dataName = 'circle') {
  const task = DATASETS[dataName].task || 'regression';
  return { name: 'model', data: { name: dataName }, model: modelForTask(null, task) };
}

const BETAS = (d) => ({ key: 'betas', label: 'betas (β₁, β₂)', type: 'betas', default: d, help: 'decay rates of the running means of the gradient and of its square' });
const EPS = (d) => ({ key: 'eps', label: 'eps', type: 'number', default: d, help: 'added to the denominator for numerical stability' });
const LR = (d) => ({ key: 'lr', label: 'lr (learning rate)', type: 'number', default: d, keep: true });
const WD = (d = 0) => ({ key: 'weight_decay', label: 'weight_decay', type: 'number', default: d });

// weightDecay: 'coupled' (L2 added to the gradient), 'decoupled' (shrinks the weights directly),
// 'switch' (coupled unless decoupled_weight_decay is checked) or null (no weight decay).
export const OPTIMIZERS = {
  SGD: {
    title: 'SGD (gradient descent)',
    blurb: 'Steps downhill: w ← w − lr·g. Momentum keeps a running velocity; Nesterov looks ahead.',
    weightDecay: 'coupled',
    fields: [
      LR(1e-3),
      { key: 'momentum', label: 'momentum', type: 'number', default: 0, help: 'fraction of the previous velocity kept each step' },
      { key: 'dampening', label: 'dampening', type: 'number', default: 0 },
      WD(),
      { key: 'nesterov', label: 'nesterov', type: 'bool', default: false, help: 'needs momentum > 0 and dampening = 0' },
    ],
  },
  Adagrad: {
    title: 'Adagrad',
    blurb: 'Divides each coordinate’s step by the root of the sum of all its past squared gradients.',
    weightDecay: 'coupled',
    fields: [
      LR(1e-2),
      { key: 'lr_decay', label: 'lr_decay', type: 'number', default: 0 },
      WD(),
      { key: 'initial_accumulator_value', label: 'initial_accumulator_value', type: 'number', default: 0 },
      EPS(1e-10),
    ],
  },
  RMSprop: {
    title: 'RMSprop',
    blurb: 'Divides each coordinate’s step by a running root-mean-square of its gradients.',
    weightDecay: 'coupled',
    fields: [
      LR(1e-2),
      { key: 'alpha', label: 'alpha', type: 'number', default: 0.99, help: 'smoothing constant of the running mean square' },
      EPS(1e-8),
      WD(),
      { key: 'momentum', label: 'momentum', type: 'number', default: 0 },
      { key: 'centered', label: 'centered', type: 'bool', default: false, help: 'divide by the running variance instead' },
    ],
  },
  Adam: {
    title: 'Adam',
    blurb: 'Momentum on the gradient (β₁) divided by a running RMS of the gradient (β₂), with bias correction.',
    weightDecay: 'switch',
    fields: [
      LR(1e-3), BETAS([0.9, 0.999]), EPS(1e-8), WD(),
      { key: 'amsgrad', label: 'amsgrad', type: 'bool', default: false, help: 'keep the maximum of the second moment' },
      { key: 'decoupled_weight_decay', label: 'decoupled_weight_decay', type: 'bool', default: false, help: 'makes Adam behave as AdamW' },
    ],
  },
  AdamW: {
    title: 'AdamW',
    blurb: 'Adam with decoupled weight decay (Loshchilov & Hutter 2019).',
    weightDecay: 'decoupled',
    fields: [
      LR(1e-3), BETAS([0.9, 0.999]), EPS(1e-8), WD(1e-2),
      { key: 'amsgrad', label: 'amsgrad', type: 'bool', default: false },
    ],
  },
  NAdam: {
    title: 'NAdam',
    blurb: 'Adam with Nesterov momentum.',
    weightDecay: 'switch',
    fields: [
      LR(2e-3), BETAS([0.9, 0.999]), EPS(1e-8), WD(),
      { key: 'momentum_decay', label: 'momentum_decay', type: 'number', default: 4e-3 },
      { key: 'decoupled_weight_decay', label: 'decoupled_weight_decay', type: 'bool', default: false },
    ],
  },
  RAdam: {
    title: 'RAdam',
    blurb: 'Adam that rectifies the variance of the adaptive step in the first steps.',
    weightDecay: 'switch',
    fields: [
      LR(1e-3), BETAS([0.9, 0.999]), EPS(1e-8), WD(),
      { key: 'decoupled_weight_decay', label: 'decoupled_weight_decay', type: 'bool', default: false },
    ],
  },
  Adamax: {
    title: 'Adamax',
    blurb: 'Adam with the infinity norm in place of the RMS.',
    weightDecay: 'coupled',
    fields: [LR(2e-3), BETAS([0.9, 0.999]), EPS(1e-8), WD()],
  },
  Adadelta: {
    title: 'Adadelta',
    blurb: 'Scales steps by the ratio of running RMS of past updates to running RMS of gradients.',
    weightDecay: 'coupled',
    fields: [
      LR(1),
      { key: 'rho', label: 'rho', type: 'number', default: 0.9 },
      EPS(1e-6), WD(),
    ],
  },
  LBFGS: {
    title: 'L-BFGS',
    blurb: 'Quasi-Newton: builds a curvature estimate from recent steps; one step runs up to max_iter inner iterations.',
    weightDecay: null,
    fields: [
      LR(1),
      { key: 'max_iter', label: 'max_iter', type: 'int', default: 20 },
      { key: 'max_eval', label: 'max_eval (empty: max_iter × 1.25)', type: 'optint', default: null },
      { key: 'tolerance_grad', label: 'tolerance_grad', type: 'number', default: 1e-7 },
      { key: 'tolerance_change', label: 'tolerance_change', type: 'number', default: 1e-9 },
      { key: 'history_size', label: 'history_size', type: 'int', default: 100 },
      { key: 'line_search_fn', label: 'line_search_fn', type: 'select', default: null, options: [[null, 'none'], ['strong_wolfe', 'strong_wolfe']] },
    ],
  },
  Lion: {
    title: 'Lion',
    blurb: 'Steps by the sign of an interpolated momentum: every coordinate moves by exactly lr (Chen et al. 2023).',
    weightDecay: 'decoupled',
    fields: [LR(1e-4), BETAS([0.9, 0.99]), WD()],
  },
  Newton: {
    title: 'Newton',
    blurb: 'Solves (H + damping·I) d = −g with the exact Hessian H: jumps to the nearest stationary point of the local quadratic.',
    weightDecay: null,
    fields: [
      LR(1),
      { key: 'damping', label: 'damping', type: 'number', default: 0 },
    ],
  },
  SGDHD: {
    title: 'SGD-HD (hypergradient descent)',
    blurb: 'SGD that learns its own lr online: lr ← lr + hypergrad_lr·(g · g_prev), so it grows while successive gradients agree and shrinks when they oppose (Baydin et al. 2018). Constant schedule only.',
    weightDecay: 'coupled',
    fields: [
      LR(1e-3),
      { key: 'hypergrad_lr', label: 'hypergrad_lr (β)', type: 'number', default: 1e-6, help: 'learning rate of the learning rate' },
      { key: 'momentum', label: 'momentum', type: 'number', default: 0, help: 'fraction of the previous velocity kept each step' },
      { key: 'dampening', label: 'dampening', type: 'number', default: 0 },
      WD(),
      { key: 'nesterov', label: 'nesterov', type: 'bool', default: false, help: 'needs momentum > 0 and dampening = 0' },
    ],
  },
  AdamHD: {
    title: 'Adam-HD (hypergradient descent)',
    blurb: 'Adam that learns its own lr online from the dot product of the gradient with the previous Adam step (Baydin et al. 2018). Constant schedule only.',
    weightDecay: 'coupled',
    fields: [
      LR(1e-3),
      { key: 'hypergrad_lr', label: 'hypergrad_lr (β)', type: 'number', default: 1e-8, help: 'learning rate of the learning rate' },
      BETAS([0.9, 0.999]), EPS(1e-8), WD(),
    ],
  },
};

export const LOOKAHEAD_FIELDS = [
  { key: 'k', label: 'k (fast steps per sync)', type: 'int', default: 5 },
  { key: 'alpha', label: 'alpha (pull-back fraction)', type: 'number', default: 0.5 },
  { key: 'variant', label: 'variant', type: 'select', default: 'paper', options: [['paper', 'paper (Zhang et al. 2019)'], ['torch_optimizer', 'torch_optimizer']] },
];

export const WEIGHT_DECAY_NOTES = {
  coupled: 'Coupled L2: weight_decay·w is added to the gradient, so in adaptive optimizers it is rescaled along with the gradient. It minimises f + ½·weight_decay·‖w‖².',
  decoupled: 'Decoupled: the weights shrink directly, w ← w − lr·weight_decay·w, outside the adaptive scaling (as in AdamW).',
  none: 'This optimizer has no weight decay.',
};

const INT = (key, label, initial, dflt, help) => ({ key, label, type: 'int', default: dflt, initial, help, keep: dflt === undefined });
const NUM = (key, label, initial, dflt, help) => ({ key, label, type: 'number', default: dflt, initial, help, keep: dflt === undefined });
const MOMENTUM_FIELDS = (base, max) => [
  { key: 'cycle_momentum', label: 'cycle_momentum', type: 'bool', default: true, help: 'cycle momentum (or β₁) inversely to the lr' },
  NUM('base_momentum', 'base_momentum', undefined, base),
  NUM('max_momentum', 'max_momentum', undefined, max),
];

export const SCHEDULES = {
  constant: { title: 'constant', formula: 'lr_t = lr', fields: [] },
  StepLR: {
    title: 'StepLR', formula: 'lr_t = lr · γ^⌊t / step_size⌋',
    fields: [INT('step_size', 'step_size', 100), NUM('gamma', 'gamma', undefined, 0.1)],
  },
  MultiStepLR: {
    title: 'MultiStepLR', formula: 'lr_t = lr · γ^(milestones passed)',
    fields: [{ key: 'milestones', label: 'milestones (comma-separated steps)', type: 'ints', initial: [100, 200], keep: true }, NUM('gamma', 'gamma', undefined, 0.1)],
  },
  ExponentialLR: {
    title: 'ExponentialLR', formula: 'lr_t = lr · γ^t',
    fields: [NUM('gamma', 'gamma', 0.99)],
  },
  CosineAnnealingLR: {
    title: 'CosineAnnealingLR', formula: 'lr_t = η_min + (lr − η_min)(1 + cos πt/T_max)/2',
    fields: [INT('T_max', 'T_max', 500), NUM('eta_min', 'eta_min', undefined, 0)],
  },
  CosineAnnealingWarmRestarts: {
    title: 'CosineAnnealingWarmRestarts', formula: 'cosine from lr to η_min, restarted after T_0, T_0·T_mult, … steps',
    fields: [INT('T_0', 'T_0', 100), INT('T_mult', 'T_mult', undefined, 1), NUM('eta_min', 'eta_min', undefined, 0)],
  },
  ConstantLR: {
    title: 'ConstantLR', formula: 'lr_t = lr · factor for t < total_iters, then lr',
    fields: [NUM('factor', 'factor', undefined, 1 / 3), INT('total_iters', 'total_iters', undefined, 5)],
  },
  LinearLR: {
    title: 'LinearLR', formula: 'factor goes linearly from start_factor to end_factor over total_iters steps',
    fields: [NUM('start_factor', 'start_factor', undefined, 1 / 3), NUM('end_factor', 'end_factor', undefined, 1), INT('total_iters', 'total_iters', undefined, 5)],
  },
  PolynomialLR: {
    title: 'PolynomialLR', formula: 'lr_t = lr · (1 − t/total_iters)^power',
    fields: [INT('total_iters', 'total_iters', undefined, 5), NUM('power', 'power', undefined, 1)],
  },
  LambdaLR: {
    title: 'LambdaLR', formula: 'inverse_time: lr/(1 + t/t0) · inverse_sqrt: lr/√(t + 1)',
    fields: [
      { key: 'lambda', label: 'lambda', type: 'select', initial: 'inverse_time', keep: true, options: [['inverse_time', 'inverse_time: 1 / (1 + t/t0)'], ['inverse_sqrt', 'inverse_sqrt: 1 / √(t + 1)']] },
      { key: 't0', label: 't0 (inverse_time only)', type: 'optnumber', initial: 100, default: null, showIf: (s) => s.lambda !== 'inverse_sqrt' },
    ],
  },
  SequentialLR: {
    title: 'SequentialLR', formula: 'one schedule after another, each restarted at its milestone',
    fields: [{ key: 'milestones', label: 'milestones (comma-separated steps)', type: 'ints', initial: [50], keep: true }],
    children: true,
  },
  OneCycleLR: {
    title: 'OneCycleLR', formula: 'warm up to max_lr, then anneal far below (ignores lr)',
    fields: [
      NUM('max_lr', 'max_lr', 0.1), INT('total_steps', 'total_steps', 1000),
      NUM('pct_start', 'pct_start', undefined, 0.3),
      { key: 'anneal_strategy', label: 'anneal_strategy', type: 'select', default: 'cos', options: [['cos', 'cos'], ['linear', 'linear']] },
      ...MOMENTUM_FIELDS(0.85, 0.95),
      NUM('div_factor', 'div_factor', undefined, 25), NUM('final_div_factor', 'final_div_factor', undefined, 1e4),
      { key: 'three_phase', label: 'three_phase', type: 'bool', default: false },
    ],
  },
  CyclicLR: {
    title: 'CyclicLR', formula: 'triangle waves between base_lr and max_lr (ignores lr)',
    fields: [
      NUM('base_lr', 'base_lr', 0.01), NUM('max_lr', 'max_lr', 0.1),
      NUM('step_size_up', 'step_size_up', undefined, 2000),
      { key: 'step_size_down', label: 'step_size_down (empty: = step_size_up)', type: 'optnumber', default: null },
      { key: 'mode', label: 'mode', type: 'select', default: 'triangular', options: [['triangular', 'triangular'], ['triangular2', 'triangular2'], ['exp_range', 'exp_range']] },
      NUM('gamma', 'gamma', undefined, 1),
      ...MOMENTUM_FIELDS(0.8, 0.9),
    ],
  },
  ReduceLROnPlateau: {
    title: 'ReduceLROnPlateau', formula: 'lr × factor when the loss stalls for patience steps',
    fields: [
      { key: 'mode', label: 'mode', type: 'select', default: 'min', options: [['min', 'min'], ['max', 'max']] },
      NUM('factor', 'factor', undefined, 0.1), INT('patience', 'patience', undefined, 10),
      NUM('threshold', 'threshold', undefined, 1e-4),
      { key: 'threshold_mode', label: 'threshold_mode', type: 'select', default: 'rel', options: [['rel', 'rel'], ['abs', 'abs']] },
      INT('cooldown', 'cooldown', undefined, 0), NUM('min_lr', 'min_lr', undefined, 0), NUM('eps', 'eps', undefined, 1e-8),
    ],
  },
};

// Stopping criteria: the Rust defaults (src/run/monitor.rs).
export const STOP_DEFAULTS = {
  max_steps: 10000,
  loss_plateau: { tol: 1e-12, patience: 50, mode: 'rel', stop: true },
  param_change: { tol: 1e-10, patience: 10, stop: true },
  grad_norm: { tol: 1e-8, stop: true },
  target_loss: { value: 0.001, stop: true }, // off by default; this is the value offered when switched on
  early_stopping: { patience: 10, min_delta: 0, restore_best: true, stop: true }, // off by default (models only)
  divergence: { factor: 1e6 },
};

// Default run colors: Okabe–Ito's colour-blind-safe palette, the same as the Rust charts'
// (src/chart/style.rs, PALETTE; tests/e2e/drawings.test.mjs checks that they agree).
export const PALETTE = ['#e69f00', '#56b4e9', '#009e73', '#d55e00', '#cc79a7', '#0072b2', '#f0e442'];

export const SPEEDS = [
  ['1', '1 step / frame'],
  ['10', '10 steps / frame'],
  ['100', '100 steps / frame'],
  ['1000', '1000 steps / frame'],
  ['max', 'max (≈8 ms / frame)'],
];

/** Does this optimizer (or Lookahead's inner one) have momentum or betas for cyclic schedules? */
export function hasMomentum(opt) {
  if (!opt) return false;
  if (opt.name === 'Lookahead') return hasMomentum(opt.inner);
  return ['SGD', 'RMSprop', 'Adam', 'AdamW', 'NAdam', 'RAdam', 'Adamax', 'Lion', 'SGDHD', 'AdamHD'].includes(opt.name);
}

/** A fresh optimizer config: the name and lr only (everything else takes torch's defaults). */
export function newOptimizer(name, lr) {
  const spec = OPTIMIZERS[name];
  const out = { name };
  for (const f of spec.fields) if (f.keep) out[f.key] = f.key === 'lr' && lr !== undefined ? lr : f.default;
  return out;
}

/** A fresh schedule config with the page's starting values for fields torch requires. */
export function newSchedule(name, optimizer) {
  const spec = SCHEDULES[name];
  const out = { name };
  for (const f of spec.fields) {
    if (f.initial !== undefined) out[f.key] = structuredClone(f.initial);
  }
  if (spec.children) out.schedulers = [newSchedule('LinearLR'), newSchedule('CosineAnnealingLR')];
  if (name === 'SequentialLR') { out.schedulers[0].start_factor = 0.1; out.schedulers[0].total_iters = 50; }
  if ((name === 'OneCycleLR' || name === 'CyclicLR') && optimizer && !hasMomentum(optimizer)) out.cycle_momentum = false;
  return out;
}

/** The effective value of a field: the config's own value, else torch's default, else the page's starting value. */
export function fieldValue(obj, f) {
  if (obj && Object.prototype.hasOwnProperty.call(obj, f.key)) return obj[f.key];
  return f.default !== undefined ? f.default : f.initial;
}

/** Short human-readable number: 4 significant digits, exponent form for tiny/huge values. */
export function fmt(x) {
  if (typeof x === 'string') return x; // "inf", "nan"
  if (x === null || x === undefined) return '—';
  if (!Number.isFinite(x)) return String(x);
  if (x === 0) return '0';
  const a = Math.abs(x);
  if (a >= 1e-3 && a < 1e5) return String(Number(x.toPrecision(4)));
  return x.toExponential(3).replace(/\.?0+e/, 'e');
}

export const DEFAULT_PRESET = 'bowl';
