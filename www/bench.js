// The wasm benchmark page: runs the suite of src/bench.rs (as `converge bench --json` does
// natively) and one frame of the page's busiest case, and prints the results as JSON. Then the
// basins benchmark (issue #12): 256 x 256 starts x 1,000 steps of Adam on Himmelblau, as starts x
// steps per second, by the analysis wasm on this thread (`basins_himmelblau_256`, src/bench.rs),
// by the page's analysis workers (lab.js) with one worker and with one per core, and by a plain
// JavaScript loop doing the same arithmetic (basins-js-loop.js), side by side with their ratios.
import init, { run_bench_suite, Playground } from './pkg/convergence.js';
import initLab, { run_basins_bench, basins_bench_config } from './pkg-lab/convergence.js';
import { analyse, defaultWorkers } from './lab.js';
import { adamHimmelblauLoop } from './basins-js-loop.js';

// One frame of the page's busiest case: eight runs on Rosenbrock with 100,000-step
// histories, stepped and redrawn (cached heatmap, paths and four charts).
function frameBenchmark() {
  const config = {
    problem: { name: 'rosenbrock' },
    runs: ['SGD', 'Adam', 'AdamW', 'NAdam', 'RMSprop', 'Adagrad', 'Adamax', 'RAdam'].map((name, i) => ({
      label: name.toLowerCase(), x0: [-1.5 + 0.1 * i, 2.0], optimizer: { name, lr: name === 'SGD' ? 0.001 : 0.01 },
    })),
    stop: { max_steps: 100000000, loss_plateau: null, param_change: null, grad_norm: null },
  };
  const pg = new Playground(JSON.stringify(config));
  pg.step(100000);
  const canvases = [420, 420, 380, 220, 380, 220, 380, 220, 380, 220].reduce((acc, v, i, all) => {
    if (i % 2 === 0) { const c = document.createElement('canvas'); c.width = v; c.height = all[i + 1]; acc.push(c); }
    return acc;
  }, []);
  const frame = () => {
    pg.step(1000);
    pg.draw_landscape(canvases[0]);
    pg.draw_chart(canvases[1], 'loss', '{"log_y":true}');
    pg.draw_chart(canvases[2], 'lr', '{}');
    pg.draw_chart(canvases[3], 'grad_norm', '{"log_y":true}');
    pg.draw_chart(canvases[4], 'delta_norm', '{"log_y":true}');
  };
  frame();
  const frames = 30;
  const start = performance.now();
  for (let i = 0; i < frames; i++) frame();
  const ms = (performance.now() - start) / frames;
  return { name: 'eight_runs_frame_with_redraw_ms', steps_per_s: 8000 / (ms / 1000), frame_ms: ms };
}

/** Starts x steps per second of the basins grid in the page's workers (`workers` of them). */
async function basinsInWorkers(config, workers) {
  const start = performance.now();
  const report = await analyse({ config, kind: 'basins', workers });
  const seconds = (performance.now() - start) / 1000;
  return { per_s: report.basins.steps / seconds, report };
}

/** The basins benchmark, every way, with the ratios to the JavaScript loop. */
async function basinsBenchmarks() {
  await initLab();
  const thread = run_basins_bench();
  const config = basins_bench_config();
  const cores = defaultWorkers();
  const one = await basinsInWorkers(config, 1);
  const many = await basinsInWorkers(config, cores);
  const { side, view } = one.report.basins;
  const experiment = JSON.parse(config);
  const js = adamHimmelblauLoop({ side, view, experiment });
  // The loop and the wasm must agree on where the starts went, or the comparison means nothing.
  const agree = js.diverged === one.report.basins.outcomes[0].count && JSON.stringify(one.report) === JSON.stringify(many.report);
  const row = (name, per_s, extra = {}) => ({ name, steps_per_s: per_s, unit: 'steps', ratio_to_js_loop: per_s / js.per_s, ...extra });
  return [
    row(thread.name, thread.steps_per_s),
    row('basins_himmelblau_256_js_loop', js.per_s),
    row('basins_himmelblau_256_workers_1', one.per_s, { workers: 1 }),
    row(`basins_himmelblau_256_workers_${cores}`, many.per_s, { workers: cores, results_agree: agree }),
  ];
}

await init();
const out = run_bench_suite();
out.benchmarks.push(frameBenchmark());
out.benchmarks.push(...await basinsBenchmarks());
document.getElementById('results').textContent = JSON.stringify(out);
