// The pace of the animation: a speed is a number of steps per animation frame, written as text.
// Whole speeds ('10') take that many steps every frame; fractions ('1/12') take one step every
// 12 frames, so that a preset whose story is told in a few dozen steps still plays for long
// enough to be followed while its caption is read; 'max' steps for the whole frame budget.
// Each preset's speed is chosen (presets.js) so that its story plays in PACE_SECONDS at
// FRAMES_PER_SECOND; tests/e2e/pace.test.mjs checks it against the runs' actual ends.
// DOM-free: the frame loop and the tests use it in Node.

/** The frame rate the pace is designed for (requestAnimationFrame on a common display). */
export const FRAMES_PER_SECOND = 60;

/** How long a preset's story should play at its own speed: [shortest, longest] in seconds. */
export const PACE_SECONDS = [8, 15];

/**
 * Steps per frame of a speed: 'max' is Infinity, '1/12' is 1/12, '1.5' is 1.5; anything else
 * (not a positive number) is NaN.
 */
export function stepsPerFrame(speed) {
  if (speed === 'max') return Infinity;
  const text = String(speed);
  const slash = text.indexOf('/');
  const value = slash > 0 ? Number(text.slice(0, slash)) / Number(text.slice(slash + 1)) : Number(text);
  return Number.isFinite(value) && value > 0 ? value : NaN;
}

/** The words for a speed in the speed menu: "1 step / 12 frames", "3 steps / frame". */
export function speedLabel(speed) {
  const perFrame = stepsPerFrame(speed);
  if (perFrame === Infinity) return 'max (≈8 ms / frame)';
  if (!(perFrame > 0)) return String(speed);
  if (perFrame < 1) {
    const frames = Math.round(1 / perFrame);
    return `1 step / ${frames} frames`;
  }
  return `${perFrame} ${perFrame === 1 ? 'step' : 'steps'} / frame`;
}

/** Seconds a story of `steps` steps plays at `speed` (Infinity: as fast as the budget allows). */
export function storySeconds(steps, speed) {
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
