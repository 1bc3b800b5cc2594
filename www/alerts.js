// The widget's alerts (the elements skeleton.js builds, filled by its fillAlert): the problems of
// its attributes (each line names the attribute and its value; later problems are added to
// those shown), the load alert (an experiment that could not start or load, an engine trap), and
// the controls' "Not applied — please fix" list, whose lines mark the controls they name
// aria-invalid (markInvalid).

import { fillAlert, markInvalid } from './skeleton.js';

export class Alerts {
  #root;
  #$;

  /** `root`: the shadow root holding the controls; `$`: the skeleton's elements. */
  constructor(root, $) {
    this.#root = root;
    this.#$ = $;
  }

  /** Problems with the element's attributes: each names the attribute and its value. */
  attributes(lines) {
    const el = this.#$.attrAlert;
    const shown = el.hidden ? [] : [...el.querySelectorAll('li')].map((li) => li.textContent);
    fillAlert(el, 'Some attributes of this widget have problems; it uses its defaults for them:', [...shown, ...lines], true);
  }

  /** The attribute alert listing exactly `lines` (hidden when there are none). */
  attributesNow(lines) {
    const el = this.#$.attrAlert;
    if (lines.length) fillAlert(el, 'Some attributes of this widget have problems; it uses its defaults for them:', lines, true);
    else el.hidden = true;
  }

  /** An experiment that could not start or load, or the engine's trouble: `title` and its lines. */
  load(title, lines) {
    fillAlert(this.#$.loadAlert, title, lines, true);
  }

  hideLoad() {
    this.#$.loadAlert.hidden = true;
  }

  /** A draft the core refused: every problem (one per line), the controls they name marked. */
  configErrors(text) {
    const lines = String(text).split('\n').filter(Boolean);
    fillAlert(this.#$.configAlert || this.#$.loadAlert, 'Not applied — please fix:', lines, false);
    markInvalid(this.#root, lines);
  }

  clearConfigErrors() {
    if (this.#$.configAlert) this.#$.configAlert.hidden = true;
    markInvalid(this.#root, []);
  }
}
