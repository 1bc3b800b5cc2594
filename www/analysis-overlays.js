// The analyses drawn over the landscape (issue #12) and what a click on the landscape does while
// they are chosen. Rust draws both pictures (src/chart/analysis_overlay.rs) from the worker's
// numbers, handed over as typed arrays: the critical points marked by kind, and the basins of
// attraction tinted over their grid's view box, cell by cell as the workers fill it in. While the
// critical points are shown (or searched), a click on the landscape classifies that point (the
// `classify` analysis, in a worker); while a basins picture is shown, a click on a cell adds a
// run from that cell's start (the start the grid ran from, `basin_cell_start`). A press on the
// selected run's start marker still grabs the marker, so the start can be dragged as before; a
// finger acts on a tap (a click), so that swipes still scroll and a long press still picks up the
// start. With no such view shown, the landscape's clicks move the start as before.
//
// Host contract (the card's ctx): pg(), draft(), selected(), addRun(run), landscapeCanvas(),
// redrawLandscape().

import { call } from './wasm.js';
import { OVERLAY_CODES } from './catalog.js';

// A press this close (CSS pixels) to the selected run's start marker grabs the marker.
const MARKER_REACH_PX = 12;

export class AnalysisOverlays {
  #ctx;
  #shown; // () => the analysis the card shows or runs, or null
  #onClassify; // (point) => the card classifies it
  #basins = null; // the basins result drawn (for a click on a cell)
  #shownOn = null; // the Playground holding an overlay, if one is shown
  #wired = null; // the canvas the click listeners are on
  #pointer = 'mouse'; // the type of the last pointer pressed on the canvas

  constructor(ctx, { shown, onClassify }) {
    this.#ctx = ctx;
    this.#shown = shown;
    this.#onClassify = onClassify;
  }

  /** Draws the result (partial or final) of analysis `kind` over the landscape. */
  show(kind, report) {
    const pg = this.#ctx.pg();
    if (!pg) return;
    this.#wire();
    if (kind === 'critical_points' && report.critical_points) {
      // Each kind goes by its code in the core's list (an unknown one past its end: degenerate).
      const code = (kind) => { const i = OVERLAY_CODES.point_kinds.indexOf(kind); return i < 0 ? OVERLAY_CODES.point_kinds.length : i; };
      const points = report.critical_points.flatMap((p) => [p.x[0], p.x[1], code(p.kind)]);
      pg.show_critical_points(new Float64Array(points));
    } else if (kind === 'basins' && report.basins) {
      const b = report.basins;
      const grid = new Uint16Array(b.side * b.side).fill(OVERLAY_CODES.pending_cell);
      grid.set(b.grid.slice(0, grid.length));
      pg.show_basins(b.side, new Float64Array([b.view.x[0], b.view.x[1], b.view.y[0], b.view.y[1]]), grid);
      this.#basins = b;
    } else {
      return;
    }
    this.#shownOn = pg;
    this.#ctx.redrawLandscape();
  }

  /**
   * Removes every overlay (another analysis, or another experiment). Without one shown there is
   * nothing to remove, and the landscape is not drawn again (at start-up and on every load the
   * views are drawn just after).
   */
  clear() {
    const pg = this.#ctx.pg();
    this.#basins = null;
    if (!pg || !this.#shownOn) return;
    if (this.#shownOn !== pg) {
      // Shown on an engine since renewed: the new Playground has none to remove.
      this.#shownOn = null;
      return;
    }
    this.#shownOn = null;
    pg.show_critical_points(new Float64Array(0));
    pg.show_basins(0, new Float64Array(0), new Uint16Array(0));
    this.#ctx.redrawLandscape();
  }

  /**
   * The landscape's click listeners: a mouse or pen press acts before the landscape's own
   * listener (capture phase), which would move the start; a finger acts on its tap.
   */
  #wire() {
    const canvas = this.#ctx.landscapeCanvas();
    if (!canvas || this.#wired === canvas) return;
    this.#wired = canvas;
    canvas.addEventListener('pointerdown', (e) => {
      this.#pointer = e.pointerType;
      if (e.pointerType === 'touch' || e.button !== 0 || !this.#act(e)) return;
      e.stopImmediatePropagation();
      e.preventDefault();
    }, { capture: true });
    canvas.addEventListener('click', (e) => {
      if (this.#pointer === 'touch') this.#act(e);
    });
  }

  /** Classifies the point or adds a run from the cell under `e`, when a view asks for it;
   * true when it did. */
  #act(e) {
    if (!this.#ctx.pg()) return false;
    const shown = this.#shown();
    const classifying = shown === 'critical_points' || shown === 'classify';
    const adding = shown === 'basins' && this.#basins !== null;
    if (!(classifying || adding) || this.#onStartMarker(e)) return false;
    const p = this.#pointAt(e);
    if (!p) return false;
    if (classifying) this.#onClassify(p);
    else this.#addRunAt(p);
    return true;
  }

  /** The landscape point under a pointer event, or null. */
  #pointAt(e) {
    const canvas = this.#ctx.landscapeCanvas();
    const rect = canvas.getBoundingClientRect();
    const px = ((e.clientX - rect.left) / rect.width) * canvas.width;
    const py = ((e.clientY - rect.top) / rect.height) * canvas.height;
    const p = this.#ctx.pg().canvas_to_params(canvas.width, canvas.height, px, py);
    return p.length === 2 ? [p[0], p[1]] : null;
  }

  /** Is the press on the selected run's start marker? */
  #onStartMarker(e) {
    const run = this.#ctx.draft().runs[this.#ctx.selected()];
    if (!run || !Array.isArray(run.x0)) return false;
    const canvas = this.#ctx.landscapeCanvas();
    const rect = canvas.getBoundingClientRect();
    const at = this.#ctx.pg().params_to_canvas(rect.width, rect.height, run.x0[0], run.x0[1]);
    return at.length === 2 && Math.hypot(at[0] - (e.clientX - rect.left), at[1] - (e.clientY - rect.top)) <= MARKER_REACH_PX;
  }

  /** Adds a run of the basins' optimizer from the start of the cell under `p`. */
  #addRunAt(p) {
    const b = this.#basins;
    const i = Math.floor(((p[0] - b.view.x[0]) / (b.view.x[1] - b.view.x[0])) * b.side);
    const j = Math.floor(((b.view.y[1] - p[1]) / (b.view.y[1] - b.view.y[0])) * b.side);
    if (!(i >= 0 && i < b.side && j >= 0 && j < b.side)) return;
    const start = call((w) => w.basin_cell_start(b.side, new Float64Array([b.view.x[0], b.view.x[1], b.view.y[0], b.view.y[1]]), j * b.side + i));
    const section = this.#ctx.draft().analysis?.basins;
    const source = this.#ctx.draft().runs[section?.run ?? 0];
    if (!source || start.length !== 2) return;
    const x0 = [start[0], start[1]];
    const label = `from (${x0.map((v) => Number(v.toPrecision(4))).join(', ')})`;
    this.#ctx.addRun({ label, x0, optimizer: source.optimizer, schedule: source.schedule });
  }
}
