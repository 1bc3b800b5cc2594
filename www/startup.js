// A widget's start-up, once its parts are built: the catalogue and the engine loaded
// (catalog.js, wasm.js), the experiment it starts with chosen among its sources (sources.js:
// the page's hash, an early el.load(), the attributes, the default preset; the problems of the
// sources passed over are alerted), its Playground made, the first experiment shown (the view
// box of its link, or the default view when that box cannot be shown), the preset's extras, the
// first drawing and link, then `el.ready` resolves and `autoplay` plays (unless the reader asked
// for reduced motion). A failure rejects: the widget reports it and rejects `el.ready`.
//
// startUp(host) -> Promise. Host contract: linked() (the experiment of the page's hash, or
// null: PageLink.fromPage), pending() and clearPending() (a config given to el.load() before
// connection), attrs (readAttributes), engine (EngineLink), experiment (Experiment), parts
// (parts.js), views (Views), statesReset(), writeHash(), alert(title, lines), ready() (resolve
// el.ready), reducedMotion(), play().

import { loadCatalog, DEFAULT_PRESET } from './catalog.js';
import { chooseExperiment } from './sources.js';
import { presetById } from './presets.js';
import { inTask } from './util.js';

const message = (e) => String(e && e.message ? e.message : e);

export async function startUp(host) {
  const { attrs, engine, experiment, parts, views } = host;
  await loadCatalog();
  const { json, view, preset, problems } = await chooseExperiment({
    linked: host.linked(),
    pending: host.pending(),
    sources: attrs.sources,
    fallback: presetById(DEFAULT_PRESET),
  });
  host.clearPending();
  if (problems.length) parts.alerts.attributes(problems);
  engine.open(json);
  experiment.adopt(json);
  const landscape = parts.landscape;
  landscape.resetDefault();
  landscape.view = view;
  try {
    landscape.apply();
  } catch (e) {
    if (e && e.internal) throw e;
    host.alert('The view box in this link cannot be shown, so the default view is used:', [message(e)]);
    landscape.view = null;
    landscape.apply();
  }
  const config = experiment.config;
  if (parts.searchCard) parts.searchCard.reset(config);
  experiment.setKind();
  // A config (or link) that names an analysis runs it now.
  if (parts.analysisCard) parts.analysisCard.invalidate();
  parts.presetBar.detect(config);
  // The author's `speed` holds for the experiment the widget starts with.
  if (preset) experiment.presetExtras(preset, !attrs.speed);
  else views.chartDefaults(config);
  host.statesReset();
  // The settings panels, then the drawing (the main view, then the rest), each in tasks of
  // their own: together with the engine's start they would hold the main thread too long.
  await inTask(() => parts.sidebar.render());
  await views.renderSoon();
  host.writeHash();
  host.ready();
  parts.presetBar.warm();
  // Autoplay, unless the reader asked for reduced motion (Play starts it then).
  if (attrs.autoplay && !host.reducedMotion()) host.play();
}
