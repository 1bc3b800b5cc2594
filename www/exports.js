// The Export menu: downloads of the experiment as it stands. The per-step trace as CSV or JSON
// (the rows of `converge run --trace`, written by the analysis worker, lab.js, which replays the
// runs to where they stand, so a long model run never blocks the page; Cancel stops it), a
// "Reproduce in PyTorch" script for the selected run or one per run (`converge pytorch`'s text,
// also written in the worker: the script writer lives in the analysis wasm), the config as JSON
// (what el.getConfig() returns), and one figure (the landscape or model view, or a chart) as PNG
// (the canvas's own pixels, canvas.toBlob) or SVG (the same Rust drawing code through plotters'
// SVG backend, Playground::figure_svg, the text `converge plot` writes for the same size). File
// names say what they hold: the preset's id (or the problem's name), then the figure or "trace".
// Hidden while the widget has the `locked` attribute.
//
// Host contract (the widget's ctx): pg(), selected(), viewStep(); and from
// the widget: canvasOf(name), chartOptions(kind), locked(), baseName(), configJson() (the running
// experiment with every default and the page's analysis and search sections, as getConfig()).

import { h, replace } from './dom.js';
import { pytorchScript, traceBytes } from './lab.js';

const FIGURE_TITLES = {
  landscape: 'Landscape',
  model: 'Model view',
  train_val: 'Training vs validation loss',
  accuracy: 'Accuracy',
  loss: 'Loss',
  lr: 'Learning rate',
  grad_norm: 'Gradient norm',
  delta_norm: 'Step size',
};

/** A name safe in a file name: lower case letters, digits and dashes. */
export function fileSlug(text) {
  const slug = String(text).toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '');
  return slug || 'experiment';
}

// What a PyTorch script covers, in the words of the button's title and of the note after it.
const PYTORCH_TITLE = 'A runnable Python script (torch in float64, torch.optim, torch.optim.lr_scheduler) that replays the run: '
  + 'the problem (for a model: its data, initial weights, loss and penalty, batch order and dropout masks), '
  + 'the optimizer with every hyperparameter, the schedule and the stopping rule';
const PYTORCH_SAYS = 'replays its run with torch in float64 (torch.optim, torch.optim.lr_scheduler, the playground\'s stopping rule) '
  + 'and prints where it ended as JSON, as converge run does.';

export class ExportMenu {
  #ctx;
  #host;
  #figure;
  #note;
  #cancel;
  #working = null; // the AbortController of the trace or scripts being written, or null
  /** The menu (a details element), hidden while the widget is locked. */
  element;

