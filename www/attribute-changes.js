// The widget's attributes after connection: attributeChangedCallback (widget.js) hands every
// change of an observed attribute but `config` (which widget.js loads itself) to
// attributeChanged, which applies it as if the attribute had been read on connection, with the
// same validation messages (readAttributes for the widget's own attributes, chooseExperiment for
// an experiment source):
//
//   controls, locked, charts   the widget is built again; the experiment and its runs are kept
//   speed                      the animation's pace and the speed menu (removed: the preset's, else 10)
//   theme, height              the colours; the picture's size (removed: auto; its own size)
//   autoplay                   added: plays (not under prefers-reduced-motion); removed: nothing stops
//   loop                       read at every end of the runs (self-running.js); added after every
//                              run has stopped: plays again LOOP_PAUSE_MS later
//   url, no-url                the widget reads and writes the page's hash from now on (it writes
//                              its experiment there at once), or leaves it alone
//   hash, src, preset          a new experiment from that source; a source with problems is named
//                              in the widget's alert and the running experiment is kept; a removed
//                              source changes nothing; of two quick changes the later one wins,
//                              even when the earlier one's fetch ends last
//
// After every change the attribute alert lists the problems of the attributes as they now stand
// (an attribute fixed by a later change leaves the alert).
//
// Host contract: attrs() (readAttributes(el), read again), rebuild(), setSpeed(text),
// presetSpeed() (the running preset's speed or null), shell(), play(), playing(), over() (true
// when every run has stopped), replayLater() (SelfRunning's: play again after LOOP_PAUSE_MS),
// switchUrl(), loadSource(name, value, current) -> Promise (the problem or null; it loads
// nothing once current() is false: a later source change came first), showProblems(lines).

import { applyTheme } from './theme.js';
import { DEFAULT_SPEED } from './playback.js';

/** The attributes whose change builds the widget again. */
const REBUILT = new Set(['controls', 'locked', 'charts']);

/** The attributes that name where the experiment comes from (but `config`: widget.js). */
const SOURCES = new Set(['hash', 'src', 'preset']);

/** Applies the change of attribute `name` to `value` (null: removed); see the header. */
export async function attributeChanged(host, el, name, value) {
  if (name === 'url' || name === 'no-url') {
    host.switchUrl();
    host.showProblems(host.attrs().problems);
    return;
  }
  const attrs = host.attrs();
  if (REBUILT.has(name)) {
    host.rebuild();
  } else if (name === 'speed') {
    host.setSpeed(attrs.speed ?? host.presetSpeed() ?? DEFAULT_SPEED);
  } else if (name === 'theme') {
    applyTheme(host.shell(), attrs.theme);
  } else if (name === 'height') {
    if (attrs.height) el.style.setProperty('--picture-size', `${attrs.height}px`);
    else el.style.removeProperty('--picture-size');
  } else if (name === 'autoplay') {
    if (attrs.autoplay && !host.playing() && !window.matchMedia('(prefers-reduced-motion: reduce)').matches) host.play();
  } else if (name === 'loop') {
    if (attrs.loop && host.over()) host.replayLater();
  }
  const problems = [...attrs.problems];
  if (SOURCES.has(name) && value !== null) {
    // Sources load asynchronously (src is fetched): only the latest change loads and alerts.
    const version = (sourceChanges.get(el) || 0) + 1;
    sourceChanges.set(el, version);
    const current = () => sourceChanges.get(el) === version;
    const problem = await host.loadSource(name, value, current);
    if (!current()) return;
    if (problem) problems.push(problem);
  }
  host.showProblems(problems);
}

/** How many source changes each widget has had (the latest one is the one applied). */
const sourceChanges = new WeakMap();
