// The plain JavaScript loop that the basins benchmark of bench.html compares the analysis wasm
// with: Adam on Himmelblau from every cell centre of a side x side grid over the view, for the
// experiment's max_steps updates, doing the arithmetic of the Rust kernel
// (src/analysis/basin_lanes.rs) in the same order: Himmelblau's value and gradient, the gradient
// norm, the divergence checks of the stopping rule (non-finite loss or gradient, the loss past
// the divergence factor times max(|f0|, 1), non-finite parameters), torch's Adam update
// (m = lerp(m, g, 1 - b1), v = b2 v + (1 - b2) g g, p += -(lr / (1 - b1^t)) m / (sqrt(v) /
// sqrt(1 - b2^t) + eps)) and the size of each update. Like the kernel it computes each step's
// constants once for every start. It is a yardstick, not part of the page.

const POWER_FLUSH = 1e-30;

/**
 * Runs the loop; returns {per_s: starts x updates per second, steps, diverged}. `experiment` is
 * the benchmark's config (Adam's lr and betas, max_steps, the divergence factor).
 */
export function adamHimmelblauLoop({ side, view, experiment }) {
  const opt = experiment.runs[0].optimizer;
  const [b1, b2] = opt.betas;
  const { lr, eps } = opt;
  const maxSteps = experiment.stop.max_steps;
  const factor = experiment.stop.divergence.factor;
  // Each step's constants, as BetaPowers::advance and AdamStep::new compute them.
  const stepSize = new Float64Array(maxSteps);
  const bc2Sqrt = new Float64Array(maxSteps);
  let p1 = 1;
  let p2 = 1;
  for (let t = 0; t < maxSteps; t++) {
    p1 *= b1;
    if (p1 < POWER_FLUSH) p1 = 0;
    p2 *= b2;
    if (p2 < POWER_FLUSH) p2 = 0;
    stepSize[t] = lr / (1 - p1);
    bc2Sqrt[t] = Math.sqrt(1 - p2);
  }
  const w1 = 1 - b1;
  const c2 = 1 - b2;
  const [x0, x1] = view.x;
  const [y0, y1] = view.y;
  let steps = 0;
  let diverged = 0;
  const start = performance.now();
  for (let k = 0; k < side * side; k++) {
    const i = k % side;
    const j = Math.floor(k / side);
    let x = x0 + ((i + 0.5) / side) * (x1 - x0);
    let y = y1 - ((j + 0.5) / side) * (y1 - y0);
    let mx = 0;
    let my = 0;
    let vx = 0;
    let vy = 0;
    let bound = 0;
    let t = 0;
    for (;; t++) {
      const u = x * x + y - 11;
      const v = x + y * y - 7;
      const f = u * u + v * v;
      const gx = 4 * x * u + 2 * v;
      const gy = 2 * u + 4 * y * v;
      const gn = Math.sqrt(gx * gx + gy * gy);
      if (!Number.isFinite(f) || !Number.isFinite(gn)) { diverged++; break; }
      if (t === 0) bound = factor * Math.max(Math.abs(f), 1);
      if (f > bound || f < -bound) { diverged++; break; }
      if (t >= maxSteps) break;
      // lerp with weight 1 - b1 < 0.5: m + w (g - m).
      mx += w1 * (gx - mx);
      my += w1 * (gy - my);
      vx = vx * b2 + c2 * gx * gx;
      vy = vy * b2 + c2 * gy * gy;
      const nx = x + (-stepSize[t] * mx) / (Math.sqrt(vx) / bc2Sqrt[t] + eps);
      const ny = y + (-stepSize[t] * my) / (Math.sqrt(vy) / bc2Sqrt[t] + eps);
      const dx = nx - x;
      const dy = ny - y;
      const dn = Math.sqrt(dx * dx + dy * dy);
      x = nx;
      y = ny;
      if (!Number.isFinite(x) || !Number.isFinite(y) || !Number.isFinite(dn)) { diverged++; t++; break; }
    }
    steps += t;
  }
  const seconds = (performance.now() - start) / 1000;
  return { per_s: steps / seconds, steps, diverged };
}
