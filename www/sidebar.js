// The settings sidebar (full mode): the problem editor (a landscape or a model on data; the
// problem of each kind is kept while the other is shown), the selected run's editor and title,
// the stopping criteria, all built by controls.js on the draft; their re-rendering after an edit
// once focus has settled, focus restored by data-path; the fields that watch every applied
// change (ctx.watch); and the slider rest that delays writing the link while a slider moves.
// The runs list between them is runs.js.
//
// Host contract (the widget's ctx): draft(), selected(), apply(kind) -> bool, render(part),
// writeHash(), plus remapStarts(draft, problem) (landscape.js) given to the constructor.

import { h, replace } from './dom.js';
import { STARTS, newModelProblem, newProblem } from './catalog.js';
import { colorOf } from './context.js';
import { problemEditor, runEditor, stopEditor } from './controls.js';
import { clone } from './util.js';

const SLIDE_REST_MS = 300;

export class Sidebar {
  #ctx;
  #$;
  #root;
  #remapStarts;
  #watchers = [];
  #savedProblems = {};
  /** The landscape's start points by run label, while the problem is a model. */
  #savedStarts = new Map();
  /** The model's early stopping rule, while the problem is a landscape. */
  #savedEarlyStopping = null;
  #slideUntil = 0;
  #slideTimer = 0;

  /** `$`: the skeleton's problemPanel, runPanel, runPanelTitle and stopPanel (full mode). */
  constructor(ctx, $, root, remapStarts) {
    this.#ctx = ctx;
    this.#$ = $;
    this.#root = root;
    this.#remapStarts = remapStarts;
  }

  /** Is a slider moving (the link is written once it rests)? */
  get sliding() {
    return performance.now() < this.#slideUntil;
  }

  /**
   * A slider is being dragged: the experiment follows every frame, but the address is written
   * once the slider rests (browsers throttle history updates that come at frame rate).
   */
  slide() {
    this.#slideUntil = performance.now() + SLIDE_REST_MS;
    clearTimeout(this.#slideTimer);
    this.#slideTimer = setTimeout(() => { this.#slideUntil = 0; this.#ctx.writeHash(); }, SLIDE_REST_MS + 10);
  }

  watch(fn) {
    this.#watchers.push(fn);
  }

  /** An edit was applied: every watching field refreshes. */
  notify() {
    for (const watch of this.#watchers) watch();
  }

  /** Every panel (the controls of a new experiment). */
  render() {
    const $ = this.#$;
    if (!$.problemPanel) return;
    this.#watchers = [];
    replace($.problemPanel, problemEditor(this.#ctx.draft(), this.#ctx));
    this.#ctx.render('runs-list');
    this.renderRun();
    this.renderStop();
  }

  renderStop() {
    if (!this.#$.stopPanel) return;
    replace(this.#$.stopPanel, stopEditor(this.#ctx.draft(), this.#ctx));
  }

  /** The selected run's editor and its title. */
  renderRun() {
    const $ = this.#$;
    if (!$.runPanel) return;
    const draft = this.#ctx.draft();
    const selected = this.#ctx.selected();
    const run = draft.runs[selected];
    replace($.runPanelTitle, 'Run ', h('span', { class: 'swatch', style: { background: colorOf(draft, selected) } }), h('span', { class: 'run-title' }, run ? run.label : ''));
    replace($.runPanel, run ? runEditor(draft, selected, this.#ctx) : null);
  }

  /** Re-renders after the current event (so focus has settled), restoring focus by data-path. */
  defer(what) {
    requestAnimationFrame(() => {
      const root = this.#root;
      const active = root.activeElement;
      const path = active && active.dataset ? active.dataset.path : null;
      if (what === 'all') this.render();
      else if (what === 'run') { this.renderRun(); this.renderStop(); this.#ctx.render('runs-list'); }
      else this.#ctx.render('runs-list');
      if (path) {
        const again = root.querySelector(`[data-path="${CSS.escape(path)}"]`);
        if (again && again !== active) again.focus();
      }
    });
  }

  /**
   * "Loss landscape" or "Model on data" chosen in the problem panel. What only one kind has is
   * kept for when that kind comes back: the landscape's start points (by run label) and the
   * model's early stopping rule.
   */
  changeKind(kind) {
    const draft = this.#ctx.draft();
    const wasModel = draft.problem && draft.problem.name === 'model';
    this.#savedProblems[wasModel ? 'model' : 'landscape'] = clone(draft.problem);
    if (kind === 'model') {
      this.#savedStarts = new Map(draft.runs.filter((run) => run.x0).map((run) => [run.label, clone(run.x0)]));
      draft.problem = this.#savedProblems.model || newModelProblem();
      for (const run of draft.runs) delete run.x0;
      if (this.#savedEarlyStopping) draft.stop = { ...draft.stop, early_stopping: clone(this.#savedEarlyStopping) };
    } else {
      draft.problem = this.#savedProblems.landscape || newProblem(STARTS.landscape.name);
      for (const run of draft.runs) {
        if (this.#savedStarts.has(run.label)) run.x0 = clone(this.#savedStarts.get(run.label));
      }
      this.#savedEarlyStopping = draft.stop && draft.stop.early_stopping ? clone(draft.stop.early_stopping) : null;
      if (draft.stop) delete draft.stop.early_stopping;
    }
    this.#ctx.apply('structure');
    this.defer('all');
  }

  /**
   * Another landscape chosen in the problem panel: the start points keep their places, and a
   * typed function is kept for when its landscape is chosen again.
   */
  changeProblem(name) {
    const draft = this.#ctx.draft();
    if (draft.problem && draft.problem.name === 'custom') this.#savedProblems.custom = clone(draft.problem);
    const problem = name === 'custom' && this.#savedProblems.custom ? clone(this.#savedProblems.custom) : newProblem(name);
    this.#remapStarts(draft, problem);
    this.#ctx.apply('structure');
    this.defer('all');
  }
}
