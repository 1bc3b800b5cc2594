// The top row's two columns kept level: column-balance.js decides which chart cards of the row
// under the views (.viz-bottom) go up under the picture (.viz-under, which widget.css places
// under .viz-main, the picture, while it comes after the status list in reading order) or under
// the status list and the first charts (.viz-side, after the chart stack); this module measures
// the page, moves the cards and marks the card that spans the row below. Only where the columns
// stand side by side (widget.css decides where: the widget wide enough); in one column every
// card stays in the row below, in its order.
//
// It balances again when a height changes: a ResizeObserver on the picture, the side column's
// own parts and every card, at most once per animation frame. Each time it starts from the
// canonical arrangement (the picture alone, the side column's own parts, the cards in Charts'
// order), so that cards go back when the status list shrinks (Replay, another preset); a card
// is moved only when its place changes, and a moved card keeps the keyboard focus it held. A
// card is a little taller or shorter in one column than in another (their widths differ): its
// height is taken as the largest it had in the places it was measured in since its content last
// changed, so that a card that turns out too tall in its new place goes back once and stays
// there (no loop of moves).
//
// new ColumnLayout({ main, under, side, own, bottom, cards }): main the picture's column (the
// picture cards only), under the place under the picture, side the status list's column, own
// the side column's own children (the status list and the chart stack), bottom the row below,
// cards() the row's cards in their order, hidden ones included. update() balances now,
// schedule() at the next animation frame, observe() starts watching the heights.

import { balanceColumns, LEFT, RIGHT, BOTTOM } from './column-balance.js';

export class ColumnLayout {
  #main;
  #under;
  #side;
  #own;
  #bottom;
  #cards;
  #queued = false;
  #observer = null;
  #observed = new WeakSet();
  #seen = new WeakMap(); // card -> { where, heights: { [place]: CSS px } }

  constructor({ main, under, side, own, bottom, cards }) {
    this.#main = main;
    this.#under = under;
    this.#side = side;
    this.#own = own;
    this.#bottom = bottom;
    this.#cards = cards;
  }

  /** Starts watching the heights that decide where the cards go. */
  observe() {
    if (!('ResizeObserver' in window)) return;
    this.#observer = new ResizeObserver(() => this.schedule());
    this.#watch([this.#main, ...this.#own, ...this.#cards()]);
  }

  /** Balances the columns at the next animation frame (once, however often it is asked). */
  schedule() {
    if (this.#queued) return;
    this.#queued = true;
    requestAnimationFrame(() => {
      this.#queued = false;
      this.update();
    });
  }

  /** Puts every card of the row below where it belongs now. */
  update() {
    const cards = this.#cards();
    this.#watch(cards);
    const shown = cards.filter((card) => !card.hidden);
    const heights = shown.map((card) => this.#height(card));
    const { places, wide } = this.#sideBySide()
      ? balanceColumns({
        left: this.#main.getBoundingClientRect().height,
        right: ownHeight(this.#side, this.#own),
        gap: parseFloat(getComputedStyle(this.#side).rowGap) || 0,
        heights,
      })
      : balanceColumns({ left: 0, right: 0, gap: 0, heights });
    const placeOf = new Map(shown.map((card, i) => [card, places[i]]));
    const at = (place) => cards.filter((card) => (placeOf.get(card) || BOTTOM) === place);
    this.#arrange([
      [this.#under, at(LEFT)],
      [this.#side, [...this.#own, ...at(RIGHT)]],
      [this.#bottom, at(BOTTOM)],
    ]);
    const wideCard = wide >= 0 ? shown[wide] : null;
    for (const card of cards) card.classList.toggle('wide', card === wideCard);
  }

  #watch(elements) {
    if (!this.#observer) return;
    for (const el of elements) {
      // Observing an element again would report its size again, and balance again: once each.
      if (this.#observed.has(el)) continue;
      this.#observed.add(el);
      this.#observer.observe(el);
    }
  }

  /** Do the two columns stand side by side, with a picture and the row below shown? */
  #sideBySide() {
    if (this.#bottom.hidden) return false;
    const main = this.#main.getBoundingClientRect();
    const side = this.#side.getBoundingClientRect();
    return main.height > 0 && side.width > 0 && side.left >= main.right - 0.5 && side.top < main.bottom;
  }

  /** The card's height for the balance (see the header), recorded where it stands now. */
  #height(card) {
    const where = card.parentNode === this.#under ? LEFT : card.parentNode === this.#side ? RIGHT : BOTTOM;
    const now = card.getBoundingClientRect().height;
    const seen = this.#seen.get(card);
    if (!seen || (seen.where === where && Math.abs(seen.heights[where] - now) > 0.5)) {
      // First seen, or changed where it stands (hidden, redrawn taller, resized): measured afresh.
      this.#seen.set(card, { where, heights: { [where]: now } });
      return now;
    }
    seen.where = where;
    seen.heights[where] = now;
    return Math.max(...Object.values(seen.heights));
  }

  /**
   * Gives each container its children in order ([container, nodes] pairs), moving only the
   * nodes out of place; the element that held the focus in a moved card gets it back.
   */
  #arrange(targets) {
    const root = this.#side.getRootNode();
    const focused = root.activeElement;
    let moved = false;
    for (const [box, nodes] of targets) {
      const wanted = new Set(nodes);
      let next = box.firstElementChild;
      for (const node of nodes) {
        // Children that belong elsewhere are passed over: their own container takes them.
        while (next && next !== node && !wanted.has(next)) next = next.nextElementSibling;
        if (next === node) {
          next = next.nextElementSibling;
          continue;
        }
        box.insertBefore(node, next);
        moved = true;
      }
    }
    if (moved && focused && focused.isConnected && root.activeElement !== focused) focused.focus({ preventScroll: true });
  }
}

/** Is the element laid out (not hidden, not inside something hidden)? */
function shownBox(el) {
  return el.getClientRects().length > 0;
}

/** The height of `column` down to the end of the shown ones of `parts`, its own children. */
function ownHeight(column, parts) {
  const top = column.getBoundingClientRect().top;
  let end = top;
  for (const el of parts) if (shownBox(el)) end = Math.max(end, el.getBoundingClientRect().bottom);
  return end - top;
}