  constructor(ctx, host) {
    this.#ctx = ctx;
    this.#host = host;
    this.#figure = h('select', { class: 'export-figure', 'aria-label': 'Figure to export' });
    this.#note = h('p', { class: 'export-note', role: 'status' });
    this.#cancel = h('button', { type: 'button', class: 'small', hidden: true, onclick: () => this.#working?.abort() }, 'Cancel');
    const button = (text, title, action) => h('button', { type: 'button', class: 'small', title, onclick: () => this.#run(action) }, text);
    this.element = h('details', { class: 'export-menu' },
      h('summary', null, 'Export'),
      h('div', { class: 'export-panel' },
        h('div', { class: 'export-row', role: 'group', 'aria-label': 'Data' },
          h('span', { class: 'export-label' }, 'Trace'),
          button('CSV', 'Every step of every run so far, as converge run --trace csv writes it', () => this.#trace('csv')),
          button('JSON', 'Every step of every run so far, as JSON', () => this.#trace('json')),
          h('span', { class: 'export-label' }, 'Config'),
          button('JSON', 'The experiment, every default filled in', () => this.#configJson())),
        h('div', { class: 'export-row', role: 'group', 'aria-label': 'Reproduce in PyTorch' },
          h('span', { class: 'export-label' }, 'Reproduce in PyTorch'),
          button('Selected run', PYTORCH_TITLE, () => this.#pytorch(false)),
          button('All runs', `${PYTORCH_TITLE}; one file per run`, () => this.#pytorch(true))),
        h('div', { class: 'export-row', role: 'group', 'aria-label': 'Figure' },
          h('label', { class: 'export-label' }, 'Figure ', this.#figure),
          button('PNG', 'The figure as drawn on the page, at its pixel size', () => this.#png()),
          button('SVG', 'The figure drawn as SVG by the same code, titled', () => this.#svg())),
        h('div', { class: 'export-row' }, this.#note, this.#cancel)));
    this.element.addEventListener('toggle', () => {
      if (this.element.open) this.refresh();
    });
  }

  /** Shows or hides the menu (locked widgets have none) and lists this experiment's figures. */
  refresh() {
    const locked = this.#host.locked();
    this.element.hidden = locked;
    if (locked) {
      this.element.open = false;
      return;
    }
    const pg = this.#ctx.pg();
    if (!pg) return;
    const names = pg.figure_names();
    const current = this.#figure.value;
    replace(this.#figure, names.map((name) => h('option', { value: name }, FIGURE_TITLES[name] || name)));
    if (names.includes(current)) this.#figure.value = current;
  }

  #run(action) {
    this.#note.textContent = '';
    if (this.#host.locked() || !this.#ctx.pg()) return;
    try {
      action();
    } catch (e) {
      this.#note.textContent = `Not exported: ${e && e.message ? e.message : e}`;
    }
  }

  #trace(format) {
    const pg = this.#ctx.pg();
    // Where each run stands: a running run is replayed to the updates it has taken, an ended one
    // to its end (Rust's trace_until).
    const runs = pg.snapshot().runs;
    const request = {
      config: pg.config_json(),
      format,
      steps: runs.map((r) => r.step),
      running: runs.map((r) => r.status.state === 'running'),
    };
    const file = `${this.#host.baseName()}-trace.${format}`;
    const type = format === 'csv' ? 'text/csv' : 'application/json';
    this.#inWorker(`Writing ${file} in the background…`, async (signal) => {
      const bytes = await traceBytes({ ...request, signal });
      this.#download(new Blob([bytes], { type }), file);
    });
  }

  /** The PyTorch script of the selected run, or one per run; runs torch cannot reproduce are named. */
  #pytorch(all) {
    const config = this.#ctx.pg().config_json();
    const labels = JSON.parse(config).runs.map((r) => r.label);
    const chosen = all ? labels.map((_, i) => i) : [Math.min(this.#ctx.selected(), labels.length - 1)];
    const base = this.#host.baseName();
    this.#inWorker('Writing the PyTorch script in the background…', async (signal) => {
      const written = [];
      const refused = [];
      for (const i of chosen) {
        try {
          const text = await pytorchScript({ config, run: i, signal });
          const file = `${base}-${fileSlug(labels[i])}.py`;
          this.#download(new Blob([text], { type: 'text/x-python' }), file);
          written.push(file);
        } catch (e) {
          if (e && e.name === 'AbortError') throw e;
          refused.push(`run "${labels[i]}": ${e && e.message ? e.message : e}`);
        }
      }
      const parts = [];
      if (written.length > 0) parts.push(`Downloading ${written.join(', ')}: ${written.length === 1 ? 'it' : 'each'} ${PYTORCH_SAYS}`);
      if (refused.length > 0) parts.push(`Not reproducible in PyTorch: ${refused.join('; ')}.`);
      this.#note.textContent = parts.join(' ');
    });
  }

  /** Runs `work(signal)` in the analysis worker with a note and Cancel; one at a time. */
  async #inWorker(note, work) {
    this.#working?.abort();
    const controller = new AbortController();
    this.#working = controller;
    this.#note.textContent = note;
    this.#cancel.hidden = false;
    try {
      await work(controller.signal);
    } catch (e) {
      if (this.#working !== controller) return;
      this.#note.textContent = e && e.name === 'AbortError'
        ? 'Cancelled: nothing was exported.'
        : `Not exported: ${e && e.message ? e.message : e}`;
    } finally {
      if (this.#working === controller) {
        this.#working = null;
        this.#cancel.hidden = true;
      }
    }
  }

  #configJson() {
    const text = `${JSON.stringify(JSON.parse(this.#host.configJson()), null, 2)}\n`;
    this.#download(new Blob([text], { type: 'application/json' }), `${this.#host.baseName()}-config.json`);
  }

  #png() {
    const name = this.#figure.value;
    const canvas = this.#host.canvasOf(name);
    if (!canvas || canvas.width === 0 || canvas.closest('[hidden]')) {
      throw new Error(`the ${FIGURE_TITLES[name] || name} is not shown on the page, so it has no pixels to save`);
    }
    const file = `${this.#host.baseName()}-${name}.png`;
    canvas.toBlob((blob) => {
      if (blob) this.#download(blob, file);
      else this.#note.textContent = 'Not exported: the browser could not encode the canvas as PNG.';
    }, 'image/png');
  }

  #svg() {
    const name = this.#figure.value;
    const canvas = this.#host.canvasOf(name);
    const ratio = window.devicePixelRatio || 1;
    // The size the figure has on the page, in CSS pixels (a hidden one: its backing store's).
    const width = Math.round((canvas && canvas.clientWidth) || (canvas ? canvas.width / ratio : 0)) || 400;
    const height = Math.round((canvas && canvas.clientHeight) || (canvas ? canvas.height / ratio : 0)) || 200;
    const options = { ...this.#host.chartOptions(name), view_step: this.#ctx.viewStep(), run: this.#ctx.selected() };
    const text = this.#ctx.pg().figure_svg(name, width, height, JSON.stringify(options));
    this.#download(new Blob([text], { type: 'image/svg+xml' }), `${this.#host.baseName()}-${name}.svg`);
  }

  #download(blob, fileName) {
    const url = URL.createObjectURL(blob);
    const link = h('a', { href: url, download: fileName, hidden: true });
    this.element.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 60000);
    this.#note.textContent = `Downloading ${fileName}.`;
  }
}
