// The experiment a widget starts with, and the page's link. At start-up the experiment comes
// from the first of: the page's URL hash (widgets that sync with the URL), a config given to
// el.load() before the element was connected, the `config` attribute, the default preset; a
// source with problems is reported in the load alert and the next one is taken. Afterwards the
// hash is written after every change (readably, through the Rust codec of urlstate.js) and
// followed when the visitor edits it.
//
// Host contract: enabled() (this widget syncs with the URL), validate(json) ("" or every
// problem), alert(title, lines), hideAlert(), config() and view() (what to write), holding()
// (a drag or slide in progress: write once it ends), running() (an experiment is loaded),
// load(json, view) (apply a validated config from the link; may throw).

import { toHash, fromHash } from './urlstate.js';

const message = (e) => String(e && e.message ? e.message : e);

export class PageLink {
  #host;
  #lastHash = null;

  constructor(host) {
    this.#host = host;
  }

  /**
   * The experiment to start with: {json, view, fromDefault}. `pending` is a config given to
   * load() before connection, `attribute` the config attribute (null when absent), `fallback`
   * the default preset's config JSON.
   */
  initial(pending, attribute, fallback) {
    const host = this.#host;
    if (host.enabled() && location.hash && location.hash !== '#') {
      try {
        const parsed = fromHash(location.hash);
        if (parsed) {
          const msg = host.validate(parsed.config);
          if (!msg) return { json: parsed.config, view: parsed.view, fromDefault: false };
          host.alert('The experiment in this link has problems, so the default experiment is shown instead:', msg.split('\n'));
        }
      } catch (e) {
        host.alert('The experiment in this link could not be read, so the default experiment is shown instead:', [message(e)]);
      }
    }
    if (pending !== null) return { json: pending, view: null, fromDefault: false };
    if (attribute !== null) {
      const msg = host.validate(attribute);
      if (!msg) return { json: attribute, view: null, fromDefault: false };
      host.alert('The config attribute has problems, so the default experiment is shown instead:', msg.split('\n'));
    }
    return { json: fallback, view: null, fromDefault: true };
  }

  /** Writes the running experiment into the hash (once a drag or slide has ended). */
  write() {
    const host = this.#host;
    // Browsers throttle history updates that come at frame rate: while a start point is
    // dragged the hash is written once, on release.
    if (!host.enabled() || !host.config() || host.holding()) return;
    const hash = toHash(host.config(), host.view());
    this.#lastHash = hash;
    if (location.hash !== hash) history.replaceState(null, '', hash);
  }

  /** Follows a hash the visitor edited (listen to `hashchange` with it). */
  onHashChange = () => {
    const host = this.#host;
    if (!host.running() || location.hash === this.#lastHash) return;
    try {
      const parsed = fromHash(location.hash);
      if (!parsed) return;
      const msg = host.validate(parsed.config);
      if (msg) {
        host.alert('The experiment in this link has problems; the current one was kept:', msg.split('\n'));
        return;
      }
      host.hideAlert();
      host.load(parsed.config, parsed.view);
    } catch (e) {
      host.alert('The experiment in this link could not be read; the current one was kept:', [message(e)]);
    }
  };
}
