// Which cards of the row below the views go up into the top row's columns (www/column-balance.js),
// in Node: no move when the columns end level, one card under the picture or under the status
// list, cards that do not fit, the walk that stops at the first card that stays, the overhang,
// the odd card out that spans the row, and the rule's promises over many random layouts.

import test from 'node:test';
import assert from 'node:assert/strict';
import { balanceColumns, LEFT, RIGHT, BOTTOM, OVERHANG } from '../../www/column-balance.js';

const GAP = 14;
// The heights of the page's chart cards at 1440 px (CSS px).
const CHART = 269;

test('columns that end level move nothing, and an even row below stays whole', () => {
  assert.deepEqual(balanceColumns({ left: 825, right: 864, gap: GAP, heights: [CHART, CHART] }),
    { places: [BOTTOM, BOTTOM], wide: -1 });
  assert.deepEqual(balanceColumns({ left: 900, right: 900, gap: GAP, heights: [40] }),
    { places: [BOTTOM], wide: 0 }, 'no blank: even a small card stays');
});

test('a card goes under the picture when the status list\'s column is a card taller', () => {
  // Schedules at 1440 px: the side column ends 420 px below the picture.
  const { places, wide } = balanceColumns({ left: 847, right: 1267, gap: GAP, heights: [CHART, CHART] });
  assert.deepEqual(places, [LEFT, BOTTOM], 'the second card would leave a 146 px blank on the other side');
  assert.equal(wide, 1, 'the one card left spans the row below');
});

test('a card goes under the status list when the picture\'s column is a card taller', () => {
  const { places, wide } = balanceColumns({ left: 1130, right: 700, gap: GAP, heights: [300, CHART, CHART] });
  assert.deepEqual(places, [RIGHT, BOTTOM, BOTTOM]);
  assert.equal(wide, -1, 'two cards left: a whole row');
});

test('cards that do not fit stay below, in their order, and the walk stops at the first', () => {
  // A blank of 150 px: a chart would overhang it by 133 px, almost all of it.
  assert.deepEqual(balanceColumns({ left: 825, right: 975, gap: GAP, heights: [CHART, CHART] }),
    { places: [BOTTOM, BOTTOM], wide: -1 });
  // A small (hidden) chart after a big one that stays does not jump the queue.
  assert.deepEqual(balanceColumns({ left: 825, right: 975, gap: GAP, heights: [CHART, 40] }),
    { places: [BOTTOM, BOTTOM], wide: -1 });
  // The same small chart first fills the blank.
  assert.deepEqual(balanceColumns({ left: 825, right: 975, gap: GAP, heights: [40, CHART] }).places, [LEFT, BOTTOM]);
});

test('a card overhangs the blank by at most half of it', () => {
  // Rastrigin at 1440 px: a blank of 538 px takes both charts; the second one overhangs the
  // 255 px left by 28 px.
  assert.deepEqual(balanceColumns({ left: 859, right: 1397, gap: GAP, heights: [CHART, CHART] }),
    { places: [LEFT, LEFT], wide: -1 });
  // Right at the limit, and just past it.
  const adds = CHART + GAP;
  const limit = adds / (1 + OVERHANG);
  assert.deepEqual(balanceColumns({ left: 0, right: limit, gap: GAP, heights: [CHART] }).places, [LEFT]);
  assert.deepEqual(balanceColumns({ left: 0, right: limit - 0.01, gap: GAP, heights: [CHART] }).places, [BOTTOM]);
});

test('after an overhang the next card goes to the other column, now the shorter', () => {
  // The first card overhangs the 300 px blank by 64 px; a small card fills that.
  assert.deepEqual(balanceColumns({ left: 500, right: 800, gap: GAP, heights: [350, 30, CHART] }),
    { places: [LEFT, RIGHT, BOTTOM], wide: 2 });
});

test('an odd number of cards left below: the last one spans the row', () => {
  assert.equal(balanceColumns({ left: 0, right: 0, gap: GAP, heights: [CHART, CHART, CHART] }).wide, 2);
  assert.equal(balanceColumns({ left: 0, right: 0, gap: GAP, heights: [CHART] }).wide, 0);
  assert.equal(balanceColumns({ left: 0, right: 0, gap: GAP, heights: [] }).wide, -1);
  // Three cards, one gone up: two left, a whole row.
  assert.deepEqual(balanceColumns({ left: 500, right: 850, gap: GAP, heights: [CHART, CHART, CHART] }),
    { places: [LEFT, BOTTOM, BOTTOM], wide: -1 });
});

test('a height that is not a number moves nothing', () => {
  assert.deepEqual(balanceColumns({ left: 500, right: 1500, gap: GAP, heights: [NaN, CHART] }).places, [BOTTOM, BOTTOM]);
});

test('over random layouts: a prefix goes up, each card to the shorter column, the difference never grows and ends small', () => {
  let seed = 12345;
  const random = () => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed / 2147483648;
  };
  for (let trial = 0; trial < 2000; trial++) {
    const left = random() * 1200;
    const right = random() * 1200;
    const gap = Math.round(random() * 20);
    const heights = Array.from({ length: Math.floor(random() * 7) }, () => 20 + random() * 400);
    const { places, wide } = balanceColumns({ left, right, gap, heights });
    const where = JSON.stringify({ left, right, gap, heights, places });
    const moved = places.findIndex((p) => p === BOTTOM);
    const up = moved < 0 ? places.length : moved;
    assert.ok(places.slice(up).every((p) => p === BOTTOM), `the cards that go up come first: ${where}`);
    let l = left;
    let r = right;
    for (let i = 0; i < up; i++) {
      const before = Math.abs(l - r);
      assert.equal(places[i], l < r ? LEFT : RIGHT, `card ${i} goes to the shorter column: ${where}`);
      if (places[i] === LEFT) l += heights[i] + gap; else r += heights[i] + gap;
      const after = Math.abs(l - r);
      assert.ok(after < before, `card ${i} narrows the difference: ${where}`);
      if (heights[i] + gap > before) assert.ok(after <= before * OVERHANG + 1e-9, `card ${i} overhangs by at most half the blank: ${where}`);
    }
    if (up < heights.length) {
      assert.ok(Math.abs(l - r) * (1 + OVERHANG) < heights[up] + gap, `the columns end less than two thirds of the next card apart: ${where}`);
    }
    const below = heights.length - up;
    assert.equal(wide, below % 2 === 1 ? heights.length - 1 : -1, `the odd card out spans the row: ${where}`);
  }
});
