// The pace of the animation: a speed is a number of steps per animation frame, written as text.
// Whole speeds ('10') take that many steps every frame; fractions ('1/12') take one step every
// 12 frames, so that a preset whose story is told in a few dozen steps still plays for long
// enough to be followed while its caption is read; 'max' steps for the whole frame budget.
// Each preset's speed is chosen (presets.js) so that its story plays in PACE_SECONDS at
// FRAMES_PER_SECOND; tests/e2e/pace.test.mjs checks it against the runs' actual ends.
// A ramped speed 'a..b@n' plays the first n steps at a and the rest at b, so that a story whose
// telling moments come early (Adam's in the spiral, the hypergradient's climbing learning rate)
// plays them at a pace a learner can follow before a slow run's long tail plays faster.
// DOM-free: the frame loop and the tests use it in Node.

/** The frame rate the pace is designed for (requestAnimationFrame on a common display). */
export const FRAMES_PER_SECOND = 60;

/** A frame steps for at most this many milliseconds (the 'max' speed; frame-loop.js's budget). */
export const MAX_FRAME_MS = 8;

/** How long a preset's story should play at its own speed: [shortest, longest] in seconds. */
export const PACE_SECONDS = [8, 15];

/** A plain speed's steps per frame: '1/12' is 1/12, '1.5' is 1.5; else NaN. */
function plainSpeed(text) {
  const slash = text.indexOf('/');
  const value = slash > 0 ? Number(text.slice(0, slash)) / Number(text.slice(slash + 1)) : Number(text);
  return Number.isFinite(value) && value > 0 ? value : NaN;
}

/** A ramped speed 'a..b@n' as { first, then, until }, or null when `text` is not one. */
function rampOf(text) {
  const m = /^([^@]+?)\.\.([^@]+)@(\d+)$/.exec(text);
  if (!m) return null;
  const [first, then, until] = [plainSpeed(m[1]), plainSpeed(m[2]), Number(m[3])];
  return first > 0 && then > 0 && until > 0 ? { first, then, until } : null;
}

/**
 * Steps per frame of a speed at `step` (the furthest run's step): 'max' is Infinity, '1/12' is
 * 1/12, '1.5' is 1.5, a ramp 'a..b@n' is a before step n and b from it; anything else (not a
 * positive number) is NaN.
 */
export function stepsPerFrame(speed, step = 0) {
  if (speed === 'max') return Infinity;
  const text = String(speed);
  if (text.includes('..')) {
    const ramp = rampOf(text);
    if (!ramp) return NaN;
    return step < ramp.until ? ramp.first : ramp.then;
  }
  return plainSpeed(text);
}

/** The words for a speed in the speed menu: "1 step / 12 frames", "3 steps / frame", and
 * for a ramp "1 step / 2 frames → 5 from step 200". */
export function speedLabel(speed) {
  const ramp = String(speed).includes('..') ? rampOf(String(speed)) : null;
  if (ramp) {
    const [a, b] = String(speed).split('@')[0].split('..');
    return `${speedLabel(a)} → ${b} from step ${ramp.until}`;
  }
  const perFrame = stepsPerFrame(speed);
  if (perFrame === Infinity) return `max (≈${MAX_FRAME_MS} ms / frame)`;
  if (!(perFrame > 0)) return String(speed);
  if (perFrame < 1) {
    const frames = Math.round(1 / perFrame);
    return `1 step / ${frames} frames`;
  }
  return `${perFrame} ${perFrame === 1 ? 'step' : 'steps'} / frame`;
}

/** Seconds a story of `steps` steps plays at `speed` (Infinity: as fast as the budget allows). */
export function storySeconds(steps, speed) {
  const ramp = String(speed).includes('..') ? rampOf(String(speed)) : null;
  if (ramp) {
    const early = Math.min(steps, ramp.until);
    return (early / ramp.first + Math.max(0, steps - ramp.until) / ramp.then) / FRAMES_PER_SECOND;
  }
  const perFrame = stepsPerFrame(speed);
  if (perFrame === Infinity) return 0;
  return steps / perFrame / FRAMES_PER_SECOND;
}

/**
 * Whole steps to take this frame at `perFrame` steps per frame, carrying the fraction over:
 * returns [steps, credit left]. A credit of 1 - perFrame at the start steps in the first frame.
 */
export function takeCredit(credit, perFrame) {
  const total = credit + perFrame;
  // A tiny tolerance keeps 12 frames of 1/12 from summing to 0.9999999.
  const whole = Math.floor(total + 1e-9);
  return [whole, Math.max(0, total - whole)];
}

/** The credit a new animation starts with, so that its first frame takes a step. */
export function startCredit(perFrame) {
  return perFrame < 1 ? 1 - perFrame : 0;
}
