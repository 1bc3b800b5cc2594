// The contract between the widget's modules: one object, `ctx`, made once per widget. Each
// module's header names the part it uses.
//
// Getters of the experiment and the animation: pg(), config(), draft(), kind(), isModel(),
// selected(), hovered(), full, locked, noControls, chartList, playing(), snapshot(),
// lastSnap(), stepsTaken(), configVersion(), viewStep() (the timeline's scrubbed step, null
// when live).
// Requests: changed(kind) (controls.js: 'value', 'structure' or 'cosmetic': applies the draft,
// then re-renders the controls after the event), apply(kind) (without re-rendering the
// controls), select(i), setSelected(i), hoverRun(i), render(part) ('run-editor', 'controls',
// 'runs-list', 'model-head'), rerender(what) after the event ('all', 'run', 'list'),
// writeHash(), setPath(path, value) (the element's set()), load(config) (the element's load()), addRun(run),
// landscapeCanvas(), redrawLandscape(), viewChanged() (the landscape's view box changed: the
// analysis card's overlays follow it), colorOf(i), changeProblem(name), changeKind(kind), watch(fn),
// sliding(), fillAlert(...), dispatch(type, detail).
//
// makeContext(host): host holds experiment (Experiment), views (Views), loop (FrameLoop),
// pg(), parts() (the parts built so far, parts.js), mode() ('full', 'minimal' or 'none'),
// attrs() (readAttributes), snapshot(), writeHash(), setPath(path, value), load(config),
// dispatch(type, detail).

import { PALETTE } from './catalog.js';
import { fillAlert } from './skeleton.js';

/** Run i's colour: its own, or the palette's i-th. */
export function colorOf(config, i) {
  const run = config && config.runs[i];
  return (run && run.color) || PALETTE[i % PALETTE.length];
}

export function makeContext(host) {
  const { experiment, views, loop } = host;
  const parts = () => host.parts();
  return {
    pg: () => host.pg(),
    config: () => experiment.config,
    draft: () => experiment.draft,
    kind: () => experiment.kind,
    isModel: () => experiment.isModel,
    selected: () => experiment.selected,
    hovered: () => views.hovered,
    viewStep: () => (parts().timeline ? parts().timeline.viewStep : null),
    hoverRun: (i) => views.hoverRun(i),
    get full() { return host.mode() === 'full'; },
    get locked() { return host.attrs().locked; },
    get noControls() { return host.mode() === 'none'; },
    get chartList() { return host.attrs().charts; },
    playing: () => loop.playing,
    snapshot: () => host.snapshot(),
    lastSnap: () => loop.lastSnap,
    stepsTaken: () => loop.stepsTaken,
    configVersion: () => experiment.version,
    changed: (kind) => {
      const ok = experiment.apply(kind);
      const { sidebar } = parts();
      const draft = experiment.draft;
      if (kind === 'structure') sidebar.defer(experiment.isModel || (draft.problem && draft.problem.name === 'model') ? 'all' : 'run');
      else if (ok && kind === 'cosmetic') sidebar.defer('list');
      return ok;
    },
    apply: (kind) => experiment.apply(kind),
    select: (i) => experiment.select(i),
    setSelected: (i) => { experiment.selected = i; },
    render: (part) => {
      const p = parts();
      if (part === 'run-editor') p.sidebar.renderRun();
      else if (part === 'controls') p.sidebar.render();
      else if (part === 'runs-list') p.runs.renderList();
      else if (part === 'model-head') p.modelView.renderHead();
    },
    rerender: (what) => parts().sidebar.defer(what),
    writeHash: () => host.writeHash(),
    setPath: (path, value) => host.setPath(path, value),
    load: (config) => host.load(config),
    addRun: (run) => parts().runs.add(run),
    landscapeCanvas: () => parts().landscape.canvas,
    redrawLandscape: () => { if (host.pg() && experiment.kind === 'landscape') parts().landscape.draw(); },
    viewChanged: () => parts().analysisCard?.viewChanged(),
    colorOf: (i) => colorOf(experiment.config, i),
    changeProblem: (name) => parts().sidebar.changeProblem(name),
    changeKind: (kind) => parts().sidebar.changeKind(kind),
    watch: (fn) => parts().sidebar.watch(fn),
    sliding: () => parts().sidebar.slide(),
    fillAlert,
    dispatch: (type, detail) => host.dispatch(type, detail),
  };
}
