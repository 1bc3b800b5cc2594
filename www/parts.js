// The widget's parts, built once when the element is first connected: the views (landscape,
// model view, charts, timeline), the cards of the full widget (complexity sweep, search), the
// Export menu (none when `locked`), the DOM skeleton with the toolbar's actions wired, the
// attributes that shape it (panels, height, theme), the Embed dialog, the alerts, the preset
// bar, the runs lists and the sidebar, and the hover of runs in the lists. It decides what is
// built for the widget's mode; the parts themselves own what they draw.
//
// buildParts(host, parts) fills `parts` (the widget's own object, so that the contract reaches
// the parts already built while the next ones are made): {landscape, modelView, charts,
// timeline, sweepCard, analysisCard, searchCard, exports, embedDialog, $, alerts, presetBar, runs, sidebar}
// (a card the mode does not build is null). Host contract: element (the custom element), ctx
// (the contract of context.js), attrs (readAttributes), mode ('full', 'minimal' or 'none'),
// playback (Playback: its speed, toggle(), userStep(), reset()), choosePreset(id), scrubbed()
// (the timeline's step changed), link() (the address of the running experiment),
// hoverRun(i), config() (the running experiment, or null), configJson() (it as getConfig()
// gives it, for the config export).

import { buildSkeleton, showPanels } from './skeleton.js';
import { applyTheme } from './theme.js';
import { EmbedDialog } from './embed-dialog.js';
import { toHash } from './urlstate.js';
import { SearchCard } from './search.js';
import { PresetBar, presetIdOf } from './preset-bar.js';
import { Charts } from './charts.js';
import { LandscapeView } from './landscape.js';
import { ModelView } from './model-view.js';
import { SweepCard } from './sweep.js';
import { AnalysisCard } from './analysis-card.js';
import { RunsList } from './runs.js';
import { Timeline } from './timeline.js';
import { Sidebar } from './sidebar.js';
import { wireRunHover } from './run-hover.js';
import { ExportMenu, fileSlug } from './exports.js';
import { Alerts } from './alerts.js';

export function buildParts(host, parts) {
  const { element, ctx, attrs, mode, playback } = host;
  const root = element.shadowRoot;
  const full = ctx.full;
  parts.landscape = new LandscapeView(ctx);
  parts.modelView = new ModelView(ctx);
  parts.charts = new Charts(ctx);
  parts.timeline = new Timeline(ctx, () => host.scrubbed());
  parts.sweepCard = full ? new SweepCard(ctx) : null;
  parts.analysisCard = full ? new AnalysisCard(ctx) : null;
  parts.searchCard = full ? new SearchCard(ctx) : null;
  // A locked widget has no exports (attributes are read once, on connection).
  parts.exports = element.hasAttribute('locked') ? null : new ExportMenu(ctx, {
    locked: () => element.hasAttribute('locked'),
    canvasOf: (name) => {
      if (name === 'landscape') return parts.landscape.canvas;
      if (name === 'model') return parts.modelView.canvas;
      return parts.charts.canvasOf(name);
    },
    chartOptions: (name) => parts.charts.optionsOf(name),
    configJson: () => host.configJson(),
    baseName: () => {
      const config = host.config();
      const preset = config ? presetIdOf(config) : null;
      return fileSlug(preset || (config ? config.problem.name : 'experiment'));
    },
  });
  parts.embedDialog = null;
  parts.$ = buildSkeleton(root, {
    full,
    mode,
    speed: playback.speed,
    locked: attrs.locked,
    parts: {
      landCard: parts.landscape.card,
      modelCard: parts.modelView.card,
      stack: parts.charts.stack,
      bottom: parts.charts.bottom,
      sweepCard: parts.sweepCard ? parts.sweepCard.element : null,
      analysisCard: parts.analysisCard ? parts.analysisCard.element : null,
      searchCard: parts.searchCard ? parts.searchCard.element : null,
      exportMenu: parts.exports ? parts.exports.element : null,
    },
    actions: {
      playPause: () => playback.toggle(),
      step: () => playback.userStep(),
      reset: () => playback.reset(),
      speed: (value) => { playback.speed = value; },
      preset: (id) => host.choosePreset(id),
      copyLink: () => parts.presetBar.copyLink(),
      embed: () => openEmbed(parts, host.config()),
    },
  });
  if (attrs.panels) {
    showPanels(parts.$, attrs.panels);
    if (!attrs.panels.has('timeline')) parts.timeline.element.hidden = true;
  }
  if (mode === 'none') parts.timeline.element.hidden = true;
  if (attrs.height) element.style.setProperty('--picture-size', `${attrs.height}px`);
  applyTheme(parts.$.shell, attrs.theme);
  if (full && !attrs.locked) parts.embedDialog = new EmbedDialog(parts.$.shell);
  parts.alerts = new Alerts(root, parts.$);
  if (attrs.problems.length) parts.alerts.attributes(attrs.problems);
  parts.charts.levelColumns({
    main: parts.$.vizMain,
    under: parts.$.vizUnder,
    side: parts.$.vizSide,
    own: [parts.$.status, parts.charts.stack],
  });
  parts.charts.layout();
  parts.presetBar = new PresetBar({ choose: (id) => host.choosePreset(id), link: () => host.link() }, parts.$);
  parts.runs = new RunsList(ctx, parts.$);
  parts.sidebar = new Sidebar(ctx, parts.$, root, (draft, problem) => parts.landscape.remapStarts(draft, problem));
  parts.landscape.wire();
  parts.landscape.wireDrawing();
  parts.charts.observe();
  wireRunHover(root, (i) => host.hoverRun(i));
  return parts;
}

/** The Embed dialog with the snippets of the running experiment and its view box. */
function openEmbed(parts, config) {
  if (!parts.embedDialog || !config) return;
  parts.embedDialog.open(toHash(config, parts.landscape.view).slice(1));
}
