// The page's link, for a widget with the `url` attribute: at start-up the experiment in the
// page's hash (sources.js takes it first), afterwards the hash written after every change
// (readably, through the Rust codec of urlstate.js) and followed when the visitor edits it.
// A link whose experiment has problems stays in the address bar until the visitor changes
// something (writeAtStart), so that a typo can be mended in place and nothing is lost.
// A widget without `url` never reads or writes the hash; its Copy link gives the playground
// page's address with the experiment's hash (shareable).
//
// Host contract: enabled() (this widget syncs with the URL), validate(json) ("" or every
// problem), alert(title, lines), hideAlert(), config() and view() (what to write), holding()
// (a drag or slide in progress: write once it ends), running() (an experiment is loaded),
// load(json, view) (apply a validated config from the link; may throw; may return the promise of
// its drawing).

import { toHash, fromHash } from './urlstate.js';

const message = (e) => String(e && e.message ? e.message : e);

// The alert's title for a link whose experiment cannot be shown.
const KEPT = 'The experiment in this link has problems, so this widget’s own experiment is shown instead; the link stays in the address bar until you change something:';

export class PageLink {
  #host;
  #lastHash = null;
  // The page's hash when its experiment had problems: start-up leaves it in the address bar
  // (so that the visitor can mend it there, or go back to it), the first change replaces it.
  #kept = null;

  constructor(host) {
    this.#host = host;
  }

  /**
   * The experiment in the page's hash, for a widget with `url` at start-up: {json, view}, or
   * null when the widget does not follow the URL, the hash holds no experiment or it has
   * problems (reported in the alert; the widget's own sources are taken then, sources.js).
   */
  fromPage() {
    const host = this.#host;
    if (!host.enabled() || !location.hash || location.hash === '#') return null;
    try {
      const parsed = fromHash(location.hash);
      if (!parsed) return null;
      const msg = host.validate(parsed.config);
      if (!msg) return { json: parsed.config, view: parsed.view };
      host.alert(KEPT, msg.split('\n'));
    } catch (e) {
      host.alert(KEPT, [message(e)]);
    }
    this.#kept = location.hash;
    return null;
  }

  /** Start-up's write: none while the page's hash is a link with problems (fromPage). */
  writeAtStart() {
    if (this.#kept === null || location.hash !== this.#kept) this.write();
  }

  /** Writes the running experiment into the hash (once a drag or slide has ended). */
  write() {
    const host = this.#host;
    // Browsers throttle history updates that come at frame rate: while a start point is
    // dragged the hash is written once, on release.
    if (!host.enabled() || !host.config() || host.holding()) return;
    this.#kept = null;
    const hash = toHash(host.config(), host.view());
    this.#lastHash = hash;
    if (location.hash !== hash) history.replaceState(null, '', hash);
  }

  /**
   * The address that opens the running experiment, for Copy link: the page's own, with the
   * hash written now, for a widget with `url`; for one without it (an embed, whose host page
   * knows nothing of the experiment) the playground page beside this module with the
   * experiment's hash, as the Embed dialog addresses embed.html. Null before an experiment runs.
   */
  shareable() {
    const host = this.#host;
    if (!host.config()) return null;
    if (host.enabled()) {
      this.write();
      return location.href;
    }
    return new URL(`./index.html${toHash(host.config(), host.view())}`, import.meta.url).href;
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
      // The views are drawn in tasks of their own; a trap there is reported by wasm.js.
      Promise.resolve(host.load(parsed.config, parsed.view)).catch(() => {});
    } catch (e) {
      host.alert('The experiment in this link could not be read; the current one was kept:', [message(e)]);
    }
  };
}
