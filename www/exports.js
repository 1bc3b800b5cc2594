// The Export menu: downloads of the experiment as it stands. The per-step trace as CSV or JSON
// (Rust writes it, the rows of `converge run --trace`: Playground::trace), the config as JSON
// (what el.getConfig() returns), and one figure (the landscape or model view, or a chart) as PNG
// (the canvas's own pixels, canvas.toBlob) or SVG (the same Rust drawing code through plotters'
// SVG backend, Playground::figure_svg, the text `converge plot` writes for the same size). File
// names say what they hold: the preset's id (or the problem's name), then the figure or "trace".
// Hidden while the widget has the `locked` attribute.
//
// Host contract (the widget's ctx): pg(), config(), isModel(), selected(), viewStep(); and from
// the widget: canvasOf(name), chartOptions(kind), locked(), baseName().

import { h, replace } from './dom.js';

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

export class ExportMenu {
  #ctx;
  #host;
  #figure;
  #note;
  /** The menu (a details element), hidden while the widget is locked. */
  element;

  constructor(ctx, host) {
    this.#ctx = ctx;
    this.#host = host;
    this.#figure = h('select', { class: 'export-figure', 'aria-label': 'Figure to export' });
    this.#note = h('p', { class: 'export-note', role: 'status' });
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
        h('div', { class: 'export-row', role: 'group', 'aria-label': 'Figure' },
          h('label', { class: 'export-label' }, 'Figure ', this.#figure),
          button('PNG', 'The figure as drawn on the page, at its pixel size', () => this.#png()),
          button('SVG', 'The figure drawn as SVG by the same code, titled', () => this.#svg())),
        this.#note));
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
    const text = this.#ctx.pg().trace(format);
    const type = format === 'csv' ? 'text/csv' : 'application/json';
    this.#download(new Blob([text], { type }), `${this.#host.baseName()}-trace.${format}`);
  }

  #configJson() {
    const text = `${JSON.stringify(JSON.parse(this.#ctx.pg().config_json()), null, 2)}\n`;
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
