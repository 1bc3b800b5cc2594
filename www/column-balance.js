// Which chart cards of the row under the views move up into the top row's two columns (the
// picture's on the left, the run status list's on the right), so that neither column ends far
// above the other and leaves a blank area beside or under the picture: a small masonry. Pure
// arithmetic on heights in CSS pixels, without a DOM, unit-tested in Node
// (tests/e2e/column-balance.test.mjs); column-layout.js measures the page and moves the cards.
//
// The cards are walked in their order. Each one goes to the shorter column when it fills the
// blank there (the difference between the two columns' ends) or overhangs it by at most half the
// blank: what the card adds (its height and the gap above it) is at most 1.5 times the blank. A
// card that would overhang more would only move the blank to the other column, hardly smaller.
// At the first card that does not go up, the walk stops: that card and the ones after it stay in
// the row below, in their order. So the cards in the columns come before those below, the
// difference between the columns never grows (a card that overhangs at least halves it), and
// the walk ends with no card left or with the columns less than two thirds of the next card and
// its gap apart (less than the card's height, for any card taller than two gaps). An odd number of cards left in the two-column row below
// would leave half a row empty: the last one spans the row.

/** Where a card goes: under the picture, under the status list's column, or in the row below. */
export const LEFT = 'left';
export const RIGHT = 'right';
export const BOTTOM = 'bottom';
/** How far a card may overhang the blank it fills, as a share of the blank. */
export const OVERHANG = 0.5;

/**
 * Places the row's cards.
 *
 * left: the picture column's own height (the picture card alone); right: the side column's own
 * height (the status list and the first charts, without moved cards); gap: the space between two
 * cards of a column; heights: the heights of the row's shown cards, in their order.
 * Returns { places, wide }: places[i] is LEFT, RIGHT or BOTTOM for card i; wide is the index of
 * the card that spans the row below (the last of an odd number left there), or -1.
 */
export function balanceColumns({ left, right, gap, heights }) {
  const places = heights.map(() => BOTTOM);
  let leftEnd = left;
  let rightEnd = right;
  for (let i = 0; i < heights.length; i++) {
    const adds = heights[i] + gap;
    // Written so that a height that is not a number moves nothing.
    if (!(adds <= (1 + OVERHANG) * Math.abs(leftEnd - rightEnd))) break;
    if (leftEnd < rightEnd) {
      places[i] = LEFT;
      leftEnd += adds;
    } else {
      places[i] = RIGHT;
      rightEnd += adds;
    }
  }
  const below = places.filter((p) => p === BOTTOM).length;
  const wide = below % 2 === 1 ? places.lastIndexOf(BOTTOM) : -1;
  return { places, wide };
}
