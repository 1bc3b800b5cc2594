// The wasm benchmark page: runs the suite of src/bench.rs (as `converge bench --json` does
// natively) and one frame of the page's busiest case, and prints the results as JSON.
import init, { run_bench_suite, Playground } from './pkg/convergence.js';

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

await init();
const out = run_bench_suite();
out.benchmarks.push(frameBenchmark());
document.getElementById('results').textContent = JSON.stringify(out);
