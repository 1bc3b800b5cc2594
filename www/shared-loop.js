// One animation loop for every widget on the page: however many widgets play, the page asks for
// one requestAnimationFrame per frame, and that frame calls every callback queued for it (each
// playing widget's FrameLoop queues its next frame here). The widgets of one frame share its
// stepping budget: share() is the number of FrameLoops in the frame being run, and each one
// steps for its budget divided by it (frame-loop.js), so that three playing widgets together
// take no longer than one. DOM-free apart from requestAnimationFrame, which tests may replace.

let queue = [];
let requested = false;
let share = 1;
let frames = 0;
let schedule = (fn) => requestAnimationFrame(fn);

/** Calls `fn` in the next shared animation frame. */
export function nextFrame(fn) {
  queue.push(fn);
  if (!requested) {
    requested = true;
    schedule(runFrame);
  }
}

/** How many callbacks the frame being run has (1 outside a frame). */
export function frameShare() {
  return share;
}

/** How many shared frames have run (for tests: one per requestAnimationFrame). */
export function framesRun() {
  return frames;
}

/** Replaces requestAnimationFrame (tests in Node). */
export function setScheduler(fn) {
  schedule = fn;
}

function runFrame() {
  requested = false;
  frames += 1;
  const due = queue;
  queue = [];
  share = Math.max(1, due.length);
  try {
    for (const fn of due) {
      try {
        fn();
      } catch (e) {
        // One widget's failure must not stop the others' frames.
        console.error(e);
      }
    }
  } finally {
    share = 1;
  }
}
